import type { V1Node, V1Service } from "@kubernetes/client-node";
import { expect } from "chai";
import { evictable } from "../drain.ts";
import { assignAddresses, haproxyConfig, listeners } from "./amphora.ts";

const svc = (name: string, extra: Partial<V1Service["spec"]> = {}, ip?: string): V1Service => ({
  metadata: { name, namespace: "ns" },
  spec: { type: "LoadBalancer", ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }], ...extra },
  status: ip ? { loadBalancer: { ingress: [{ ip }] } } : {},
});
const node = (name: string, ip: string, labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels },
  status: { addresses: [{ type: "InternalIP", address: ip }] },
});

describe("lb-snat proxy (amphora)", () => {
  it("keeps assigned addresses and gives new services the lowest free one", () => {
    const vips = assignAddresses([svc("a", {}, "198.18.0.200"), svc("b"), svc("c", { type: "ClusterIP" })]);
    expect([...vips.entries()]).to.deep.equal([
      ["ns/a", "198.18.0.200"],
      ["ns/b", "198.18.0.201"],
    ]);
  });

  it("proxies to the NodePort of every worker and health-checks healthCheckNodePort for ETP Local", () => {
    const s = svc("a", { externalTrafficPolicy: "Local", healthCheckNodePort: 31000 });
    const nodes = [
      node("cp-a", "198.18.0.11", { "node.kubernetes.io/exclude-from-external-load-balancers": "" }),
      node("worker-a", "198.18.0.12"),
    ];
    const cfg = haproxyConfig(listeners([s], assignAddresses([s])), nodes);
    expect(cfg).to.include("bind 198.18.0.200:80");
    expect(cfg).to.include("server worker-a 198.18.0.12:30080 check port 31000");
    expect(cfg).to.include("option httpchk GET /healthz");
    expect(cfg).to.not.include("198.18.0.11");
  });
});

describe("drain", () => {
  it("leaves DaemonSet and mirror pods and evicts the rest", () => {
    expect(
      evictable({
        metadata: { ownerReferences: [{ kind: "DaemonSet", name: "d", apiVersion: "apps/v1", uid: "1" }] },
      }),
    ).to.equal(false);
    expect(evictable({ metadata: { annotations: { "kubernetes.io/config.mirror": "x" } } })).to.equal(false);
    expect(evictable({ metadata: { name: "p" }, status: { phase: "Running" } })).to.equal(true);
    expect(evictable({ metadata: { name: "p" }, status: { phase: "Succeeded" } })).to.equal(false);
  });
});
