import { existsSync } from "node:fs";
import { exec, ipIn, run, runIn } from "./exec.ts";
import { BRIDGE, NFT_TABLE, netnsName, netnsPath, VETH_PREFIX } from "./paths.ts";
import {
  CLIENT_NETWORK,
  CLUSTER_CIDR,
  type LabNode,
  LB_PROXY_IP,
  NODE_ACTIONS_PORT,
  NODE_NETWORK,
  ROUTER_IP,
} from "./topology.ts";

/**
 * The lab's root-namespace firewall: nothing enters or leaves the lab bridge through routing; and of what
 * pods send to this machine itself (this machine routes replies to the pod network, for the node-action
 * webhook), only new connections to the webhook and replies are let in.
 */
export function isolationRules(): string {
  return `table inet ${NFT_TABLE} {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "${BRIDGE}" oifname != "${BRIDGE}" counter drop
    oifname "${BRIDGE}" iifname != "${BRIDGE}" counter drop
  }
  chain input {
    type filter hook input priority -10; policy accept;
    ip saddr ${CLUSTER_CIDR} ip daddr ${NODE_NETWORK.hostIp} tcp dport ${NODE_ACTIONS_PORT} ct state new,established accept
    ip saddr ${CLUSTER_CIDR} ct state established,related accept
    ip saddr ${CLUSTER_CIDR} counter drop
  }
}
`;
}

const exists = (owner: string) => existsSync(netnsPath(owner));

async function createNetns(owner: string): Promise<string> {
  const ns = netnsName(owner);
  if (!exists(owner)) await run("ip", ["netns", "add", ns]);
  await ipIn(ns, ["link", "set", "lo", "up"]);
  return ns;
}

export async function deleteNetns(owner: string): Promise<void> {
  if (exists(owner)) await exec("ip", ["netns", "delete", netnsName(owner)]);
}

async function sysctlIn(owner: string, settings: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(settings))
    await runIn(netnsPath(owner), "sysctl", ["-qw", `${key}=${value}`]);
}

/**
 * A veth pair whose root-namespace end joins the lab bridge and whose other end becomes `eth0` in the
 * namespace, with `address/24`. Idempotent: an existing pair is replaced.
 */
async function plugIntoBridge(owner: string, rootEnd: string, address: string): Promise<void> {
  const ns = netnsName(owner);
  await exec("ip", ["link", "delete", rootEnd]);
  const peer = `${rootEnd}-p`.slice(0, 15);
  await run("ip", ["link", "add", rootEnd, "type", "veth", "peer", "name", peer]);
  await run("ip", ["link", "set", peer, "netns", ns]);
  await ipIn(ns, ["link", "set", peer, "name", "eth0"]);
  await ipIn(ns, ["addr", "add", `${address}/24`, "dev", "eth0"]);
  await ipIn(ns, ["link", "set", "eth0", "up"]);
  await run("ip", ["link", "set", rootEnd, "master", BRIDGE]);
  await run("ip", ["link", "set", rootEnd, "up"]);
}

/**
 * The bridge (this machine = .1, so kubectl on the host reaches the API), the isolation rules, the router
 * namespace (API load balancer and gateway to the outside client) and the outside client namespace.
 */
