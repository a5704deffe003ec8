/** What `sonobuoy status --json` says about one plugin (Sonobuoy's aggregation.PluginStatus). */
interface RawPluginStatus {
  plugin?: string;
  node?: string;
  status?: string;
  "result-status"?: string;
  "result-counts"?: Record<string, number> | null;
  progress?: {
    msg?: string;
    total?: number;
    completed?: number;
    failures?: string[] | null;
    errors?: string[] | null;
  };
}

export interface PluginProgress {
  plugin: string;
  /** running, complete, failed, post-processing, ... as Sonobuoy says. */
  status: string;
  /** passed / failed once Sonobuoy processed the results; "" before. */
  resultStatus: string;
  passed: number;
  failed: number;
  /** undefined while the plugin has not said how many it will run. */
  remaining?: number;
  total?: number;
  errors: number;
  msg?: string;
}

export interface RunStatus {
  /** The run as a whole: running, post-processing, complete, failed. */
  status: string;
  plugins: PluginProgress[];
  /** complete or failed: nothing more will happen. */
  finished: boolean;
}

/**
 * Reads `sonobuoy status --json`. While a plugin runs, its own progress updates count (`completed` are
 * passed and skipped, `failures` the failed ones); once Sonobuoy processed its results, their counts.
 */
export function parseStatus(json: string): RunStatus {
  let raw: { status?: string; plugins?: RawPluginStatus[] | null };
  try {
    raw = JSON.parse(json) as typeof raw;
  } catch {
    throw new Error(`sonobuoy status --json printed no JSON: ${json.trim().slice(0, 200)}`);
  }
  if (typeof raw?.status !== "string")
    throw new Error(`sonobuoy status --json: no status in ${json.slice(0, 200)}`);
  const plugins = (raw.plugins ?? []).map((p): PluginProgress => {
    const counts = p["result-counts"] ?? undefined;
    const progress = p.progress;
    const base = {
      plugin: p.plugin ?? "?",
      status: p.status ?? "unknown",
      resultStatus: p["result-status"] ?? "",
      errors: progress?.errors?.length ?? 0,
      ...(progress?.msg ? { msg: progress.msg } : {}),
    };
    if (counts && Object.keys(counts).length > 0) {
      const passed = counts.passed ?? 0;
      const failed = counts.failed ?? 0;
      return {
        ...base,
        passed,
        failed,
        remaining: 0,
        total: Object.values(counts).reduce((a, b) => a + b, 0),
      };
    }
    const failed = progress?.failures?.length ?? 0;
    const passed = progress?.completed ?? 0;
    const total = progress?.total && progress.total > 0 ? progress.total : undefined;
    return {
      ...base,
      passed,
      failed,
      ...(total !== undefined ? { total, remaining: Math.max(0, total - passed - failed) } : {}),
    };
  });
  return { status: raw.status, plugins, finished: raw.status === "complete" || raw.status === "failed" };
}

/** One line per plugin, e.g. `e2e  running  12 passed, 1 failed, 387 remaining`. */
export function progressLines(s: RunStatus): string[] {
  const width = Math.max(0, ...s.plugins.map((p) => p.plugin.length));
  return s.plugins.map((p) => {
    const counts = [
      `${p.passed} passed`,
      `${p.failed} failed`,
      p.remaining !== undefined ? `${p.remaining} remaining` : "remaining unknown",
      ...(p.errors ? [`${p.errors} errors`] : []),
    ].join(", ");
    const state = p.resultStatus ? `${p.status} (${p.resultStatus})` : p.status;
    return `${p.plugin.padEnd(width)}  ${state}  ${counts}${p.msg && !p.resultStatus ? `  ${p.msg}` : ""}`;
  });
}
