import { randomUUID } from "node:crypto";
import { stringify } from "yaml";
import type { Verdict } from "../judge.ts";
import type { Report } from "../report.ts";
import { DRIVER_VALUE } from "./format.ts";
import { renderLines } from "./lines.ts";

const LEVELS = ["info", "warning", "error", "critical"] as const;

/**
 * The SCS compliance report (keys per shared/docs/standards.md). One invocation per script of the
 * scope file that has results, as the SCS driver runs one per script, plus one for this suite's own
 * checks outside the scope; each with the lines it would have printed.
 */
export function renderScsReport(r: Report, opts: { uuid?: () => string } = {}): string {
  const uuid = opts.uuid ?? randomUUID;
  const j = r.judgement;
  const allLines = renderLines(r).trimEnd().split("\n");
  const groups = new Map<string, { id: string; testIds: string[] }>();
  for (const t of j.testIds) {
    if (t.verdict === "NOT_RUN") continue;
    const key = t.script !== undefined ? `script-${t.script}` : "scs-kaas";
    const g = groups.get(key) ?? {
      id: t.executable ?? (t.script !== undefined ? t.id : "scs-kaas"),
      testIds: [],
    };
    g.testIds.push(t.id);
    groups.set(key, g);
  }
  const invocations: Record<string, unknown> = {};
  for (const g of groups.values()) {
    const ids = new Set(g.testIds);
    const stdout = allLines.filter((l) => {
      const m = /^(?:(?:info|warning|error|critical): )?([^:\s]+):/.exec(l);
      return m && ids.has(m[1] as string);
    });
    const results: Record<string, number> = {};
    for (const t of j.testIds)
      if (ids.has(t.id)) results[t.id] = DRIVER_VALUE[t.verdict as Exclude<Verdict, "NOT_RUN">];
    const verdicts = j.testIds.filter((t) => ids.has(t.id)).map((t) => t.verdict);
    const inv: Record<string, unknown> = {
      id: g.id,
      cmd: ["scs-kaas", ...r.argv].join(" "),
      results,
      rc: verdicts.includes("FAIL") ? 1 : verdicts.includes("ABORT") ? 2 : 0,
      stdout,
      stderr: [],
    };
    for (const level of LEVELS) inv[level] = stdout.filter((l) => l.startsWith(`${level}:`)).length;
    invocations[uuid()] = inv;
  }
  const doc = {
    spec: { uuid: j.scope.uuid, name: j.scope.name, url: j.scope.url },
    checked_at: r.generatedAt,
    reference_date: r.generatedAt.slice(0, 10),
    subject: r.subject,
    run: {
      uuid: uuid(),
      argv: ["scs-kaas", ...r.argv],
      assignment: { subject_root: r.results.input },
      sections: null,
      forced_version: j.scope.version,
      forced_tests: null,
      invocations,
    },
  };
  return stringify(doc, { lineWidth: 0 });
}
