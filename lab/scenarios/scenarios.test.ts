import { expect } from "chai";
import { EOL_KUBERNETES_VERSION, KUBERNETES_VERSION } from "../versions.ts";
import { findScenario, SCENARIOS } from "./scenarios.ts";

describe("lab scenarios", () => {
  it("names each broken scenario's failing check and breaks exactly one thing", () => {
    const compliant = findScenario("compliant");
    expect(compliant.mustFail).to.equal("");
    for (const s of SCENARIOS.filter((x) => x.name !== "compliant")) {
      expect(s.mustFail, s.name).to.not.equal("");
      const differences =
        (["kubernetesVersion", "networkPolicy", "loadBalancer", "storage"] as const).filter(
          (k) => s[k] !== compliant[k],
        ).length + (JSON.stringify(s.topology) === JSON.stringify(compliant.topology) ? 0 : 1);
      expect(differences, s.name).to.equal(1);
    }
  });

  it("runs the compliant lab on a supported minor and eol-version on the end-of-life one", () => {
    expect(findScenario("compliant").kubernetesVersion).to.equal(KUBERNETES_VERSION);
    expect(findScenario("eol-version").kubernetesVersion).to.equal(EOL_KUBERNETES_VERSION);
    // Only booted and checked: the end-of-life version's test binaries are never built.
    expect(findScenario("eol-version").artifacts).to.equal("cluster");
    expect(SCENARIOS.filter((s) => s.artifacts !== "all").map((s) => s.name)).to.deep.equal(["eol-version"]);
  });

  it("gives the compliant control plane more than one host", () => {
    const t = findScenario("compliant").topology;
    expect(t.controlPlanes).to.be.greaterThan(1);
    expect(t.controlPlaneOneHost).to.equal(false);
    expect(findScenario("single-host-control-plane").topology.controlPlaneOneHost).to.equal(true);
  });

  it("rejects an unknown scenario", () => {
    expect(() => findScenario("nope")).to.throw(/unknown scenario/);
  });
});
