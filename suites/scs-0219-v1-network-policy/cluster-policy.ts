import type { V1LabelSelector } from "@kubernetes/client-node";
import { allCells, type Cell, cellKey, describeCell, type Matrix } from "./matrix.ts";
import type { Overview, ServedResource } from "./shoulds.ts";

/**
 * The cluster-scoped policy SHOULD, where the API is served: one admin-tier Deny policy (subject: the run's
 * namespace x; ingress from the run's namespace y denied) is created, the cells it denies are probed, and a
 * warning says when traffic it denies still flows. Pure parts: which kind and version to use, the policy
 * object, which cells to probe and the judgement; check.ts does the I/O.
 */
export const POLICY_API_GROUP = "policy.networking.k8s.io";

export interface AdminPolicyApi {
  kind: "ClusterNetworkPolicy" | "AdminNetworkPolicy";
  version: string;
  plural: string;
}

/**
 * The kinds and versions whose schema this check writes, best first. ClusterNetworkPolicy v1beta1 and
 * v1alpha2 have the same schema (network-policy-api v0.3.0); AdminNetworkPolicy v1alpha1 is the first
 * generation (no tier, the action of an allow is `Allow`), which some CNIs still serve alone.
 */
const KNOWN: readonly AdminPolicyApi[] = [
  { kind: "ClusterNetworkPolicy", version: "v1beta1", plural: "clusternetworkpolicies" },
  { kind: "ClusterNetworkPolicy", version: "v1alpha2", plural: "clusternetworkpolicies" },
  { kind: "AdminNetworkPolicy", version: "v1alpha1", plural: "adminnetworkpolicies" },
];

export const ADMIN_POLICY_PLURALS = [...new Set(KNOWN.map((k) => k.plural))];

/** The kind and version the probe uses among those served; undefined when none this check can write is served. */
export function chooseAdminPolicyApi(resources: readonly ServedResource[]): AdminPolicyApi | undefined {
  return KNOWN.find((k) =>
    resources.some((r) => r.group === POLICY_API_GROUP && r.kind === k.kind && r.version === k.version),
  );
}

export interface AdminDenySpec {
  name: string;
  labels: Record<string, string>;
  /** Selects the namespaces whose pods the policy protects (must be the run's own only). */
  subject: V1LabelSelector;
  /** Selects the namespaces whose traffic is denied. */
  from: V1LabelSelector;
}

/** An admin-tier policy denying ingress from `from` to every pod in `subject`, in the chosen API's schema. */
export function adminDenyPolicy(api: AdminPolicyApi, s: AdminDenySpec): Record<string, unknown> {
  const ingress = [{ name: "deny-from-y", action: "Deny", from: [{ namespaces: s.from }] }];
  const subject = { namespaces: s.subject };
  return {
    apiVersion: `${POLICY_API_GROUP}/${api.version}`,
    kind: api.kind,
    metadata: { name: s.name, labels: s.labels },
    // Priority 0 is evaluated first in its tier: no other admin policy can pass or accept this traffic before it.
    spec:
      api.kind === "ClusterNetworkPolicy"
        ? { tier: "Admin", priority: 0, subject, ingress }
        : { priority: 0, subject, ingress },
  };
}

/** The selector must hold the run-id label: a cluster-wide object may only ever select the run's namespaces. */
export function assertRunScoped(selector: V1LabelSelector, runIdLabel: string, runId: string): void {
  if (selector.matchLabels?.[runIdLabel] !== runId)
    throw new Error(`selector ${JSON.stringify(selector)} does not pin ${runIdLabel}=${runId}`);
}

const inNs = (id: string, ns: string) => id.startsWith(`${ns}/`);

/** The cells the policy denies (y → x, pod and Service addresses, every port) and controls it must leave alone (z → x). */
export function adminDenyCells(): { deny: Cell[]; control: Cell[] } {
  const cells = allCells();
  return {
    deny: cells.filter((c) => inNs(c.from, "y") && inNs(c.to, "x")),
    control: cells.filter((c) => inNs(c.from, "z") && inNs(c.to, "x")),
  };
}

