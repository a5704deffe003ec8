import type { PluginResults } from "./read-results.ts";
import { totalOf } from "./test-case.ts";

/** Something the reader noticed that a person should know: disagreements, gaps, quirks. */
export interface Finding {
  level: "info" | "warning" | "error";
  plugin?: string;
  /** Stable key, for tests and for judging (e.g. `tally-mismatch` makes an e2e verdict ABORT). */
  code:
    | "tally-mismatch"
    | "cached-mismatch"
    | "sonobuoy-differs"
    | "plugin-errors"
    | "no-results"
    | "suite-setup-failed"
    | "note"
    | "truncated"
    | "role-claim"
    | "archive";
  message: string;
}

const fmt = (c: { passed: number; failed: number; skipped: number; error?: number }) =>
  `${c.passed} passed, ${c.failed} failed${c.error !== undefined ? `, ${c.error} error` : ""}, ${c.skipped} skipped`;

/** Compares each plugin's recomputed counts with e2e.log, with Sonobuoy's view and with the cached summary. */
export function findingsFor(p: PluginResults): Finding[] {
  const out: Finding[] = [];
  const add = (level: Finding["level"], code: Finding["code"], message: string) =>
    out.push({ level, plugin: p.name, code, message });
  const c = p.tally.counts;
  for (const n of p.notes) add("info", "note", n);
  for (const e of p.errors)
    add("error", "plugin-errors", `plugin reported an error (${e.file}): ${e.message}`);
  if (p.resultFiles.length === 0 && p.errors.length === 0) add("warning", "no-results", "no results files");
  else if (p.format !== "raw" && totalOf(c) === 0 && p.errors.length === 0)
    add("warning", "no-results", "results files hold no tests");
  for (const f of p.tally.pseudoFailures)
    add(
      "error",
      "suite-setup-failed",
      `ginkgo ${f.name} ${f.status === "error" ? "errored" : "failed"}: ${(f.message ?? "").split("\n")[0]}`,
    );
  if (p.tally.keptTruncated)
    add(
      "info",
      "truncated",
      `${p.tally.keptTruncated} failures/annotated cases beyond the first ${p.tally.kept.length} are counted but not kept in detail`,
    );

  for (const t of p.ginkgoTallies) {
    const ran = p.tally.ran;
    const diffs: string[] = [];
    if (t.ran !== ran) diffs.push(`ran ${t.ran} vs ${ran}`);
    if (t.passed !== c.passed) diffs.push(`passed ${t.passed} vs ${c.passed}`);
    if (t.failed !== c.failed + c.error) diffs.push(`failed ${t.failed} vs ${c.failed + c.error}`);
    if (t.skipped + t.pending !== c.skipped)
      diffs.push(`skipped+pending ${t.skipped + t.pending} vs ${c.skipped}`);
    if (t.total !== totalOf(c)) diffs.push(`specs ${t.total} vs ${totalOf(c)}`);
    if (diffs.length)
      add(
        "warning",
        "tally-mismatch",
        `junit disagrees with the final tally of ${t.file} (log vs junit: ${diffs.join("; ")})${p.definition?.dryRun ? `; the plugin ran ginkgo in dry-run mode (${p.definition.dryRunSignal}), so no spec was executed` : ""}`,
      );
  }

  const s = p.sonobuoyCounts;
  const sonobuoyFailed = s.failed;
  if (s.passed !== c.passed || sonobuoyFailed !== c.failed + c.error || s.skipped !== c.skipped) {
    const why: string[] = [];
    const empty = p.junitFiles.reduce((n, f) => n + f.emptySuites, 0);
    const missed = p.junitFiles.reduce((n, f) => n + f.casesSonobuoyMisses, 0);
    const both = p.junitFiles.reduce((n, f) => n + f.skippedAndFailed, 0);
    const pseudo = totalOf(p.tally.pseudo);
    if (empty) why.push(`${empty} empty suite(s) Sonobuoy counts as passed tests`);
    if (missed) why.push(`${missed} case(s) in nested suites Sonobuoy does not read`);
    if (both) why.push(`${both} case(s) marked both skipped and failed (Sonobuoy: skipped)`);
    if (pseudo) why.push(`${pseudo} ginkgo pseudo-case(s) Sonobuoy counts as tests`);
    add(
      "info",
      "sonobuoy-differs",
      `Sonobuoy would count ${fmt({ passed: s.passed, failed: s.failed, skipped: s.skipped })}; this parser counts ${fmt(c)}${why.length ? ` (${why.join("; ")})` : ""}`,
    );
  }
  if (p.cached) {
    const sc = p.cached.statusCounts;
    const cached = {
      passed: sc.passed ?? 0,
      failed: (sc.failed ?? 0) + (sc.timeout ?? 0),
      skipped: sc.skipped ?? 0,
    };
    const other = Object.entries(sc).filter(([k]) => !["passed", "failed", "timeout", "skipped"].includes(k));
    if (
      cached.passed !== s.passed ||
      cached.failed !== s.failed ||
      cached.skipped !== s.skipped ||
      other.length
    ) {
      add(
        "warning",
        "cached-mismatch",
        `cached sonobuoy_results.yaml (what \`sonobuoy results\` shows) says ${fmt(cached)}${other.length ? `, ${other.map(([k, v]) => `${v} ${k}`).join(", ")}` : ""}; its raw files say ${fmt({ passed: s.passed, failed: s.failed, skipped: s.skipped })}: not trusted`,
      );
    }
  }
  return out;
}
