import type { RbacRule } from "./check.ts";

/**
 * What the framework's helpers need: a check that uses a helper spreads its rules into its own `rbac`,
 * so that the generated ClusterRole (runner/rbac.ts) grants exactly what the checks in the registry use.
 */
export const RBAC = {
  /** runner/cluster-probe.ts: the API server's version before the run (every run). */
  probe: [{ nonResourceURLs: ["/version"], verbs: ["get"] }],
  /** namespace.ts createTestNamespace (and its failure dump, dump.ts). */
  testNamespace: [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "delete"] },
    { apiGroups: [""], resources: ["pods", "events"], verbs: ["list"] },
  ],
  /** pods.ts createPod, and waiting for pods with wait.ts. */
  pods: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete", "get", "list", "watch"] }],
} as const satisfies Record<string, readonly RbacRule[]>;
