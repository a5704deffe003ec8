import { BlockList, isIPv6 } from "node:net";
import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
} from "@kubernetes/client-node";

/**
 * A NetworkPolicy model in pure TypeScript: given the policies of a cluster, the pods and namespaces,
 * it decides whether one connection is allowed and which policies decide it. Written from the semantics
 * in the Kubernetes documentation (concepts/services-networking/network-policies), not from any CNI and
 * not from the lab's enforcer:
 * - a pod is isolated for a direction when a policy in its namespace selects it and lists that direction
 *   in policyTypes (default: Ingress, plus Egress when the policy has egress rules);
 * - isolated traffic is allowed when any rule of any selecting policy matches (policies add up);
 * - a connection needs both the source's egress and the destination's ingress to allow it;
 * - a rule with no peers matches every peer, with no ports every port; podSelector alone means the
 *   policy's namespace, namespaceSelector alone every pod of the matching namespaces, both means AND;
 *   ipBlock matches addresses in cidr and outside every except;
 * - ports: protocol defaults to TCP, a missing port means every port of the protocol, endPort makes a
 *   range, a named port is resolved on the destination pod's container ports.
 */

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ModelNamespace {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface ModelPod {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  ip: string;
  ports: readonly ContainerPort[];
}

/**
 * The far end of a connection that is not one of the modelled pods (e.g. the cluster DNS): its address
 * and whether it is a pod are unknown, so only rules that match every peer decide it for certain.
 */
export interface UnknownPeer {
  unknown: string;
}

export type Endpoint = ModelPod | UnknownPeer;

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}

export interface DirectionDecision {
  /** Policies that select the pod for this direction (empty: not isolated, everything allowed). */
  isolatedBy: string[];
  /** Policies with a rule that matches the connection. */
  allowedBy: string[];
  allowed: boolean;
  /** True when a rule could not be decided for an unknown peer (the verdict is then not certain). */
  uncertain: boolean;
}

export interface Decision {
  allowed: boolean;
  egress: DirectionDecision;
  ingress: DirectionDecision;
  uncertain: boolean;
}

export interface ClusterModel {
  namespaces: readonly ModelNamespace[];
  pods: readonly ModelPod[];
}

const isPod = (e: Endpoint): e is ModelPod => "ip" in e;

export function policyName(np: V1NetworkPolicy): string {
  return `${np.metadata?.namespace ?? "?"}/${np.metadata?.name ?? "?"}`;
}

export function policyTypes(np: V1NetworkPolicy): ("Ingress" | "Egress")[] {
  if (np.spec?.policyTypes && np.spec.policyTypes.length > 0)
    return np.spec.policyTypes.filter((t): t is "Ingress" | "Egress" => t === "Ingress" || t === "Egress");
  return ["Ingress", ...((np.spec?.egress?.length ?? 0) > 0 ? (["Egress"] as const) : [])];
}

/** Label selector semantics: matchLabels and every matchExpression must hold; an empty selector matches all. */
export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    if (e.operator === "In" && !(present && values.includes(value ?? ""))) return false;
    if (e.operator === "NotIn" && present && values.includes(value ?? "")) return false;
    if (e.operator === "Exists" && !present) return false;
    if (e.operator === "DoesNotExist" && present) return false;
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator)) return false;
  }
  return true;
}

/** Whether ip lies in cidr and outside every except (both address families; a family mismatch never matches). */
export function inIpBlock(ip: string, cidr: string, except: readonly string[] = []): boolean {
  const family = isIPv6(ip) ? "ipv6" : "ipv4";
  const inside = (c: string) => {
    const [net, bits] = c.split("/");
    if (!net || bits === undefined || (isIPv6(net) ? "ipv6" : "ipv4") !== family) return false;
    const list = new BlockList();
    list.addSubnet(net, Number(bits), family);
    return list.check(ip, family);
  };
  return inside(cidr) && !except.some(inside);
}

type Match = "yes" | "no" | "unknown";

function peerMatches(
  peer: V1NetworkPolicyPeer,
  policyNamespace: string,
  other: Endpoint,
  cluster: ClusterModel,
): Match {
  if (peer.ipBlock) {
    if (!isPod(other)) return "unknown";
    return inIpBlock(other.ip, peer.ipBlock.cidr, peer.ipBlock.except ?? []) ? "yes" : "no";
  }
  if (!isPod(other)) return "unknown";
  const nsOk = peer.namespaceSelector
    ? selectorMatches(
        peer.namespaceSelector,
        cluster.namespaces.find((n) => n.name === other.namespace)?.labels ?? {},
      )
    : other.namespace === policyNamespace;
  return nsOk && selectorMatches(peer.podSelector, other.labels) ? "yes" : "no";
}

function portMatches(p: V1NetworkPolicyPort, conn: Connection): Match {
  const protocol = (p.protocol ?? "TCP") as Protocol;
  if (protocol !== conn.protocol) return "no";
  if (p.port === undefined || p.port === null) return "yes";
  const asNumber = typeof p.port === "number" ? p.port : /^\d+$/.test(String(p.port)) ? Number(p.port) : NaN;
  if (!Number.isNaN(asNumber)) {
    const end = p.endPort ?? asNumber;
    return conn.port >= asNumber && conn.port <= end ? "yes" : "no";
  }
  // A named port is looked up on the pod that receives the connection.
  if (!isPod(conn.to)) return "unknown";
  return conn.to.ports.some((c) => c.name === p.port && c.protocol === protocol && c.port === conn.port)
    ? "yes"
    : "no";
}

