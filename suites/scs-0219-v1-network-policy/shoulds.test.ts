import { expect } from "chai";
import { evaluateNetworking, type NetworkingFacts } from "./shoulds.ts";

const bare: NetworkingFacts = { resources: [], ingressClasses: [], daemonSets: [] };

describe("scs-0219-v1 SHOULDs and networking overview", () => {
  it("a bare cluster gets a warning per SHOULD and an overview without a known CNI", () => {
    const o = evaluateNetworking(bare);
    expect(o.warnings).to.have.length(3);
    expect(o.warnings[0]).to.match(
      /no cluster-scoped policy API is served .*AdminNetworkPolicy.*ClusterNetworkPolicy v1alpha2/,
    );
    expect(o.warnings[1]).to.match(/no IngressClass at all/);
    expect(o.warnings[2]).to.match(
      /scs-0219-v2 \(draft\) SHOULD: Gateway API not complete, GatewayClass, Gateway, HTTPRoute not served/,
    );
    expect(o.details).to.include(
      "CNI: no known CNI DaemonSet found (the pod network may be run outside the cluster's workloads)",
    );
  });

  it("accepts either generation of the cluster-scoped policy API", () => {
    for (const kind of ["AdminNetworkPolicy", "ClusterNetworkPolicy"]) {
      const o = evaluateNetworking({
        ...bare,
        resources: [
          {
            group: "policy.networking.k8s.io",
            version: kind === "AdminNetworkPolicy" ? "v1alpha1" : "v1alpha2",
            kind,
          },
        ],
      });
      expect(
        o.warnings.some((w) => /cluster-scoped policy API/.test(w)),
        kind,
      ).to.equal(false);
      expect(o.details[0]).to.match(new RegExp(`^cluster-scoped policy API served: ${kind}`));
    }
  });

  it("wants a default IngressClass, and exactly one", () => {
    const one = evaluateNetworking({
      ...bare,
      ingressClasses: [{ name: "nginx", controller: "k8s.io/ingress-nginx", isDefault: true }],
    });
    expect(one.warnings.some((w) => /IngressClass/.test(w))).to.equal(false);
    const none = evaluateNetworking({
      ...bare,
      ingressClasses: [{ name: "nginx", controller: "k8s.io/ingress-nginx", isDefault: false }],
    });
    expect(none.warnings.join("\n")).to.match(/no default IngressClass \(classes: nginx/);
    const two = evaluateNetworking({
      ...bare,
      ingressClasses: [
        { name: "a", controller: "c", isDefault: true },
        { name: "b", controller: "c", isDefault: true },
      ],
    });
    expect(two.warnings.join("\n")).to.match(/2 IngressClasses are marked default/);
  });

  it("Gateway API needs the three kinds and an Accepted GatewayClass", () => {
    const kinds = ["GatewayClass", "Gateway", "HTTPRoute"].map((kind) => ({
      group: "gateway.networking.k8s.io",
      version: "v1",
      kind,
    }));
    const unaccepted = evaluateNetworking({
      ...bare,
      resources: kinds,
      gatewayClasses: [{ name: "gc", controller: "x.io/gw", accepted: false }],
    });
    expect(unaccepted.warnings.join("\n")).to.match(/no GatewayClass is Accepted/);
    const ok = evaluateNetworking({
      ...bare,
      resources: kinds,
      gatewayClasses: [{ name: "gc", controller: "x.io/gw", accepted: true }],
    });
    expect(ok.warnings.some((w) => /Gateway/.test(w))).to.equal(false);
    expect(ok.details.join("\n")).to.match(/GatewayClasses: gc \(x.io\/gw, Accepted\)/);
  });

  it("names the CNI and its non-portable policy kinds", () => {
    const o = evaluateNetworking({
      ...bare,
      daemonSets: [
        { namespace: "kube-system", name: "kube-proxy" },
        { namespace: "kube-system", name: "cilium" },
      ],
      resources: [
        { group: "cilium.io", version: "v2", kind: "CiliumNetworkPolicy" },
        { group: "cilium.io", version: "v2", kind: "CiliumClusterwideNetworkPolicy" },
        { group: "cilium.io", version: "v2", kind: "CiliumEndpoint" },
      ],
    });
    expect(o.details).to.include("CNI: Cilium (DaemonSet kube-system/cilium)");
    const line = o.details.find((d) => d.startsWith("CNI-specific")) ?? "";
    expect(line).to.match(/CiliumNetworkPolicy \(cilium.io\/v2\), CiliumClusterwideNetworkPolicy/);
    expect(line).to.not.include("CiliumEndpoint");
    expect(line).to.match(/not portable across SCS providers/);
  });
});
