import { CoreV1Api, type V1Node } from "@kubernetes/client-node";
import type { CheckDefinition } from "../framework/check.ts";
import { evaluateNodeDistribution, type NodeInfo } from "./evaluate.ts";

export function toNodeInfo(n: V1Node): NodeInfo {
  const info: NodeInfo = { name: n.metadata?.name ?? "(unnamed)", labels: { ...(n.metadata?.labels ?? {}) } };
  if (n.spec?.providerID) info.providerID = n.spec.providerID;
  return info;
}

export const nodeDistributionCheck: CheckDefinition = {
  id: "scs-0214-v2/node-distribution",
  standard: "scs-0214-v2",
  testId: "node-distribution-check",
  title: "nodes carry zone and region labels; the control plane spans more than one machine",
  labels: [],
  scope: "cluster",
  rbac: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }],
  timeout: { name: "node-distribution", ms: 60_000 },
  async run(ctx) {
    // A 403 here propagates; the framework turns it into an abort naming `list nodes`.
    const list = await ctx.api(CoreV1Api).listNode();
    const nodes = list.items.map(toNodeInfo);
    ctx.log(`listed ${nodes.length} nodes`);
    const r = evaluateNodeDistribution(nodes);
    return { verdict: r.verdict, reason: r.reason, details: r.details, warnings: r.warnings };
  },
};
