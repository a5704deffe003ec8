import pRetry, { AbortError } from "p-retry";
import { CheckAborted } from "../errors.ts";
import type { NodeActionDriver, NodeActionRequest } from "./driver.ts";

/** Attempts for a call that did not reach the webhook (connection refused) or found it busy (503). */
export const WEBHOOK_RETRY = { attempts: 4, firstDelayMs: 1000 };
/** The most of a response body an error message quotes. */
const QUOTED_BODY = 300;

/**
 * The `webhook` driver: POSTs `{"action","node","providerID","runId"}` as JSON with `Authorization: Bearer
 * <token>` and waits for the answer. 2xx: done; its JSON `message` (or `state`) is the provider's account.
 * Anything else aborts the check, quoting the status and the start of the body. Only calls that cannot have
 * started an action are retried (connection refused, 503); a timeout is never retried (a roll may be under
 * way).
 */
export function webhookDriver(
  url: URL,
  token: () => Promise<string>,
  retry: typeof WEBHOOK_RETRY = WEBHOOK_RETRY,
): NodeActionDriver {
  const where = url.href;
  return {
    description: `webhook ${where}`,
    async act(request: NodeActionRequest, signal: AbortSignal): Promise<string> {
      const bearer = await token();
      const what = `node action webhook ${where}: ${request.action} ${request.node}`;
      const response = await pRetry(
        async () => {
          let r: Response;
          try {
            r = await fetch(url, {
              method: "POST",
              headers: {
                authorization: `Bearer ${bearer}`,
                "content-type": "application/json",
                accept: "application/json",
              },
              body: JSON.stringify(request),
              signal,
            });
          } catch (err) {
            if (signal.aborted)
              throw new AbortError(signal.reason instanceof Error ? signal.reason : String(err));
            const code = networkCode(err);
            const failure = new CheckAborted(`${what}: cannot reach the webhook (${code ?? describe(err)})`);
            if (code === "ECONNREFUSED") throw failure;
            throw new AbortError(failure);
          }
          if (r.status === 503) {
            await r.body?.cancel();
            throw new CheckAborted(`${what}: the webhook is busy (503 Service Unavailable)`);
          }
          return r;
        },
        { retries: retry.attempts - 1, minTimeout: retry.firstDelayMs, factor: 2, signal },
      );
      const text = await response.text();
      if (response.ok) return accountOf(text);
      const hint =
        response.status === 401 || response.status === 403
          ? " (the webhook refused the bearer token: check node-action-token-file / node-action-token-secret)"
          : "";
      throw new CheckAborted(
        `${what}: answered ${response.status} ${response.statusText}${hint}: ${quote(text)}`.trimEnd(),
      );
    },
  };
}

function accountOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; state?: unknown };
    const said = parsed.message ?? parsed.state;
    if (typeof said === "string") return said;
  } catch {}
  return quote(body);
}

function quote(body: string): string {
  const line = body.replace(/\s+/g, " ").trim();
  return line.length > QUOTED_BODY ? `${line.slice(0, QUOTED_BODY)}…` : line;
}

function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
