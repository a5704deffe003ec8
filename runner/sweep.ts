import { CoreV1Api, type KubeConfig, type V1Namespace } from "@kubernetes/client-node";
import { translateError } from "../suites/framework/api-errors.ts";
import type { CheckContext, Timeout } from "../suites/framework/check.ts";
import { createCheckContext } from "../suites/framework/context.ts";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from "../suites/framework/labels.ts";
import { deleteNamespaceAndWait, isNotFoundOrGone, NamespaceNotGone } from "../suites/framework/namespace.ts";

/**
 * Namespaces the suite created: the managed-by label AND a run id. Both are required, so that neither a
 * namespace of someone else nor the suite's own RBAC namespace (`scs-kaas`, no run id) ever matches.
 */
export function suiteNamespaceSelector(runId?: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${RUN_ID_LABEL}${runId ? `=${runId}` : ""}`;
}

export const SWEEP_OPTION = "sweep-older-than";
export const DEFAULT_SWEEP_AGE_MS = 6 * 3600_000;
/** The whole start-of-run sweep (list + deletions, no waiting). */
export const SWEEP_TIMEOUT: Timeout = { name: "sweep", ms: 30_000 };

/** `6h`, `90m`, `45s`, `1d`; `off` or `0` turns the sweep off (undefined). Anything else throws. */
export function parseAge(text: string): number | undefined {
  const t = text.trim();
  if (t === "off" || t === "0") return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(t);
  if (!m) throw new Error(`${SWEEP_OPTION}=${text}: expected a duration like 6h, 90m, 1d, or off`);
  const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export interface SuiteNamespace {
  name: string;
  runId: string;
  created: Date | undefined;
  terminating: boolean;
}

export async function listSuiteNamespaces(kc: KubeConfig, runId?: string): Promise<SuiteNamespace[]> {
  const list = await kc
    .makeApiClient(CoreV1Api)
    .listNamespace({ labelSelector: suiteNamespaceSelector(runId) });
  return list.items.map(describeNamespace).sort((a, b) => a.name.localeCompare(b.name));
}

function describeNamespace(ns: V1Namespace): SuiteNamespace {
  const created = ns.metadata?.creationTimestamp;
  return {
    name: ns.metadata?.name ?? "?",
    runId: ns.metadata?.labels?.[RUN_ID_LABEL] ?? "?",
    created: created ? new Date(created) : undefined,
    terminating: Boolean(ns.metadata?.deletionTimestamp) || ns.status?.phase === "Terminating",
  };
}

/**
 * At the start of a run: deletes (without waiting) the namespaces earlier runs left behind that are
 * older than `olderThanMs`; a younger one may belong to a run still going on elsewhere. Never touches
 * the current run's namespaces or anything without the suite's labels. Never throws: what it could not
 * do is a line in the log.
 */
export async function sweepEarlierRuns(
  kc: KubeConfig,
  opts: { currentRunId: string; olderThanMs: number; now?: Date; log: (line: string) => void },
): Promise<{ deleted: string[]; failed: string[] }> {
  const now = (opts.now ?? new Date()).getTime();
  const result = { deleted: [] as string[], failed: [] as string[] };
  let namespaces: SuiteNamespace[];
  try {
    namespaces = await listSuiteNamespaces(kc);
  } catch (err) {
    opts.log(`sweep of earlier runs' namespaces skipped: ${translateError(err).reason}`);
    return result;
  }
  const core = kc.makeApiClient(CoreV1Api);
  for (const ns of namespaces) {
    if (ns.runId === opts.currentRunId || ns.terminating) continue;
    if (!ns.created || now - ns.created.getTime() < opts.olderThanMs) continue;
    try {
      await core.deleteNamespace({ name: ns.name });
      result.deleted.push(ns.name);
      opts.log(
        `sweep: deleted namespace ${ns.name} left by run ${ns.runId} (created ${ns.created.toISOString()})`,
      );
    } catch (err) {
      if (isNotFoundOrGone(err)) continue;
      result.failed.push(ns.name);
      opts.log(
        `sweep: could not delete namespace ${ns.name} of run ${ns.runId}: ${translateError(err).reason}`,
      );
    }
  }
  return result;
}

export interface CleanupOutcome {
  /** Namespaces gone (or, in a dry run, that would be deleted). */
  removed: string[];
  /** Namespaces still there after the wait, with what holds them. */
  left: { name: string; leftovers: string[] }[];
}

/**
 * `scs-kaas cleanup`: deletes the suite's namespaces (of one run, or of every run, whatever their age)
 * and waits until they are gone, naming what holds those that stay. A dry run only lists them.
 */
export async function cleanupRuns(
  kc: KubeConfig,
  opts: { runId?: string; dryRun: boolean; timeout: Timeout; say: (line: string) => void },
): Promise<CleanupOutcome> {
  const namespaces = await listSuiteNamespaces(kc, opts.runId);
  const outcome: CleanupOutcome = { removed: [], left: [] };
  if (!namespaces.length) {
    opts.say(`no namespaces of ${opts.runId ? `run ${opts.runId}` : "any scs-kaas run"} found`);
    return outcome;
  }
  for (const ns of namespaces) {
    const age = ns.created ? ` created ${ns.created.toISOString()}` : "";
    opts.say(
      `${opts.dryRun ? "would delete" : "deleting"} namespace ${ns.name} (run ${ns.runId}${age}${ns.terminating ? ", already terminating" : ""})`,
    );
  }
  if (opts.dryRun) {
    outcome.removed.push(...namespaces.map((n) => n.name));
    return outcome;
  }
  const ctx: CheckContext = createCheckContext({
    checkId: "cleanup",
    runId: opts.runId ?? "cleanup",
    kubeConfig: kc,
    signal: new AbortController().signal,
    referenceDate: new Date(),
    options: {},
  }).ctx;
  const deadline = Date.now() + opts.timeout.ms;
  await Promise.all(
    namespaces.map(async (ns) => {
      try {
        await deleteNamespaceAndWait(ctx, ns.name, {
          timeout: { name: opts.timeout.name, ms: Math.max(1, deadline - Date.now()) },
        });
        outcome.removed.push(ns.name);
        opts.say(`gone: namespace ${ns.name}`);
      } catch (err) {
        const leftovers = err instanceof NamespaceNotGone ? err.leftovers : [translateError(err).reason];
        outcome.left.push({ name: ns.name, leftovers });
        opts.say(`NOT GONE: namespace ${ns.name}: ${leftovers.join("; ")}`);
      }
    }),
  );
  return outcome;
}
