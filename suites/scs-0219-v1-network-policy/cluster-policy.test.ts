import { expect } from "chai";
import { networkPolicyCheck } from "./check.ts";
import {
  type AdminPolicyApi,
  adminDenyCells,
  adminDenyPolicy,
  assertRunScoped,
  chooseAdminPolicyApi,
  judgeAdminDeny,
  probeAdminDeny,
} from "./cluster-policy.ts";
import { allCells, type Cell, cellKey, type Matrix } from "./matrix.ts";

const group = "policy.networking.k8s.io";
const CNP: AdminPolicyApi = {
  kind: "ClusterNetworkPolicy",
  version: "v1beta1",
  plural: "clusternetworkpolicies",
};
const allAllowed = (): Matrix => new Map(allCells().map((c) => [cellKey(c), true]));
const FAST = { settleMs: 0, probeTimeoutMs: 1, rounds: 3, roundDelayMs: 0 };

describe("scs-0219-v1 cluster-scoped policy SHOULD: served kind, policy object, probe and judgement", () => {
  it("uses ClusterNetworkPolicy v1beta1, else v1alpha2, else AdminNetworkPolicy v1alpha1; never a kind it cannot write", () => {
    const served = (...rs: [string, string][]) => rs.map(([kind, version]) => ({ group, kind, version }));
    expect(
      chooseAdminPolicyApi(
        served(
          ["ClusterNetworkPolicy", "v1alpha2"],
          ["ClusterNetworkPolicy", "v1beta1"],
          ["AdminNetworkPolicy", "v1alpha1"],
        ),
      ),
    ).to.deep.equal(CNP);
    expect(chooseAdminPolicyApi(served(["ClusterNetworkPolicy", "v1alpha2"]))?.version).to.equal("v1alpha2");
    expect(
      chooseAdminPolicyApi(
        served(["AdminNetworkPolicy", "v1alpha1"], ["BaselineAdminNetworkPolicy", "v1alpha1"]),
      ),
    ).to.deep.equal({ kind: "AdminNetworkPolicy", version: "v1alpha1", plural: "adminnetworkpolicies" });
    expect(chooseAdminPolicyApi(served(["BaselineAdminNetworkPolicy", "v1alpha1"]))).to.equal(undefined);
    expect(chooseAdminPolicyApi(served(["ClusterNetworkPolicy", "v2"]))).to.equal(undefined);
    expect(
      chooseAdminPolicyApi([{ group: "crd.antrea.io", kind: "ClusterNetworkPolicy", version: "v1beta1" }]),
    ).to.equal(undefined);
    expect(chooseAdminPolicyApi([])).to.equal(undefined);
  });

  it("writes an admin-tier Deny in the schema of each generation, selecting only by the given selectors", () => {
    const subject = { matchLabels: { run: "r1", ns: "x" } };
    const from = { matchLabels: { run: "r1", ns: "y" } };
    const cnp = adminDenyPolicy(CNP, { name: "p", labels: { l: "v" }, subject, from });
    expect(cnp).to.deep.equal({
      apiVersion: "policy.networking.k8s.io/v1beta1",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "p", labels: { l: "v" } },
      spec: {
        tier: "Admin",
        priority: 0,
        subject: { namespaces: subject },
        ingress: [{ name: "deny-from-y", action: "Deny", from: [{ namespaces: from }] }],
      },
    });
    const anp = adminDenyPolicy(
      { kind: "AdminNetworkPolicy", version: "v1alpha1", plural: "adminnetworkpolicies" },
      { name: "p", labels: {}, subject, from },
    );
    expect(anp.apiVersion).to.equal("policy.networking.k8s.io/v1alpha1");
    expect((anp.spec as Record<string, unknown>).tier).to.equal(undefined);
  });

  it("refuses a selector that does not pin the run id", () => {
    expect(() => assertRunScoped({ matchLabels: { run: "r1", ns: "x" } }, "run", "r1")).to.not.throw();
    expect(() => assertRunScoped({ matchLabels: { ns: "x" } }, "run", "r1")).to.throw(/does not pin run=r1/);
    expect(() => assertRunScoped({ matchLabels: { run: "r2" } }, "run", "r1")).to.throw();
    expect(() => assertRunScoped({}, "run", "r1")).to.throw();
  });

  it("probes y → x (denied) and z → x (controls): 54 cells each, no DNS", () => {
    const { deny, control } = adminDenyCells();
    expect(deny).to.have.length(54);
    expect(control).to.have.length(54);
    expect(deny.every((c) => c.from.startsWith("y/") && c.to.startsWith("x/"))).to.equal(true);
    expect(control.every((c) => c.from.startsWith("z/") && c.to.startsWith("x/"))).to.equal(true);
  });

  it("re-probes until the deny shows (a slow CNI), and gives up after the rounds when it never does", async () => {
    const cells = adminDenyCells();
    const denied = new Set(cells.deny.map(cellKey));
    let calls = 0;
    // Enforced from the third probe on.
    const slow = async (cs: readonly Cell[]) => {
      calls++;
      return new Map(cs.map((c) => [cellKey(c), !(denied.has(cellKey(c)) && calls >= 3)]));
    };
    const r = await probeAdminDeny(slow, async () => {}, cells, allAllowed(), FAST);
    expect(r.rounds).to.equal(3);
    expect(
      judgeAdminDeny({ api: CNP, policy: "p", ...cells, baseline: allAllowed(), observed: r.observed })
        .warnings,
    ).to.be.empty;
    let never = 0;
    const open = async (cs: readonly Cell[]) => {
      never++;
      return new Map(cs.map((c) => [cellKey(c), true]));
    };
    const r2 = await probeAdminDeny(open, async () => {}, cells, allAllowed(), FAST);
    expect(never).to.equal(4);
    expect(r2.rounds).to.equal(4);
  });

  it("skips cells the baseline denies already", async () => {
    const cells = adminDenyCells();
    const baseline = allAllowed();
    for (const c of cells.deny.slice(0, 10)) baseline.set(cellKey(c), false);
    const seen: Cell[] = [];
    await probeAdminDeny(
      async (cs) => {
        seen.push(...cs);
        return new Map(cs.map((c) => [cellKey(c), !c.from.startsWith("y/")]));
      },
      async () => {},
      cells,
      baseline,
      FAST,
    );
    expect(seen).to.have.length(98);
  });

  it("warns when the deny is not enforced, naming the cell and the policy", () => {
    const cells = adminDenyCells();
    const w = judgeAdminDeny({
      api: CNP,
      policy: "scs-kaas-r1-deny-y-to-x",
      ...cells,
      baseline: allAllowed(),
      observed: allAllowed(),
    });
    expect(w.warnings).to.deep.equal([
      "scs-0219-v1 SHOULD: ClusterNetworkPolicy is served but not enforced: y/a → x/a:8080 TCP was allowed, admin Deny policy 'scs-kaas-r1-deny-y-to-x' denies it (54 of 54 cells it denies were allowed)",
    ]);
    // A partial enforcement (pod addresses only, Service addresses leak) is not enforcement either.
    const partial = allAllowed();
    for (const c of cells.deny) if (c.via === "pod") partial.set(cellKey(c), false);
    const p = judgeAdminDeny({ api: CNP, policy: "p", ...cells, baseline: allAllowed(), observed: partial });
    expect(p.warnings[0]).to.match(/y\/a → x\/a:8080 TCP via its Service IP was allowed.*\(27 of 54 cells/);
  });

  it("says enforced (info) when y → x is denied and z → x stays allowed; warns when z → x is denied too", () => {
    const cells = adminDenyCells();
    const enforced = allAllowed();
    for (const c of cells.deny) enforced.set(cellKey(c), false);
    const ok = judgeAdminDeny({
      api: CNP,
      policy: "p",
      ...cells,
      baseline: allAllowed(),
      observed: enforced,
    });
    expect(ok.warnings).to.deep.equal([]);
    expect(ok.details).to.deep.equal([
      "ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1) served and enforced: admin Deny policy 'p' denied all 54 cells y → x, the 54 cells z → x stayed allowed",
    ]);
    const everything = new Map([...allAllowed().keys()].map((k) => [k, false]));
    const over = judgeAdminDeny({
      api: CNP,
      policy: "p",
      ...cells,
      baseline: allAllowed(),
      observed: everything,
    });
    expect(over.warnings[0]).to.match(
      /enforcement not shown: .* z\/a → x\/a:8080 TCP was denied too \(54 of 54/,
    );
  });

  it("cannot show anything when the baseline denies y → x already (no warning, a detail)", () => {
    const cells = adminDenyCells();
    const baseline = allAllowed();
    for (const c of cells.deny) baseline.set(cellKey(c), false);
    const o = judgeAdminDeny({ api: CNP, policy: "p", ...cells, baseline, observed: new Map() });
    expect(o.warnings).to.deep.equal([]);
    expect(o.details[0]).to.match(/cannot be shown/);
  });

  it("the check may create and delete the cluster-scoped policy kinds and Ingresses, nothing more", () => {
    const rules = networkPolicyCheck.rbac.filter((r) => "apiGroups" in r && r.apiGroups?.includes(group));
    expect(rules).to.deep.equal([
      {
        apiGroups: [group],
        resources: ["clusternetworkpolicies", "adminnetworkpolicies"],
        verbs: ["create", "delete"],
      },
    ]);
    const ingress = networkPolicyCheck.rbac.filter(
      (r) => "resources" in r && r.resources?.includes("ingresses"),
    );
    expect(ingress).to.deep.equal([
      { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["create", "delete", "get"] },
    ]);
  });
});
