/**
 * The lab's shape: which nodes exist, their roles, zones, "physical hosts" and addresses. Pure data, derived
 * from a scenario, so it can be tested without a machine.
 *
 * Address plan (198.18.0.0/15, the range RFC 2544 sets aside for test networks, far from any uplink):
 *   198.18.0.0/24    node network on the root-namespace bridge; .1 = this machine (node-action webhook
 *                    on port 8480), .254 = the router,
 *                    .11.. = nodes, .200-.239 = LoadBalancer pool, .250 = the lb-snat proxy
 *   198.18.64.0/18   pod network, one /24 per node (by node index)
 *   198.18.128.0/20  Service ClusterIPs; .1 = kubernetes, .10 = DNS
 *   198.19.0.0/24    the outside client's network behind the router (.1 router, .2 client)
 */

export type Role = "control-plane" | "worker";

export type LabNode = {
  name: string;
  role: Role;
  /** 0-based; decides the node address and pod subnet. */
  index: number;
  ip: string;
  podCIDR: string;
  zone: string;
  region: string;
  /** The "physical machine" a provider would report the VM on (topology.scs.community/host-id). */
  hostId: string;
};

export const NODE_NETWORK = { prefix: "198.18.0", cidr: "198.18.0.0/24", hostIp: "198.18.0.1" };
export const ROUTER_IP = "198.18.0.254";
export const API_ENDPOINT = `https://${ROUTER_IP}:6443`;
export const CLUSTER_CIDR = "198.18.64.0/18";
export const SERVICE_CIDR = "198.18.128.0/20";
export const KUBERNETES_SERVICE_IP = "198.18.128.1";
export const DNS_SERVICE_IP = "198.18.128.10";
export const LB_POOL = { first: "198.18.0.200", last: "198.18.0.239" };
export const LB_PROXY_IP = "198.18.0.250";
/** The node-action webhook on this machine's bridge address (lab/cluster/addons/node-actions.ts). */
export const NODE_ACTIONS_PORT = 8480;
export const CLIENT_NETWORK = { cidr: "198.19.0.0/24", routerIp: "198.19.0.1", clientIp: "198.19.0.2" };
export const REGION = "region-1";
export const ZONES = ["zone-a", "zone-b", "zone-c"] as const;
export const CLUSTER_DOMAIN = "cluster.local";

export type TopologySpec = {
  controlPlanes: number;
  workers: number;
  /** false: nodes carry no topology.kubernetes.io/zone|region labels. */
  zoneLabels: boolean;
  /** true: every control-plane node runs on the same physical host (and so in the same zone). */
  controlPlaneOneHost: boolean;
};

export function buildTopology(spec: TopologySpec): LabNode[] {
  if (spec.controlPlanes < 1 || spec.workers < 1) throw new Error("a lab needs a control plane and a worker");
  if (spec.controlPlanes + spec.workers > 50) throw new Error("too many nodes for one /24 node network");
  const nodes: LabNode[] = [];
  const add = (role: Role, ordinal: number) => {
    const index = nodes.length;
    const zone =
      role === "control-plane" && spec.controlPlaneOneHost ? ZONES[0] : ZONES[ordinal % ZONES.length];
    const letter = String.fromCharCode("a".charCodeAt(0) + ordinal);
    nodes.push({
      name: `${role === "control-plane" ? "cp" : "worker"}-${letter}`,
      role,
      index,
      ip: `${NODE_NETWORK.prefix}.${11 + index}`,
      podCIDR: `198.18.${64 + index}.0/24`,
      zone: zone ?? "zone-a",
      region: REGION,
      // Control-plane VMs on hosts 1..n (or all on host 1); workers on hosts after them.
      hostId:
        role === "control-plane"
          ? `host-${spec.controlPlaneOneHost ? 1 : ordinal + 1}`
          : `host-${spec.controlPlanes + ordinal + 1}`,
    });
  };
  for (let i = 0; i < spec.controlPlanes; i++) add("control-plane", i);
  for (let i = 0; i < spec.workers; i++) add("worker", i);
  return nodes;
}

export const controlPlanes = (nodes: readonly LabNode[]) => nodes.filter((n) => n.role === "control-plane");
export const workers = (nodes: readonly LabNode[]) => nodes.filter((n) => n.role === "worker");

export function findNode(nodes: readonly LabNode[], name: string): LabNode {
  const node = nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}; the lab has ${nodes.map((n) => n.name).join(", ")}`);
  return node;
}

/** The node's labels as the "provider" sets them when it creates the VM. */
export function nodeLabels(node: LabNode, spec: Pick<TopologySpec, "zoneLabels">): Record<string, string> {
  const labels: Record<string, string> = { "topology.scs.community/host-id": node.hostId };
  if (spec.zoneLabels) {
    labels["topology.kubernetes.io/zone"] = node.zone;
    labels["topology.kubernetes.io/region"] = node.region;
  }
  if (node.role === "control-plane") {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  return labels;
}

/** Inclusive list of the pool's addresses. */
export function lbPoolAddresses(): string[] {
  const last = (ip: string) => Number(ip.split(".")[3]);
  const out: string[] = [];
  for (let i = last(LB_POOL.first); i <= last(LB_POOL.last); i++) out.push(`${NODE_NETWORK.prefix}.${i}`);
  return out;
}
