import type { CheckDefinition } from "../suites/framework/check.ts";
import { type CheckResult, summarize } from "./result.ts";
import { type CheckEnv, executeCheck, type RunningCheck } from "./run-check.ts";
import type { SelectedCheck } from "./select.ts";

export type SuiteEvent =
  | { type: "start"; check: CheckDefinition; index: number; total: number }
  | { type: "finish"; result: CheckResult; index: number; total: number; results: readonly CheckResult[] };

/**
 * Runs the selected checks one after another and can say at any moment what the junit should contain:
 * finished checks as they ended, the running one and the pending ones as aborts saying why they did not
 * finish (snapshot), so that a crash or SIGTERM still leaves a complete, honest report.
 */
export class SuiteRun {
  readonly #selection: readonly SelectedCheck[];
  readonly #env: CheckEnv;
  readonly #finished = new Map<string, CheckResult>();
  #current: { check: CheckDefinition; started: number; handle?: RunningCheck } | undefined;

  constructor(selection: readonly SelectedCheck[], env: CheckEnv) {
    this.#selection = selection;
    this.#env = env;
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

  get currentCheckId(): string | undefined {
    return this.#current?.check.id;
  }

  /** Ends the running check with this reason (e.g. an unhandled rejection); false if none is running. */
  abortCurrent(reason: Error): boolean {
    if (!this.#current?.handle) return false;
    this.#current.handle.abort(reason);
    return true;
  }

  async run(onEvent?: (e: SuiteEvent) => void): Promise<CheckResult[]> {
    const selected = this.#selection.filter((s) => s.selected).map((s) => s.check);
    for (const [index, check] of selected.entries()) {
      if (this.#env.runSignal.aborted) {
        this.#finished.set(
          check.id,
          notRun(check, "abort", `not run: ${reasonText(this.#env.runSignal.reason)}`),
        );
        continue;
      }
      this.#current = { check, started: Date.now() };
      onEvent?.({ type: "start", check, index, total: selected.length });
      const current = this.#current;
      const result = await executeCheck(check, this.#env, (handle) => {
        current.handle = handle;
      });
      this.#current = undefined;
      this.#finished.set(check.id, result);
      onEvent?.({ type: "finish", result, index, total: selected.length, results: this.results() });
    }
    return this.results();
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
      if (this.#current?.check.id === s.check.id) {
        const r = notRun(s.check, "abort", `did not finish: ${why}`);
        r.startedAt = new Date(this.#current.started).toISOString();
        r.durationMs = Date.now() - this.#current.started;
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
