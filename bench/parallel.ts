// Benchmark: wall time of the whole non-disruptive selection (run concurrently, as `scs-kaas run` does)
// against the slowest single check run alone. Goal (issue #11): at most 1.2x the slowest check.
//   On a cluster:  scripts/node22 node bench/parallel.ts --kubeconfig FILE [--runs 3] [--reference-date D]
//   On the lab:    scripts/node22 node bench/parallel.ts --kubeconfig "$(npm run -s lab -- kubeconfig)" \
//                    --reference-date "$(node -p 'require("./suites/scs-0210-v2-version-policy/release-data.snapshot.json").snapshotDate')"
//   Without one:   scripts/node22 node bench/parallel.ts --synthetic [--runs 3]
// --synthetic runs 12 stand-in checks (each waits 1-6 s on timers, i.e. on "the cluster", like the real
// ones) against the runner's stand-in API server: it measures the runner's concurrency, not a cluster.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { loadChecks } from "../runner/registry.ts";
import { DEFAULT_PARALLEL } from "../runner/run-suite.ts";
import { Session } from "../runner/session.ts";
import { startFakeApiServer } from "../runner/testdata/fake-api-server.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { sleep } from "../suites/framework/timeouts.ts";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg("runs") ?? 3);
const parallel = Number(arg("parallel") ?? DEFAULT_PARALLEL);
/** The version-policy check judges as of this day (the release-data snapshot's, on the lab). */
const referenceDate = arg("reference-date") ? new Date(`${arg("reference-date")}T00:00:00Z`) : new Date();

function synthetic(): CheckDefinition[] {
  return Array.from({ length: 12 }, (_, i) => ({
    id: `scs-9999-v1/synthetic-${i}`,
    standard: "scs-9999-v1",
    title: `waits ${1 + (i % 6)} s`,
    labels: [],
    scope: "cluster" as const,
    rbac: [],
    timeout: { name: "synthetic", ms: 60_000 },
    run: async (ctx) => {
      await sleep(1000 * (1 + (i % 6)), ctx.signal);
      return { verdict: "pass" as const, reason: "waited" };
    },
  }));
}

/** One run of the selection; its wall time and the verdicts. */
async function timed(
  checks: readonly CheckDefinition[],
  kubeConfig: KubeConfig,
  focus: string | undefined,
  par: number,
): Promise<{ ms: number; verdicts: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "scs-bench-parallel-"));
  try {
    const session = new Session({
      checks,
      selection: { ...(focus ? { focus } : {}), enableDisruptive: false },
      kubeConfig,
      outputDir: dir,
      runId: `bench${Date.now().toString(36)}`,
      referenceDate,
      checkOptions: {},
      mode: "cli",
      suiteVersion: "bench",
      writeDoneFile: false,
      parallel: par,
    });
    const t0 = performance.now();
    const result = await session.run();
    const ms = performance.now() - t0;
    return {
      ms,
      verdicts: result.results.filter((r) => !r.notSelected).map((r) => `${r.check.id}=${r.verdict}`),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const kubeconfigFile = arg("kubeconfig");
  const fake = process.argv.includes("--synthetic") ? await startFakeApiServer() : undefined;
  if (!fake && !kubeconfigFile) throw new Error("give --kubeconfig FILE (a cluster) or --synthetic");
  const kc = new KubeConfig();
  if (fake) kc.loadFromString(fake.kubeconfig);
  else kc.loadFromFile(kubeconfigFile as string);
  const checks = (fake ? synthetic() : await loadChecks()).filter((c) => !c.labels.includes("[Disruptive]"));
  try {
    console.log(`${checks.length} non-disruptive checks, ${runs} runs each, parallel ${parallel}`);
    const alone = new Map<string, number>();
    for (const c of checks) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await timed(checks, kc, `^${c.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `, 1);
        times.push(r.ms);
      }
      alone.set(c.id, median(times));
      console.log(`  alone  ${c.id}: ${s(median(times))} (runs ${times.map(s).join(", ")})`);
    }
    const slowest = Math.max(...alone.values());
    const sum = [...alone.values()].reduce((a, b) => a + b, 0);
    // The default bound (and sequential with --sequential; the sum above estimates it).
    const levels = [...(process.argv.includes("--sequential") ? [1] : []), parallel];
    for (const par of levels) {
      const times: number[] = [];
      let verdicts: string[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await timed(checks, kc, undefined, par);
        times.push(r.ms);
        verdicts = r.verdicts;
      }
      const wall = median(times);
      console.log(
        `  all, parallel ${par}: ${s(wall)} = ${(wall / slowest).toFixed(2)}x the slowest check alone (${s(slowest)}); sum of all alone ${s(sum)}; runs ${times.map(s).join(", ")}`,
      );
      console.log(`    verdicts: ${verdicts.join(", ")}`);
    }
  } finally {
    await fake?.close();
  }
}

await main();
