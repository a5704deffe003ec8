import {
  ApisApi,
  AppsV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type V1APIGroup,
  type V1DaemonSet,
} from "@kubernetes/client-node";
import { describe } from "../framework/api-errors.ts";
import type { CheckContext, RbacRule } from "../framework/check.ts";
import { ADMIN_POLICY_PLURALS, POLICY_API_GROUP } from "./cluster-policy.ts";

/**
 * The SHOULDs of scs-0219 (warnings on the NetworkPolicy check, never its verdict) and an overview of
 * what the cluster's network offers: cluster-scoped policy API (either generation), a default
 * IngressClass, Gateway API with an accepted GatewayClass (scs-0219-v2 draft), which CNI runs and which
 * CNI-specific policy kinds are installed (not portable across SCS providers).
 */
export const SHOULD_RBAC: readonly RbacRule[] = [
  { nonResourceURLs: ["/apis", "/apis/*"], verbs: ["get"] },
  { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["list"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingressclasses"], verbs: ["list"] },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["gatewayclasses"], verbs: ["list"] },
  // The enforcement probe: one admin Deny policy (only the kind served is used) and one Ingress.
  { apiGroups: [POLICY_API_GROUP], resources: ADMIN_POLICY_PLURALS, verbs: ["create", "delete"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["create", "delete", "get"] },
];

export { POLICY_API_GROUP };
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** API groups of CNI-specific policy kinds (a user who wants portability should not rely on them). */
export const CNI_POLICY_GROUPS: Readonly<Record<string, string>> = {
  "cilium.io": "Cilium",
  "crd.projectcalico.org": "Calico",
  "projectcalico.org": "Calico",
  "crd.antrea.io": "Antrea",
  "k8s.ovn.org": "OVN-Kubernetes",
  "security.antrea.io": "Antrea",
};

/** DaemonSet name fragments that identify a CNI (first match wins). */
const CNI_DAEMONSETS: readonly [RegExp, string][] = [
  [/^cilium$|^cilium-agent/, "Cilium"],
  [/^calico-node$|^canal$/, "Calico"],
  [/^kube-flannel|^flannel/, "Flannel"],
  [/^antrea-agent/, "Antrea"],
  [/^kube-router/, "kube-router"],
  [/^weave-net/, "Weave Net"],
  [/^ovnkube-node|^ovs-ovn/, "OVN-Kubernetes"],
  [/^kindnet/, "kindnet"],
  [/^kube-network-policies/, "kube-network-policies"],
];

export interface ServedResource {
  group: string;
  version: string;
  kind: string;
}

export interface NetworkingFacts {
  /** Kinds served in the groups this check looks at. */
  resources: ServedResource[];
  ingressClasses: { name: string; controller: string; isDefault: boolean }[];
  /** undefined: Gateway API not served. */
  gatewayClasses?: { name: string; controller: string; accepted: boolean }[];
  daemonSets: { namespace: string; name: string }[];
}

export interface Overview {
  details: string[];
  warnings: string[];
}

export function evaluateNetworking(f: NetworkingFacts): Overview {
  const details: string[] = [];
  const warnings: string[] = [];
  const kinds = (group: string) => f.resources.filter((r) => r.group === group);
  const fmt = (rs: ServedResource[]) => rs.map((r) => `${r.kind} (${r.group}/${r.version})`).join(", ");

  const policyKinds = kinds(POLICY_API_GROUP).filter((r) =>
    ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"].includes(r.kind),
  );
  if (policyKinds.length === 0)
    warnings.push(
      `scs-0219-v1 SHOULD: no cluster-scoped policy API is served (${POLICY_API_GROUP}: neither AdminNetworkPolicy/BaselineAdminNetworkPolicy v1alpha1 nor ClusterNetworkPolicy v1alpha2/v1beta1)`,
    );
  else details.push(`cluster-scoped policy API served: ${fmt(policyKinds)}`);

  const defaults = f.ingressClasses.filter((c) => c.isDefault);
  if (defaults.length === 0)
    warnings.push(
      f.ingressClasses.length
        ? `scs-0219-v1 SHOULD: no default IngressClass (classes: ${f.ingressClasses.map((c) => c.name).join(", ")}; none annotated ingressclass.kubernetes.io/is-default-class=true)`
        : "scs-0219-v1 SHOULD: no IngressClass at all (no managed Ingress controller offered)",
    );
  else
    details.push(
      `default IngressClass: ${defaults.map((c) => `${c.name} (controller ${c.controller})`).join(", ")}`,
    );
  if (defaults.length > 1)
    warnings.push(
      `${defaults.length} IngressClasses are marked default; Ingresses without a class are rejected`,
    );

  const gatewayKinds = kinds(GATEWAY_API_GROUP).filter((r) =>
    ["GatewayClass", "Gateway", "HTTPRoute"].includes(r.kind),
  );
  const missing = ["GatewayClass", "Gateway", "HTTPRoute"].filter(
    (k) => !gatewayKinds.some((r) => r.kind === k),
  );
  if (missing.length)
    warnings.push(
      `scs-0219-v2 (draft) SHOULD: Gateway API not complete, ${missing.join(", ")} not served (${GATEWAY_API_GROUP})`,
    );
  else {
    const accepted = (f.gatewayClasses ?? []).filter((c) => c.accepted);
    details.push(
      `Gateway API served: ${fmt(gatewayKinds)}; GatewayClasses: ${(f.gatewayClasses ?? []).map((c) => `${c.name} (${c.controller}, ${c.accepted ? "Accepted" : "not accepted"})`).join(", ") || "none"}`,
    );
    if (accepted.length === 0)
      warnings.push(
        "scs-0219-v2 (draft) SHOULD: Gateway API is served but no GatewayClass is Accepted by a controller",
      );
  }

  const cnis = new Set<string>();
  for (const ds of f.daemonSets)
    for (const [re, cni] of CNI_DAEMONSETS)
      if (re.test(ds.name)) {
        cnis.add(`${cni} (DaemonSet ${ds.namespace}/${ds.name})`);
        break;
      }
  details.push(
    cnis.size
      ? `CNI: ${[...cnis].join(", ")}`
      : "CNI: no known CNI DaemonSet found (the pod network may be run outside the cluster's workloads)",
  );
  const cniPolicies = f.resources.filter((r) => CNI_POLICY_GROUPS[r.group] && /Policy|Firewall/.test(r.kind));
  if (cniPolicies.length)
    details.push(
      `CNI-specific policy kinds installed: ${fmt(cniPolicies)}; not portable across SCS providers, use networking.k8s.io/v1 NetworkPolicy (and the policy.networking.k8s.io API) instead`,
    );
  else details.push("CNI-specific policy kinds installed: none");
  return { details, warnings };
}

const INTERESTING = (g: V1APIGroup) =>
  g.name === POLICY_API_GROUP || g.name === GATEWAY_API_GROUP || CNI_POLICY_GROUPS[g.name] !== undefined;

/** Reads what evaluateNetworking needs. A forbidden or failing read is reported, never fatal to the verdict. */
export async function gatherNetworkingFacts(
  ctx: CheckContext,
): Promise<{ facts: NetworkingFacts; problems: string[] }> {
  const problems: string[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      problems.push(`could not ${what}: ${describe(err)}`);
      return fallback;
    }
  };
  const groups = await attempt(
    "list API groups",
    async () => (await ctx.api(ApisApi).getAPIVersions()).groups,
    [],
  );
  const custom = ctx.api(CustomObjectsApi);
  const resources: ServedResource[] = [];
  for (const g of groups.filter(INTERESTING))
    for (const v of g.versions) {
      const list = await attempt(
        `read ${v.groupVersion}`,
        () => custom.getAPIResources({ group: g.name, version: v.version }),
        undefined,
      );
      for (const r of list?.resources ?? [])
        if (!r.name.includes("/")) resources.push({ group: g.name, version: v.version, kind: r.kind });
    }
  const ingressClasses = await attempt(
    "list IngressClasses",
    async () =>
      (await ctx.api(NetworkingV1Api).listIngressClass()).items.map((c) => ({
        name: c.metadata?.name ?? "?",
        controller: c.spec?.controller ?? "?",
        isDefault: c.metadata?.annotations?.["ingressclass.kubernetes.io/is-default-class"] === "true",
      })),
    [],
  );
  const gcVersion = resources.find(
    (r) => r.group === GATEWAY_API_GROUP && r.kind === "GatewayClass",
  )?.version;
  const gatewayClasses = gcVersion
    ? await attempt("list GatewayClasses", async () => {
        const list = (await custom.listClusterCustomObject({
          group: GATEWAY_API_GROUP,
          version: gcVersion,
          plural: "gatewayclasses",
        })) as {
          items?: {
            metadata?: { name?: string };
            spec?: { controllerName?: string };
            status?: { conditions?: { type: string; status: string }[] };
          }[];
        };
        return (list.items ?? []).map((c) => ({
          name: c.metadata?.name ?? "?",
          controller: c.spec?.controllerName ?? "?",
          accepted: (c.status?.conditions ?? []).some((x) => x.type === "Accepted" && x.status === "True"),
        }));
      }, [])
    : undefined;
  const daemonSets = await attempt(
    "list DaemonSets",
    async () =>
      (await ctx.api(AppsV1Api).listDaemonSetForAllNamespaces()).items.map((d: V1DaemonSet) => ({
        namespace: d.metadata?.namespace ?? "?",
        name: d.metadata?.name ?? "?",
      })),
    [],
  );
  return {
    facts: { resources, ingressClasses, ...(gatewayClasses ? { gatewayClasses } : {}), daemonSets },
    problems,
  };
}

/** The overview from gathered facts; the reads that failed are named as warnings. */
export function networkingOverview(gathered: { facts: NetworkingFacts; problems: string[] }): Overview {
  const o = evaluateNetworking(gathered.facts);
  return {
    details: o.details,
    warnings: [...o.warnings, ...gathered.problems.map((p) => `overview incomplete: ${p}`)],
  };
}
