// Runs Sonobuoy (built from its module) on the lab the way a provider would: the upstream e2e plugin with a
// one-spec focus next to this project's `scs` plugin (sonobuoy.yaml, the suite image built from the
// Dockerfile), retrieves the results tarball, removes everything Sonobuoy made, and judges the tarball with
// this project's results parser.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeReport, render } from "../../results-parser/index.ts";
import type { Verdict } from "../../results-parser/judge.ts";
import { bin, labImageRef } from "../cluster/artifacts.ts";
import { run } from "../cluster/exec.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { readLab } from "../cluster/state.ts";
import { findScenario } from "../scenarios/scenarios.ts";
import { meetsExpectations } from "../suite/expectations.ts";
import { labNodeActionPluginEnv } from "../suite/node-action-options.ts";

export const SCS_PLUGIN_FILE = fileURLToPath(new URL("../../sonobuoy.yaml", import.meta.url));
export const DEFAULT_E2E_FOCUS = "Pods should support remote command execution over websockets";
/** How long the CLI waits for the run, in minutes (Sonobuoy's --wait unit). */
const RUN_WAIT_MINUTES = 20;

export interface SonobuoyRunOptions {
  focus: string;
  /** Run the upstream e2e plugin (its conformance image is not in a cluster-only lab such as eol-version). */
  e2e: boolean;
  scs: boolean;
  referenceDate?: string;
  outputDir: string;
  /** SCS test id -> the verdict it must get; empty: the scenario's expectations (none at all is an error). */
  expect: Record<string, Verdict>;
  log: (line: string) => void;
}

export function sonobuoyRunArgs(opts: {
  kubeconfig: string;
  focus: string;
  scs: boolean;
  referenceDate?: string;
  /** More `--plugin-env scs.KEY=VALUE` for the scs plugin (the lab's node-action webhook, enable-disruptive). */
  scsEnv?: Record<string, string>;
  sonobuoyImage: string;
  /** The e2e plugin's image; without it the e2e plugin is not run. */
  conformanceImage?: string;
}): string[] {
  if (!opts.conformanceImage && !opts.scs)
    throw new Error("nothing to run: neither the e2e nor the scs plugin");
  return [
    "run",
    `--kubeconfig=${opts.kubeconfig}`,
    ...(opts.conformanceImage
      ? ["--plugin=e2e", `--e2e-focus=${opts.focus}`, `--kube-conformance-image=${opts.conformanceImage}`]
      : []),
    ...(opts.scs ? [`--plugin=${SCS_PLUGIN_FILE}`] : []),
    ...(opts.scs && opts.referenceDate
      ? [`--plugin-env=scs.SCS_KAAS_REFERENCE_DATE=${opts.referenceDate}`]
      : []),
    ...(opts.scs ? Object.entries(opts.scsEnv ?? {}).map(([k, v]) => `--plugin-env=scs.${k}=${v}`) : []),
    `--sonobuoy-image=${opts.sonobuoyImage}`,
    // Pods never pull in the lab: every image is imported into each node.
    "--image-pull-policy=Never",
    `--wait=${RUN_WAIT_MINUTES}`,
    "--wait-output=silent",
  ];
}

/** Resolves to true when the run completed, was retrieved, and every expectation holds. */
export async function runSonobuoy(opts: SonobuoyRunOptions): Promise<boolean> {
  const lab = readLab();
  if (!lab) throw new Error("no lab is up: run `npm run lab -- up` first");
  const expected = Object.keys(opts.expect).length > 0 ? opts.expect : findScenario(lab.scenario).expect;
  if (opts.scs && Object.keys(expected).length === 0)
    throw new Error(`no expected verdicts for scenario ${lab.scenario}: give --expect <test-id>=VERDICT`);
  const artifacts = { kubernetesVersion: lab.kubernetesVersion, include: lab.artifacts };
  const sonobuoy = bin("sonobuoy", artifacts);
  const kubeconfig = adminKubeconfig();
  const args = sonobuoyRunArgs({
    kubeconfig,
    focus: opts.focus,
    scs: opts.scs,
    ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
    // Every check runs, the disruptive ones too, through the lab's node-action webhook (token from its Secret).
    scsEnv: { SCS_KAAS_ENABLE_DISRUPTIVE: "true", ...labNodeActionPluginEnv(lab) },
    sonobuoyImage: labImageRef(/\/sonobuoy:/, artifacts),
    ...(opts.e2e ? { conformanceImage: labImageRef(/\/conformance:/, artifacts) } : {}),
  });
  const plugins = [...(opts.e2e ? [`e2e (focus "${opts.focus}")`] : []), ...(opts.scs ? ["scs"] : [])];
  opts.log(`sonobuoy: run plugins ${plugins.join(" and ")}`);
  const started = Date.now();
  let tarball: string;
  try {
    await run(sonobuoy, args);
    const status = await run(sonobuoy, ["status", `--kubeconfig=${kubeconfig}`]);
    opts.log(status.trim());
    opts.log(`sonobuoy: run completed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync(opts.outputDir, { recursive: true });
    tarball = (await run(sonobuoy, ["retrieve", opts.outputDir, `--kubeconfig=${kubeconfig}`])).trim();
    opts.log(`sonobuoy: retrieved ${tarball}`);
  } finally {
    await run(sonobuoy, ["delete", "--wait", `--kubeconfig=${kubeconfig}`]);
    opts.log("sonobuoy: deleted (namespace, RBAC and plugin pods gone)");
  }

  const report = await makeReport(tarball);
  process.stdout.write(await render(report, "lines"));
  const e2eRan = !opts.e2e || e2eSpecPassed(report, opts.log);
  const got = Object.fromEntries(report.judgement.testIds.map((t) => [t.id, t]));
  const scsOk = !opts.scs || meetsExpectations(got, expected, (l) => opts.log(`sonobuoy: ${l}`));
  return scsOk && e2eRan;
}

/** The e2e plugin ran the focused spec (the focus matches one spec) and it passed. */
function e2eSpecPassed(report: Report, log: (line: string) => void): boolean {
  const e2e = report.results.plugins.find((p) => p.name === "e2e");
  const counts = e2e?.tally.counts;
  const summary = counts
    ? `${counts.passed} passed, ${counts.failed} failed, ${counts.error} error`
    : "no results";
  const ok = !!counts && counts.passed === 1 && counts.failed === 0 && counts.error === 0;
  log(`sonobuoy: e2e plugin ${summary}${ok ? "" : " (expected the one focused spec to pass)"}`);
  return ok;
}

type Report = Awaited<ReturnType<typeof makeReport>>;
