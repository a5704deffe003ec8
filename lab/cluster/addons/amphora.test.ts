import type { V1Node, V1Service } from "@kubernetes/client-node";
import { expect } from "chai";
import { evictable } from "../drain.ts";
import { assignAddresses, haproxyConfig, ingressFor, listeners } from "./amphora.ts";

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

describe("lb-snat proxy (amphora) honouring the OpenStack CCM's annotations", () => {
  const annotated = (annotations: Record<string, string>): V1Service => ({
    ...svc("p", { externalTrafficPolicy: "Local", healthCheckNodePort: 31000 }),
    metadata: { name: "p", namespace: "ns", annotations },
  });
  const nodes = [node("worker-a", "198.18.0.12")];
  const honour = { honourAnnotations: true, proxyIpMode: "Proxy" as const };

  it("sends PROXY v1 for `true`/`v1` and v2 for `v2`; checks stay on healthCheckNodePort without a header", () => {
    for (const [value, send] of [
      ["true", "send-proxy "],
      ["v1", "send-proxy "],
      ["v2", "send-proxy-v2 "],
    ] as const) {
      const s = annotated({ "loadbalancer.openstack.org/proxy-protocol": value });
      const cfg = haproxyConfig(listeners([s], assignAddresses([s]), honour), nodes);
      expect(cfg).to.include(`server worker-a 198.18.0.12:30080 ${send}check port 31000`);
    }
  });

  it("makes an HTTP listener adding X-Forwarded-For for x-forwarded-for=true", () => {
    const s = annotated({ "loadbalancer.openstack.org/x-forwarded-for": "true" });
    const cfg = haproxyConfig(listeners([s], assignAddresses([s]), honour), nodes);
    expect(cfg.match(/mode http\n {2}option forwardfor/g)).to.have.length(2);
  });

  it("ignores the annotations in plain TCP mode (the lb-snat scenario)", () => {
    const s = annotated({ "loadbalancer.openstack.org/proxy-protocol": "v2" });
    const cfg = haproxyConfig(listeners([s], assignAddresses([s])), nodes);
    expect(cfg).to.not.include("send-proxy");
    expect(ingressFor(s, "198.18.0.200", { honourAnnotations: false, proxyIpMode: "Proxy" }).ipMode).to.equal(
      "VIP",
    );
  });

  it("publishes ipMode Proxy for a PROXY-protocol Service, or VIP when switched to the trap", () => {
    const s = annotated({ "loadbalancer.openstack.org/proxy-protocol": "v2" });
    expect(ingressFor(s, "198.18.0.200", honour)).to.deep.equal({ ip: "198.18.0.200", ipMode: "Proxy" });
    expect(ingressFor(s, "198.18.0.200", { ...honour, proxyIpMode: "VIP" }).ipMode).to.equal("VIP");
    expect(ingressFor(svc("plain"), "198.18.0.201", honour).ipMode).to.equal("VIP");
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
