import type { Timeout } from "./check.ts";
import { TimeoutExpired } from "./errors.ts";

/**
 * Runs fn with a signal that aborts when `timeout` expires or `parent` aborts, whichever comes first,
 * and settles as soon as that happens even if fn ignores its signal. A timeout rejects with
 * TimeoutExpired (naming the timeout); a parent abort rejects with the parent's reason.
 */
export async function withTimeout<T>(
  timeout: Timeout,
  parent: AbortSignal | undefined,
  what: string | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (reason: unknown) => {
      controller.abort(reason);
      reject(reason);
    };
    if (parent?.aborted) return stop(parent.reason);
    timer = setTimeout(() => stop(new TimeoutExpired(timeout.name, timeout.ms, what)), timeout.ms);
    onParentAbort = () => stop(parent?.reason);
    parent?.addEventListener("abort", onParentAbort, { once: true });
  });
  stopped.catch(() => {});
  try {
    return await Promise.race([fn(controller.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onParentAbort) parent?.removeEventListener("abort", onParentAbort);
  }
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
