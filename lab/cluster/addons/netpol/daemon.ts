// The lab's NetworkPolicy enforcer, run as a host process of the lab (root network namespace):
// node lab/cluster/addons/netpol/daemon.ts <node>... . Every second it reads Pods, Namespaces and
// NetworkPolicies and, where a node's table changed (or the node's namespace was replaced by a roll),
// replaces the node's nftables table in one transaction.
import { statSync } from "node:fs";
import { CoreV1Api, KubeConfig, NetworkingV1Api } from "@kubernetes/client-node";
import { exec } from "../../exec.ts";
import { netnsPath } from "../../paths.ts";
import { reconcileForever } from "../reconcile.ts";
import { compileNode } from "./compile.ts";

const nodes = process.argv.slice(2);
// NETPOL_MODE=ingress-only: the netpol-ingress-only scenario's enforcer, which ignores egress rules.
const options = { egress: process.env.NETPOL_MODE !== "ingress-only" };
const kc = new KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(CoreV1Api);
const net = kc.makeApiClient(NetworkingV1Api);
const applied = new Map<string, string>();

function netnsId(node: string): string {
  try {
    return String(statSync(netnsPath(node)).ino);
  } catch {
    return "";
  }
}

await reconcileForever("netpol", 1000, async () => {
  const [pods, namespaces, policies] = await Promise.all([
    core.listPodForAllNamespaces(),
    core.listNamespace(),
    net.listNetworkPolicyForAllNamespaces(),
  ]);
  for (const node of nodes) {
    const id = netnsId(node);
    if (!id) continue;
    const script = compileNode(node, pods.items, namespaces.items, policies.items, options);
    if (applied.get(node) === `${id}\n${script}`) continue;
    const r = await exec("nsenter", [`--net=${netnsPath(node)}`, "--", "nft", "-f", "-"], script);
    if (r.code === 0) applied.set(node, `${id}\n${script}`);
    else console.error(`netpol: ${node}: nft failed: ${r.stderr.trim()}\n${script}`);
  }
});
