// The first full certified-conformance run on the lab (Kubernetes v1.36.5, 2026-12-02, `lab sonobuoy --full
// --least-privilege --e2e-procs 8`): its conformance junit as Sonobuoy retrieved it, with the plugin's
// definition and the server version, in a tarball built around them. The best real input the parser has.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { makeReport, render } from "./index.ts";
import { tarGzBuffer, writeTemp } from "./test-support/build-tarball.ts";

const DIR = new URL("./testdata/lab-full-run-1.36.5/", import.meta.url);
const file = (name: string) => readFileSync(new URL(name, DIR));

describe("scs-0201-v1 a real full conformance run from the lab (Kubernetes v1.36.5)", function () {
  this.timeout(60_000);

  it("counts all 443 [Conformance] specs as run, and fails on exactly the 12 that failed, none excused", async () => {
    const tarball = await writeTemp(
      "lab-full-run.tar.gz",
      await tarGzBuffer([
        { name: "serverversion.json", content: file("serverversion.json") },
        { name: "plugins/e2e/definition.json", content: file("definition.json") },
        { name: "plugins/e2e/results/global/junit_01.xml", content: gunzipSync(file("junit_01.xml.gz")) },
      ]),
    );
    const report = await makeReport(tarball, { now: new Date("2026-12-02T10:05:00Z") });
    const e2e = report.results.plugins.find((p) => p.name === "e2e");
    expect(e2e?.tally.counts).to.deep.equal({ passed: 431, failed: 12, error: 0, skipped: 7136 });
    const conformance = report.judgement.testIds.find((t) => t.id === "cncf-k8s-conformance");
    expect(conformance?.verdict).to.equal("FAIL");
    expect(conformance?.failures.length).to.equal(12);
    expect(conformance?.excused).to.deep.equal([]);
    const lines = await render(report, "lines");
    expect(lines).to.match(/all 443 executed tests are \[Conformance\] tests/);
    expect(lines).to.match(
      /^error: cncf-k8s-conformance: failed: \[sig-network\] DNS should provide \/etc\/hosts entries for the cluster \[Conformance\]/m,
    );
    expect(lines).not.to.match(/did not run/);
  });
});