/** any of: yes wins, then unknown, else no. An empty list matches everything. */
function anyOf<T>(items: readonly T[] | undefined, match: (t: T) => Match): Match {
  if (!items || items.length === 0) return "yes";
  let unknown = false;
  for (const item of items) {
    const m = match(item);
    if (m === "yes") return "yes";
    if (m === "unknown") unknown = true;
  }
  return unknown ? "unknown" : "no";
}

function both(a: Match, b: Match): Match {
  if (a === "no" || b === "no") return "no";
  return a === "yes" && b === "yes" ? "yes" : "unknown";
}

function decideDirection(
  direction: "Ingress" | "Egress",
  subject: Endpoint,
  conn: Connection,
  policies: readonly V1NetworkPolicy[],
  cluster: ClusterModel,
): DirectionDecision {
  const none: DirectionDecision = { isolatedBy: [], allowedBy: [], allowed: true, uncertain: false };
  if (!isPod(subject)) return none;
  const selecting = policies.filter(
    (np) =>
      np.metadata?.namespace === subject.namespace &&
      selectorMatches(np.spec?.podSelector, subject.labels) &&
      policyTypes(np).includes(direction),
  );
  if (selecting.length === 0) return none;
  const other = direction === "Ingress" ? conn.from : conn.to;
  const allowedBy: string[] = [];
  let uncertain = false;
  for (const np of selecting) {
    const rules: { peers?: V1NetworkPolicyPeer[]; ports?: V1NetworkPolicyPort[] }[] =
      direction === "Ingress"
        ? (np.spec?.ingress ?? []).map((r) => ({ peers: r._from, ports: r.ports }))
        : (np.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    let verdict: Match = "no";
    for (const rule of rules) {
      const peers = rule.peers;
      const m = both(
        anyOf(peers, (peer) => peerMatches(peer, np.metadata?.namespace ?? "", other, cluster)),
        anyOf(rule.ports, (p) => portMatches(p, conn)),
      );
      if (m === "yes") {
        verdict = "yes";
        break;
      }
      if (m === "unknown") verdict = "unknown";
    }
    if (verdict === "yes") allowedBy.push(policyName(np));
    if (verdict === "unknown") uncertain = true;
  }
  return {
    isolatedBy: selecting.map(policyName),
    allowedBy,
    allowed: allowedBy.length > 0,
    uncertain: allowedBy.length === 0 && uncertain,
  };
}

/** Whether the connection is allowed by the policies, and which policies decide it in each direction. */
export function decide(
  policies: readonly V1NetworkPolicy[],
  cluster: ClusterModel,
  conn: Connection,
): Decision {
  const egress = decideDirection("Egress", conn.from, conn, policies, cluster);
  const ingress = decideDirection("Ingress", conn.to, conn, policies, cluster);
  const allowed = egress.allowed && ingress.allowed;
  // A certain denial in one direction settles it even when the other is unknown.
  const deniedForSure = (!egress.allowed && !egress.uncertain) || (!ingress.allowed && !ingress.uncertain);
  return { allowed, egress, ingress, uncertain: !deniedForSure && (egress.uncertain || ingress.uncertain) };
}

/** In words: which policy denies or allows a connection (for the reason line). */
export function explain(d: Decision): string {
  const quote = (names: string[]) => names.map((n) => `'${n.split("/").pop()}'`).join(", ");
  const side = (dir: "ingress" | "egress", x: DirectionDecision) =>
    x.allowed
      ? `${dir} allowed by ${quote(x.allowedBy)}`
      : `${dir} isolated by ${quote(x.isolatedBy)} and no rule allows it`;
  if (!d.allowed) {
    const parts: string[] = [];
    if (!d.egress.allowed) parts.push(side("egress", d.egress));
    if (!d.ingress.allowed) parts.push(side("ingress", d.ingress));
    const deniers = [
      ...(d.egress.allowed ? [] : d.egress.isolatedBy),
      ...(d.ingress.allowed ? [] : d.ingress.isolatedBy),
    ];
    return `${deniers.length > 1 ? "policies" : "policy"} ${quote(deniers)} ${deniers.length > 1 ? "deny" : "denies"} it (${parts.join("; ")})`;
  }
  const allowers = [...d.egress.allowedBy, ...d.ingress.allowedBy];
  if (allowers.length === 0) return "no policy selects either pod, so it is allowed";
  const parts: string[] = [];
  if (d.egress.isolatedBy.length) parts.push(side("egress", d.egress));
  if (d.ingress.isolatedBy.length) parts.push(side("ingress", d.ingress));
  return `${allowers.length > 1 ? "policies" : "policy"} ${quote([...new Set(allowers)])} ${allowers.length > 1 ? "allow" : "allows"} it (${parts.join("; ")})`;
}
