import { describe } from "./api-errors.ts";
import type { Timeout } from "./check.ts";
import type { Registered, RegisteredDump } from "./context.ts";
import { TimeoutExpired } from "./errors.ts";
import { withTimeout } from "./timeouts.ts";

/** Less time than this left in the budget: the remaining cleanups are reported as not run. */
const MIN_CLEANUP_MS = 20;

export interface CleanupReport {
  /** One line per cleanup: `ok <name>` / `FAILED <name>: <why>` / `NOT RUN <name>: <why>`. */
  lines: string[];
  failures: string[];
}

/**
 * Runs cleanups newest first. The whole pass is bounded by `timeout`; a cleanup that fails does not stop
 * the others. Never rejects. Deliberately takes no cancellation signal: cleanups run after a timeout or
 * SIGTERM too, that is their point; the bound is what keeps them from hanging the run.
 */
export async function runCleanups(cleanups: readonly Registered[], timeout: Timeout): Promise<CleanupReport> {
  const report: CleanupReport = { lines: [], failures: [] };
  const deadline = Date.now() + timeout.ms;
  const pending = [...cleanups].reverse();
  for (const [i, cleanup] of pending.entries()) {
    const left = deadline - Date.now();
    // timers may fire a little before Date.now() reaches the deadline: a few ms left is no time at all
    if (left < MIN_CLEANUP_MS) {
      for (const skipped of pending.slice(i)) {
        const why = `NOT RUN ${skipped.name}: timeout "${timeout.name}" expired before it could start`;
        report.lines.push(why);
        report.failures.push(why);
      }
      break;
    }
    try {
      await withTimeout(
        { name: timeout.name, ms: left },
        undefined,
        `cleaning up ${cleanup.name}`,
        // the cleanup's own signal fires a little earlier, leaving it time to report what is left
        (hard) => cleanup.fn(earlier(hard, left)),
      );
      report.lines.push(`ok ${cleanup.name}`);
    } catch (err) {
      const why = `FAILED ${cleanup.name}: ${err instanceof TimeoutExpired ? err.message : describe(err)}`;
      report.lines.push(why);
      report.failures.push(why);
    }
  }
  return report;
}

/** Collects the registered dumps (objects, events), each bounded by the same named timeout. Never rejects. */
export async function collectDumps(dumps: readonly RegisteredDump[], timeout: Timeout): Promise<string[]> {
  const out: string[] = [];
  for (const dump of dumps) {
    try {
      // the dump's own signal fires a little earlier, leaving it time to return what it has
      const text = await withTimeout(timeout, undefined, `dumping ${dump.name}`, (hard) =>
        dump.fn(earlier(hard, timeout.ms)),
      );
      out.push(`--- ${dump.name} ---\n${text.trimEnd()}`);
    } catch (err) {
      out.push(`--- ${dump.name} --- (could not be collected: ${describe(err)})`);
    }
  }
  return out;
}

/** `hard`, or a fifth of `budgetMs` (at most 5 s) before the budget ends, whichever comes first. */
function earlier(hard: AbortSignal, budgetMs: number): AbortSignal {
  // AbortSignal.timeout takes whole milliseconds only (RangeError otherwise)
  return AbortSignal.any([
    hard,
    AbortSignal.timeout(Math.max(0, Math.floor(budgetMs - Math.min(5000, budgetMs / 5)))),
  ]);
}
