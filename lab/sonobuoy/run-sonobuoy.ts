// Runs `scs-kaas sonobuoy` (cli/sonobuoy/certrun.ts) on the lab the way a provider would: the upstream
// e2e conformance and NetworkPolicy plugins next to this project's `scs` plugin (the suite image built
// from the Dockerfile), with the lab's images (imported into every node, never pulled); then checks the
// verdicts the run must get on this scenario.
import { certRun } from "../../cli/sonobuoy/certrun.ts";
import { leastPrivileged } from "../../cli/sonobuoy/least-privilege.ts";
import type { CertRunPlan } from "../../cli/sonobuoy/plan.ts";
import type { Report } from "../../results-parser/index.ts";
import type { Verdict } from "../../results-parser/judge.ts";
import { bin, labImageRef } from "../cluster/artifacts.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { readLab } from "../cluster/state.ts";

/** How long the plugins may run: a quick run takes minutes, the full conformance run hours. */
const QUICK_TIMEOUT_S = 20 * 60;
const FULL_TIMEOUT_S = 6 * 60 * 60;

export interface SonobuoyRunOptions {
  /** The conformance plugin's focus (default: `--quick`'s one spec, or all of [Conformance] with full). */
  focus?: string;
  /** The full certification run (certified-conformance, every NetworkPolicy spec) instead of --quick. */
  full: boolean;
  /** Run the upstream e2e plugins (their conformance image is not in a cluster-only lab such as eol-version). */
  e2e: boolean;
  scs: boolean;
  referenceDate?: string;
  outputDir: string;
  /** SCS test id -> the verdict it must get (default: every id the scs plugin answers must PASS). */
  expect: Record<string, Verdict>;
  /** `scs-kaas sonobuoy --least-privilege`. */
  leastPrivilege?: boolean;
  log: (line: string) => void;
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

/** The plan for the lab: its kubeconfig and images, pods never pull. */
export function labPlan(
  opts: Omit<SonobuoyRunOptions, "outputDir" | "expect" | "log">,
  images: { sonobuoy: string; conformance?: string },
  kubeconfig: string,
): CertRunPlan {
  if (opts.e2e && !images.conformance) throw new Error("the e2e plugins need the conformance image");
  return {
    kubeconfig,
    namespace: "sonobuoy",
    e2e: opts.e2e,
    scs: opts.scs,
    quick: !opts.full,
    ...(opts.focus ? { conformanceFocus: opts.focus } : {}),
    flakeAttempts: 2,
    scsConfig: {
      enableDisruptive: false,
      ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
      options: {},
    },
    images: {
      sonobuoy: images.sonobuoy,
      ...(opts.e2e && images.conformance ? { conformance: images.conformance } : {}),
      pullPolicy: "Never",
    },
    timeoutSeconds: opts.full ? FULL_TIMEOUT_S : QUICK_TIMEOUT_S,
  };
}

/** Resolves to true when the run completed, was retrieved, and every expectation holds. */
export async function runSonobuoy(opts: SonobuoyRunOptions): Promise<boolean> {
  const lab = readLab();
  if (!lab) throw new Error("no lab is up: run `npm run lab -- up` first");
  const artifacts = { kubernetesVersion: lab.kubernetesVersion, include: lab.artifacts };
  const say = (line: string) => opts.log(`sonobuoy: ${line}`);
  let plan = labPlan(
    opts,
    {
      sonobuoy: labImageRef(/\/sonobuoy:/, artifacts),
      ...(opts.e2e ? { conformance: labImageRef(/\/conformance:/, artifacts) } : {}),
    },
    adminKubeconfig(),
  );
  let hooks = {};
  if (opts.leastPrivilege) ({ plan, hooks } = leastPrivileged(plan, say));
  const started = Date.now();
  const result = await certRun(
    bin("sonobuoy", artifacts),
    plan,
    opts.outputDir,
    { say, out: (text) => process.stdout.write(text) },
    hooks,
  );
  opts.log(`sonobuoy: run, retrieve, delete and report took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const report = result.report;
  if (!report) return false;
  const e2eRan =
    !opts.e2e || (specsPassed(report, "e2e", opts.log) && specsPassed(report, "e2e-netpol", opts.log));
  return meetsExpectations(report.judgement.testIds, expectedVerdicts(report, opts), opts.log) && e2eRan;
}

/** The e2e plugin ran its focused specs and they passed. */
function specsPassed(report: Report, plugin: string, log: (line: string) => void): boolean {
  const counts = report.results.plugins.find((p) => p.name === plugin)?.tally.counts;
  const summary = counts
    ? `${counts.passed} passed, ${counts.failed} failed, ${counts.error} error`
    : "no results";
  const ok = !!counts && counts.passed >= 1 && counts.failed === 0 && counts.error === 0;
  log(`sonobuoy: ${plugin} plugin ${summary}${ok ? "" : " (expected its focused specs to pass)"}`);
  return ok;
}

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
