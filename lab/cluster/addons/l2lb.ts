import type { V1EndpointSlice, V1Node, V1Service } from "@kubernetes/client-node";
import { backendNodes } from "./amphora.ts";

/**
 * The compliant lab's LoadBalancer, pure part: MetalLB's layer-2 mode, re-done because MetalLB cannot be
 * built here (its module needs github.com/metallb/frr-k8s, which the Go module proxy refuses). Each Service
 * address is held by one node, which answers ARP for it; kube-proxy on that node does the rest. With
 * externalTrafficPolicy Local only a node with a ready local endpoint may hold it, so the packet reaches a
 * pod on the same node without SNAT and the pod sees the client's own address.
 */

const ready = (n: V1Node) =>
  (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** Nodes with a ready endpoint of the Service. */
export function nodesWithEndpoints(service: V1Service, slices: readonly V1EndpointSlice[]): Set<string> {
  const out = new Set<string>();
  for (const s of slices) {
    if (s.metadata?.namespace !== service.metadata?.namespace) continue;
    if (s.metadata?.labels?.["kubernetes.io/service-name"] !== service.metadata?.name) continue;
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false && e.nodeName) out.add(e.nodeName);
  }
  return out;
}

/** The node that should hold the Service's address: the current holder while it still qualifies. */
export function chooseNode(
  service: V1Service,
  slices: readonly V1EndpointSlice[],
  nodes: readonly V1Node[],
  current: string | undefined,
): string | undefined {
  let candidates = backendNodes(nodes)
    .filter(ready)
    .map((n) => n.metadata?.name ?? "");
  if (service.spec?.externalTrafficPolicy === "Local") {
    const local = nodesWithEndpoints(service, slices);
    candidates = candidates.filter((n) => local.has(n));
  }
  if (current && candidates.includes(current)) return current;
  return candidates.sort()[0];
}
