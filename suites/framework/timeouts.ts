import { setTimeout as delay } from "node:timers/promises";
import type { CheckContext, Timeout } from "./check.ts";
import { CheckAborted, TimeoutExpired } from "./errors.ts";

/**
 * Every wait's budget, by name, in one table (upstream e2e's TimeoutContext). A slow cluster scales them
 * all with one factor: `--option timeout-scale=2` (or the config-map key `timeout-scale`). The name is
 * what an abort message quotes.
 */
export const TIMEOUTS = {
  /** A pod gets scheduled, pulls its image and runs (image pulls dominate). */
  "pod-start": 300_000,
  /** A running pod passes its readiness probe. */
  "pod-ready": 300_000,
  /** A PVC gets bound (provisioning a volume). */
  "pvc-bound": 300_000,
  /** A node reports Ready again (after a reboot or repair). */
  "node-ready": 600_000,
  /** The node controller marks an unreachable node NotReady (node-monitor-grace-period is 40-50 s). */
  "node-not-ready": 300_000,
  /** An Ingress of the default IngressClass gets an address from its controller (a SHOULD, scs-0219). */
  "ingress-address": 60_000,
  /** A Service of type LoadBalancer gets an ingress address. */
  "lb-ingress": 300_000,
  /** One exec into a container, from connect to exit status. */
  exec: 60_000,
  /** Reading one container's log. */
  logs: 30_000,
  /** A test namespace disappears after its deletion (finalizers: PVs, LoadBalancers). */
  "namespace-gone": 300_000,
} as const satisfies Record<string, number>;

export type TimeoutName = keyof typeof TIMEOUTS;

export const TIMEOUT_SCALE_OPTION = "timeout-scale";

/** The factor from `ctx.options["timeout-scale"]` (default 1); anything but a positive number aborts. */
export function timeoutScale(options: Readonly<Record<string, string>>): number {
  const raw = options[TIMEOUT_SCALE_OPTION];
  if (raw === undefined || raw.trim() === "") return 1;
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new CheckAborted(`option ${TIMEOUT_SCALE_OPTION}=${raw} is not a positive number`);
  }
  return factor;
}

/** The named timeout from TIMEOUTS, scaled by the run's `timeout-scale`. */
export function scaledTimeout(ctx: Pick<CheckContext, "options">, name: TimeoutName): Timeout {
  return { name, ms: Math.round(TIMEOUTS[name] * timeoutScale(ctx.options)) };
}

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
  const expired = new TimeoutExpired(timeout.name, timeout.ms, what);
  // Not AbortSignal.timeout: its timer is unref'd (a wait on work that holds no handle would let the
  // process exit instead of expiring), cannot be cleared, and its reason would not name the timeout.
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(expired), timeout.ms);
  const signal = parent ? AbortSignal.any([parent, timer.signal]) : timer.signal;
  try {
    return await Promise.race([fn(signal), rejectWhenAborted(signal)]);
  } finally {
    clearTimeout(handle);
  }
}

/**
 * Rejects with the signal's reason once it aborts (at once if it already has); never resolves. Meant
 * for Promise.race, so that a wait ends on abort even when the awaited work ignores the signal. Marked
 * handled: a race that settled otherwise leaves no unhandled rejection behind.
 */
export function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  const stopped = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  stopped.catch(() => {});
  return stopped;
}

/** Resolves after ms, or rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}
