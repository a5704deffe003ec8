// The lab's NetworkPolicy enforcer, run as a host process of the lab (root network namespace):
// node lab/cluster/addons/netpol/daemon.ts <node>... . Every second it reads Pods, Namespaces and
// NetworkPolicies (and ClusterNetworkPolicies, where the network-policy-api CRDs are installed) and, where a
// node's table changed (or the node's namespace was replaced by a roll), replaces the node's nftables table
// in one transaction.
import { statSync } from "node:fs";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
} from "@kubernetes/client-node";
import { exec } from "../../exec.ts";
import { netnsPath } from "../../paths.ts";
import { reconcileForever } from "../reconcile.ts";
import { type ClusterNetworkPolicy, compileNode } from "./compile.ts";

const nodes = process.argv.slice(2);
// NETPOL_MODE=ingress-only: the netpol-ingress-only scenario's enforcer, which ignores egress rules;
// NETPOL_MODE=namespaced-only: the cluster-policy-unenforced scenario's, which ignores ClusterNetworkPolicies.
const options = {
  egress: process.env.NETPOL_MODE !== "ingress-only",
  clusterPolicies: process.env.NETPOL_MODE !== "namespaced-only",
};
const kc = new KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(CoreV1Api);
const net = kc.makeApiClient(NetworkingV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const applied = new Map<string, string>();

function netnsId(node: string): string {
  try {
    return String(statSync(netnsPath(node)).ino);
  } catch {
    return "";
  }
}

let lastClusterPolicies: ClusterNetworkPolicy[] = [];

/**
 * The storage version of network-policy-api v0.3.0; none when its CRD is not installed (404). Any other
 * failure keeps the last list, so that NetworkPolicy enforcement never waits on the cluster-scoped API.
 */
async function listClusterPolicies(): Promise<ClusterNetworkPolicy[]> {
  if (!options.clusterPolicies) return [];
  try {
    const list = (await custom.listClusterCustomObject({
      group: "policy.networking.k8s.io",
      version: "v1beta1",
      plural: "clusternetworkpolicies",
    })) as { items?: ClusterNetworkPolicy[] };
    lastClusterPolicies = list.items ?? [];
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) lastClusterPolicies = [];
    else console.error(`netpol: listing ClusterNetworkPolicies failed, keeping the last list: ${err}`);
  }
  return lastClusterPolicies;
}

await reconcileForever("netpol", 1000, async () => {
  const [pods, namespaces, policies, clusterPolicies] = await Promise.all([
    core.listPodForAllNamespaces(),
    core.listNamespace(),
    net.listNetworkPolicyForAllNamespaces(),
    listClusterPolicies(),
  ]);
  for (const node of nodes) {
    const id = netnsId(node);
    if (!id) continue;
    const script = compileNode(node, pods.items, namespaces.items, policies.items, options, clusterPolicies);
    if (applied.get(node) === `${id}\n${script}`) continue;
    const r = await exec("nsenter", [`--net=${netnsPath(node)}`, "--", "nft", "-f", "-"], script);
    if (r.code === 0) applied.set(node, `${id}\n${script}`);
    else console.error(`netpol: ${node}: nft failed: ${r.stderr.trim()}\n${script}`);
  }
});
