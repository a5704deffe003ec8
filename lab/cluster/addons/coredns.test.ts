import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { corednsMain } from "../../build/components.ts";
import { DNS_SERVICE_IP } from "../topology.ts";
import { COREFILE, dnsManifests } from "./coredns.ts";

describe("lab CoreDNS", () => {
  const objects = parseAllDocuments(dnsManifests("registry.k8s.io/coredns/coredns:v1.14.7")).map((d) =>
    d.toJSON(),
  );
  const find = (kind: string) => objects.find((o) => o.kind === kind);

  it("the kube-dns Service selects the Deployment's pods, which Sonobuoy's preflight finds by k8s-app=kube-dns", () => {
    const service = find("Service");
    const deployment = find("Deployment");
    expect(service.spec.clusterIP).to.equal(DNS_SERVICE_IP);
    expect(service.spec.selector).to.deep.equal(deployment.spec.template.metadata.labels);
    expect(deployment.spec.template.metadata.labels["k8s-app"]).to.equal("kube-dns");
    expect(deployment.metadata.namespace).to.equal("kube-system");
  });

  it("runs the lab image without pulling, with the Corefile from its ConfigMap", () => {
    const container = find("Deployment").spec.template.spec.containers[0];
    expect(container.image).to.equal("registry.k8s.io/coredns/coredns:v1.14.7");
    expect(container.imagePullPolicy).to.equal("Never");
    expect(find("ConfigMap").data.Corefile).to.equal(COREFILE);
  });

  it("every plugin the Corefile uses is compiled into the lab's CoreDNS", () => {
    const directives = [...COREFILE.matchAll(/^ {4}([a-z0-9_]+)/gm)].map((m) => m[1]);
    expect(directives).to.include.members(["kubernetes", "cache", "loop", "ready", "health"]);
    const compiled = corednsMain();
    for (const directive of directives) expect(compiled).to.include(`/plugin/${directive}"`);
  });
});
