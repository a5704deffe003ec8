import { expect } from "chai";
import { forbidden, json } from "../../runner/testdata/fake-api-server.ts";
import { harness } from "../framework/testdata/harness.ts";
import { adminDenyCells } from "./cluster-policy.ts";
import { allCells, type Cell, cellKey, type Matrix } from "./matrix.ts";
import { probeClusterPolicy, startIngressProbe } from "./should-probes.ts";
import type { NetworkingFacts } from "./shoulds.ts";

// The I/O of the SHOULD probes against the fake API server (creates, deletes, RBAC denials): helper tests
// only. That a real cluster enforces or ignores the policy is proven on the lab, never here.
const CNP_PATH = "/apis/policy.networking.k8s.io/v1beta1/clusternetworkpolicies";
const facts = (over: Partial<NetworkingFacts> = {}): NetworkingFacts => ({
  resources: [{ group: "policy.networking.k8s.io", version: "v1beta1", kind: "ClusterNetworkPolicy" }],
  ingressClasses: [],
  daemonSets: [],
  ...over,
});
const runScoped = (ns: "x" | "y") => ({
  matchLabels: { "scs-kaas.scs.community/run-id": "run1", netpol: ns },
});
const baseline = (): Matrix => new Map(allCells().map((c) => [cellKey(c), true]));
const FAST = { "timeout-scale": "0.001" };

describe("scs-0219-v1 SHOULD probes (fake API server: requests and RBAC denials)", () => {
  it("creates one run-scoped admin Deny, probes, deletes it, and reports it enforced", async () => {
    const h = await harness({ options: FAST });
    try {
      const denied = new Set(adminDenyCells().deny.map(cellKey));
      const probed: Cell[] = [];
      const o = await probeClusterPolicy(
        h.ctx,
        facts(),
        runScoped,
        async (cells) => {
          probed.push(...cells);
          return new Map(cells.map((c) => [cellKey(c), !denied.has(cellKey(c))]));
        },
        baseline(),
        { settleMs: 0, probeTimeoutMs: 1, rounds: 1, roundDelayMs: 0 },
      );
      expect(o.warnings).to.deep.equal([]);
      expect(o.details[0]).to.match(
        /^ClusterNetworkPolicy \(policy.networking.k8s.io\/v1beta1\) served and enforced/,
      );
      expect(probed).to.have.length(108);
      expect(h.api.requests.filter((r) => r.includes("clusternetworkpolicies"))).to.deep.equal([
        `POST ${CNP_PATH}`,
        `DELETE ${CNP_PATH}/scs-kaas-run1-deny-y-to-x`,
      ]);
      expect(h.record.cleanups.map((c) => c.name)).to.include(
        "delete ClusterNetworkPolicy scs-kaas-run1-deny-y-to-x",
      );
      expect(await h.cleanup()).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });

  it("an RBAC denial is a warning naming verb and resource; nothing is probed", async () => {
    const h = await harness({
      options: FAST,
      routes: [
        (req, res, url) =>
          req.method === "POST" && url.pathname === CNP_PATH
            ? forbidden(res, "create", "clusternetworkpolicies")
            : undefined,
      ],
    });
    try {
      let probes = 0;
      const o = await probeClusterPolicy(
        h.ctx,
        facts(),
        runScoped,
        async () => {
          probes++;
          return new Map();
        },
        baseline(),
      );
      expect(probes).to.equal(0);
      expect(o.warnings).to.have.length(1);
      expect(o.warnings[0]).to.match(
        /^scs-0219-v1 SHOULD not probed: could not create ClusterNetworkPolicy scs-kaas-run1-deny-y-to-x: .*forbidden: cannot create clusternetworkpolicies/,
      );
    } finally {
      await h.close();
    }
  });

  it("does nothing without a served kind it can write", async () => {
    const h = await harness();
    try {
      const o = await probeClusterPolicy(
        h.ctx,
        facts({ resources: [] }),
        runScoped,
        async () => new Map(),
        baseline(),
      );
      expect(o).to.deep.equal({ details: [], warnings: [] });
      expect(h.api.requests).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });

  it("an Ingress of the default class that gets no address: a warning after the (scaled) timeout, then deleted", async () => {
    const h = await harness({ options: FAST });
    h.store.put("/api/v1/namespaces", { metadata: { name: "ns-x" } });
    try {
      const pending = await startIngressProbe(
        h.ctx,
        facts({ ingressClasses: [{ name: "lab-default", controller: "scs-lab/none", isDefault: true }] }),
        "ns-x",
        { name: "s-a", port: 8080 },
      );
      const o = await pending?.finish();
      expect(o?.warnings).to.deep.equal([
        "scs-0219-v1 SHOULD: default IngressClass lab-default (controller scs-lab/none) exists but no controller answered: Ingress got no address within 0 s",
      ]);
      const paths = h.api.requests.filter((r) => r.includes("ingresses"));
      expect(paths[0]).to.equal("POST /apis/networking.k8s.io/v1/namespaces/ns-x/ingresses");
      expect(paths.at(-1)).to.equal(
        "DELETE /apis/networking.k8s.io/v1/namespaces/ns-x/ingresses/scs-kaas-ingress-probe",
      );
    } finally {
      await h.close();
    }
  });

  it("an Ingress that a controller answered: an info line", async () => {
    const h = await harness({
      options: FAST,
      routes: [
        (req, res, url) =>
          req.method === "GET" && url.pathname.endsWith("/ingresses/scs-kaas-ingress-probe")
            ? json(res, 200, {
                metadata: { name: "scs-kaas-ingress-probe", namespace: "ns-x" },
                status: { loadBalancer: { ingress: [{ ip: "198.18.0.210" }] } },
              })
            : undefined,
      ],
    });
    h.store.put("/api/v1/namespaces", { metadata: { name: "ns-x" } });
    try {
      const pending = await startIngressProbe(
        h.ctx,
        facts({ ingressClasses: [{ name: "nginx", controller: "k8s.io/ingress-nginx", isDefault: true }] }),
        "ns-x",
        { name: "s-a", port: 8080 },
      );
      const o = await pending?.finish();
      expect(o?.warnings).to.deep.equal([]);
      expect(o?.details[0]).to.match(
        /nginx \(controller k8s.io\/ingress-nginx\): a controller answered.*198\.18\.0\.210/,
      );
    } finally {
      await h.close();
    }
  });

  it("no default IngressClass: no Ingress is created", async () => {
    const h = await harness();
    try {
      const pending = await startIngressProbe(
        h.ctx,
        facts({ ingressClasses: [{ name: "a", controller: "c", isDefault: false }] }),
        "ns-x",
        { name: "s-a", port: 8080 },
      );
      expect(pending).to.equal(undefined);
      expect(h.api.requests).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });
});
