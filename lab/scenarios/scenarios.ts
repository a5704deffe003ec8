import type { ArtifactSet } from "../build/components.ts";
import type { TopologySpec } from "../cluster/topology.ts";
import { EOL_KUBERNETES_VERSION, KUBERNETES_VERSION } from "../versions.ts";

export type LoadBalancerKind =
  /** MetalLB in layer-2 mode: a node's speaker answers ARP for the address; with externalTrafficPolicy Local the client address survives. */
  | "l2"
  /** An Octavia-amphora-like TCP proxy (haproxy) in its own namespace: pods see the proxy's address. */
  | "snat-proxy"
  /**
   * The same amphora honouring the OpenStack CCM's annotations (`proxy-protocol` → send-proxy[-v2],
   * `x-forwarded-for` → HTTP listener), publishing a PROXY Service's address with `ipMode: Proxy` as the CCM does.
   */
  | "snat-proxy-annotations"
  /** As snat-proxy-annotations, but PROXY Services are published with `ipMode: VIP` (in-cluster clients break). */
  | "snat-proxy-annotations-vip";

/** The lab's amphora (haproxy in namespace `lb`) serves these kinds; MetalLB serves `l2`. */
export const isAmphora = (kind: LoadBalancerKind) => kind !== "l2";

export type StorageKind =
  /** local-path-provisioner with sharedFileSystemPath: volumes live outside every node (no node affinity). */
  | "shared"
  /** local-path-provisioner node-local: volumes live on one node's disk and die with it. */
  | "node-local";

export type Scenario = {
  name: string;
  /** What the scenario breaks (or that it breaks nothing). */
  breaks: string;
  /** Which check of the suite must fail on this lab (empty for the compliant lab: every check passes). */
  mustFail: string;
  kubernetesVersion: string;
  /** What `up` builds and imports: `cluster` skips the test binaries (no upstream e2e on this scenario). */
  artifacts: ArtifactSet;
  topology: TopologySpec;
  networkPolicy: boolean;
  loadBalancer: LoadBalancerKind;
  storage: StorageKind;
};

// Compliant with scs-0214-v2: three control-plane nodes on three hosts in three zones (a stacked etcd of
// three members; two members would tolerate no failure), three workers across the same zones.
const compliantTopology: TopologySpec = {
  controlPlanes: 3,
  workers: 3,
  zoneLabels: true,
  controlPlaneOneHost: false,
};

const compliant: Scenario = {
  name: "compliant",
  breaks:
    "nothing: supported Kubernetes, enforced NetworkPolicy, client-IP-preserving LoadBalancer, " +
    "shared-filesystem default StorageClass, zone/region labels, control plane on 3 hosts in 3 zones",
  mustFail: "",
  kubernetesVersion: KUBERNETES_VERSION,
  artifacts: "all",
  topology: compliantTopology,
  networkPolicy: true,
  loadBalancer: "l2",
  storage: "shared",
};

function variant(name: string, breaks: string, mustFail: string, change: Partial<Scenario>): Scenario {
  return { ...compliant, name, breaks, mustFail, ...change };
}

export const SCENARIOS: readonly Scenario[] = [
  compliant,
  variant(
    "no-netpol",
    "NetworkPolicy objects are accepted by the API but nothing enforces them (the lab's enforcer is not started)",
    "scs-0219-v1 kaas-networking-check (NetworkPolicy e2e, e.g. \"should support a 'default-deny-ingress' policy\")",
    { networkPolicy: false },
  ),
  variant(
    "lb-snat",
    "LoadBalancer Services are served by a TCP proxy (haproxy, like an Octavia amphora) in front of the " +
      "NodePorts: pods see the proxy's address, never the client's, even with externalTrafficPolicy Local",
    "load-balancer client-IP preservation check (outside client must see its own address with ETP Local)",
    { loadBalancer: "snat-proxy" },
  ),
  variant(
    "lb-snat-proxy",
    "LoadBalancer Services are served by the amphora-like TCP proxy, which honours the OpenStack CCM's " +
      "proxy-protocol and x-forwarded-for annotations and publishes PROXY Services with ipMode Proxy",
    "lb-client-ip-check without a variant (the amphora hides the client); it PASSes with " +
      "--option lb-variant=proxy:loadbalancer.openstack.org/proxy-protocol=v2, with no in-cluster warning",
    { loadBalancer: "snat-proxy-annotations" },
  ),
  variant(
    "lb-snat-proxy-vip",
    "as lb-snat-proxy, but PROXY Services are published with ipMode VIP: kube-proxy short-circuits " +
      "in-cluster clients to the backends, which then receive no PROXY header",
    "lb-client-ip-check in-cluster warning (PROXY variant published with ipMode VIP rejects in-cluster clients)",
    { loadBalancer: "snat-proxy-annotations-vip" },
  ),
  variant(
    "node-local-storage",
    "the default StorageClass provisions node-local volumes (local-path, node affinity): data dies with the node",
    "scs-0211-v1 default StorageClass durability (volume must survive node loss/roll, no node-local storage)",
    { storage: "node-local" },
  ),
  variant(
    "no-zone-labels",
    "nodes carry no topology.kubernetes.io/zone or topology.kubernetes.io/region labels",
    "scs-0214-v2 node-distribution-check (every node MUST carry zone and region labels)",
    { topology: { ...compliantTopology, zoneLabels: false } },
  ),
  variant(
    "single-host-control-plane",
    "all three control-plane nodes run on one physical host (same topology.scs.community/host-id, one zone)",
    "scs-0214-v2 node-distribution-check (control plane MUST span more than one physical machine)",
    { topology: { ...compliantTopology, controlPlaneOneHost: true } },
  ),
  variant(
    "eol-version",
    `the cluster runs Kubernetes ${EOL_KUBERNETES_VERSION}, a minor past its upstream end of life`,
    "scs-0210-v2 version-policy-check (minor version past end of life)",
    { kubernetesVersion: EOL_KUBERNETES_VERSION, artifacts: "cluster" },
  ),
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario)
    throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return scenario;
}
