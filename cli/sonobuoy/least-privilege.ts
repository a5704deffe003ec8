import { type KubeConfig, type KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import { disruptiveRules, requiredRules } from "../../runner/rbac.ts";
import { loadChecks } from "../../runner/registry.ts";
import type { CheckDefinition } from "../../suites/framework/check.ts";
import { parseSecretRef, SECRET_REF_OPTION, type SecretRef } from "../../suites/framework/secret-ref.ts";
import { loadKubeconfig } from "../kubeconfig.ts";
import type { RunHooks } from "./certrun.ts";
import type { CertRunPlan } from "./plan.ts";

/** The scs plugin's own service account in Sonobuoy's namespace (least privilege). */
export const SCS_PLUGIN_SERVICE_ACCOUNT = "scs-kaas-plugin";
/** The e2e plugins' account in least-privilege runs: cluster-admin, as upstream conformance requires. */
export const E2E_SERVICE_ACCOUNT = "sonobuoy-e2e";
/** The ClusterRole granted to it: the suite's generated rules (`scs-kaas rbac`), under Sonobuoy's labels. */
export const SCS_PLUGIN_CLUSTER_ROLE = "scs-kaas-sonobuoy";

/**
 * What a least-privileged Sonobuoy run needs beside what Sonobuoy makes with `--aggregator-permissions
 * clusterRead`: its namespace (Sonobuoy creates it only as clusterAdmin), the scs plugin's service
 * account bound to the suite's ClusterRole, and `get pods` in the namespace for the worker container that
 * Sonobuoy injects into the plugin pod (it checks the pod's other containers). Labelled like Sonobuoy's
 * own RBAC (component=sonobuoy, namespace=<ns>), so `sonobuoy delete` removes them too.
 */
export function leastPrivilegeObjects(
  namespace: string,
  checks: readonly CheckDefinition[],
  e2e: boolean,
  disruptive = false,
  /** Secrets the checks' options name (`*-token-secret`): the plugin may `get` exactly these. */
  secrets: readonly SecretRef[] = [],
): KubernetesObject[] {
  const labels = { component: "sonobuoy", namespace, "app.kubernetes.io/managed-by": "scs-kaas" };
  const rbac = "rbac.authorization.k8s.io/v1";
  const subject = { kind: "ServiceAccount", name: SCS_PLUGIN_SERVICE_ACCOUNT, namespace };
  const worker = `${SCS_PLUGIN_SERVICE_ACCOUNT}-worker`;
  const e2eSubject = { kind: "ServiceAccount", name: E2E_SERVICE_ACCOUNT, namespace };
  // Upstream conformance needs cluster-admin (it creates namespaces, RBAC, CRDs, webhooks, ...): its own
  // account has it, so that Sonobuoy's aggregator can run with read rights only.
  const e2eObjects: KubernetesObject[] = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: E2E_SERVICE_ACCOUNT, namespace, labels } },
    {
      apiVersion: rbac,
      kind: "ClusterRoleBinding",
      metadata: { name: `${E2E_SERVICE_ACCOUNT}-${namespace}`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [e2eSubject],
    } as KubernetesObject,
  ];
  // The opt-in rules of [Disruptive] checks (`scs-kaas rbac --disruptive`): bound only when they run.
  const disruptiveName = `${SCS_PLUGIN_CLUSTER_ROLE}-disruptive`;
  const disruptiveObjects = roleWithBinding(
    "ClusterRole",
    { name: disruptiveName, labels },
    disruptiveRules(checks),
    subject,
  );
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      // As Sonobuoy labels its namespace: the e2e plugins create privileged pods.
      metadata: {
        name: namespace,
        labels: { ...labels, "pod-security.kubernetes.io/enforce": "privileged" },
      },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: SCS_PLUGIN_SERVICE_ACCOUNT, namespace, labels },
    },
    ...roleWithBinding(
      "ClusterRole",
      { name: SCS_PLUGIN_CLUSTER_ROLE, labels },
      requiredRules(checks),
      subject,
    ),
    ...roleWithBinding(
      "Role",
      { name: worker, namespace, labels },
      [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
      subject,
    ),
    ...(disruptive ? disruptiveObjects : []),
    ...secrets.flatMap((ref) => secretReader(SCS_PLUGIN_CLUSTER_ROLE, ref, subject, labels)),
    ...(e2e ? e2eObjects : []),
  ];
}

