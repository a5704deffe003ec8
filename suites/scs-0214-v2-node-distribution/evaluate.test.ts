import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parse } from "yaml";
import { evaluateNodeDistribution, HOST_ID, type NodeInfo, REGION, ZONE } from "./evaluate.ts";

// The retired official check's scenarios, read from the shared data beside the checkout (../shared).
const SCENARIOS = new URL("../../../shared/data/scs/scenarios.yaml", import.meta.url);

function scenario(labelsByNode: Record<string, Record<string, string>>): NodeInfo[] {
  return Object.entries(labelsByNode).map(([name, labels]) => ({ name, labels: labels ?? {} }));
}

// Expected verdicts; `retired` is what the retired official script said (scenario names).
const EXPECTED: Record<string, { verdict: string; retired: "pass" | "fail"; reason: RegExp }> = {
  "success-1": { verdict: "pass", retired: "pass", reason: /confidence high/ },
  "success-2": { verdict: "pass", retired: "pass", reason: /confidence high/ },
  "no-distribution-1": {
    verdict: "fail",
    retired: "fail",
    reason: /only one control-plane node \(control-0\)/,
  },
  "no-distribution-2": {
    verdict: "fail",
    retired: "fail",
    reason: /one machine \(topology.scs.community\/host-id=vm0\)/,
  },
  // v2 dropped the host-id requirement: a missing host-id is no failure, but nothing else proves two machines.
  "missing-labels": { verdict: "abort", retired: "fail", reason: /cannot tell .* 2 control-plane nodes/ },
  "not-enough-nodes": { verdict: "fail", retired: "fail", reason: /only one control-plane node \(node-0\)/ },
};

describe("scs-0214-v2 node distribution: evaluation", () => {
  const all = parse(readFileSync(SCENARIOS, "utf8")) as Record<
    string,
    Record<string, Record<string, string>>
  >;

  it("scs-0214-v2: has an expected verdict for every scenario in scenarios.yaml", () => {
    expect(Object.keys(all).sort()).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  for (const [name, exp] of Object.entries(EXPECTED)) {
    it(`scs-0214-v2: scenario ${name} -> ${exp.verdict} (retired check: ${exp.retired})`, () => {
      const nodes = all[name];
      if (!nodes) throw new Error(`scenario ${name} missing`);
      const r = evaluateNodeDistribution(scenario(nodes));
      expect(r.verdict, r.reason).to.equal(exp.verdict);
      expect(r.reason).to.match(exp.reason);
    });
  }

  it("scs-0214-v2: success-2 warns that host-ids contradict the zones", () => {
    const r = evaluateNodeDistribution(scenario(all["success-2"] ?? {}));
    expect(r.warnings.join("\n")).to.match(/contradict the zones/);
  });

  it("scs-0214-v2: no-distribution-2 also warns about zones (SHOULD) and workers (RECOMMENDED)", () => {
    const r = evaluateNodeDistribution(scenario(all["no-distribution-2"] ?? {}));
    expect(r.warnings.join("\n"))
      .to.match(/SHOULD span more than one zone/)
      .and.match(/RECOMMENDED to span zones/);
  });

  const cp = { "node-role.kubernetes.io/control-plane": "" };
  const at = (zone: string, extra: Record<string, string> = {}) => ({
    [ZONE]: zone,
    [REGION]: "r",
    ...extra,
  });

  it("scs-0214-v2: names every node that lacks zone or region", () => {
    const r = evaluateNodeDistribution([
      { name: "cp-a", labels: { ...cp, ...at("z1") } },
      { name: "cp-b", labels: { ...cp, ...at("z2") } },
      { name: "w-1", labels: { [REGION]: "r" } },
      { name: "w-2", labels: { [ZONE]: "z1" } },
    ]);
    expect(r.verdict).to.equal("fail");
    expect(r.reason)
      .to.contain("w-1 (no topology.kubernetes.io/zone)")
      .and.contain("w-2 (no topology.kubernetes.io/region)");
    expect(r.reason).not.to.contain("cp-a");
  });

  it("scs-0214-v2: an invisible (managed) control plane is a skip with reason, never a pass", () => {
    const r = evaluateNodeDistribution([
      { name: "w-1", labels: at("z1") },
      { name: "w-2", labels: at("z2") },
    ]);
    expect(r.verdict).to.equal("skip");
    expect(r.reason).to.match(/no control-plane nodes are visible/);
  });

  it("scs-0214-v2: missing labels fail even when the control plane is invisible", () => {
    const r = evaluateNodeDistribution([{ name: "w-1", labels: {} }]);
    expect(r.verdict).to.equal("fail");
  });

  it("scs-0214-v2: distinct host-ids in one zone pass with medium confidence and a zone warning", () => {
    const r = evaluateNodeDistribution([
      { name: "cp-a", labels: { ...cp, ...at("z1", { [HOST_ID]: "h1" }) } },
      { name: "cp-b", labels: { ...cp, ...at("z1", { [HOST_ID]: "h2" }) } },
    ]);
    expect(r.verdict).to.equal("pass");
    expect(r.controlPlaneEvidence.confidence).to.equal("medium");
    expect(r.warnings.join("\n")).to.match(/SHOULD span more than one zone/);
  });

  it("scs-0214-v2: one zone without host-ids aborts (distinct names prove nothing), legacy master label counts", () => {
    const r = evaluateNodeDistribution([
      {
        name: "m-a",
        labels: { "node-role.kubernetes.io/master": "", ...at("z1") },
        providerID: "openstack:///a",
      },
      {
        name: "m-b",
        labels: { "node-role.kubernetes.io/master": "", ...at("z1") },
        providerID: "openstack:///b",
      },
    ]);
    expect(r.verdict).to.equal("abort");
    expect(r.controlPlaneEvidence.confidence).to.equal("none");
  });

  it("scs-0214-v2: no nodes at all aborts", () => {
    expect(evaluateNodeDistribution([]).verdict).to.equal("abort");
  });
});
