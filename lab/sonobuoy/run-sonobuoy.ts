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
import { lbProberOptions, readLbProber } from "../cluster/lb-prober.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { type LabRecord, readLab } from "../cluster/state.ts";
import { findScenario } from "../scenarios/scenarios.ts";
import { meetsExpectations } from "../suite/expectations.ts";
import { labNodeActionPluginOptions } from "../suite/node-action-options.ts";

/** How long the plugins may run: a quick run takes minutes, the full conformance run hours. */
const QUICK_TIMEOUT_S = 20 * 60;
const FULL_TIMEOUT_S = 6 * 60 * 60;

export interface SonobuoyRunOptions {
  /** The conformance plugin's focus (default: `--quick`'s one spec, or all of [Conformance] with full). */
  focus?: string;
  /** The full certification run (certified-conformance, every NetworkPolicy spec) instead of --quick. */
  full: boolean;
  /** Ginkgo processes for the e2e plugins (`scs-kaas sonobuoy --e2e-procs`). */
  e2eProcs?: number;
  /** Run the upstream e2e plugins (their conformance image is not in a cluster-only lab such as eol-version). */
  e2e: boolean;
  scs: boolean;
  /** The scs plugin's focus and skip (regular expressions over check names, as `scs-kaas run` takes). */
  scsFocus?: string;
  scsSkip?: string;
  /** Also the [Disruptive] checks (through the lab's node-action webhook); off for the full run. */
  disruptive: boolean;
  /** More check options for the scs plugin (`--option K=V`), beside the lab's own. */
  scsOptions?: Record<string, string>;
  referenceDate?: string;
  outputDir: string;
  /** SCS test id -> the verdict it must get (default: every id the scs plugin answers must PASS). */
  expect: Record<string, Verdict>;
  /** `scs-kaas sonobuoy --least-privilege`. */
  leastPrivilege?: boolean;
  log: (line: string) => void;
}

/** The plan for the lab: its kubeconfig and images, pods never pull. */
export function labPlan(
  opts: Omit<SonobuoyRunOptions, "outputDir" | "expect" | "log">,
  images: { sonobuoy: string; conformance?: string },
  kubeconfig: string,
  /** Config-map options for the scs plugin (the lab's node-action webhook). */
  scsOptions: Record<string, string> = {},
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
    ...(opts.e2eProcs ? { e2eProcs: opts.e2eProcs } : {}),
    scsConfig: {
      // Node rolls and VM kills would break the conformance specs running beside them in a full run.
      enableDisruptive: opts.disruptive && !opts.full,
      ...(opts.scsFocus ? { focus: opts.scsFocus } : {}),
      ...(opts.scsSkip ? { skip: opts.scsSkip } : {}),
      ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
      options: scsOptions,
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
    opts.scs ? { ...labScsOptions(lab), ...opts.scsOptions } : {},
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
  const got = Object.fromEntries(report.judgement.testIds.map((t) => [t.id, t]));
  const scsOk = !opts.scs || meetsExpectations(got, expectedVerdicts(lab, opts), say);
  return scsOk && e2eRan;
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

/** The given expectations, or else the scenario's (none at all fails the run: it would prove nothing). */
function expectedVerdicts(lab: LabRecord, opts: SonobuoyRunOptions): Record<string, Verdict> {
  return Object.keys(opts.expect).length > 0 ? opts.expect : findScenario(lab.scenario).expect;
}

/** The scs plugin's config-map options on the lab: its node-action webhook and its outside prober. */
function labScsOptions(lab: LabRecord): Record<string, string> {
  const prober = readLbProber();
  return { ...labNodeActionPluginOptions(lab), ...(prober ? lbProberOptions(prober) : {}) };
}
