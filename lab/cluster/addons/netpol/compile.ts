import type {
  V1LabelSelector,
  V1Namespace,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1Pod,
} from "@kubernetes/client-node";

/**
 * The lab's NetworkPolicy enforcer, pure part: turns Pods, Namespaces and NetworkPolicies into one nftables
 * table per node, applied in that node's network namespace. Stateful (replies to allowed connections pass),
 * ingress and egress, pod/namespace selectors, ipBlock with except, numbered and named ports, port ranges.
 * Filtering happens in the node's forward hook: every pod packet is routed there (ptp CNI, no bridge), after
 * kube-proxy's DNAT, so a policy sees the real destination pod and port. Host-network pods are not subject
 * to policies, as with any CNI; traffic from a node's own processes (kubelet probes) does not cross forward.
 *
 * Cluster-scoped policies (network-policy-api ClusterNetworkPolicy, v1alpha2/v1beta1): the Admin tier's
 * ingress rules only (Accept, Deny, Pass; peers by namespaces or pods; protocols with ports or named ports),
 * evaluated before any NetworkPolicy, in priority order then rule order. Egress rules and the Baseline tier
 * are not enforced (the lab's checks use neither); the lab documents this limit.
 */

export const NETPOL_TABLE = "scslab_netpol";

type PodInfo = {
  name: string;
  namespace: string;
  ip: string;
  node: string;
  labels: Record<string, string>;
  pod: V1Pod;
};

export function matchesSelector(
  selector: V1LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value ?? "")) return false;
        break;
      case "NotIn":
        if (has && values.includes(value ?? "")) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * The pods policies apply to, one per address: a terminating pod and a new one can briefly hold the same
 * IP (a vmap with a duplicate key fails the node's whole table), and the one that is not being deleted wins.
 */
function podInfos(pods: readonly V1Pod[]): PodInfo[] {
  const live = pods
    .filter((p) => p.status?.podIP && !p.spec?.hostNetwork && p.spec?.nodeName)
    .filter((p) => !["Succeeded", "Failed"].includes(p.status?.phase ?? ""));
  const byIp = new Map<string, V1Pod>();
  for (const p of live) {
    const ip = p.status?.podIP ?? "";
    const held = byIp.get(ip);
    if (!held || (held.metadata?.deletionTimestamp && !p.metadata?.deletionTimestamp)) byIp.set(ip, p);
  }
  return [...byIp.values()].map((p) => ({
    name: p.metadata?.name ?? "",
    namespace: p.metadata?.namespace ?? "",
    ip: p.status?.podIP ?? "",
    node: p.spec?.nodeName ?? "",
    labels: p.metadata?.labels ?? {},
    pod: p,
  }));
}

const policyTypes = (np: V1NetworkPolicy): string[] =>
  np.spec?.policyTypes ?? ["Ingress", ...((np.spec?.egress?.length ?? 0) > 0 ? ["Egress"] : [])];

const selects = (np: V1NetworkPolicy, pod: PodInfo) =>
  np.metadata?.namespace === pod.namespace && matchesSelector(np.spec?.podSelector, pod.labels);

/** A set of addresses a rule matches: pod IPs (with the pods, for named ports) or CIDRs. */
type Peer = { pods: PodInfo[] } | { cidr: string; except: string[] };

function resolvePeers(
  peers: readonly V1NetworkPolicyPeer[] | undefined,
  policyNs: string,
  pods: readonly PodInfo[],
  namespaces: Map<string, Record<string, string>>,
): Peer[] | "any" {
  if (!peers || peers.length === 0) return "any";
  const out: Peer[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) {
      out.push({ cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] });
      continue;
    }
    const inNs = (p: PodInfo) =>
      peer.namespaceSelector
        ? matchesSelector(peer.namespaceSelector, namespaces.get(p.namespace) ?? {})
        : p.namespace === policyNs;
    out.push({ pods: pods.filter((p) => inNs(p) && matchesSelector(peer.podSelector, p.labels)) });
  }
  return out;
}

function namedPort(pod: V1Pod, name: string, protocol: string): number | undefined {
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? [])
      if (p.name === name && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  }
  return undefined;
}

const PROTOCOLS: Record<string, string> = { TCP: "tcp", UDP: "udp" };

