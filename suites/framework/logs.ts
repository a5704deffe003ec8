import { CoreV1Api } from "@kubernetes/client-node";
import type { CheckContext } from "./check.ts";
import { scaledTimeout, withTimeout } from "./timeouts.ts";

export interface LogOptions {
  /** The previous (crashed) instance's log. */
  previous?: boolean;
  /** Only the last lines. */
  tailLines?: number;
  /** At most this many bytes (default 256 KiB): a log never floods a result. */
  limitBytes?: number;
}

export const DEFAULT_LOG_LIMIT_BYTES = 256 * 1024;

/** One container's log as text, bounded by the `logs` timeout and `limitBytes`. */
export async function containerLogs(
  ctx: CheckContext,
  namespace: string,
  pod: string,
  container?: string,
  opts: LogOptions = {},
): Promise<string> {
  const core = ctx.api(CoreV1Api);
  const target = `${namespace}/${pod}${container ? `/${container}` : ""}`;
  return withTimeout(scaledTimeout(ctx, "logs"), ctx.signal, `reading the log of ${target}`, () =>
    core.readNamespacedPodLog({
      namespace,
      name: pod,
      ...(container ? { container } : {}),
      ...(opts.previous ? { previous: true } : {}),
      ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
      limitBytes: opts.limitBytes ?? DEFAULT_LOG_LIMIT_BYTES,
    }),
  );
}
