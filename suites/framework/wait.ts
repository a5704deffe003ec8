import { type KubernetesObject, Watch } from "@kubernetes/client-node";
import pRetry, { AbortError } from "p-retry";
import { apiStatusOf, translateError } from "./api-errors.ts";
import type { CheckContext, Timeout } from "./check.ts";
import { CheckAborted, CheckFailed, CheckSkipped, TimeoutExpired } from "./errors.ts";
import { sleep, withTimeout } from "./timeouts.ts";

export interface WatchWait<T extends KubernetesObject> {
  /** Completes "timeout ... expired while waiting for <what>". */
  what: string;
  /** Collection path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** Lists the same collection (a typed client call); its resourceVersion starts the watch. */
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  fieldSelector?: string;
  labelSelector?: string;
  timeout: Timeout;
  /** True when the object is in the state waited for. */
  until: (obj: T) => boolean;
  /** A reason when the object can never get there (e.g. pod Failed): stops the wait with that error. */
  hopeless?: (obj: T) => string | undefined;
}

type WatchEnd = { kind: "found"; obj: unknown } | { kind: "expired" } | { kind: "ended"; err?: unknown };

/** Consecutive failures to (re)start a watch before the wait gives up with the last error. */
const MAX_WATCH_FAILURES = 5;

/**
 * Waits until an object of the collection satisfies `until`: lists once, then watches from the listed
 * resourceVersion. A watch that ends (server timeout, client-node's 30 s inactivity abort, a proxy) is
 * resumed from the last resourceVersion seen; a 410 Gone relists. Bounded by a named timeout and the
 * check's signal.
 */
export async function waitForWatch<T extends KubernetesObject>(
  ctx: CheckContext,
  w: WatchWait<T>,
): Promise<T> {
  const watch = new Watch(ctx.kubeConfig);
  const decide = (obj: T): T | undefined => {
    const why = w.hopeless?.(obj);
    if (why) throw new CheckFailed(`${w.what}: ${why}`);
    return w.until(obj) ? obj : undefined;
  };
  return withTimeout(w.timeout, ctx.signal, `waiting for ${w.what}`, async (signal) => {
    let resourceVersion: string | undefined;
    let failures = 0;
    for (;;) {
      if (resourceVersion === undefined) {
        const listed = await w.list();
        for (const item of listed.items) {
          const hit = decide(item);
          if (hit) return hit;
        }
        resourceVersion = listed.metadata?.resourceVersion ?? "0";
      }
      const end = await watchOnce(
        watch,
        w.path,
        {
          resourceVersion,
          allowWatchBookmarks: true,
          fieldSelector: w.fieldSelector,
          labelSelector: w.labelSelector,
        },
        signal,
        (obj) => {
          const rv = (obj as KubernetesObject).metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          return decide(obj as T);
        },
      );
      if (end.kind === "found") return end.obj as T;
      if (end.kind === "expired") {
        ctx.log(`watch of ${w.path}: resourceVersion ${resourceVersion} expired, relisting`);
        resourceVersion = undefined;
        continue;
      }
      if (end.err === undefined) {
        failures = 0;
        ctx.log(`watch of ${w.path} ended, resuming from resourceVersion ${resourceVersion}`);
        continue;
      }
      const status = (end.err as { statusCode?: unknown }).statusCode;
      if (status === 403 || status === 401 || ++failures >= MAX_WATCH_FAILURES) throw end.err;
      ctx.log(`watch of ${w.path} failed (${translateError(end.err).reason}), retrying`);
      await sleep(Math.min(500 * 2 ** failures, 5000), signal);
    }
  });
}

function watchOnce(
  watch: Watch,
  path: string,
  query: Record<string, string | boolean | undefined>,
  signal: AbortSignal,
  onObject: (obj: unknown) => unknown,
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    const settle = (end: WatchEnd | { error: unknown }) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      controller?.abort();
      if ("error" in end) reject(end.error);
      else resolve(end);
    };
    const onAbort = () => settle({ error: signal.reason });
    signal.addEventListener("abort", onAbort, { once: true });
    watch
      .watch(
        path,
        query,
        (phase, obj) => {
          if (settled) return;
          if (phase === "ERROR") {
            const code = (obj as { code?: number })?.code;
            if (code === 410) return settle({ kind: "expired" });
            return settle({
              kind: "ended",
              err: Object.assign(new Error(String((obj as { message?: string })?.message)), {
                statusCode: code,
              }),
            });
          }
          try {
            const hit = onObject(obj);
            if (phase !== "BOOKMARK" && hit) settle({ kind: "found", obj: hit });
          } catch (err) {
            settle({ error: err });
          }
        },
        (err) => {
          if (signal.aborted) return settle({ error: signal.reason });
          settle({ kind: "ended", ...(err ? { err } : {}) });
        },
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (err) => settle({ kind: "ended", err }),
      );
  });
}

export interface RetryWait<T> {
  what: string;
  timeout: Timeout;
  /** Throws (anything) while not there yet; CheckFailed/CheckAborted/CheckSkipped and 401/403 stop at once. */
  attempt: (signal: AbortSignal) => Promise<T>;
  /** First delay between attempts; grows to at most 10 s. */
  intervalMs?: number;
}

/** Polls with p-retry until attempt succeeds, bounded by a named timeout; the abort names the last error. */
export async function retryUntil<T>(ctx: CheckContext, r: RetryWait<T>): Promise<T> {
  let last: unknown;
  try {
    return await withTimeout(r.timeout, ctx.signal, `waiting for ${r.what}`, (signal) =>
      pRetry(
        async () => {
          try {
            return await r.attempt(signal);
          } catch (err) {
            last = err;
            if (isFinal(err)) throw new AbortError(err as Error);
            throw err;
          }
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: r.intervalMs ?? 1000,
          maxTimeout: 10_000,
          factor: 1.5,
          signal,
          shouldRetry: ({ error }) => !isFinal(error),
        },
      ),
    );
  } catch (err) {
    if (err instanceof TimeoutExpired && last !== undefined) {
      throw new CheckAborted(`${err.message}; last attempt: ${translateError(last).reason}`, [], {
        cause: err,
      });
    }
    throw err;
  }
}

function isFinal(err: unknown): boolean {
  if (err instanceof CheckFailed || err instanceof CheckAborted || err instanceof CheckSkipped) return true;
  const status = apiStatusOf(err);
  return status === 401 || status === 403;
}
