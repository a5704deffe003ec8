import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";
import { verdictsFromJunit } from "./expectations.ts";
import { outputDir, snapshotDate, suiteArgs } from "./run-suite.ts";

const lab = {
  kubeconfig: "/var/lib/scs-kaas-lab/kubeconfig/admin.conf",
  referenceDate: "2026-11-21",
  options: {
    "node-action": "webhook",
    "node-action-url": "http://198.18.0.1:8480/node-actions",
    "node-action-token-file": "/var/lib/scs-kaas-lab/node-actions/token",
  },
  disruptive: false,
};

describe("lab suite", () => {
  it("the lab CLI loads and lists every scenario's expectations (no lab needed)", async function () {
    this.timeout(30_000);
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "scenarios"]);
    expect(stdout).to.include("expects: version-policy-check=PASS node-distribution-check=FAIL");
    const help = await promisify(execFile)(process.execPath, [cli, "suite", "--help"]);
    expect(help.stdout).to.include("--expect-scenario");
  });

  it("fills in kubeconfig, reference date and the node-action webhook", () => {
    expect(suiteArgs(["-o", "/tmp/out"], lab)).to.deep.equal([
      "run",
      "-o",
      "/tmp/out",
      "--kubeconfig",
      lab.kubeconfig,
      "--reference-date",
      "2026-11-21",
      "--option",
      "node-action=webhook",
      "--option",
      "node-action-url=http://198.18.0.1:8480/node-actions",
      "--option",
      "node-action-token-file=/var/lib/scs-kaas-lab/node-actions/token",
    ]);
  });

  it("keeps what the arguments set themselves, and enables disruptive checks when asked", () => {
    const args = suiteArgs(
      ["--reference-date=2026-12-01", "--option", "node-action-url=http://x/", "--kubeconfig", "/k"],
      { ...lab, disruptive: true },
    );
    expect(args.filter((a) => a.startsWith("--reference-date"))).to.deep.equal([
      "--reference-date=2026-12-01",
    ]);
    expect(args.filter((a) => a.startsWith("node-action-url"))).to.deep.equal(["node-action-url=http://x/"]);
    expect(args.filter((a) => a === "--kubeconfig")).to.have.length(1);
    expect(args).to.include("--enable-disruptive");
  });

  it("finds the output directory as scs-kaas run does", () => {
    expect(outputDir(["--output", "/a"])).to.equal("/a");
    expect(outputDir(["--output=/b"])).to.equal("/b");
    expect(outputDir(["--focus", "x"])).to.equal(resolve("results"));
    expect(snapshotDate()).to.match(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("reads verdicts per test id from the run's junit: fail, skip = ABORT, not selected = NOT_RUN", async () => {
    const tc = (check: string, testId: string, inner: string) =>
      `<testcase name="${check}" classname="scs-kaas.x" time="1"><properties>` +
      `<property name="scs.check-id" value="${check}"/>${testId ? `<property name="scs.test-id" value="${testId}"/>` : ""}` +
      `</properties>${inner}</testcase>`;
    const xml = `<?xml version="1.0"?><testsuites><testsuite name="scs-kaas" tests="4">
      ${tc("scs-0210-v2/version-policy", "version-policy-check", "")}
      ${tc("scs-0214-v2/node-distribution", "node-distribution-check", '<failure type="fail" message="6 of 6 nodes lack labels"/>')}
      ${tc("scs-0211-v1/durability", "", '<skipped message="no node action configured: set ..."/>')}
      ${tc("scs-0211-v1/roll", "", '<skipped message="not selected: [Disruptive] checks run only when enable-disruptive is set"/>')}
      ${tc("scs-kaas/runner", "", "")}
    </testsuite></testsuites>`;
    const dir = mkdtempSync(join(tmpdir(), "scs-lab-suite-"));
    writeFileSync(join(dir, "junit-scs.xml"), xml);
    const got = await verdictsFromJunit(join(dir, "junit-scs.xml")).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    expect(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.verdict]))).to.deep.equal({
      "version-policy-check": "PASS",
      "node-distribution-check": "FAIL",
      "scs-0211-v1/durability": "ABORT",
      "scs-0211-v1/roll": "NOT_RUN",
    });
    expect(got["node-distribution-check"]?.reasons).to.deep.equal([
      "scs-0214-v2/node-distribution: 6 of 6 nodes lack labels",
    ]);
  });
});
