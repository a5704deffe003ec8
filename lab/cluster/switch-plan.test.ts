import { expect } from "chai";
import { findScenario, SCENARIOS, type Scenario } from "../scenarios/scenarios.ts";
import type { LabRecord } from "./state.ts";
import { nodeLabelPatch, planSwitch, type SwitchPlan } from "./switch-plan.ts";
import { buildTopology, nodeLabels } from "./topology.ts";

/** The record `up` writes for a scenario. */
function booted(s: Scenario, change: Partial<LabRecord> = {}): LabRecord {
  return {
    scenario: s.name,
    kubernetesVersion: s.kubernetesVersion,
    artifacts: s.artifacts,
    nodes: buildTopology(s.topology),
    killed: [],
    startedAt: "2026-12-02T05:00:00.000Z",
    ...change,
  };
}

function plan(from: string, to: string, change: Partial<LabRecord> = {}): SwitchPlan {
  const current = findScenario(from);
  return planSwitch(booted(current, change), current, findScenario(to));
}

const stepKinds = (p: SwitchPlan) => (p.mode === "in-place" ? p.steps.map((s) => s.kind) : p.reasons);

describe("lab switch plan", () => {
  it("switches compliant to each add-on or label scenario in place with exactly its one step", () => {
    expect(stepKinds(plan("compliant", "no-netpol"))).to.deep.equal(["netpol"]);
    expect(stepKinds(plan("compliant", "cluster-policy-unenforced"))).to.deep.equal(["netpol"]);
    expect(stepKinds(plan("compliant", "ingress-no-controller"))).to.deep.equal(["ingress-class"]);
    expect(stepKinds(plan("compliant", "lb-snat"))).to.deep.equal(["load-balancer"]);
    expect(stepKinds(plan("compliant", "node-local-storage"))).to.deep.equal(["storage"]);
    expect(stepKinds(plan("compliant", "no-zone-labels"))).to.deep.equal(["node-labels"]);
    expect(stepKinds(plan("compliant", "single-host-control-plane"))).to.deep.equal(["node-labels"]);
    expect(stepKinds(plan("compliant", "compliant"))).to.deep.equal([]);
  });

  it("plans every pair of same-version scenarios in place, both ways (a new scenario field must be placed)", () => {
    const switchable = SCENARIOS.filter((s) => s.artifacts === "all");
    expect(switchable.length).to.be.greaterThan(4);
    for (const a of switchable)
      for (const b of switchable)
        expect(plan(a.name, b.name).mode, `${a.name} → ${b.name}`).to.equal("in-place");
  });

  it("combines steps when two dimensions change (lb-snat → node-local-storage)", () => {
    const p = plan("lb-snat", "node-local-storage");
    expect(p.mode).to.equal("in-place");
    if (p.mode !== "in-place") return;
    expect(p.steps).to.deep.equal([
      { kind: "storage", from: "shared", to: "node-local" },
      { kind: "load-balancer", from: "snat-proxy", to: "l2" },
    ]);
  });

  it("restarts the enforcer in namespaced-only mode for cluster-policy-unenforced, adds and removes the IngressClass", () => {
    const p = plan("compliant", "cluster-policy-unenforced");
    expect(p.mode === "in-place" && p.steps).to.deep.equal([
      { kind: "netpol", from: "enforced", to: "namespaced-only" },
    ]);
    const there = plan("compliant", "ingress-no-controller");
    const back = plan("ingress-no-controller", "compliant");
    expect(there.mode === "in-place" && there.steps).to.deep.equal([
      { kind: "ingress-class", from: "none", to: "default-without-controller" },
    ]);
    expect(back.mode === "in-place" && back.steps).to.deep.equal([
      { kind: "ingress-class", from: "default-without-controller", to: "none" },
    ]);
  });

  it("stops the enforcer for no-netpol and starts it with its mode back", () => {
    const off = plan("compliant", "no-netpol");
    const on = plan("no-netpol", "compliant");
    expect(off.mode === "in-place" && off.steps[0]).to.deep.equal({
      kind: "netpol",
      from: "enforced",
      to: undefined,
    });
    expect(on.mode === "in-place" && on.steps[0]).to.deep.equal({
      kind: "netpol",
      from: undefined,
      to: "enforced",
    });
  });

  it("treats enforcer modes (netpol branch: enforced | ingress-only | none) as restarts with another mode", () => {
    const compliant = findScenario("compliant");
    const mode = (name: string, networkPolicy: string) =>
      ({ ...compliant, name, networkPolicy }) as unknown as Scenario;
    const enforced = mode("enforced", "enforced");
    const ingressOnly = mode("netpol-ingress-only", "ingress-only");
    const none = mode("no-netpol", "none");
    expect(planSwitch(booted(enforced), enforced, ingressOnly)).to.deep.include({
      steps: [{ kind: "netpol", from: "enforced", to: "ingress-only" }],
    });
    expect(planSwitch(booted(ingressOnly), ingressOnly, none)).to.deep.include({
      steps: [{ kind: "netpol", from: "ingress-only", to: undefined }],
    });
    expect(planSwitch(booted(none), none, enforced)).to.deep.include({
      steps: [{ kind: "netpol", from: undefined, to: "enforced" }],
    });
  });

  it("falls back to a full up for another Kubernetes version and artifact set, and says so", () => {
    const p = plan("compliant", "eol-version");
    expect(p.mode).to.equal("full-up");
    const reasons = p.mode === "full-up" ? p.reasons.join("\n") : "";
    expect(reasons).to.match(/Kubernetes version v1\.36\.\S+ → v1\.34\.10/);
    expect(reasons).to.match(/artifact set all → cluster/);
  });

  it("falls back for another node count, a killed node, no lab or an unknown recorded scenario", () => {
    const compliant = findScenario("compliant");
    const bigger: Scenario = {
      ...compliant,
      name: "bigger",
      topology: { ...compliant.topology, workers: 4 },
    };
    const p = planSwitch(booted(compliant), compliant, bigger);
    expect(p.mode === "full-up" && p.reasons.join("\n")).to.match(/topology workers 3 → 4/);
    expect(p.mode === "full-up" && p.reasons.join("\n")).to.match(/node count, roles or addresses/);
    const killed = plan("compliant", "no-netpol", { killed: ["worker-a"] });
    expect(killed.mode === "full-up" && killed.reasons.join("\n")).to.match(/worker-a are killed/);
    expect(planSwitch(undefined, undefined, compliant)).to.deep.equal({
      mode: "full-up",
      to: "compliant",
      reasons: ["no lab is up"],
    });
    const unknown = planSwitch(booted(compliant, { scenario: "switching a -> b" }), undefined, compliant);
    expect(unknown.mode === "full-up" && unknown.reasons[0]).to.match(/not a known scenario/);
  });

  it("falls back when a scenario field it does not know differs", () => {
    const compliant = findScenario("compliant");
    const odd = { ...compliant, name: "odd", dnsMode: "broken" } as Scenario;
    const p = planSwitch(booted(compliant), compliant, odd);
    expect(p.mode === "full-up" && p.reasons).to.deep.equal([
      "dnsMode differs and switch cannot change it in place",
    ]);
  });

  it("gives the target's zones and hosts to the recorded nodes (single-host-control-plane)", () => {
    const p = plan("compliant", "single-host-control-plane");
    if (p.mode !== "in-place") throw new Error("expected in place");
    expect(p.nodes.filter((n) => n.role === "control-plane").map((n) => n.hostId)).to.deep.equal([
      "host-1",
      "host-1",
      "host-1",
    ]);
  });

  it("patches the provider's labels: removes zone and region for no-zone-labels, keeps other labels alone", () => {
    const node = buildTopology(findScenario("no-zone-labels").topology)[3];
    if (!node) throw new Error("no worker");
    const patch = nodeLabelPatch(nodeLabels(node, findScenario("no-zone-labels").topology));
    expect(patch.metadata.labels).to.deep.equal({
      "topology.kubernetes.io/zone": null,
      "topology.kubernetes.io/region": null,
      "topology.scs.community/host-id": "host-4",
    });
    const back = nodeLabelPatch(nodeLabels(node, findScenario("compliant").topology));
    expect(back.metadata.labels["topology.kubernetes.io/zone"]).to.equal("zone-a");
  });
});
