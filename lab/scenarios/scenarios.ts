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

export type NetworkPolicyKind =
  /** The lab's enforcer, ingress and egress. */
  | "enforced"
  /** The enforcer ignores egress rules: a CNI that claims NetworkPolicy but implements half of it. */
  | "ingress-only"
  /** NetworkPolicy enforced, ClusterNetworkPolicy served (its CRD installed) but ignored. */
  | "namespaced-only"
  /** Nothing enforces policies (they are stored and ignored). */
  | "none";

export type IngressClassKind =
  /** No IngressClass (the lab has no Ingress controller). */
  | "none"
  /** An IngressClass marked default whose controller (`scs-lab/none`) does not exist. */
  | "default-without-controller";

export type StorageKind =
  /** local-path-provisioner with sharedFileSystemPath: volumes live outside every node (no node affinity). */
  | "shared"
  /** local-path-provisioner node-local: volumes live on one node's disk and die with it. */
  | "node-local";

/** A verdict as the results parser states it per SCS test id (results-parser/judge.ts). */
export type ExpectedVerdict = "PASS" | "FAIL" | "ABORT" | "NOT_RUN";

/**
 * The verdict each of the suite's checks must get on a scenario, keyed by the check's SCS test id (its
 * check id when it has none), the key `scs-kaas report` and the junit use. One line per check.
 */
export type Expectations = Readonly<Record<string, ExpectedVerdict>>;

/** On the compliant lab every check of the suite passes. A new check adds its line here. */
const COMPLIANT_EXPECTATIONS: Expectations = {
  "version-policy-check": "PASS",
  "node-distribution-check": "PASS",
  "default-storage-class-check": "PASS",
  "storage-durability-check": "PASS",
  "network-policy-check": "PASS",
  "lb-client-ip-check": "PASS",
};

export type Scenario = {
  name: string;
  /** What the scenario breaks (or that it breaks nothing). */
  breaks: string;
  /** The verdicts the suite's checks must get on this lab: the compliant set with the broken ones changed. */
  expect: Expectations;
  /** A proof outside the suite's checks (an upstream e2e run, the smoke), for what no check covers yet. */
  otherProof?: string;
  kubernetesVersion: string;
  /** What `up` builds and imports: `cluster` skips the test binaries (no upstream e2e on this scenario). */
  artifacts: ArtifactSet;
  topology: TopologySpec;
  networkPolicy: NetworkPolicyKind;
  ingressClass: IngressClassKind;
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
    "nothing: supported Kubernetes, enforced NetworkPolicy and ClusterNetworkPolicy (Admin tier ingress), " +
    "client-IP-preserving LoadBalancer, " +
    "shared-filesystem default StorageClass, zone/region labels, control plane on 3 hosts in 3 zones",
  expect: COMPLIANT_EXPECTATIONS,
  kubernetesVersion: KUBERNETES_VERSION,
  artifacts: "all",
  topology: compliantTopology,
  networkPolicy: "enforced",
  ingressClass: "none",
  loadBalancer: "l2",
  storage: "shared",
};

function variant(
  name: string,
  breaks: string,
  verdicts: { expect?: Expectations; otherProof?: string },
  change: Partial<Scenario>,
): Scenario {
  const { otherProof } = verdicts;
  return {
    ...compliant,
    name,
    breaks,
    expect: { ...COMPLIANT_EXPECTATIONS, ...verdicts.expect },
    ...(otherProof ? { otherProof } : {}),
    ...change,
  };
}