export interface AdminDenyProbePacing {
  /** After the create, before the first probe. */
  settleMs: number;
  probeTimeoutMs: number;
  /** Re-probes of cells that do not show what the policy asks yet (a CNI may take seconds to program it). */
  rounds: number;
  roundDelayMs: number;
}

export const ADMIN_DENY_PACING: AdminDenyProbePacing = {
  settleMs: 1500,
  probeTimeoutMs: 1000,
  rounds: 4,
  roundDelayMs: 2000,
};

/** Whether a cell shows what the policy asks: deny cells denied, control cells as in the baseline. */
function showsPolicy(cell: Cell, denied: ReadonlySet<string>, baseline: Matrix, observed: Matrix): boolean {
  const k = cellKey(cell);
  return denied.has(k) ? observed.get(k) === false : observed.get(k) === (baseline.get(k) ?? true);
}

/**
 * Probes the deny and control cells after a settle, re-probing those that do not show the policy yet a few
 * rounds apart (unlike the NetworkPolicy cases, an unchanged answer is not taken as final: programming a
 * cluster-wide policy may take longer). Cells the baseline already denies are not probed.
 */
export async function probeAdminDeny(
  probe: (cells: readonly Cell[], timeoutMs: number) => Promise<Matrix>,
  sleep: (ms: number) => Promise<void>,
  cells: { deny: readonly Cell[]; control: readonly Cell[] },
  baseline: Matrix,
  pacing: AdminDenyProbePacing = ADMIN_DENY_PACING,
): Promise<{ observed: Matrix; probes: number; rounds: number }> {
  const wanted = [...cells.deny, ...cells.control].filter((c) => baseline.get(cellKey(c)) !== false);
  const denied = new Set(cells.deny.map(cellKey));
  const observed: Matrix = new Map();
  let todo = wanted;
  let probes = 0;
  let rounds = 0;
  await sleep(pacing.settleMs);
  while (todo.length > 0 && rounds <= pacing.rounds) {
    if (rounds > 0) await sleep(pacing.roundDelayMs);
    for (const [k, v] of await probe(todo, pacing.probeTimeoutMs)) observed.set(k, v);
    probes += todo.length;
    rounds++;
    todo = wanted.filter((c) => !showsPolicy(c, denied, baseline, observed));
  }
  return { observed, probes, rounds };
}

export interface AdminDenyResult {
  api: AdminPolicyApi;
  policy: string;
  deny: readonly Cell[];
  control: readonly Cell[];
  baseline: Matrix;
  observed: Matrix;
}

/** The SHOULD's judgement: a warning when traffic the policy denies flowed, or when it denied more than it selects. */
export function judgeAdminDeny(r: AdminDenyResult): Overview {
  const what = `${r.api.kind} (${POLICY_API_GROUP}/${r.api.version})`;
  const allowedInBaseline = (c: Cell) => r.baseline.get(cellKey(c)) !== false;
  const shown = r.deny.filter(allowedInBaseline);
  if (shown.length === 0)
    return {
      details: [
        `${what} served; its enforcement cannot be shown: the cluster denies y → x already without any policy`,
      ],
      warnings: [],
    };
  const leaked = shown.filter((c) => r.observed.get(cellKey(c)) === true);
  const first = leaked[0];
  if (first)
    return {
      details: [],
      warnings: [
        `scs-0219-v1 SHOULD: ${r.api.kind} is served but not enforced: ${describeCell(first)} was allowed, admin Deny policy '${r.policy}' denies it${
          leaked.length > 1 ? ` (${leaked.length} of ${shown.length} cells it denies were allowed)` : ""
        }`,
      ],
    };
  const controls = r.control.filter(allowedInBaseline);
  const overblocked = controls.filter((c) => r.observed.get(cellKey(c)) === false);
  const over = overblocked[0];
  if (over)
    return {
      details: [],
      warnings: [
        `scs-0219-v1 SHOULD: ${r.api.kind} enforcement not shown: admin Deny policy '${r.policy}' denies y → x only, but ${describeCell(over)} was denied too (${overblocked.length} of ${controls.length} cells it does not select)`,
      ],
    };
  return {
    details: [
      `${what} served and enforced: admin Deny policy '${r.policy}' denied all ${shown.length} cells y → x, the ${controls.length} cells z → x stayed allowed`,
    ],
    warnings: [],
  };
}
