import type { Verdict } from "../common/verdict.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";

/** What the junit and the log say about a check, independent of the check's code. */
export type CheckSummary = Pick<CheckDefinition, "id" | "standard" | "testId" | "title" | "labels" | "scope">;

export interface CheckResult {
  check: CheckSummary;
  verdict: Verdict;
  reason: string;
  details: string[];
  warnings: string[];
  /** Log lines, cleanup report and failure dumps: the testcase's system-out. */
  output: string[];
  /** ISO time the check started; absent when it never ran. */
  startedAt?: string;
  durationMs: number;
  /** Not selected by focus/skip/disruptive: listed in the junit as skipped, not counted by the run. */
  notSelected?: true;
}

export function summarize(c: CheckDefinition): CheckSummary {
  return {
    id: c.id,
    standard: c.standard,
    ...(c.testId ? { testId: c.testId } : {}),
    title: c.title,
    labels: c.labels,
    scope: c.scope,
  };
}

export function isDisruptive(c: { labels: readonly string[] }): boolean {
  return c.labels.includes("[Disruptive]");
}

/** `[Serial]`: must not run next to other checks (it measures something they would disturb). */
export function isSerial(c: { labels: readonly string[] }): boolean {
  return c.labels.includes("[Serial]");
}

export interface Tally {
  pass: number;
  fail: number;
  abort: number;
  skip: number;
}

export function tally(results: readonly CheckResult[]): Tally {
  const t: Tally = { pass: 0, fail: 0, abort: 0, skip: 0 };
  for (const r of results) t[r.verdict]++;
  return t;
}