export const SCENARIOS: readonly Scenario[] = [
  compliant,
  variant(
    "no-netpol",
    "NetworkPolicy objects are accepted by the API but nothing enforces them (the lab's enforcer is not started)",
    {
      expect: { "network-policy-check": "FAIL" },
      otherProof:
        "scs-0219-v1 kaas-networking-check: the upstream NetworkPolicy e2e fails (`lab e2e netpol-default-deny --expect fail`)",
    },
    { networkPolicy: "none" },
  ),
  variant(
    "netpol-ingress-only",
    "the NetworkPolicy enforcer applies ingress rules only and ignores every egress rule (a partial implementation)",
    { expect: { "network-policy-check": "FAIL" } },
    { networkPolicy: "ingress-only" },
  ),
  variant(
    "cluster-policy-unenforced",
    "ClusterNetworkPolicy (network-policy-api v0.3.0 CRD) is served but the enforcer ignores it; NetworkPolicy stays enforced",
    {
      otherProof:
        "a SHOULD only: network-policy-check stays PASS with the warning 'ClusterNetworkPolicy is served but not enforced' in its junit",
    },
    { networkPolicy: "namespaced-only" },
  ),
  variant(
    "ingress-no-controller",
    "an IngressClass is marked default but no controller serves it (controller name scs-lab/none)",
    {
      otherProof:
        "a SHOULD only: network-policy-check stays PASS with the warning 'default IngressClass lab-default (controller scs-lab/none) exists but no controller answered' in its junit",
    },
    { ingressClass: "default-without-controller" },
  ),
  variant(
    "lb-snat",
    "LoadBalancer Services are served by a TCP proxy (haproxy, like an Octavia amphora) in front of the " +
      "NodePorts: pods see the proxy's address, never the client's, even with externalTrafficPolicy Local",
    {
      expect: { "lb-client-ip-check": "FAIL" },
      otherProof: "client-IP preservation with ETP Local fails in `lab smoke` (the pod sees 198.18.0.250)",
    },
    { loadBalancer: "snat-proxy" },
  ),
  variant(
    "lb-snat-proxy",
    "LoadBalancer Services are served by the amphora-like TCP proxy, which honours the OpenStack CCM's " +
      "proxy-protocol and x-forwarded-for annotations and publishes PROXY Services with ipMode Proxy",
    {
      expect: { "lb-client-ip-check": "FAIL" },
      otherProof:
        "without a variant the amphora hides the client; lb-client-ip-check PASSes with " +
        "--option lb-variant=proxy:loadbalancer.openstack.org/proxy-protocol=v2, with no in-cluster warning",
    },
    { loadBalancer: "snat-proxy-annotations" },
  ),
  variant(
    "lb-snat-proxy-vip",
    "as lb-snat-proxy, but PROXY Services are published with ipMode VIP: kube-proxy short-circuits " +
      "in-cluster clients to the backends, which then receive no PROXY header",
    {
      expect: { "lb-client-ip-check": "FAIL" },
      otherProof:
        "with the proxy variant, lb-client-ip-check warns that in-cluster clients are rejected (ipMode VIP)",
    },
    { loadBalancer: "snat-proxy-annotations-vip" },
  ),
  variant(
    "node-local-storage",
    "the default StorageClass provisions node-local volumes (local-path, node affinity): data dies with the node",
    { expect: { "default-storage-class-check": "FAIL", "storage-durability-check": "FAIL" } },
    { storage: "node-local" },
  ),
  variant(
    "no-zone-labels",
    "nodes carry no topology.kubernetes.io/zone or topology.kubernetes.io/region labels",
    { expect: { "node-distribution-check": "FAIL" } },
    { topology: { ...compliantTopology, zoneLabels: false } },
  ),
  variant(
    "single-host-control-plane",
    "all three control-plane nodes run on one physical host (same topology.scs.community/host-id, one zone)",
    { expect: { "node-distribution-check": "FAIL" } },
    { topology: { ...compliantTopology, controlPlaneOneHost: true } },
  ),
  variant(
    "eol-version",
    `the cluster runs Kubernetes ${EOL_KUBERNETES_VERSION}, a minor past its upstream end of life`,
    { expect: { "version-policy-check": "FAIL" } },
    { kubernetesVersion: EOL_KUBERNETES_VERSION, artifacts: "cluster" },
  ),
];

/** `id=VERDICT` lines, as `lab scenarios` prints them and `lab sonobuoy --expect` takes them. */
export function describeExpectations(expect: Expectations): string[] {
  return Object.entries(expect).map(([id, verdict]) => `${id}=${verdict}`);
}

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario)
    throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return scenario;
}