/** A Role and RoleBinding that let `subject` read one named Secret in its namespace, nothing more. */
export function secretReader(
  prefix: string,
  ref: SecretRef,
  subject: { kind: string; name: string; namespace: string },
  labels: Record<string, string>,
): KubernetesObject[] {
  const name = `${prefix}-read-${ref.name}`.slice(0, 63).replace(/[^a-z0-9]+$/, "");
  return roleWithBinding(
    "Role",
    { name, namespace: ref.namespace, labels },
    [{ apiGroups: [""], resources: ["secrets"], resourceNames: [ref.name], verbs: ["get"] }],
    subject,
  );
}

/** A (Cluster)Role with these rules and the (Cluster)RoleBinding that grants it to `subject`, same name. */
function roleWithBinding(
  kind: "ClusterRole" | "Role",
  metadata: { name: string; namespace?: string; labels: Record<string, string> },
  rules: readonly object[],
  subject: { kind: string; name: string; namespace: string },
): KubernetesObject[] {
  const apiVersion = "rbac.authorization.k8s.io/v1";
  return [
    { apiVersion, kind, metadata, rules } as KubernetesObject,
    {
      apiVersion,
      kind: `${kind}Binding`,
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: metadata.name },
      subjects: [subject],
    } as KubernetesObject,
  ];
}

/** The Secrets named by `*-token-secret` options (unreadable references are left to the check to reject). */
export function referencedSecrets(options: Readonly<Record<string, string>>): SecretRef[] {
  return Object.entries(options)
    .filter(([key]) => SECRET_REF_OPTION.test(key))
    .flatMap(([, value]) => parseSecretRef(value) ?? []);
}

/** Creates the objects (in order); returns a function that deletes them again (reverse order, 404 is fine). */
export async function createObjects(
  kc: KubeConfig,
  objects: readonly KubernetesObject[],
  say: (line: string) => void,
): Promise<() => Promise<void>> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const created: KubernetesObject[] = [];
  const remove = async () => {
    for (const o of [...created].reverse()) {
      try {
        await api.delete(o);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    say(`removed ${created.map(describeObject).join(", ")}`);
  };
  try {
    for (const o of objects) {
      await api.create(o);
      created.push(o);
    }
  } catch (err) {
    await remove();
    throw new Error(
      `cannot create ${describeObject(objects[created.length] as KubernetesObject)}: ${(err as Error).message}`,
    );
  }
  say(`created ${created.map(describeObject).join(", ")}`);
  return remove;
}

function describeObject(o: KubernetesObject): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
}

/**
 * The plan least-privileged: Sonobuoy's aggregator reads only (`clusterRead`), the scs plugin runs as
 * its own account with the suite's ClusterRole, the e2e plugins as theirs; the hooks create those
 * accounts before `sonobuoy run` and remove them after `sonobuoy delete`.
 */
export function leastPrivileged(
  plan: CertRunPlan,
  say: (line: string) => void,
): { plan: CertRunPlan; hooks: RunHooks } {
  const lp: CertRunPlan = {
    ...plan,
    aggregatorPermissions: "clusterRead",
    ...(plan.scs ? { scsServiceAccount: SCS_PLUGIN_SERVICE_ACCOUNT } : {}),
    ...(plan.e2e ? { e2eServiceAccount: E2E_SERVICE_ACCOUNT } : {}),
  };
  let remove: (() => Promise<void>) | undefined;
  return {
    plan: lp,
    hooks: {
      async before() {
        const { kc } = loadKubeconfig({
          ...(plan.kubeconfig ? { kubeconfig: plan.kubeconfig } : {}),
          ...(plan.context ? { context: plan.context } : {}),
        });
        const objects = leastPrivilegeObjects(
          plan.namespace,
          await loadChecks(),
          plan.e2e,
          plan.scs && plan.scsConfig.enableDisruptive,
          plan.scs ? referencedSecrets(plan.scsConfig.options) : [],
        );
        remove = await createObjects(kc, objects, say);
      },
      async after() {
        await remove?.();
      },
      leftovers: `the scs plugin's ClusterRole/ClusterRoleBinding ${SCS_PLUGIN_CLUSTER_ROLE} (label component=sonobuoy)`,
    },
  };
}
