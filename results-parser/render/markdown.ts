import type { Report } from "../report.ts";
import { duration, firstLine, zonesOf } from "./format.ts";

const ICON = { PASS: "✅ PASS", FAIL: "❌ FAIL", ABORT: "⚠️ ABORT", NOT_RUN: "➖ NOT_RUN" } as const;

function cell(s: string | undefined): string {
  return (s ?? "").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}

function fence(s: string): string {
  const ticks = s.includes("```") ? "~~~~" : "```";
  return `${ticks}\n${s}\n${ticks}`;
}

export function renderMarkdown(r: Report): string {
  const { judgement: j, results } = r;
  const c = results.cluster;
  const o: string[] = [];
  o.push(`# ${j.scope.name} ${j.scope.version}: ${ICON[j.overall]}`, "");
  o.push(
    `Results: \`${results.input}\` (${results.kind}), subject \`${r.subject}\`, report made ${r.generatedAt}.`,
    "",
  );
  o.push(
    "## Verdict per standard",
    "",
    "| Standard | Test id | Target | Verdict | About | Duration |",
    "|---|---|---|---|---|---|",
  );
  for (const m of j.modules)
    for (const id of m.testIds) {
      const t = j.testIds.find((x) => x.id === id);
      o.push(
        `| ${cell(`${m.id}: ${m.name}`)} | \`${id}\` | ${m.target} | ${ICON[t?.verdict ?? "NOT_RUN"]} | ${t?.scope ?? ""} | ${duration(t?.durationSeconds ?? 0)} |`,
      );
    }
  const extra = j.testIds.filter((t) => !t.inScope && t.verdict !== "NOT_RUN");
  if (extra.length) {
    o.push(
      "",
      "### Checks outside the certification scope",
      "",
      "| Test id | Verdict | About | Duration |",
      "|---|---|---|---|",
    );
    for (const t of extra)
      o.push(`| \`${t.id}\` | ${ICON[t.verdict]} | ${t.scope} | ${duration(t.durationSeconds)} |`);
  }
  o.push("", "## Why", "");
  for (const t of j.testIds) {
    const why = [...t.reasons, ...t.notes];
    if (why.length) o.push(`- **${t.id}** ${t.verdict}: ${why.map(cell).join("; ")}`);
  }
  const failures = j.testIds.flatMap((t) => t.failures.map((f) => ({ t, f })));
  o.push("", `## Failures (${failures.length})`, "");
  if (!failures.length) o.push("None.");
  for (const { t, f } of failures) {
    o.push(
      `### ${t.id}: ${cell(f.name)}`,
      "",
      `${f.status} in plugin \`${f.plugin}\`, ${duration(f.time)}`,
      "",
    );
    if (f.message) o.push(fence(f.message), "");
  }
  for (const t of j.testIds)
    if (t.moreFailures) o.push(`${t.id}: ${t.moreFailures} more failure(s) counted, not listed.`, "");
  const excused = j.testIds.flatMap((t) => t.excused.map((e) => ({ t, e })));
  o.push("", `## Excused failures (okToFail, ${excused.length})`, "");
  if (!excused.length) o.push("None.");
  else {
    o.push("| Test id | Test | Reason |", "|---|---|---|");
    for (const { t, e } of excused) o.push(`| \`${t.id}\` | ${cell(e.name)} | ${cell(e.reason)} |`);
  }
  o.push(
    "",
    "## Plugins",
    "",
    "| Plugin | Role | Format | Passed | Failed | Error | Skipped | Duration |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const [i, p] of results.plugins.entries()) {
    const k = p.tally.counts;
    o.push(
      `| ${cell(p.name)} | ${j.roles[i]?.role} | ${p.format} | ${k.passed} | ${k.failed} | ${k.error} | ${k.skipped} | ${duration(p.tally.durationSeconds)} |`,
    );
  }
  if (j.findings.length) {
    o.push("", "## Findings", "");
    for (const f of j.findings)
      o.push(`- ${f.level}: ${f.plugin ? `\`${f.plugin}\`: ` : ""}${cell(f.message)}`);
  }
  o.push("", "## Cluster", "");
  o.push(`- Kubernetes version: ${c.version ?? "unknown"}`);
  o.push(`- Nodes: ${c.nodes.length}; zones: ${zonesOf(c.nodes).join(", ") || "none labelled"}`);
  if (c.sonobuoyVersion) o.push(`- Sonobuoy: ${c.sonobuoyVersion}`);
  if (c.nodes.length) {
    o.push("", "| Node | Roles | Zone | Region | Kubelet |", "|---|---|---|---|---|");
    for (const n of c.nodes)
      o.push(
        `| ${cell(n.name)} | ${n.roles.join(", ")} | ${n.zone ?? ""} | ${n.region ?? ""} | ${n.kubeletVersion ?? ""} |`,
      );
  }
  const slow = results.plugins
    .flatMap((p) => p.tally.slowest.map((s) => ({ ...s, plugin: p.name })))
    .sort((a, b) => b.time - a.time)
    .slice(0, 10);
  if (slow.length) {
    o.push("", "## Slowest tests", "", "| Plugin | Test | Duration |", "|---|---|---|");
    for (const s of slow)
      o.push(`| ${cell(s.plugin)} | ${cell(firstLine(s.name, 200))} | ${duration(s.time)} |`);
  }
  return `${o.join("\n")}\n`;
}
