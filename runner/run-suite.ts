import { AsyncLocalStorage } from "node:async_hooks";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { type CheckResult, summarize } from "./result.ts";
import { type CheckEnv, executeCheck, type RunningCheck } from "./run-check.ts";
import { planRun, type SelectedCheck } from "./select.ts";

/** How many non-serial checks run at once unless told otherwise (`--parallel`, the plugin's `parallel`). */
export const DEFAULT_PARALLEL = 16;

export type SuiteEvent =
  | { type: "start"; check: CheckDefinition; index: number; total: number }
  | { type: "finish"; result: CheckResult; index: number; total: number; results: readonly CheckResult[] };

interface Running {
  check: CheckDefinition;
  started: number;
  handle?: RunningCheck;
}

/**
 * The check whose code is running in the current async context: Node runs `unhandledRejection` and
 * `uncaughtException` handlers in the context of the promise or callback that failed, so a stray error
 * can be pinned on the check it came from while several run.
 */
const checkContext = new AsyncLocalStorage<string>();

/**
 * Runs the selected checks, the ordinary ones concurrently (at most `parallel` at a time), `[Serial]`
 * ones alone after them, `[Disruptive]` ones last and alone (select.ts planRun). It can say at any
 * moment what the junit should contain, always in registry order: finished checks as they ended, the
 * running ones and the pending ones as aborts saying why they did not finish (snapshot), so that a crash
 * or SIGTERM still leaves a complete, honest report.
 */
export class SuiteRun {
  readonly #selection: readonly SelectedCheck[];
  readonly #env: CheckEnv;
  readonly #parallel: number;
  readonly #finished = new Map<string, CheckResult>();
  readonly #running = new Map<string, Running>();
  #started = 0;

  constructor(selection: readonly SelectedCheck[], env: CheckEnv, parallel = DEFAULT_PARALLEL) {
    if (!Number.isInteger(parallel) || parallel < 1)
      throw new RangeError(`parallel must be a whole number of at least 1, got ${parallel}`);
    this.#selection = selection;
    this.#env = env;
    this.#parallel = parallel;
    for (const s of selection) {
      if (!s.selected) {
        this.#finished.set(s.check.id, {
          ...notRun(s.check, "skip", `not selected: ${s.excludedBecause}`),
          notSelected: true,
        });
      }
    }
  }

  get selectedCount(): number {
    return this.#selection.filter((s) => s.selected).length;
  }

  /** Ids of the checks running now, in the order they started. */
  get runningCheckIds(): string[] {
    return [...this.#running.keys()];
  }

  /** The running check whose code the caller's async context belongs to, if any. */
  checkInContext(): string | undefined {
    const id = checkContext.getStore();
    return id !== undefined && this.#running.has(id) ? id : undefined;
  }

  /** Ends one running check with this reason; false if it is not running. */
  abortCheck(id: string, reason: Error): boolean {
    const r = this.#running.get(id);
    if (!r?.handle) return false;
    r.handle.abort(reason);
    return true;
  }

  /** Ends every running check with this reason; returns their ids. */
  abortRunning(reason: Error): string[] {
    return this.runningCheckIds.filter((id) => this.abortCheck(id, reason));
  }

  async run(onEvent?: (e: SuiteEvent) => void): Promise<CheckResult[]> {
    const selected = this.#selection.filter((s) => s.selected).map((s) => s.check);
    for (const phase of planRun(selected, this.#parallel)) {
      const queue = [...phase.checks];
      const worker = async () => {
        for (let check = queue.shift(); check; check = queue.shift()) {
          await this.#runOne(check, selected.length, onEvent);
        }
      };
      await Promise.all(Array.from({ length: Math.min(phase.concurrency, queue.length) }, worker));
    }
    return this.results();
  }

  async #runOne(check: CheckDefinition, total: number, onEvent?: (e: SuiteEvent) => void): Promise<void> {
    if (this.#env.runSignal.aborted) {
      this.#finished.set(
        check.id,
        notRun(check, "abort", `not run: ${reasonText(this.#env.runSignal.reason)}`),
      );
      return;
    }
    const index = this.#started++;
    const running: Running = { check, started: Date.now() };
    this.#running.set(check.id, running);
    onEvent?.({ type: "start", check, index, total });
    const result = await checkContext.run(check.id, () =>
      executeCheck(check, this.#env, (handle) => {
        running.handle = handle;
      }),
    );
    this.#running.delete(check.id);
    this.#finished.set(check.id, result);
    onEvent?.({ type: "finish", result, index, total, results: this.results() });
  }

  /** Finished results only, in registry order. */
  results(): CheckResult[] {
    return this.#selection.flatMap((s) => this.#finished.get(s.check.id) ?? []);
  }

  /** Every check, in registry order; those without a result are aborts that say why, in `why`'s words. */
  snapshot(why: string): CheckResult[] {
    return this.#selection.map((s) => {
      const done = this.#finished.get(s.check.id);
      if (done) return done;
      const running = this.#running.get(s.check.id);
      if (running) {
        const r = notRun(s.check, "abort", `did not finish: ${why}`);
        r.startedAt = new Date(running.started).toISOString();
        r.durationMs = Date.now() - running.started;
        return r;
      }
      return notRun(s.check, "abort", `not run: ${why}`);
    });
  }
}

export function notRun(check: CheckDefinition, verdict: "skip" | "abort", reason: string): CheckResult {
  return { check: summarize(check), verdict, reason, details: [], warnings: [], output: [], durationMs: 0 };
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
