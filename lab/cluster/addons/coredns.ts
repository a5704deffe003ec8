import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin } from "../artifacts.ts";
import { writeKubeconfig } from "../kubeconfig.ts";
import { nodeStateDir } from "../paths.ts";
import { startDaemon } from "../processes.ts";
import { CLUSTER_DOMAIN, DNS_SERVICE_IP, type LabNode } from "../topology.ts";

/** Cluster DNS without an upstream forwarder: names outside the cluster fail locally. */
export function corefile(node: LabNode, kubeconfig: string): string {
  return `.:53 {
    bind ${node.ip}
    errors
    health ${node.ip}:8080
    ready ${node.ip}:8181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    cache 30
    loop
}
`;
}

export function startCoreDns(node: LabNode): void {
  const file = join(nodeStateDir(node.name), "Corefile");
  writeFileSync(file, corefile(node, writeKubeconfig("addons")));
  startDaemon({
    owner: node.name,
    name: "coredns",
    command: bin("coredns"),
    args: ["-conf", file],
    netns: node.name,
    restart: true,
  });
}

/**
 * The kube-dns Service, backed by the CoreDNS processes on the control-plane nodes through a hand-made
 * EndpointSlice (the Service has no selector: its backends are host processes, not pods).
 */
export function dnsManifests(servers: readonly LabNode[]): string {
  const endpoints = servers
    .map((n) => `  - addresses: ["${n.ip}"]\n    nodeName: ${n.name}\n    conditions: {ready: true}`)
    .join("\n");
  return `apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  clusterIP: ${DNS_SERVICE_IP}
  ports:
    - {name: dns, port: 53, protocol: UDP, targetPort: 53}
    - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-lab
  namespace: kube-system
  labels:
    kubernetes.io/service-name: kube-dns
    endpointslice.kubernetes.io/managed-by: scs-kaas-lab
addressType: IPv4
ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
endpoints:
${endpoints}
`;
}
