import type { RbacRule } from "./check.ts";

/** dump.ts dumpNamespace, beyond the namespace's own lists: logs, PVs, attachments, endpoints, nodes. */
const DUMP = [
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: [""], resources: ["persistentvolumes", "nodes"], verbs: ["list"] },
  { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["list"] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list"] },
] as const satisfies readonly RbacRule[];

/**
 * What the framework's helpers need, per helper: a check spreads the sets of the helpers it uses into its
 * own `rbac` (`rbac: [...RBAC.testNamespace, ...RBAC.pods, ...RBAC.exec]`), so that the generated
 * ClusterRole (runner/rbac.ts) grants exactly what the registered checks use. Rules only [Disruptive]
 * checks need go into a separate, opt-in ClusterRole: a check with the `[Disruptive]` label contributes
 * its rules there, and RBAC.disruptive* sets name those rules.
 */
export const RBAC = {
  /** runner/cluster-probe.ts: the API server's version before the run (every run). */
  probe: [{ nonResourceURLs: ["/version"], verbs: ["get"] }],
  /** runner's start-of-run sweep and `scs-kaas cleanup`: namespaces of earlier runs (by label). */
  sweep: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["delete", "list"] }],
  /**
   * namespace.ts createTestNamespace: create; delete and wait until gone; report what is left (PVCs,
   * LoadBalancer Services, PVs); its failure dump (dump.ts dumpNamespace).
   */
  testNamespace: [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "delete", "get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods", "events", "persistentvolumeclaims", "services"], verbs: ["list"] },
    ...DUMP,
  ],
  /** dump.ts dumpNamespace alone, for a check that dumps a namespace it did not create. */
  dump: DUMP,
  /** pods.ts createPod, and waiting for pods (wait.ts waitForPodReady/Running). */
  pods: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "get", "list", "watch"] }],
  /** exec.ts execInPod: the WebSocket upgrade is authorized as get, newer API servers also ask create. */
  exec: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] }],
  /** logs.ts containerLogs. */
  logs: [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }],
  /** PVCs (create, delete, wait.ts waitForPvcBound) and reading the storage classes. */
  pvc: [
    {
      apiGroups: [""],
      resources: ["persistentvolumeclaims"],
      verbs: ["create", "delete", "get", "list", "watch"],
    },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get", "list"] },
  ],
  /** Reading PVs and VolumeAttachments (where a volume lives, where it is attached). */
  volumesRead: [
    { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["get", "list", "watch"] },
  ],
  /** Reading nodes (wait.ts waitForNodeReady/NotReady/Gone). */
  nodesRead: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
  /** Services (create, delete, wait.ts waitForLoadBalancerIngress) and their EndpointSlices. */
  services: [
    { apiGroups: [""], resources: ["services"], verbs: ["create", "delete", "get", "list", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
  ],
  /** NetworkPolicies in the check's own namespaces. */
  networkPolicies: [
    {
      apiGroups: ["networking.k8s.io"],
      resources: ["networkpolicies"],
      verbs: ["create", "delete", "get", "list"],
    },
  ],
  /** [Disruptive] only: cordon, taint, drain (evict) and delete nodes. Goes into the opt-in role. */
  disruptiveNodes: [
    { apiGroups: [""], resources: ["nodes"], verbs: ["delete", "patch", "update"] },
    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  ],
} as const satisfies Record<string, readonly RbacRule[]>;
