import type { Report } from "../report.ts";
import { totalOf } from "../test-case.ts";
import { firstLine } from "./format.ts";

/**
 * The SCS driver's format: `<test-id>: PASS|FAIL|ABORT`, one per decided test id. A test id that was not
 * run gets no result line (the driver reads a missing result as "not run"), only a warning/info line.
 * Every other line starts with info:/warning:/error:, which the driver counts.
 */
export function renderLines(r: Report): string {
  const { judgement: j, results } = r;
  const out: string[] = [];
  out.push(`info: scope ${j.scope.name} ${j.scope.version}; results ${results.input} (${results.kind})`);
  for (const [i, p] of results.plugins.entries()) {
    const role = j.roles[i];
    const c = p.tally.counts;
    out.push(
      `info: plugin ${p.name} (${p.format}, ${role?.role}: ${role?.why}): ${c.passed} passed, ${c.failed} failed, ${c.error} error, ${c.skipped} skipped${totalOf(p.tally.pseudo) ? `, ${totalOf(p.tally.pseudo)} ginkgo pseudo-cases` : ""}`,
    );
  }
  for (const f of j.findings) out.push(`${f.level}: ${f.plugin ? `${f.plugin}: ` : ""}${f.message}`);
  for (const t of j.testIds) {
    if (t.informational) {
      // No SCS standard: its findings are information, which the driver does not count against the scope.
      if (t.verdict !== "NOT_RUN") {
        const said = [...t.reasons, ...t.notes].join("; ");
        out.push(`info: ${t.id}: informational, not part of the scope verdict${said ? `: ${said}` : ""}`);
      }
      continue;
    }
    for (const e of t.excused) out.push(`info: ${t.id}: excused failure (${e.reason}): ${e.name}`);
    for (const f of t.failures) out.push(`error: ${t.id}: ${f.status}: ${f.name}: ${firstLine(f.message)}`);
    if (t.moreFailures) out.push(`error: ${t.id}: ${t.moreFailures} more failure(s) not listed`);
    if (t.verdict === "ABORT") for (const reason of t.reasons) out.push(`error: ${t.id}: ${reason}`);
    for (const note of t.notes) out.push(`info: ${t.id}: ${note}`);
    if (t.verdict === "NOT_RUN")
      out.push(`${t.target === "main" ? "warning" : "info"}: ${t.id}: not run (${t.reasons.join("; ")})`);
  }
  for (const t of j.testIds) if (t.verdict !== "NOT_RUN") out.push(`${t.id}: ${t.verdict}`);
  return `${out.map((l) => l.replace(/[\r\n]+/g, " ")).join("\n")}\n`;
}