/**
 * nft match fragments for a rule's ports, resolved against the pod that receives the traffic (undefined:
 * any pod; named ports then match nothing). [] means the rule matches nothing; [""] means any port.
 */
function portMatches(ports: readonly V1NetworkPolicyPort[] | undefined, target: V1Pod | undefined): string[] {
  if (!ports || ports.length === 0) return [""];
  const out: string[] = [];
  for (const p of ports) {
    const protocol = p.protocol ?? "TCP";
    const l4 = PROTOCOLS[protocol];
    if (!l4) continue; // SCTP: this kernel has no SCTP, nothing to match
    if (p.port === undefined) {
      out.push(`meta l4proto ${l4}`);
    } else if (typeof p.port === "number" || /^\d+$/.test(String(p.port))) {
      const port = Number(p.port);
      out.push(`${l4} dport ${p.endPort ? `${port}-${p.endPort}` : port}`);
    } else if (target) {
      const n = namedPort(target, String(p.port), protocol);
      if (n !== undefined) out.push(`${l4} dport ${n}`);
    }
  }
  return out;
}

function addressMatch(direction: "saddr" | "daddr", peer: Peer): string | undefined {
  if ("cidr" in peer) {
    if (peer.cidr.includes(":")) return undefined;
    const except = peer.except.filter((c) => !c.includes(":"));
    return `ip ${direction} ${peer.cidr}${except.length ? ` ip ${direction} != { ${except.join(", ")} }` : ""}`;
  }
  if (peer.pods.length === 0) return undefined;
  return `ip ${direction} { ${[...new Set(peer.pods.map((p) => p.ip))].join(", ")} }`;
}

