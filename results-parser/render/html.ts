import type { Verdict } from "../judge.ts";
import type { Report } from "../report.ts";
import { duration, firstLine, zonesOf } from "./format.ts";

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string,
  );

const badge = (v: Verdict) => `<span class="v v-${v}">${v}</span>`;

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.v{font-weight:700;padding:.1rem .45rem;border-radius:.3rem;white-space:nowrap}
.v-PASS{background:#d7f5dd;color:#0b5d1e}.v-FAIL{background:#fbd6d6;color:#8a0d0d}.v-ABORT{background:#fde8c2;color:#7a4a00}.v-NOT_RUN{background:#e6e6e6;color:#444}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.5rem;overflow:auto;max-height:24rem;white-space:pre-wrap}
.muted{color:#666}code{background:#f3f3f3;padding:0 .2rem}
`;

/** A self-contained page (inline CSS, no scripts, no external assets). */
export function renderHtml(r: Report): string {
  const { judgement: j, results } = r;
  const c = results.cluster;
  const h: string[] = [];
  h.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(`${j.scope.name} ${j.scope.version}: ${j.overall}`)}</title><style>${CSS}</style></head><body>`,
  );
  h.push(`<h1>${esc(j.scope.name)} ${esc(j.scope.version)}: ${badge(j.overall)}</h1>`);
  h.push(
    `<p class="muted">Results <code>${esc(results.input)}</code> (${esc(results.kind)}), subject <code>${esc(r.subject)}</code>, report made ${esc(r.generatedAt)}.</p>`,
  );
  h.push(
    `<h2>Verdict per standard</h2><table id="verdicts"><thead><tr><th>Standard</th><th>Test id</th><th>Target</th><th>Verdict</th><th>About</th><th>Duration</th></tr></thead><tbody>`,
  );
  for (const m of j.modules)
    for (const id of m.testIds) {
      const t = j.testIds.find((x) => x.id === id);
      h.push(
        `<tr><td>${esc(m.id)}: ${esc(m.name)}</td><td><code>${esc(id)}</code></td><td>${esc(m.target)}</td><td>${badge(t?.verdict ?? "NOT_RUN")}</td><td>${esc(t?.scope)}</td><td>${esc(duration(t?.durationSeconds ?? 0))}</td></tr>`,
      );
    }
  const extra = j.testIds.filter((t) => !t.inScope && t.verdict !== "NOT_RUN");
  for (const t of extra)
    h.push(
      `<tr><td class="muted">outside the scope</td><td><code>${esc(t.id)}</code></td><td></td><td>${badge(t.verdict)}</td><td>${esc(t.scope)}</td><td>${esc(duration(t.durationSeconds))}</td></tr>`,
    );
  h.push("</tbody></table>");
  h.push("<h2>Why</h2><ul>");
  for (const t of j.testIds) {
    const why = [...t.reasons, ...t.notes];
    if (why.length) h.push(`<li><b>${esc(t.id)}</b> ${badge(t.verdict)} ${why.map(esc).join("; ")}</li>`);
  }
  h.push("</ul>");
  const failures = j.testIds.flatMap((t) => t.failures.map((f) => ({ t, f })));
  h.push(`<h2 id="failures">Failures (${failures.length})</h2>`);
  if (!failures.length) h.push("<p>None.</p>");
  for (const { t, f } of failures) {
    h.push(
      `<h3>${esc(t.id)}: ${esc(f.name)}</h3><p class="muted">${esc(f.status)} in plugin <code>${esc(f.plugin)}</code>, ${esc(duration(f.time))}</p>`,
    );
    if (f.message) h.push(`<pre class="failure-message">${esc(f.message)}</pre>`);
    if (f.systemOut) h.push(`<details><summary>system-out</summary><pre>${esc(f.systemOut)}</pre></details>`);
  }
  for (const t of j.testIds)
    if (t.moreFailures) h.push(`<p>${esc(t.id)}: ${t.moreFailures} more failure(s) counted, not listed.</p>`);
  const excused = j.testIds.flatMap((t) => t.excused.map((e) => ({ t, e })));
  h.push(`<h2 id="excused">Excused failures (okToFail, ${excused.length})</h2>`);
  if (!excused.length) h.push("<p>None.</p>");
  else {
    h.push(
      "<table><thead><tr><th>Test id</th><th>Test</th><th>Reason</th><th>Message</th></tr></thead><tbody>",
    );
    for (const { t, e } of excused)
      h.push(
        `<tr><td><code>${esc(t.id)}</code></td><td>${esc(e.name)}</td><td>${esc(e.reason)}</td><td>${esc(firstLine(e.message))}</td></tr>`,
      );
    h.push("</tbody></table>");
  }
  h.push(
    `<h2>Plugins</h2><table id="plugins"><thead><tr><th>Plugin</th><th>Role</th><th>Format</th><th>Passed</th><th>Failed</th><th>Error</th><th>Skipped</th><th>Duration</th></tr></thead><tbody>`,
  );
  for (const [i, p] of results.plugins.entries()) {
    const k = p.tally.counts;
    h.push(
      `<tr><td>${esc(p.name)}</td><td title="${esc(j.roles[i]?.why)}">${esc(j.roles[i]?.role)}</td><td>${esc(p.format)}</td><td>${k.passed}</td><td>${k.failed}</td><td>${k.error}</td><td>${k.skipped}</td><td>${esc(duration(p.tally.durationSeconds))}</td></tr>`,
    );
  }
  h.push("</tbody></table>");
  if (j.findings.length) {
    h.push("<h2>Findings</h2><ul>");
    for (const f of j.findings)
      h.push(
        `<li>${esc(f.level)}: ${f.plugin ? `<code>${esc(f.plugin)}</code>: ` : ""}${esc(f.message)}</li>`,
      );
    h.push("</ul>");
  }
  h.push(
    `<h2>Cluster</h2><ul><li>Kubernetes version: ${esc(c.version ?? "unknown")}</li><li>Nodes: ${c.nodes.length}; zones: ${esc(zonesOf(c.nodes).join(", ") || "none labelled")}</li>${c.sonobuoyVersion ? `<li>Sonobuoy: ${esc(c.sonobuoyVersion)}</li>` : ""}</ul>`,
  );
  if (c.nodes.length) {
    h.push(
      '<table id="nodes"><thead><tr><th>Node</th><th>Roles</th><th>Zone</th><th>Region</th><th>Kubelet</th></tr></thead><tbody>',
    );
    for (const n of c.nodes)
      h.push(
        `<tr><td>${esc(n.name)}</td><td>${esc(n.roles.join(", "))}</td><td>${esc(n.zone)}</td><td>${esc(n.region)}</td><td>${esc(n.kubeletVersion)}</td></tr>`,
      );
    h.push("</tbody></table>");
  }
  const slow = results.plugins
    .flatMap((p) => p.tally.slowest.map((s) => ({ ...s, plugin: p.name })))
    .sort((a, b) => b.time - a.time)
    .slice(0, 10);
  if (slow.length) {
    h.push(
      "<h2>Slowest tests</h2><table><thead><tr><th>Plugin</th><th>Test</th><th>Duration</th></tr></thead><tbody>",
    );
    for (const s of slow)
      h.push(`<tr><td>${esc(s.plugin)}</td><td>${esc(s.name)}</td><td>${esc(duration(s.time))}</td></tr>`);
    h.push("</tbody></table>");
  }
  h.push("</body></html>");
  return `${h.join("\n")}\n`;
}
