import { expect } from "chai";
import { defaultIngressClass, ingressAddress, judgeIngress, probeIngress } from "./ingress-probe.ts";

const cls = { name: "lab-default", controller: "scs-lab/none", isDefault: true };

describe("scs-0219-v1 Ingress SHOULD: a default IngressClass whose controller answers", () => {
  it("probes the default class, the first by name when several claim it, none without one", () => {
    expect(defaultIngressClass([{ ...cls, isDefault: false }])).to.equal(undefined);
    expect(
      defaultIngressClass([
        { name: "b", controller: "c", isDefault: true },
        { name: "z", controller: "c", isDefault: false },
        { name: "a", controller: "c", isDefault: true },
      ])?.name,
    ).to.equal("a");
  });

  it("an Ingress of the class, to the check's Service, labelled", () => {
    const ing = probeIngress({
      name: "i",
      className: "nginx",
      service: "s-a",
      port: 8080,
      labels: { l: "v" },
    });
    expect(ing.spec?.ingressClassName).to.equal("nginx");
    expect(ing.metadata?.labels).to.deep.equal({ l: "v" });
    expect(ing.spec?.rules?.[0]?.http?.paths[0]?.backend.service).to.deep.equal({
      name: "s-a",
      port: { number: 8080 },
    });
  });

  it("reads an address as ip or hostname, none while the status is empty", () => {
    expect(ingressAddress(undefined)).to.equal(undefined);
    expect(ingressAddress({ status: { loadBalancer: {} } })).to.equal(undefined);
    expect(ingressAddress({ status: { loadBalancer: { ingress: [{}] } } })).to.equal(undefined);
    expect(ingressAddress({ status: { loadBalancer: { ingress: [{ ip: "198.18.0.240" }] } } })).to.equal(
      "198.18.0.240",
    );
    expect(ingressAddress({ status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } })).to.equal(
      "lb.example",
    );
  });

  it("warns when no controller answered within the timeout, an info line when one did", () => {
    const none = judgeIngress({ cls, address: undefined, waitedMs: 60_400, timeoutMs: 60_000 });
    expect(none).to.deep.equal({
      details: [],
      warnings: [
        "scs-0219-v1 SHOULD: default IngressClass lab-default (controller scs-lab/none) exists but no controller answered: Ingress got no address within 60 s",
      ],
    });
    const ok = judgeIngress({ cls, address: "198.18.0.240", waitedMs: 95_000, timeoutMs: 60_000 });
    expect(ok.warnings).to.deep.equal([]);
    expect(ok.details[0]).to.match(/a controller answered, the check's Ingress had address 198\.18\.0\.240/);
  });
});
