import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { findingsFor } from "./findings.ts";
import { makeReport } from "./index.ts";
import { readResults } from "./read-results.ts";

/** The real Sonobuoy tarball, read from ../shared/data beside the checkout (as CI has it). */
const REAL = fileURLToPath(new URL("../../shared/data/sonobuoy/testResultsOutput.tar.gz", import.meta.url));

describe("the real Sonobuoy tarball (shared/data/sonobuoy/testResultsOutput.tar.gz)", () => {
  before(function () {
    if (!existsSync(REAL)) {
      if (process.env.CI) throw new Error(`${REAL} is missing (CI has shared/ beside the checkout)`);
      this.skip();
    }
  });

  it("per-plugin counts, recomputed from the raw files", async () => {
    const r = await readResults(REAL);
    const counts = Object.fromEntries(
      r.plugins.map((p) => [p.name, { format: p.format, ...p.tally.counts }]),
    );
    const e2e = { format: "junit", passed: 204, failed: 0, error: 0, skipped: 3381 };
    expect(counts).to.deep.equal({
      "arbitrary-details": e2e,
      "custom-status": e2e,
      e2e,
      e2eds: e2e,
      singlefile: { format: "raw", passed: 1, failed: 0, error: 0, skipped: 0 },
      singlefileds: { format: "raw", passed: 1, failed: 0, error: 0, skipped: 0 },
      tar: { format: "raw", passed: 2, failed: 0, error: 0, skipped: 0 },
      tarresultsds: { format: "raw", passed: 2, failed: 0, error: 0, skipped: 0 },
    });
    for (const p of r.plugins)
      expect(p.sonobuoyCounts, p.name).to.deep.equal({ ...p.tally.counts, error: 0 });
    expect(r.plugins.find((p) => p.name === "e2eds")?.nodes).to.deep.equal(["kind-control-plane"]);
    expect(r.plugins.find((p) => p.name === "e2e")?.definitionFile).to.equal("plugins/e2e/defintion.json");
  });

  it("reports where the cached sonobuoy_results.yaml and the e2e.log tally disagree with the raw files", async () => {
    const r = await readResults(REAL);
    const byPlugin = Object.fromEntries(r.plugins.map((p) => [p.name, findingsFor(p).map((f) => f.code)]));
    for (const name of ["e2e", "e2eds", "custom-status", "arbitrary-details"]) {
      expect(byPlugin[name], name).to.include("cached-mismatch");
      expect(byPlugin[name], name).to.include("tally-mismatch");
    }
    for (const name of ["singlefile", "singlefileds", "tar", "tarresultsds"])
      expect(byPlugin[name], name).to.deep.equal([]);
    const e2e = r.plugins.find((p) => p.name === "e2e");
    expect(e2e?.cached?.statusCounts).to.deep.equal({ failed: 1, passed: 1, skipped: 1 });
    expect(e2e?.ginkgoTallies[0]).to.include({
      ran: 204,
      total: 3585,
      passed: 0,
      failed: 0,
      pending: 0,
      skipped: 3381,
    });
    expect(r.plugins.find((p) => p.name === "custom-status")?.cached?.statusCounts).to.deep.equal({
      failed: 1,
      passed: 1,
      skipped: 1,
      complete: 2,
      custom: 2,
    });
  });

  it("cluster facts and the verdict: a dry run is not a conformance pass", async () => {
    const report = await makeReport(REAL);
    expect(report.results.cluster.version).to.equal("v1.14.2");
    expect(report.results.cluster.nodes.map((n) => n.name)).to.deep.equal(["kind-control-plane"]);
    const v = Object.fromEntries(report.judgement.testIds.map((t) => [t.id, t.verdict]));
    expect(v).to.deep.equal({
      "cncf-k8s-conformance": "ABORT",
      "version-policy-check": "NOT_RUN",
      "node-distribution-check": "NOT_RUN",
      "kaas-networking-check": "NOT_RUN",
    });
    expect(report.judgement.roles.filter((r) => r.role === "conformance").map((r) => r.plugin)).to.deep.equal(
      ["arbitrary-details", "custom-status", "e2e", "e2eds"],
    );
    expect(report.judgement.exitCode).to.equal(2);
  });
});
