import type { V1Node } from "@kubernetes/client-node";

/** The env the Sonobuoy plugin gets its own node's name in (downward API, sonobuoy.yaml). */
export const SUITE_NODE_ENV = "NODE_NAME";

const CONTROL_PLANE_LABELS = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

export const nodeName = (node: V1Node) => node.metadata?.name ?? "";

export function isControlPlane(node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return CONTROL_PLANE_LABELS.some((l) => l in labels);
}

export function isReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

export interface SafetyRules {
  /** The node the suite's own pod runs on (absent from a laptop). */
  suiteNode?: string;
  allowControlPlane: boolean;
}

/** Why the suite must not act on this node, or undefined when it may. */
export function refusal(node: V1Node, rules: SafetyRules): string | undefined {
  const name = nodeName(node);
  if (!name) return "the Node has no name";
  if (rules.suiteNode && name === rules.suiteNode)
    return `${name} runs the suite's own pod (${SUITE_NODE_ENV}); acting on it would end the run`;
  if (isControlPlane(node) && !rules.allowControlPlane)
    return `${name} is a control-plane node; set --option node-action-allow-control-plane=true to allow it`;
  return undefined;
}

/** Ready nodes the suite may act on, workers first, in name order (a stable choice across runs). */
export function eligible(nodes: readonly V1Node[], rules: SafetyRules): V1Node[] {
  return nodes
    .filter((n) => isReady(n) && !n.spec?.unschedulable && refusal(n, rules) === undefined)
    .sort(
      (a, b) =>
        Number(isControlPlane(a)) - Number(isControlPlane(b)) || nodeName(a).localeCompare(nodeName(b)),
    );
}
