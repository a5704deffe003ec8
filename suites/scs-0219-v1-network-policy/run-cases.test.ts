import type { V1NetworkPolicy } from "@kubernetes/client-node";
import { expect } from "chai";
import { CASES } from "./cases.ts";
import { judgeCases } from "./judge.ts";
import { type Cell, cellKey, DNS_TARGET, decideCell, type Matrix, type TestPods } from "./matrix.ts";
import { type PolicyCluster, runCases } from "./run-cases.ts";

// Pure logic only: a stand-in cluster whose reachability is computed by the model (optionally with a
// fault). It proves the runner and the judgement, never that a real CNI works (the lab does that).
const env: TestPods = {
  namespaces: { x: "ns-x", y: "ns-y", z: "ns-z" },
  nsLabel: "netpol-ns",
  podLabel: "pod",
  ips: {
    "x/a": "10.1.0.1",
    "x/b": "10.1.0.2",
    "x/c": "10.1.0.3",
    "y/a": "10.2.0.1",
    "y/b": "10.2.0.2",
    "y/c": "10.2.0.3",
    "z/a": "10.3.0.1",
    "z/b": "10.3.0.2",
    "z/c": "10.3.0.3",
  },
};
const FAST = {
  probeTimeoutMs: 1,
  reprobeTimeoutMs: 1,
  settleMs: 0,
  reprobeDelayMs: 0,
  reprobes: 3,
  baselineReprobes: 1,
};

/** A fault overrides the model for a cell; `round` counts probe calls since the last policy change. */
type Fault = (policies: readonly V1NetworkPolicy[], cell: Cell, round: number) => boolean | undefined;

function fakeCluster(fault?: Fault, baselineDenies?: (c: Cell) => boolean) {
  let current: readonly V1NetworkPolicy[] = [];
  let round = 0;
  const cluster: PolicyCluster = {
    async setPolicies(p) {
      current = [...p];
      round = 0;
    },
    async probe(cells) {
      const m: Matrix = new Map();
      for (const c of cells) {
        const byFault = fault?.(current, c, round);
        const allowed = byFault ?? decideCell(current, env, c).allowed;
        m.set(cellKey(c), allowed && !baselineDenies?.(c));
      }
      round++;
      return m;
    },
    async sleep() {},
    log: () => {},
  };
  return cluster;
}

describe("scs-0219-v1 NetworkPolicy cases against a model-driven stand-in", () => {
  it("a cluster that enforces exactly the model passes every case", async () => {
    const r = await runCases(fakeCluster(), env, CASES, FAST);
    const outcome = judgeCases(r, CASES);
    expect(outcome.verdict, outcome.reason).to.equal("pass");
    expect(r.steps.length).to.equal(CASES.reduce((n, c) => n + c.steps(env).length, 0));
    expect(r.steps.every((s) => s.demonstrated > 0)).to.equal(true);
    expect(outcome.warnings).to.deep.equal([]);
  });

  it("a cluster without enforcement fails, naming the first case and cell in words with tables", async () => {
    const r = await runCases(
      fakeCluster(() => true),
      env,
      CASES,
      FAST,
    );
    const outcome = judgeCases(r, CASES);
    expect(outcome.verdict).to.equal("fail");
    expect(outcome.reason).to.match(
      /^NetworkPolicy not enforced as specified: case default-deny-ingress \(default-deny ingress in x\): x\/a → x\/b:8080 TCP was allowed, policy 'deny-all-ingress' denies it/,
    );
    const text = (outcome.details ?? []).join("\n");
    expect(text).to.include("expected: 8080/TCP to pod IPs");
    expect(text).to.include("observed: 8080/TCP to pod IPs");
    expect(text).to.include("diff: 8080/TCP to pod IPs");
    // A stable wrong answer is re-probed once, not until the rounds run out: baseline, then per step a
    // probe and (when wrong) one re-probe.
    const wrongSteps = r.steps.filter((s) => s.wrong.length).length;
    expect(r.probes).to.equal(
      441 * (1 + r.steps.length) +
        r.steps.filter((s) => s.wrong.length).reduce((n, s) => n + s.wrong.length, 0),
    );
    expect(wrongSteps).to.equal(r.steps.length - 1);
    // Removing policies restores connectivity on such a cluster too: that step matched.
    expect(r.steps.find((s) => s.step === "delete both policies")?.wrong).to.deep.equal([]);
  });

  it("an enforcer that ignores egress rules fails an egress case and passes the ingress ones", async () => {
    const ingressOnly: Fault = (policies, cell) =>
      decideCell(
        policies.filter((p) => !(p.spec?.policyTypes ?? []).includes("Egress")),
        env,
        cell,
      ).allowed;
    const r = await runCases(fakeCluster(ingressOnly), env, CASES, FAST);
    const outcome = judgeCases(r, CASES);
    expect(outcome.verdict).to.equal("fail");
    expect(outcome.reason).to.match(
      /case default-deny-egress-allow-dns .*x\/a → x\/b:8080 TCP was allowed, policy 'deny-all-egress-but-dns' denies it/,
    );
    const failedCases = new Set(r.steps.filter((s) => s.wrong.length).map((s) => s.caseId));
    expect([...failedCases]).to.deep.equal([
      "default-deny-egress-allow-dns",
      "egress-to-namespace",
      "removal-restores",
    ]);
    for (const id of failedCases) expect(CASES.find((c) => c.id === id)?.egress).to.equal(true);
  });

  it("a cell that is late to converge is re-probed before judging", async () => {
    // The first probe after each policy change still sees y/b → x/a open.
    const late: Fault = (policies, cell, round) =>
      policies.length && round === 0 && cell.from === "y/b" && cell.to === "x/a" ? true : undefined;
    const r = await runCases(fakeCluster(late), env, CASES.slice(0, 1), FAST);
    expect(judgeCases(r, CASES).verdict).to.equal("pass");
  });

  it("DNS cells count: a cluster that blocks DNS under the egress policy fails that case", async () => {
    const noDns: Fault = (policies, cell) =>
      cell.to === DNS_TARGET && policies.some((p) => p.metadata?.name === "deny-all-egress-but-dns")
        ? false
        : undefined;
    const r = await runCases(fakeCluster(noDns), env, CASES, FAST);
    const outcome = judgeCases(r, CASES);
    expect(outcome.verdict).to.equal("fail");
    expect(outcome.reason).to.match(
      /x\/a → cluster DNS \(lookup of a Service name\) was denied, expected allowed/,
    );
  });

  it("default restrictions are measured, reported, and expectations are relative to them", async () => {
    // A provider that denies cross-namespace traffic by default (scs-0219 MAY).
    const crossNs = (c: Cell) => c.to !== DNS_TARGET && c.from.split("/")[0] !== c.to.split("/")[0];
    const r = await runCases(fakeCluster(undefined, crossNs), env, CASES, FAST);
    const outcome = judgeCases(r, CASES);
    expect(outcome.warnings?.[0]).to.match(/already denies 324 cell\(s\)/);
    // ipblock-except only denies y → x/a, which the cluster denies anyway: nothing to show, abort, never pass.
    expect(outcome.verdict).to.equal("abort");
    expect(outcome.reason).to.match(/\(ipblock-except\)/);
  });
});
