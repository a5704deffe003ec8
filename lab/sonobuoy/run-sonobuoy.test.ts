import { expect } from "chai";
import { meetsExpectations, parseExpectations } from "../suite/expectations.ts";
import { SCS_PLUGIN_FILE, sonobuoyRunArgs } from "./run-sonobuoy.ts";

describe("lab sonobuoy", () => {
  const base = {
    kubeconfig: "/k/admin.conf",
    focus: "Pods should support remote command execution over websockets",
    sonobuoyImage: "docker.io/sonobuoy/sonobuoy:v0.57.5",
    conformanceImage: "registry.k8s.io/conformance:v1.36.5",
  };

  it("runs the e2e plugin with the focus and the lab's images, never pulling", () => {
    const args = sonobuoyRunArgs({ ...base, scs: false });
    expect(args).to.include("--plugin=e2e");
    expect(args).to.include(`--e2e-focus=${base.focus}`);
    expect(args).to.include("--sonobuoy-image=docker.io/sonobuoy/sonobuoy:v0.57.5");
    expect(args).to.include("--kube-conformance-image=registry.k8s.io/conformance:v1.36.5");
    expect(args).to.include("--image-pull-policy=Never");
    expect(args.some((a) => a.includes("sonobuoy.yaml"))).to.equal(false);
  });

  it("adds the project's scs plugin definition and passes the reference date to it", () => {
    const args = sonobuoyRunArgs({ ...base, scs: true, referenceDate: "2026-11-21" });
    expect(args).to.include(`--plugin=${SCS_PLUGIN_FILE}`);
    expect(SCS_PLUGIN_FILE).to.match(/\/sonobuoy\.yaml$/);
    expect(args).to.include("--plugin-env=scs.SCS_KAAS_REFERENCE_DATE=2026-11-21");
  });

  it("passes extra env (node actions, enable-disruptive) to the scs plugin only", () => {
    const args = sonobuoyRunArgs({ ...base, scs: true, scsEnv: { SCS_KAAS_NODE_ACTION: "webhook" } });
    expect(args).to.include("--plugin-env=scs.SCS_KAAS_NODE_ACTION=webhook");
    const e2eOnly = sonobuoyRunArgs({ ...base, scs: false, scsEnv: { SCS_KAAS_NODE_ACTION: "webhook" } });
    expect(e2eOnly.some((a) => a.startsWith("--plugin-env"))).to.equal(false);
  });

  it("an empty expectation set fails instead of passing; a mismatch is named", () => {
    const lines: string[] = [];
    const got = { "version-policy-check": { verdict: "PASS" as const, reasons: [] } };
    expect(meetsExpectations(got, {}, (l) => lines.push(l))).to.equal(false);
    expect(lines[0]).to.match(/^no expected verdicts/);
    expect(meetsExpectations(got, { "version-policy-check": "PASS" }, (l) => lines.push(l))).to.equal(true);
    expect(meetsExpectations(got, { "node-distribution-check": "FAIL" }, (l) => lines.push(l))).to.equal(
      false,
    );
    expect(lines.at(-1)).to.equal("node-distribution-check is NOT_RUN, expected FAIL");
  });

  it("runs the scs plugin alone when there is no e2e image (a cluster-only lab)", () => {
    const { conformanceImage: _, ...noE2e } = base;
    const args = sonobuoyRunArgs({ ...noE2e, scs: true });
    expect(args.some((a) => a.startsWith("--plugin=e2e") || a.startsWith("--e2e-focus"))).to.equal(false);
    expect(args).to.include(`--plugin=${SCS_PLUGIN_FILE}`);
    expect(() => sonobuoyRunArgs({ ...noE2e, scs: false })).to.throw(/nothing to run/);
  });

  it("reads id=VERDICT expectations and rejects anything else", () => {
    expect(parseExpectations(["version-policy-check=FAIL", "cncf-k8s-conformance=ABORT"])).to.deep.equal({
      "version-policy-check": "FAIL",
      "cncf-k8s-conformance": "ABORT",
    });
    expect(() => parseExpectations(["version-policy-check=OK"])).to.throw(/--expect takes/);
    expect(() => parseExpectations(["=PASS"])).to.throw(/--expect takes/);
  });
});
