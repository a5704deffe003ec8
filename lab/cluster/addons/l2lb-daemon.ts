// The compliant lab's layer-2 LoadBalancer (see l2lb.ts), a host process of the lab:
// node lab/cluster/addons/l2lb-daemon.ts <node>... . Every second: assign pool addresses, put each address
// on the eth0 of the node that should hold it (and nowhere else), tell the router to forget a moved
// address's old MAC, publish the address in the Service's status.
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from "@kubernetes/client-node";
import { exec } from "../exec.ts";
import { netnsName } from "../paths.ts";
import { assignAddresses, isLoadBalancer } from "./amphora.ts";
import { chooseNode } from "./l2lb.ts";
import { reconcileForever, syncVips } from "./reconcile.ts";

const nodes = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(CoreV1Api);
const discovery = kc.makeApiClient(DiscoveryV1Api);
const holder = new Map<string, string>();

await reconcileForever("l2lb", 1000, async () => {
  const [services, slices, nodeList] = await Promise.all([
    core.listServiceForAllNamespaces(),
    discovery.listEndpointSliceForAllNamespaces(),
    core.listNode(),
  ]);
  const vips = assignAddresses(services.items);
  const wanted = new Map<string, Set<string>>(nodes.map((n) => [n, new Set<string>()]));
  for (const s of services.items.filter(isLoadBalancer)) {
    const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
    const vip = vips.get(key);
    if (!vip) continue;
    const node = chooseNode(s, slices.items, nodeList.items, holder.get(key));
    if (node) {
      if (holder.get(key) && holder.get(key) !== node) {
        await exec("ip", ["-n", netnsName("router"), "neigh", "del", vip, "dev", "eth0"]);
      }
      holder.set(key, node);
      wanted.get(node)?.add(vip);
    } else holder.delete(key);
    if (s.status?.loadBalancer?.ingress?.[0]?.ip !== vip) {
      await core.patchNamespacedServiceStatus({
        name: s.metadata?.name ?? "",
        namespace: s.metadata?.namespace ?? "",
        body: [{ op: "add", path: "/status/loadBalancer", value: { ingress: [{ ip: vip, ipMode: "VIP" }] } }],
      });
    }
  }
  for (const [node, want] of wanted) await syncVips(want, netnsName(node));
});
