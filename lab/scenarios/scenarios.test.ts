import { expect } from "chai";
import { EOL_KUBERNETES_VERSION, KUBERNETES_VERSION } from "../versions.ts";
import { findScenario, SCENARIOS } from "./scenarios.ts";

describe("lab scenarios", () => {
  it("expects every check to pass on the compliant lab, and each broken scenario to fail one or name its proof", () => {
    const compliant = findScenario("compliant");
    expect(Object.keys(compliant.expect)).to.not.be.empty;
    expect(Object.values(compliant.expect).every((v) => v === "PASS")).to.equal(true);
    expect(compliant.otherProof).to.equal(undefined);
    for (const s of SCENARIOS.filter((x) => x.name !== "compliant")) {
      expect(Object.keys(s.expect), s.name).to.have.members(Object.keys(compliant.expect));
      const failing = Object.entries(s.expect).filter(([, v]) => v !== "PASS");
      expect(failing.length > 0 || !!s.otherProof, `${s.name}: a failing check or another proof`).to.equal(
        true,
      );
      const differences =
        (["kubernetesVersion", "networkPolicy", "ingressClass", "loadBalancer", "storage"] as const).filter(
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

  it("expects exactly the failures the scenarios are made for", () => {
    const failing = Object.fromEntries(
      SCENARIOS.map((s) => [s.name, Object.keys(s.expect).filter((id) => s.expect[id] !== "PASS")]),
    );
    expect(failing).to.deep.include({
      "no-zone-labels": ["node-distribution-check"],
      "single-host-control-plane": ["node-distribution-check"],
      "eol-version": ["version-policy-check"],
      compliant: [],
    });
  });

  it("rejects an unknown scenario", () => {
    expect(() => findScenario("nope")).to.throw(/unknown scenario/);
  });
});
