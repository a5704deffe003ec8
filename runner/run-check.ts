import type { KubeConfig } from "@kubernetes/client-node";
import { isVerdict } from "../common/verdict.ts";
import { describe, translateError } from "../suites/framework/api-errors.ts";
import type { CheckDefinition, CheckOutcome, Timeout } from "../suites/framework/check.ts";
import { type CleanupReport, collectDumps, runCleanups } from "../suites/framework/cleanup.ts";
import { createCheckContext } from "../suites/framework/context.ts";
import { CheckSkipped, TimeoutExpired } from "../suites/framework/errors.ts";
import { rejectWhenAborted, sleep } from "../suites/framework/timeouts.ts";
import { type CheckResult, summarize } from "./result.ts";

export interface RunnerTimeouts {
  /** Budget for all cleanups of one check. */
  cleanup: Timeout;
  /** Budget for cleanups once the run was interrupted (SIGTERM): must fit the pod's grace period. */
  cleanupAfterInterrupt: Timeout;
  /** Budget for each failure dump. */
  dump: Timeout;
  /**
   * How long a stopped check's body gets to notice its aborted signal and return (registering late
   * cleanups on the way) before its cleanups start without it. Default DEFAULT_BODY_AFTER_STOP.
   */
  bodyAfterStop?: Timeout;
}

export const DEFAULT_BODY_AFTER_STOP: Timeout = { name: "body-after-stop", ms: 5_000 };

export const DEFAULT_TIMEOUTS: RunnerTimeouts = {
  cleanup: { name: "cleanup", ms: 120_000 },
  // Sonobuoy's pod gets terminationGracePeriodSeconds: 60 (sonobuoy.yaml); leave room for writing results.
  cleanupAfterInterrupt: { name: "cleanup-after-interrupt", ms: 30_000 },
  dump: { name: "failure-dump", ms: 20_000 },
  bodyAfterStop: DEFAULT_BODY_AFTER_STOP,
};

export interface CheckEnv {
  kubeConfig: KubeConfig;
  runId: string;
  referenceDate: Date;
  options: Readonly<Record<string, string>>;
  /** Aborted when the whole run is interrupted; its reason becomes the check's abort reason. */
  runSignal: AbortSignal;
  timeouts: RunnerTimeouts;
  onLog?: (checkId: string, line: string) => void;
}

/** Lets the runner end the running check from outside (an unhandled rejection attributed to it). */
export interface RunningCheck {
  abort(reason: Error): void;
}

/**
 * Runs one check to a result; never rejects. Preconditions, then run(), bounded by the check's named
 * timeout; whatever ends it (outcome, thrown error, timeout, interruption), dumps are taken if it did not
 * pass and its cleanups run newest first, bounded by their own named timeout. A stopped body is given
 * a bounded moment to return; a cleanup it registers after the stop runs at once and is reported too.
 */
export async function executeCheck(
  check: CheckDefinition,
  env: CheckEnv,
  onStart?: (running: RunningCheck) => void,
): Promise<CheckResult> {
  const started = Date.now();
  const controller = new AbortController();
  const stopWith = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onRunAbort = () => stopWith(env.runSignal.reason as Error);
  if (env.runSignal.aborted) onRunAbort();
  else env.runSignal.addEventListener("abort", onRunAbort, { once: true });
  const timer = setTimeout(
    () => stopWith(new TimeoutExpired(check.timeout.name, check.timeout.ms, `running ${check.id}`)),
    check.timeout.ms,
  );
  onStart?.({ abort: stopWith });

  const { ctx, record } = createCheckContext({
    checkId: check.id,
    runId: env.runId,
    kubeConfig: env.kubeConfig,
    signal: controller.signal,
    referenceDate: env.referenceDate,
    options: env.options,
    ...(env.onLog ? { onLog: (line: string) => env.onLog?.(check.id, line) } : {}),
  });

  const stopped = rejectWhenAborted(controller.signal);

  let outcome: CheckOutcome;
  let body: Promise<CheckOutcome> | undefined;
  try {
    body = (async (): Promise<CheckOutcome> => {
      for (const precondition of check.preconditions ?? []) {
        const unmet = await precondition(ctx);
        if (unmet !== undefined) throw new CheckSkipped(unmet);
      }
      return validated(await check.run(ctx));
    })();
    body.catch(() => {}); // once `stopped` wins, a late rejection of the abandoned body must not go unhandled
    outcome = await Promise.race([body, stopped]);
  } catch (err) {
    // Once the check was stopped, the stop reason is the truth; what the check threw afterwards is noise.
    const cause = controller.signal.aborted ? controller.signal.reason : err;
    const t = translateError(cause);
    outcome = { verdict: t.verdict, reason: t.reason, details: t.details };
    if (controller.signal.aborted && err !== cause)
      outcome.details?.push(`the check then ended with: ${describe(err)}`);
  } finally {
    clearTimeout(timer);
    env.runSignal.removeEventListener("abort", onRunAbort);
  }
  const interrupted = env.runSignal.aborted;
  const wasStopped = controller.signal.aborted;
  if (!wasStopped) controller.abort(new Error("the check has ended"));
  const budget = interrupted ? env.timeouts.cleanupAfterInterrupt : env.timeouts.cleanup;

  // From here on a cleanup the (abandoned) body registers runs at once, bounded like the others.
  const late: Promise<CleanupReport>[] = [];
  record.close((cleanup) => {
    const run = runCleanups([cleanup], budget);
    late.push(run);
    void run.then((r) => {
      for (const line of r.lines) env.onLog?.(check.id, `late cleanup: ${line}`);
    });
  });
  if (wasStopped && body) {
    const grace = env.timeouts.bodyAfterStop ?? DEFAULT_BODY_AFTER_STOP;
    const graceOver = new AbortController();
    const returned = await Promise.race([
      body.then(yes, yes),
      sleep(grace.ms, graceOver.signal).then(no, no),
    ]);
    graceOver.abort();
    if (!returned)
      ctx.log(
        `the check did not return within "${grace.name}" (${grace.ms}ms) after it was stopped; cleaning up without it`,
      );
  }

  const output = [...record.log];
  if (outcome.verdict !== "pass" && record.dumps.length && !interrupted) {
    output.push(...(await collectDumps(record.dumps, env.timeouts.dump)));
  }
  const warnings = [...(outcome.warnings ?? [])];
  const reports: CleanupReport[] = [];
  if (record.cleanups.length) reports.push(await runCleanups(record.cleanups, budget));
  for (let seen = 0; seen < late.length; seen++) reports.push(await (late[seen] as Promise<CleanupReport>));
  const lines = reports.flatMap((r) => r.lines);
  if (lines.length) output.push("cleanup:", ...lines.map((l) => `  ${l}`));
  for (const failure of reports.flatMap((r) => r.failures)) {
    warnings.push(`cleanup incomplete, objects may be left behind (label run id ${env.runId}): ${failure}`);
  }
  return {
    check: summarize(check),
    verdict: outcome.verdict,
    reason: outcome.reason,
    details: outcome.details ?? [],
    warnings,
    output,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}

const yes = () => true;
const no = () => false;

function validated(o: unknown): CheckOutcome {
  const outcome = o as CheckOutcome | undefined;
  if (!outcome || !isVerdict(outcome.verdict) || typeof outcome.reason !== "string") {
    throw new Error(`run() returned an invalid outcome: ${JSON.stringify(o)?.slice(0, 200)}`);
  }
  return outcome;
}
