// The pure part of `lab switch`: which differences between the running lab and a target scenario can be
// changed in place (an add-on or a Node label) and which need a fresh `up` (anything that shapes the machine:
// Kubernetes version, artifact set, the nodes themselves). Tested on data; lab/cluster/switch.ts carries it out.
import type { IngressClassKind, LoadBalancerKind, Scenario, StorageKind } from "../scenarios/scenarios.ts";
import type { LabRecord } from "./state.ts";
import { buildTopology, type LabNode, type TopologySpec } from "./topology.ts";

/**
 * The NetworkPolicy enforcer's mode, or undefined when no enforcer runs. A mode change is "restart the daemon
 * with that mode" (NETPOL_MODE), none is "stop it and flush its tables".
 */
export type NetpolMode = string | undefined;

export function netpolMode(s: Scenario): NetpolMode {
  const v: unknown = s.networkPolicy;
  if (v === true) return "enforced";
  if (v === false || v === "none" || v === undefined) return undefined;
  return String(v);
}

export type SwitchStep =
  | { kind: "netpol"; from: NetpolMode; to: NetpolMode }
  | { kind: "node-labels"; from: TopologySpec; to: TopologySpec }
  | { kind: "storage"; from: StorageKind; to: StorageKind }
  | { kind: "ingress-class"; from: IngressClassKind; to: IngressClassKind }
  | { kind: "load-balancer"; from: LoadBalancerKind; to: LoadBalancerKind };

export type SwitchPlan =
  | { mode: "in-place"; from: string; to: string; steps: SwitchStep[]; nodes: LabNode[] }
  | { mode: "full-up"; to: string; reasons: string[] };

/** Fields that describe a scenario without shaping the lab: they may differ freely. */
const DESCRIPTIVE = new Set(["name", "breaks", "mustFail", "expect", "otherProof"]);
/** Fields a switch changes in place (each has a step) or compares itself (topology, artifacts, version). */
const HANDLED = new Set([
  "networkPolicy",
  "ingressClass",
  "loadBalancer",
  "storage",
  "topology",
  "kubernetesVersion",
  "artifacts",
]);
/** Topology fields that are only Node labels ("provider" metadata); node count and roles are not. */
const LABEL_ONLY_TOPOLOGY: ReadonlySet<keyof TopologySpec> = new Set(["zoneLabels", "controlPlaneOneHost"]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A node's identity: what a reboot-free switch cannot change (name, role, address, pod subnet). */
const identity = (n: LabNode) => `${n.name}/${n.role}/${n.ip}/${n.podCIDR}`;

/**
 * Plans the move from the running lab (its record and the scenario it was booted or switched to) to
 * `target`. `current` is undefined when the record names a scenario that no longer exists.
 */
export function planSwitch(
  lab: LabRecord | undefined,
  current: Scenario | undefined,
  target: Scenario,
): SwitchPlan {
  const reasons: string[] = [];
  if (!lab) return { mode: "full-up", to: target.name, reasons: ["no lab is up"] };
  if (!current)
    return {
      mode: "full-up",
      to: target.name,
      reasons: [`the running lab's scenario ${JSON.stringify(lab.scenario)} is not a known scenario`],
    };
  if (lab.killed.length > 0)
    reasons.push(`node(s) ${lab.killed.join(", ")} are killed (restore them or boot afresh)`);
  if (lab.kubernetesVersion !== target.kubernetesVersion)
    reasons.push(`Kubernetes version ${lab.kubernetesVersion} → ${target.kubernetesVersion}`);
  if ((lab.artifacts ?? "all") !== target.artifacts)
    reasons.push(`artifact set ${lab.artifacts ?? "all"} → ${target.artifacts} (the nodes' imported images)`);
  const nodes = buildTopology(target.topology);
  for (const key of Object.keys(target.topology) as (keyof TopologySpec)[])
    if (!LABEL_ONLY_TOPOLOGY.has(key) && current.topology[key] !== target.topology[key])
      reasons.push(`topology ${key} ${current.topology[key]} → ${target.topology[key]}`);
  if (!same(lab.nodes.map(identity), nodes.map(identity)))
    reasons.push(
      `nodes ${lab.nodes.map((n) => n.name).join(",")} → ${nodes.map((n) => n.name).join(",")} (node count, roles or addresses)`,
    );
  const keys = new Set([...Object.keys(current), ...Object.keys(target)]);
  for (const key of keys) {
    if (DESCRIPTIVE.has(key) || HANDLED.has(key)) continue;
    const k = key as keyof Scenario;
    if (!same(current[k], target[k])) reasons.push(`${key} differs and switch cannot change it in place`);
  }
  if (reasons.length > 0) return { mode: "full-up", to: target.name, reasons: [...new Set(reasons)] };

  const steps: SwitchStep[] = [];
  const [fromNetpol, toNetpol] = [netpolMode(current), netpolMode(target)];
  if (fromNetpol !== toNetpol) steps.push({ kind: "netpol", from: fromNetpol, to: toNetpol });
  const labelsOf = (t: TopologySpec) => ({
    zoneLabels: t.zoneLabels,
    controlPlaneOneHost: t.controlPlaneOneHost,
  });
  if (!same(labelsOf(current.topology), labelsOf(target.topology)))
    steps.push({ kind: "node-labels", from: current.topology, to: target.topology });
  if (current.ingressClass !== target.ingressClass)
    steps.push({ kind: "ingress-class", from: current.ingressClass, to: target.ingressClass });
  if (current.storage !== target.storage)
    steps.push({ kind: "storage", from: current.storage, to: target.storage });
  if (current.loadBalancer !== target.loadBalancer)
    steps.push({ kind: "load-balancer", from: current.loadBalancer, to: target.loadBalancer });
  return { mode: "in-place", from: current.name, to: target.name, steps, nodes };
}

/** One line per step, for the log and `switch --dry-run`. */
export function describePlan(plan: SwitchPlan): string[] {
  if (plan.mode === "full-up") return [`full up of ${plan.to}, because: ${plan.reasons.join("; ")}`];
  if (plan.steps.length === 0) return [`${plan.from} → ${plan.to}: nothing to change`];
  return [
    `${plan.from} → ${plan.to} in place:`,
    ...plan.steps.map((s) => {
      switch (s.kind) {
        case "netpol":
          return `  NetworkPolicy enforcer: ${s.from ?? "none"} → ${s.to ?? "none (stopped, tables flushed)"}`;
        case "node-labels":
          return `  Node labels: zoneLabels ${s.from.zoneLabels} → ${s.to.zoneLabels}, controlPlaneOneHost ${s.from.controlPlaneOneHost} → ${s.to.controlPlaneOneHost}`;
        case "ingress-class":
          return `  IngressClass: ${s.from} → ${s.to}`;
        case "storage":
          return `  local-path config: ${s.from} → ${s.to} (provisioner restarted; existing PVs stay as they are)`;
        case "load-balancer":
          return `  load balancer: ${s.from} → ${s.to} (old one removed completely)`;
      }
      return "";
    }),
  ];
}

/** The labels the "provider" owns on a Node; a switch sets exactly these (others are the kubelet's). */
export const PROVIDER_TOPOLOGY_LABELS = [
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "topology.scs.community/host-id",
] as const;

/** A JSON merge patch that makes a Node's provider topology labels exactly `wanted` (null removes). */
export function nodeLabelPatch(wanted: Record<string, string>): {
  metadata: { labels: Record<string, string | null> };
} {
  const labels: Record<string, string | null> = {};
  for (const key of PROVIDER_TOPOLOGY_LABELS) labels[key] = wanted[key] ?? null;
  return { metadata: { labels } };
}
