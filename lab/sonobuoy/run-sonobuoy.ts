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
import { readLbProber } from "../cluster/lb-prober.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { readLab } from "../cluster/state.ts";

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
  /** SCS test id -> the verdict it must get (default: every id the scs plugin answers must PASS). */
  expect: Record<string, Verdict>;
  /** Extra environment of the scs plugin (`--plugin-env scs.KEY=VALUE`). */
  pluginEnv?: Record<string, string>;
  log: (line: string) => void;
}

/** `KEY=VALUE` pairs for the scs plugin's environment. */
export function parsePluginEnv(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m?.[1] || m[2] === undefined) throw new Error(`--plugin-env takes KEY=VALUE, not "${pair}"`);
    out[m[1]] = m[2];
  }
  return out;
}

/** `id=VERDICT` pairs, as given on the command line. */
export function parseExpectations(pairs: readonly string[]): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const pair of pairs) {
    const m = /^([\w.-]+)=(PASS|FAIL|ABORT|NOT_RUN)$/.exec(pair);
    if (!m?.[1] || !m[2]) throw new Error(`--expect takes <test-id>=PASS|FAIL|ABORT|NOT_RUN, not "${pair}"`);
    out[m[1]] = m[2] as Verdict;
  }
  return out;
}

export function sonobuoyRunArgs(opts: {
  kubeconfig: string;
  focus: string;
  scs: boolean;
  referenceDate?: string;
  pluginEnv?: Record<string, string>;
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
    ...(opts.scs ? Object.entries(opts.pluginEnv ?? {}).map(([k, v]) => `--plugin-env=scs.${k}=${v}`) : []),
    `--sonobuoy-image=${opts.sonobuoyImage}`,
    // Pods never pull in the lab: every image is imported into each node.
    "--image-pull-policy=Never",
    `--wait=${RUN_WAIT_MINUTES}`,
    "--wait-output=silent",
  ];
}

function proberEnv(): Record<string, string> {
  const p = readLbProber();
  return p ? { SCS_KAAS_LB_PROBER_URL: p.url, SCS_KAAS_LB_PROBER_TOKEN: p.token } : {};
}

/** Resolves to true when the run completed, was retrieved, and every expectation holds. */
export async function runSonobuoy(opts: SonobuoyRunOptions): Promise<boolean> {
  const lab = readLab();
  if (!lab) throw new Error("no lab is up: run `npm run lab -- up` first");
  const artifacts = { kubernetesVersion: lab.kubernetesVersion, include: lab.artifacts };
  const sonobuoy = bin("sonobuoy", artifacts);
  const kubeconfig = adminKubeconfig();
  const args = sonobuoyRunArgs({
    kubeconfig,
    focus: opts.focus,
    scs: opts.scs,
    ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
    // The lab's outside prober (probe-server in the client namespace) for the lb-client-ip check.
    pluginEnv: { ...proberEnv(), ...opts.pluginEnv },
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
  return meetsExpectations(report.judgement.testIds, expectedVerdicts(report, opts), opts.log) && e2eRan;
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

/** The given expectations, or else: every test id answered by the scs plugin must PASS. */
function expectedVerdicts(report: Report, opts: SonobuoyRunOptions): Record<string, Verdict> {
  if (Object.keys(opts.expect).length > 0) return opts.expect;
  const fromScs = report.judgement.testIds.filter((t) => t.plugins.includes("scs"));
  const expected = Object.fromEntries(fromScs.map((t) => [t.id, "PASS" as Verdict]));
  if (opts.scs && fromScs.length === 0) opts.log("sonobuoy: the scs plugin answered no SCS test id");
  return expected;
}

function meetsExpectations(
  results: Report["judgement"]["testIds"],
  expected: Record<string, Verdict>,
  log: (line: string) => void,
): boolean {
  let ok = true;
  for (const [id, verdict] of Object.entries(expected)) {
    const actual = results.find((t) => t.id === id);
    const got = actual?.verdict ?? "NOT_RUN";
    if (got !== verdict) {
      ok = false;
      log(
        `sonobuoy: ${id} is ${got}, expected ${verdict}${actual?.reasons.length ? `: ${actual.reasons.join("; ")}` : ""}`,
      );
    }
  }
  const listed = Object.entries(expected).map(([k, v]) => `${k}=${v}`);
  if (ok && listed.length > 0) log(`sonobuoy: verdicts as expected (${listed.join(", ")})`);
  return ok;
}
