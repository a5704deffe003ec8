import type { V1NetworkPolicy } from "@kubernetes/client-node";
import { type ClusterModel, type Decision, decide, explain, type ModelPod, type Protocol } from "./model.ts";

/**
 * The probe matrix: every pod of x, y, z (a, b, c) to every other pod, on two TCP ports and one UDP port,
 * once to the pod's IP and once to its Service's IP, plus one DNS lookup per source pod. Loopback (a pod
 * to itself) is left out, as upstream does: CNIs disagree on it.
 */
export const NAMESPACES = ["x", "y", "z"] as const;
export const PODS = ["a", "b", "c"] as const;
export type LogicalNs = (typeof NAMESPACES)[number];

export interface ServePort {
  name: string;
  port: number;
  protocol: Exclude<Protocol, "SCTP">;
}

/** High ports: a restricted pod cannot bind below 1024 on every cluster. Named for the named-port case. */
export const SERVE_PORTS: readonly ServePort[] = [
  { name: "serve-8080", port: 8080, protocol: "TCP" },
  { name: "serve-8081", port: 8081, protocol: "TCP" },
  { name: "serve-udp", port: 8080, protocol: "UDP" },
];

/** The DNS cell: the cluster DNS, an endpoint the model does not know (only rules for every peer decide it). */
export const DNS_TARGET = "dns";
export const DNS_PORT = 53;

export type Via = "pod" | "service";

export interface Cell {
  /** Logical pod ids, `x/a`; `to` is DNS_TARGET for the DNS lookup. */
  from: string;
  to: string;
  port: number;
  protocol: "TCP" | "UDP";
  via: Via;
}

export const cellKey = (c: Cell) => `${c.from}>${c.to}:${c.port}/${c.protocol}@${c.via}`;

export const podIds = (): string[] => NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`));

export function allCells(): Cell[] {
  const cells: Cell[] = [];
  for (const from of podIds()) {
    for (const via of ["pod", "service"] as const)
      for (const to of podIds())
        if (to !== from)
          for (const sp of SERVE_PORTS) cells.push({ from, to, port: sp.port, protocol: sp.protocol, via });
    cells.push({ from, to: DNS_TARGET, port: DNS_PORT, protocol: "UDP", via: "service" });
  }
  return cells;
}

export const describeCell = (c: Cell) =>
  c.to === DNS_TARGET
    ? `${c.from} → cluster DNS (lookup of a Service name)`
    : `${c.from} → ${c.to}:${c.port} ${c.protocol}${c.via === "service" ? " via its Service IP" : ""}`;

/** Observed or expected reachability, by cellKey. */
export type Matrix = Map<string, boolean>;

export interface Expectation {
  allowed: boolean;
  /** Not judged: the model cannot decide it (unknown peer). */
  uncertain: boolean;
  /** Allowed by the policies, but the cluster's baseline (without any policy) already denies it. */
  baselineDenied: boolean;
  why: string;
}

export interface TestPods {
  /** logical namespace -> real namespace name */
  namespaces: Record<LogicalNs, string>;
  /** The label every test namespace carries with its logical name (for namespace selectors). */
  nsLabel: string;
  /** The label every test pod carries with its logical name (a, b, c). */
  podLabel: string;
  /** logical pod id -> pod IP */
  ips: Record<string, string>;
}

const models = new WeakMap<TestPods, ClusterModel>();

export function clusterModel(env: TestPods): ClusterModel {
  const known = models.get(env);
  if (known) return known;
  const model: ClusterModel = {
    namespaces: NAMESPACES.map((ns) => ({
      name: env.namespaces[ns],
      labels: { [env.nsLabel]: ns, "kubernetes.io/metadata.name": env.namespaces[ns] },
    })),
    pods: podIds().map((id) => modelPod(env, id)),
  };
  models.set(env, model);
  return model;
}

function modelPod(env: TestPods, id: string): ModelPod {
  const [ns, name] = id.split("/") as [LogicalNs, string];
  const ip = env.ips[id];
  if (!ip) throw new Error(`no IP known for pod ${id}`);
  return {
    namespace: env.namespaces[ns],
    name,
    labels: { [env.podLabel]: name },
    ip,
    ports: SERVE_PORTS.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}

const logicalNs = (env: TestPods, real: string) => NAMESPACES.find((n) => env.namespaces[n] === real) ?? real;

/** The model's decision for one cell under a set of policies. */
export function decideCell(policies: readonly V1NetworkPolicy[], env: TestPods, cell: Cell): Decision {
  const model = clusterModel(env);
  const pod = (id: string) => model.pods.find((p) => `${logicalNs(env, p.namespace)}/${p.name}` === id);
  const from = pod(cell.from);
  const to = cell.to === DNS_TARGET ? { unknown: "cluster DNS" } : pod(cell.to);
  if (!from || !to) throw new Error(`no pod ${from ? cell.to : cell.from} in the model`);
  return decide(policies, model, {
    from,
    to,
    port: cell.port,
    protocol: cell.protocol,
  });
}

/**
 * What each cell should show under the policies: the model's decision, and (scs-0219 lets a provider
 * restrict by default) never more than the baseline measured without any policy.
 */
export function expectedMatrix(
  policies: readonly V1NetworkPolicy[],
  env: TestPods,
  cells: readonly Cell[],
  baseline?: Matrix,
): Map<string, Expectation> {
  const out = new Map<string, Expectation>();
  for (const cell of cells) {
    const d = decideCell(policies, env, cell);
    const base = baseline?.get(cellKey(cell)) ?? true;
    out.set(cellKey(cell), {
      allowed: d.allowed && base,
      uncertain: d.uncertain,
      baselineDenied: d.allowed && !base,
      why: d.allowed && !base ? "the cluster denies it already without any policy (baseline)" : explain(d),
    });
  }
  return out;
}

export interface WrongCell {
  cell: Cell;
  expected: boolean;
  observed: boolean;
  why: string;
}

export function compare(
  cells: readonly Cell[],
  expected: Map<string, Expectation>,
  observed: Matrix,
): WrongCell[] {
  const wrong: WrongCell[] = [];
  for (const cell of cells) {
    const e = expected.get(cellKey(cell));
    const o = observed.get(cellKey(cell));
    if (!e || e.uncertain || o === undefined) continue;
    if (e.allowed !== o) wrong.push({ cell, expected: e.allowed, observed: o, why: e.why });
  }
  return wrong;
}

/** "y/b → x/a:8080 TCP was allowed, policy 'deny-all-ingress' denies it (...)". */
export function wrongCellInWords(w: WrongCell): string {
  return `${describeCell(w.cell)} was ${w.observed ? "allowed" : "denied"}, ${
    w.expected ? `expected allowed: ${w.why}` : w.why
  }`;
}
