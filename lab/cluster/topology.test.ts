import { expect } from "chai";
import { buildTopology, lbPoolAddresses, nodeLabels } from "./topology.ts";

describe("lab topology", () => {
  const spec = { controlPlanes: 3, workers: 3, zoneLabels: true, controlPlaneOneHost: false };

  it("spreads control-plane nodes and workers over three zones with distinct addresses and pod subnets", () => {
    const nodes = buildTopology(spec);
    expect(nodes.map((n) => n.name)).to.deep.equal([
      "cp-a",
      "cp-b",
      "cp-c",
      "worker-a",
      "worker-b",
      "worker-c",
    ]);
    expect(nodes.map((n) => n.zone)).to.deep.equal([
      "zone-a",
      "zone-b",
      "zone-c",
      "zone-a",
      "zone-b",
      "zone-c",
    ]);
    expect(new Set(nodes.map((n) => n.ip)).size).to.equal(6);
    expect(new Set(nodes.map((n) => n.podCIDR)).size).to.equal(6);
    expect(new Set(nodes.filter((n) => n.role === "control-plane").map((n) => n.hostId)).size).to.equal(3);
  });

  it("puts every control-plane node on one host and zone when asked to", () => {
    const cps = buildTopology({ ...spec, controlPlaneOneHost: true }).filter(
      (n) => n.role === "control-plane",
    );
    expect(new Set(cps.map((n) => n.hostId))).to.deep.equal(new Set(["host-1"]));
    expect(new Set(cps.map((n) => n.zone))).to.deep.equal(new Set(["zone-a"]));
  });

  it("labels zone and region only when the scenario has them; control-plane nodes get role labels", () => {
    const [cp] = buildTopology(spec);
    if (!cp) throw new Error("no node");
    expect(nodeLabels(cp, spec)).to.include({
      "topology.kubernetes.io/zone": "zone-a",
      "topology.kubernetes.io/region": "region-1",
    });
    expect(nodeLabels(cp, spec)).to.have.property("node-role.kubernetes.io/control-plane");
    const bare = nodeLabels(cp, { zoneLabels: false });
    expect(bare).to.not.have.property("topology.kubernetes.io/zone");
    expect(bare).to.not.have.property("topology.kubernetes.io/region");
  });

  it("keeps the load-balancer pool inside the node network and away from node addresses", () => {
    const pool = lbPoolAddresses();
    expect(pool).to.have.length(40);
    const nodeIps = buildTopology(spec).map((n) => n.ip);
    expect(pool.filter((ip) => nodeIps.includes(ip))).to.deep.equal([]);
  });

  it("rejects a lab without workers", () => {
    expect(() => buildTopology({ ...spec, workers: 0 })).to.throw(/worker/);
  });
});
