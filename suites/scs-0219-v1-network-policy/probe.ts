import type { CheckContext } from "../framework/check.ts";
import { CheckAborted } from "../framework/errors.ts";
import { execInPod } from "../framework/exec.ts";
import { workloadCommand } from "../framework/images.ts";
import { timeoutScale } from "../framework/timeouts.ts";
import type { ProbeRequest, ProbeResult } from "../workload/netpol-probe.ts";
import { type Cell, cellKey, DNS_TARGET, type LogicalNs, type Matrix } from "./matrix.ts";

/** Where the probes go: the real names and addresses behind the logical pod ids. */
export interface ProbeTargets {
  namespaces: Record<LogicalNs, string>;
  /** logical pod id -> pod name in its namespace */
  podNames: Record<string, string>;
  podIps: Record<string, string>;
  serviceIps: Record<string, string>;
  /** A Service name every pod resolves through the cluster DNS. */
  dnsName: string;
}

/** Probes a source pod runs at once, and source pods probed at once (bounded load on small clusters). */
const CONCURRENCY_IN_POD = 64;
const SOURCES_AT_ONCE = 9;

export function probeRequest(cell: Cell, t: ProbeTargets): ProbeRequest {
  const id = cellKey(cell);
  if (cell.to === DNS_TARGET) return { id, protocol: "DNS", host: t.dnsName, port: 0 };
  const host = (cell.via === "pod" ? t.podIps : t.serviceIps)[cell.to];
  if (!host) throw new Error(`no ${cell.via} address for ${cell.to}`);
  return { id, protocol: cell.protocol, host, port: cell.port };
}

export interface ProbeStats {
  execs: number;
  probes: number;
}

/**
 * One exec per source pod, carrying that pod's whole probe list (workload verb netpol-probe), so that a
 * matrix of ~440 cells costs nine execs. A probe that fails to run (exec error, bad output) aborts: it
 * says nothing about policies.
 */
export async function probeCells(
  ctx: CheckContext,
  t: ProbeTargets,
  cells: readonly Cell[],
  timeoutMs: number,
  stats: ProbeStats,
): Promise<Matrix> {
  const bySource = new Map<string, Cell[]>();
  for (const c of cells) bySource.set(c.from, [...(bySource.get(c.from) ?? []), c]);
  const out: Matrix = new Map();
  const sources = [...bySource.entries()];
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const [from, list] = sources[next++] as [string, Cell[]];
      const [ns] = from.split("/") as [LogicalNs];
      const requests = list.map((c) => probeRequest(c, t));
      const input = JSON.stringify({ timeoutMs, concurrency: CONCURRENCY_IN_POD, probes: requests });
      // Each probe ends within its timeout; the batch within (probes / concurrency + 1) timeouts, plus start-up.
      const budget =
        (Math.ceil(requests.length / CONCURRENCY_IN_POD + 1) * timeoutMs + 30_000) *
        timeoutScale(ctx.options);
      const r = await execInPod(ctx, {
        namespace: t.namespaces[ns],
        pod: t.podNames[from] ?? "",
        command: workloadCommand("netpol-probe", input),
        timeout: { name: "netpol-probe-exec", ms: Math.round(budget) },
      });
      stats.execs++;
      stats.probes += requests.length;
      let results: ProbeResult[];
      try {
        if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
        results = (JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { results: ProbeResult[] }).results;
      } catch (err) {
        throw new CheckAborted(
          `the probe in ${from} did not run: ${(err as Error).message}; stderr: ${r.stderr.trim().slice(0, 300)}`,
        );
      }
      for (const res of results) out.set(res.id, res.ok);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SOURCES_AT_ONCE, sources.length) }, worker));
  for (const c of cells)
    if (!out.has(cellKey(c))) throw new CheckAborted(`the probe returned no result for ${cellKey(c)}`);
  return out;
}
