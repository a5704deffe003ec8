import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { lbPoolAddresses } from "../topology.ts";
import { METALLB_NAMESPACE, metallbPoolManifests } from "./metallb.ts";

describe("lab MetalLB", () => {
  const objects = parseAllDocuments(metallbPoolManifests()).map((d) => d.toJSON());

  it("pools exactly the lab's LoadBalancer range and advertises it in layer-2 mode", () => {
    const pool = objects.find((o) => o.kind === "IPAddressPool");
    const addresses = lbPoolAddresses();
    expect(pool.metadata.namespace).to.equal(METALLB_NAMESPACE);
    expect(pool.spec.addresses).to.deep.equal([`${addresses[0]}-${addresses[addresses.length - 1]}`]);
    const l2 = objects.find((o) => o.kind === "L2Advertisement");
    expect(l2.spec.ipAddressPools).to.deep.equal([pool.metadata.name]);
    expect(l2.spec.nodeSelectors[0].matchExpressions[0]).to.deep.equal({
      key: "node.kubernetes.io/exclude-from-external-load-balancers",
      operator: "DoesNotExist",
    });
  });
});
