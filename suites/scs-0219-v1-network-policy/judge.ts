import type { CheckOutcome } from "../framework/check.ts";
import type { Case } from "./cases.ts";
import { describeCell, type WrongCell, wrongCellInWords } from "./matrix.ts";
import type { CasesResult } from "./run-cases.ts";

/**
 * The verdict of the NetworkPolicy cases: FAIL when any cell differs from the model (naming the first
 * wrong cell and its case), ABORT when a case could not show anything because the cluster's own default
 * restrictions already deny every cell it changes, PASS only when every case matched.
 */
export function judgeCases(result: CasesResult, cases: readonly Case[]): CheckOutcome {
  const details: string[] = [];
  const warnings: string[] = [];
  if (result.baselineDenied.length) {
    const shown = result.baselineDenied.slice(0, 10).map(describeCell);
    warnings.push(
      `without any policy the cluster already denies ${result.baselineDenied.length} cell(s) (default restrictions, allowed by scs-0219): ${shown.join("; ")}${result.baselineDenied.length > 10 ? "; ..." : ""}`,
    );
  }
  const failed = result.steps.filter((s) => s.wrong.length > 0);
  const vacuous = result.steps.filter((s) => s.demonstrated === 0);
  for (const s of result.steps) {
    details.push(
      `case ${s.caseId} / ${s.step} [${s.policies.join(", ") || "no policies"}]: ${
        s.wrong.length ? `FAILED, ${s.wrong.length} cell(s) wrong` : "matched"
      } (${s.demonstrated} cells changed by the step, ${s.probes} probes, ${(s.ms / 1000).toFixed(1)} s)`,
    );
  }
  for (const s of failed) {
    details.push(`--- case ${s.caseId} / ${s.step}: wrong cells ---`);
    details.push(...s.wrong.slice(0, 20).map((w) => `  ${wrongCellInWords(w)}`));
    if (s.wrong.length > 20) details.push(`  ... and ${s.wrong.length - 20} more`);
    details.push(...s.tables);
  }
  details.push(`${result.probes} probes in all`);
  const first = failed[0];
  if (first) {
    const w = first.wrong[0] as WrongCell;
    const title = cases.find((c) => c.id === first.caseId)?.title ?? first.caseId;
    const others =
      failed.length > 1
        ? `; ${failed.length} of ${result.steps.length} steps wrong (${[...new Set(failed.map((s) => s.caseId))].join(", ")})`
        : "";
    return {
      verdict: "fail",
      reason: `NetworkPolicy not enforced as specified: case ${first.caseId} (${title}): ${wrongCellInWords(w)}${first.wrong.length > 1 ? ` (and ${first.wrong.length - 1} more cells)` : ""}${others}`,
      details,
      warnings,
    };
  }
  if (vacuous.length) {
    return {
      verdict: "abort",
      reason: `the cluster's default restrictions hide what ${vacuous.length} case step(s) should show (${vacuous.map((s) => s.caseId).join(", ")}): every cell their policies change is already denied without any policy`,
      details,
      warnings,
    };
  }
  return {
    verdict: "pass",
    reason: `every cell of ${result.steps.length} policy steps (${cases.length} cases) matched the model (${result.probes} probes)`,
    details,
    warnings,
  };
}
