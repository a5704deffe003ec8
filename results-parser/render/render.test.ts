import { expect } from "chai";
import { parse } from "yaml";
import { makeReport, render } from "../index.ts";
import { tarGzBuffer, writeTemp } from "../test-support/build-tarball.ts";
import { fixtureEntries } from "../test-support/fixtures.ts";

async function failingReport() {
  const file = await writeTemp(
    "r.tar.gz",
    await tarGzBuffer(
      fixtureEntries({
        conformanceFailures: [
          {
            name: '[sig-cli] Kubectl client should <apply> & "diff" [Conformance]',
            status: "failed",
            message: "exit status 1: <oops>",
          },
        ],
      }),
    ),
  );
  return makeReport(file, { now: new Date("2026-08-01T10:00:00Z"), subject: "test-cluster" });
}

describe("renderers", () => {
  it("lines: exactly `<test-id>: PASS|FAIL|ABORT` for decided ids, no line for NOT_RUN, every other line prefixed", async () => {
    const text = await render(await failingReport(), "lines");
    const lines = text.trimEnd().split("\n");
    const results = lines.filter((l) => !/^(info|warning|error|critical): /.test(l));
    expect(results).to.deep.equal([
      "cncf-k8s-conformance: FAIL",
      "version-policy-check: PASS",
      "kaas-networking-check: PASS",
    ]);
    for (const l of results) expect(l).to.match(/^[a-z0-9-]+: (PASS|FAIL|ABORT)$/);
    expect(lines).to.include("info: node-distribution-check: not run (no plugin in the results ran it)");
    expect(text).to.match(/^error: cncf-k8s-conformance: failed: \[sig-cli\] Kubectl client should <apply>/m);
  });

  it("lines: an informational id (lb-client-ip-check, SCS issue #227) says how it passed, without a dangling colon", async () => {
    const props = (verdict: string) => ({
      "scs.check-id": "scs-issue-227/lb-client-ip",
      "scs.test-id": "lb-client-ip-check",
      "scs.standard": "scs-issue-227",
      "scs.verdict": verdict,
      "scs.scope": "cluster",
    });
    const file = await writeTemp(
      "lb.tar.gz",
      await tarGzBuffer(
        fixtureEntries({
          scsCases: [{ name: "[scs-issue-227] lb-client-ip-check", props: props("pass"), time: 5 }],
        }),
      ),
    );
    const lines = (await render(await makeReport(file, { now: new Date("2026-08-01T10:00:00Z") }), "lines"))
      .trimEnd()
      .split("\n");
    const info = lines.find((l) => l.startsWith("info: lb-client-ip-check: informational"));
    expect(info).to.match(
      /^info: lb-client-ip-check: informational, not part of the scope verdict(: \S.*)?$/,
    );
    expect(lines).to.include("lb-client-ip-check: PASS");
  });

  it("scs-report: the SCS report keys, results as 1/0/-1", async () => {
    const doc = parse(await render(await failingReport(), "scs-report"));
    expect(Object.keys(doc)).to.deep.equal(["spec", "checked_at", "reference_date", "subject", "run"]);
    expect(doc.spec).to.deep.equal({
      uuid: "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180",
      name: "SCS-compatible KaaS",
      url: "https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/scs-compatible-kaas.yaml",
    });
    expect(doc.subject).to.equal("test-cluster");
    expect(doc.reference_date).to.equal("2026-08-01");
    expect(Object.keys(doc.run)).to.deep.equal([
      "uuid",
      "argv",
      "assignment",
      "sections",
      "forced_version",
      "forced_tests",
      "invocations",
    ]);
    const invs = Object.values(doc.run.invocations) as Record<string, unknown>[];
    const results = Object.assign({}, ...invs.map((i) => i.results));
    expect(results).to.deep.equal({
      "cncf-k8s-conformance": -1,
      "version-policy-check": 1,
      "kaas-networking-check": 1,
    });
    for (const i of invs)
      expect(Object.keys(i)).to.deep.equal([
        "id",
        "cmd",
        "results",
        "rc",
        "stdout",
        "stderr",
        "info",
        "warning",
        "error",
        "critical",
      ]);
    const conf = invs.find((i) => "cncf-k8s-conformance" in (i.results as object));
    expect(conf?.rc).to.equal(1);
    expect(conf?.error).to.be.greaterThan(0);
    expect(conf?.stdout).to.include("cncf-k8s-conformance: FAIL");
  });

  it("json: plugins with name/format/counts and verdicts per test id", async () => {
    const doc = JSON.parse(await render(await failingReport(), "json"));
    expect(
      doc.plugins.map((p: { name: string; format: string; counts: object }) => [p.name, p.format, p.counts]),
    ).to.deep.equal([
      // the fixture's complete v1.36 runs: 443 conformance specs (one excused failure, one more failure
      // added here) and 50 NetworkPolicy specs, each beside one skipped spec of another kind
      ["alpha", "junit", { passed: 442, failed: 2, error: 0, skipped: 1 }],
      ["beta", "junit", { passed: 50, failed: 0, error: 0, skipped: 1 }],
      ["gamma", "junit", { passed: 1, failed: 0, error: 0, skipped: 0 }],
    ]);
    expect(doc.verdicts).to.deep.equal({
      "cncf-k8s-conformance": "FAIL",
      "version-policy-check": "PASS",
      "node-distribution-check": "NOT_RUN",
      "kaas-networking-check": "PASS",
    });
  });

  it("markdown and html: verdict table, failures with messages, excused with reasons, cluster facts; html escapes and is self-contained", async () => {
    const report = await failingReport();
    const md = await render(report, "markdown");
    expect(md).to.match(/^# SCS-compatible KaaS v1: ❌ FAIL/);
    expect(md).to.include("| scs-0219-v1: KaaS networking | `kaas-networking-check` | main | ✅ PASS |");
    expect(md).to.include("exit status 1: <oops>");
    expect(md).to.include("Fails when a cluster has no InternalIP");
    expect(md).to.include("zones: zone-a, zone-b, zone-c");
    const html = await render(report, "html");
    expect(html).to.include("exit status 1: &lt;oops&gt;");
    expect(html).to.include("should &lt;apply&gt; &amp; &quot;diff&quot;");
    expect(html).not.to.match(/<(script|link|img)\b/i);
    expect(html).not.to.match(/(src|href)=/i);
  });
});