export async function createFabric(): Promise<void> {
  await exec("ip", ["link", "delete", BRIDGE]);
  await run("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  await run("ip", ["addr", "add", `${NODE_NETWORK.hostIp}/24`, "dev", BRIDGE]);
  await run("ip", ["link", "set", BRIDGE, "up"]);
  await exec("nft", ["delete", "table", "inet", NFT_TABLE]);
  await run("nft", ["-f", "-"], isolationRules());

  await createNetns("router");
  await plugIntoBridge("router", `${VETH_PREFIX}router`, ROUTER_IP);
  await createNetns("client");
  const routerNs = netnsName("router");
  const clientNs = netnsName("client");
  await ipIn(routerNs, ["link", "delete", "client0"]).catch(() => undefined);
  await run("ip", ["link", "add", "slc-r", "type", "veth", "peer", "name", "slc-c"]);
  await run("ip", ["link", "set", "slc-r", "netns", routerNs]);
  await run("ip", ["link", "set", "slc-c", "netns", clientNs]);
  await ipIn(routerNs, ["link", "set", "slc-r", "name", "client0"]);
  await ipIn(clientNs, ["link", "set", "slc-c", "name", "eth0"]);
  await ipIn(routerNs, ["addr", "add", `${CLIENT_NETWORK.routerIp}/24`, "dev", "client0"]);
  await ipIn(clientNs, ["addr", "add", `${CLIENT_NETWORK.clientIp}/24`, "dev", "eth0"]);
  await ipIn(routerNs, ["link", "set", "client0", "up"]);
  await ipIn(clientNs, ["link", "set", "eth0", "up"]);
  await ipIn(clientNs, ["route", "replace", "default", "via", CLIENT_NETWORK.routerIp]);
  // The router forwards between the node network and the client network; it has no route anywhere else.
  await sysctlIn("router", { "net.ipv4.ip_forward": "1" });
  // This machine reaches the outside client (the lb-client-ip check's probe-server) through the router,
  // never through its uplink; the route goes with the bridge.
  await run("ip", ["route", "replace", CLIENT_NETWORK.cidr, "via", ROUTER_IP, "dev", BRIDGE]);
}

/** The namespace of the lb-snat scenario's proxy ("amphora"), on the node network. */
export async function createLbProxyNetwork(): Promise<void> {
  await createNetns("lb");
  await plugIntoBridge("lb", `${VETH_PREFIX}lb`, LB_PROXY_IP);
  await ipIn(netnsName("lb"), ["route", "replace", "default", "via", ROUTER_IP]);
}

/** A node "VM": its namespace, its NIC on the bridge, routes to every node's pod subnet. */
export async function createNodeNetwork(node: LabNode, all: readonly LabNode[]): Promise<void> {
  const ns = await createNetns(node.name);
  await plugIntoBridge(node.name, `${VETH_PREFIX}${node.name}`, node.ip);
  await ipIn(ns, ["route", "replace", "default", "via", ROUTER_IP]);
  for (const other of all) {
    if (other.name !== node.name) await ipIn(ns, ["route", "replace", other.podCIDR, "via", other.ip]);
  }
  // This machine answers pods (the node-action webhook) through the node, not through its default route:
  // without this route a reply to a pod would leave by the uplink.
  await run("ip", ["route", "replace", node.podCIDR, "via", node.ip]);
  // The pod network is routed (no masquerade) up to the router too, so that a pod reaches the outside
  // client network (the lb-client-ip check's probe-server at 198.19.0.2) and its answers find the way back.
  await ipIn(netnsName("router"), ["route", "replace", node.podCIDR, "via", node.ip]);
  await sysctlIn(node.name, {
    "net.ipv4.ip_forward": "1",
    "net.ipv4.conf.all.rp_filter": "0",
    "net.ipv4.conf.default.rp_filter": "0",
  });
}

/** Cuts (or restores) a node's only link, as a dead VM's NIC stops answering. */
export async function setNodeLink(node: string, up: boolean): Promise<void> {
  await run("ip", ["link", "set", `${VETH_PREFIX}${node}`, up ? "up" : "down"]);
}

export async function removeNodeNetwork(node: string): Promise<void> {
  await exec("ip", ["link", "delete", `${VETH_PREFIX}${node}`]);
  await deleteNetns(node);
}

/** The machine's uplink device (the default route's), to prove lab traffic never leaves through it. */
export async function uplinkDevice(): Promise<string | undefined> {
  const out = await run("ip", ["-o", "route", "show", "default"]);
  return /\bdev (\S+)/.exec(out)?.[1];
}
