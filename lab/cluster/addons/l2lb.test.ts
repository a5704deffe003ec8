import type { V1EndpointSlice, V1Node, V1Service } from "@kubernetes/client-node";
import { expect } from "chai";
import { chooseNode } from "./l2lb.ts";

const node = (name: string, ready = true, labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const svc = (etp: "Local" | "Cluster"): V1Service => ({
  metadata: { name: "s", namespace: "n" },
  spec: { type: "LoadBalancer", externalTrafficPolicy: etp },
});
const slice = (nodes: string[]): V1EndpointSlice => ({
  addressType: "IPv4",
  metadata: { namespace: "n", labels: { "kubernetes.io/service-name": "s" } },
  endpoints: nodes.map((n) => ({ addresses: ["1.2.3.4"], nodeName: n, conditions: { ready: true } })),
});

describe("lab layer-2 LoadBalancer", () => {
  const nodes = [
    node("cp-a", true, { "node.kubernetes.io/exclude-from-external-load-balancers": "" }),
    node("worker-a"),
    node("worker-b"),
    node("worker-c", false),
  ];

  it("with ETP Local puts the address only on a ready node with a local endpoint", () => {
    expect(chooseNode(svc("Local"), [slice(["worker-b", "worker-c"])], nodes, undefined)).to.equal(
      "worker-b",
    );
    expect(chooseNode(svc("Local"), [slice(["cp-a"])], nodes, undefined)).to.equal(undefined);
  });

  it("with ETP Cluster keeps the current holder while it is ready, and skips excluded nodes", () => {
    expect(chooseNode(svc("Cluster"), [], nodes, "worker-b")).to.equal("worker-b");
    expect(chooseNode(svc("Cluster"), [], nodes, "worker-c")).to.equal("worker-a");
    expect(chooseNode(svc("Cluster"), [], nodes, undefined)).to.equal("worker-a");
  });
});