const chainName = (kind: "in" | "eg" | "ad", pod: PodInfo) =>
  `${kind}_${pod.namespace}_${pod.name}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 200);

/** The ingress chain of an isolated pod: allowed traffic is accepted, the rest dropped. */
function ingressChain(
  pod: PodInfo,
  policies: V1NetworkPolicy[],
  pods: PodInfo[],
  ns: Map<string, Record<string, string>>,
) {
  const rules: string[] = [];
  for (const np of policies) {
    for (const rule of np.spec?.ingress ?? []) {
      const peers = resolvePeers(rule._from, pod.namespace, pods, ns);
      const ports = portMatches(rule.ports, pod.pod);
      for (const port of ports) {
        if (peers === "any") rules.push(`${port} accept`.trim());
        else
          for (const peer of peers) {
            const addr = addressMatch("saddr", peer);
            if (addr) rules.push(`${addr} ${port} accept`.replace(/\s+/g, " "));
          }
      }
    }
  }
  return [...rules, "drop"];
}

/** The egress chain of an isolated pod: allowed traffic returns (to the ingress check), the rest is dropped. */
function egressChain(
  pod: PodInfo,
  policies: V1NetworkPolicy[],
  pods: PodInfo[],
  ns: Map<string, Record<string, string>>,
) {
  const rules: string[] = [];
  for (const np of policies) {
    for (const rule of np.spec?.egress ?? []) {
      const peers = resolvePeers(rule.to, pod.namespace, pods, ns);
      const named = (rule.ports ?? []).some((p) => p.port !== undefined && !/^\d+$/.test(String(p.port)));
      if (peers === "any") {
        for (const port of portMatches(rule.ports, undefined)) rules.push(`${port} return`.trim());
        // Named ports resolve on each destination pod.
        if (named)
          for (const dst of pods)
            for (const port of portMatches(rule.ports, dst.pod)) {
              if (port) rules.push(`ip daddr ${dst.ip} ${port} return`);
            }
        continue;
      }
      for (const peer of peers) {
        if ("pods" in peer && named) {
          for (const dst of peer.pods)
            for (const port of portMatches(rule.ports, dst.pod)) {
              rules.push(`ip daddr ${dst.ip} ${port} return`.replace(/\s+/g, " "));
            }
          continue;
        }
        const addr = addressMatch("daddr", peer);
        if (!addr) continue;
        for (const port of portMatches(rule.ports, undefined))
          rules.push(`${addr} ${port} return`.replace(/\s+/g, " "));
      }
    }
  }
  return [...new Set([...rules]), "drop"];
}

/** The part of network-policy-api's ClusterNetworkPolicy (v1alpha2 = v1beta1 schema) the enforcer reads. */
export interface ClusterNetworkPolicy {
  metadata?: { name?: string };
  spec?: {
    tier?: string;
    priority?: number;
    subject?: { namespaces?: V1LabelSelector; pods?: NamespacedPod };
    ingress?: { name?: string; action?: string; from?: CnpPeer[]; protocols?: CnpProtocol[] }[];
  };
}
type NamespacedPod = { namespaceSelector?: V1LabelSelector; podSelector?: V1LabelSelector };
type CnpPeer = { namespaces?: V1LabelSelector; pods?: NamespacedPod };
type CnpPort = { number?: number; range?: { start: number; end: number } };
type CnpProtocol = {
  tcp?: { destinationPort?: CnpPort };
  udp?: { destinationPort?: CnpPort };
  sctp?: { destinationPort?: CnpPort };
  destinationNamedPort?: string;
};

const inNamespaced = (sel: NamespacedPod, pod: PodInfo, ns: Map<string, Record<string, string>>) =>
  matchesSelector(sel.namespaceSelector, ns.get(pod.namespace) ?? {}) &&
  matchesSelector(sel.podSelector, pod.labels);

function cnpSelects(
  subject: NonNullable<ClusterNetworkPolicy["spec"]>["subject"],
  pod: PodInfo,
  ns: Map<string, Record<string, string>>,
): boolean {
  if (subject?.namespaces) return matchesSelector(subject.namespaces, ns.get(pod.namespace) ?? {});
  if (subject?.pods) return inNamespaced(subject.pods, pod, ns);
  return false;
}

/** nft port matches of a rule's protocols on the receiving pod: [""] any, [] nothing (e.g. SCTP only). */
function cnpPortMatches(protocols: readonly CnpProtocol[] | undefined, target: PodInfo): string[] {
  if (!protocols || protocols.length === 0) return [""];
  const out: string[] = [];
  const port = (l4: string, p: CnpPort | undefined) => {
    if (!p) out.push(`meta l4proto ${l4}`);
    else if (p.range) out.push(`${l4} dport ${p.range.start}-${p.range.end}`);
    else if (p.number) out.push(`${l4} dport ${p.number}`);
  };
  for (const p of protocols) {
    if (p.tcp) port("tcp", p.tcp.destinationPort);
    if (p.udp) port("udp", p.udp.destinationPort);
    if (p.destinationNamedPort)
      for (const protocol of ["TCP", "UDP"]) {
        const n = namedPort(target.pod, p.destinationNamedPort, protocol);
        if (n !== undefined) out.push(`${PROTOCOLS[protocol]} dport ${n}`);
      }
  }
  return out;
}

const VERDICT: Record<string, string> = { Deny: "drop", Pass: "return", Accept: "goto admin_accept" };

/**
 * The admin-tier ingress chain of a subject pod: every matching rule of every Admin policy, by priority (then
 * name, then rule order). Deny drops, Pass returns to the NetworkPolicy tier, Accept skips NetworkPolicy
 * ingress but still passes the source's egress check (chain admin_accept). No match returns.
 */
function adminIngressChain(
  pod: PodInfo,
  policies: readonly ClusterNetworkPolicy[],
  pods: readonly PodInfo[],
  ns: Map<string, Record<string, string>>,
): string[] {
  const rules: string[] = [];
  for (const cnp of policies)
    for (const rule of cnp.spec?.ingress ?? []) {
      const verdict = VERDICT[rule.action ?? ""];
      if (!verdict) continue;
      const ports = cnpPortMatches(rule.protocols, pod);
      for (const peer of rule.from ?? []) {
        // A peer with no known field: fail closed (Deny/Pass match everything, Accept nothing), as the API asks.
        const unknown = !peer.namespaces && !peer.pods;
        if (unknown && rule.action === "Accept") continue;
        const sources = unknown
          ? undefined
          : pods.filter((p) =>
              peer.namespaces
                ? matchesSelector(peer.namespaces, ns.get(p.namespace) ?? {})
                : inNamespaced(peer.pods ?? {}, p, ns),
            );
        if (sources?.length === 0) continue;
        const addr = sources ? `ip saddr { ${[...new Set(sources.map((p) => p.ip))].join(", ")} }` : "";
        for (const port of ports) rules.push(`${addr} ${port} ${verdict}`.replace(/\s+/g, " ").trim());
      }
    }
  return rules;
}

const adminOrder = (a: ClusterNetworkPolicy, b: ClusterNetworkPolicy) =>
  (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0) ||
  (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");

export interface CompileOptions {
  /** false: egress rules are ignored (the `netpol-ingress-only` scenario's deliberate half implementation). */
  egress: boolean;
  /** false: ClusterNetworkPolicies are ignored (the `cluster-policy-unenforced` scenario: served, not enforced). */
  clusterPolicies?: boolean;
}

/** The nftables script for one node (replaces the table atomically). */
export function compileNode(
  node: string,
  pods: readonly V1Pod[],
  namespaces: readonly V1Namespace[],
  policies: readonly V1NetworkPolicy[],
  options: CompileOptions = { egress: true },
  clusterPolicies: readonly ClusterNetworkPolicy[] = [],
): string {
  const all = podInfos(pods);
  const ns = new Map(namespaces.map((n) => [n.metadata?.name ?? "", n.metadata?.labels ?? {}]));
  const chains: string[] = [];
  const egressMap: string[] = [];
  const ingressMap: string[] = [];
  const adminMap: string[] = [];
  const admin =
    options.clusterPolicies === false
      ? []
      : clusterPolicies.filter((p) => p.spec?.tier === "Admin").sort(adminOrder);
  for (const pod of all.filter((p) => p.node === node)) {
    const subjectOf = admin.filter((cnp) => cnpSelects(cnp.spec?.subject, pod, ns));
    const adminRules = subjectOf.length ? adminIngressChain(pod, subjectOf, all, ns) : [];
    if (adminRules.length > 0) {
      const name = chainName("ad", pod);
      chains.push(`  chain ${name} {\n${adminRules.map((r) => `    ${r}`).join("\n")}\n  }`);
      adminMap.push(`${pod.ip} : jump ${name}`);
    }
    const selecting = policies.filter((np) => selects(np, pod));
    const ingress = selecting.filter((np) => policyTypes(np).includes("Ingress"));
    const egress = options.egress ? selecting.filter((np) => policyTypes(np).includes("Egress")) : [];
    if (ingress.length > 0) {
      const name = chainName("in", pod);
      chains.push(
        `  chain ${name} {\n${ingressChain(pod, ingress, all, ns)
          .map((r) => `    ${r}`)
          .join("\n")}\n  }`,
      );
      ingressMap.push(`${pod.ip} : jump ${name}`);
    }
    if (egress.length > 0) {
      const name = chainName("eg", pod);
      chains.push(
        `  chain ${name} {\n${egressChain(pod, egress, all, ns)
          .map((r) => `    ${r}`)
          .join("\n")}\n  }`,
      );
      egressMap.push(`${pod.ip} : jump ${name}`);
    }
  }
  const egressVmap = egressMap.length ? [`ip saddr vmap { ${egressMap.join(", ")} }`] : [];
  const forward = [
    "    type filter hook forward priority 0; policy accept;",
    "    ct state established,related accept",
    // The Admin tier first: its Deny beats every NetworkPolicy allow.
    ...(adminMap.length ? [`    ip daddr vmap { ${adminMap.join(", ")} }`] : []),
    ...egressVmap.map((r) => `    ${r}`),
    ...(ingressMap.length ? [`    ip daddr vmap { ${ingressMap.join(", ")} }`] : []),
  ];
  // An admin Accept skips NetworkPolicy ingress; the source's egress (when it is on this node) still applies.
  if (adminMap.length)
    chains.push(
      `  chain admin_accept {\n${[...egressVmap, "accept"].map((r) => `    ${r}`).join("\n")}\n  }`,
    );
  return `table inet ${NETPOL_TABLE}
delete table inet ${NETPOL_TABLE}
table inet ${NETPOL_TABLE} {
  chain forward {
${forward.join("\n")}
  }
${chains.join("\n")}
}
`;
}
