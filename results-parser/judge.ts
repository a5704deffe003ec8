import { CASE_PROPERTIES, RUNNER_CHECK_ID } from "../common/junit-contract.ts";
import { type Verdict as CheckVerdict, isVerdict } from "../common/verdict.ts";
import type { ClusterFacts } from "./cluster-facts.ts";
import { bundledMinors, specList } from "./e2e-lists.ts";
import { type Finding, findingsFor } from "./findings.ts";
import { decideRole, type PluginRole, type RoleDecision } from "./plugin-role.ts";
import type { ParsedResults, PluginResults } from "./read-results.ts";
import { excuse, type OkToFail, type Scope } from "./scope.ts";
import type { TestCase } from "./test-case.ts";

export type Verdict = "PASS" | "FAIL" | "ABORT" | "NOT_RUN";

export interface FailureRow {
  plugin: string;
  name: string;
  status: "failed" | "error";
  message?: string;
  systemOut?: string;
  time: number;
}

export interface ExcusedRow extends FailureRow {
  reason: string;
  regex: string;
}

export interface CheckRow {
  plugin: string;
  checkId: string;
  name: string;
  standard?: string;
  scope?: string;
  verdict: CheckVerdict;
  message?: string;
  systemOut?: string;
  time: number;
}

export interface TestIdResult {
  id: string;
  verdict: Verdict;
  /** Why the verdict is what it is (for ABORT: what is missing or wrong). */
  reasons: string[];
  /** Information beside the verdict: a passing plugin's summary, flakes, specs excused from running. */
  notes: string[];
  plugins: string[];
  /** What the verdict is about: this one cluster, or the provider's KaaS offering (scs.scope). */
  scope: "cluster" | "kaas" | "mixed";
  inScope: boolean;
  /** Reported for information only: never part of the scope verdict or the exit code (INFORMATIONAL_TEST_IDS). */
  informational?: boolean;
  /** Target in the scope version (main/preview), when the id is in scope. */
  target?: string;
  module?: string;
  description?: string;
  /** The scope file's script entry that produces it, and that script's executable. */
  script?: number;
  executable?: string;
  failures: FailureRow[];
  /** Failures beyond those kept in detail; they count, and no okToFail entry was checked for them. */
  moreFailures: number;
  excused: ExcusedRow[];
  checks: CheckRow[];
  counts?: { passed: number; failed: number; error: number; skipped: number };
  durationSeconds: number;
}

/**
 * Test ids of checks without an SCS standard (yet), reported for information only: their verdict is shown
 * but never counts towards the scope verdict or the exit code. `lb-client-ip-check`: SCS issues #227/#250/#251.
 */
export const INFORMATIONAL_TEST_IDS: ReadonlySet<string> = new Set(["lb-client-ip-check"]);

export interface ModuleResult {
  id: string;
  name: string;
  url?: string;
  target: string;
  testIds: string[];
  verdict: Verdict;
}

export interface Judgement {
  scope: { name: string; uuid: string; url: string; file: string; version: string };
  okToFailFile: string;
  roles: RoleDecision[];
  testIds: TestIdResult[];
  modules: ModuleResult[];
  /** Verdict of the scope version's main target. */
  overall: Verdict;
  exitCode: 0 | 1 | 2;
  findings: Finding[];
}

export interface JudgeOptions {
  scope: Scope;
  okToFail: OkToFail[];
  okToFailFile: string;
  /** Scope version to judge (default: the newest stabilised one, else the last listed). */
  version?: string;
  roleOverrides?: Record<string, PluginRole>;
  /** Which SCS test id each e2e role answers. */
  roleTestIds?: Partial<Record<PluginRole, string>>;
}

const DEFAULT_ROLE_TEST_IDS: Partial<Record<PluginRole, string>> = {
  conformance: "cncf-k8s-conformance",
  networking: "kaas-networking-check",
};

const RANK: Record<Verdict, number> = { PASS: 0, NOT_RUN: 1, ABORT: 2, FAIL: 3 };
/** FAIL beats ABORT beats NOT_RUN beats PASS: a known violation is the strongest statement. */
export function worst(vs: Verdict[]): Verdict {
  return vs.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), "PASS");
}

export function judge(results: ParsedResults, opts: JudgeOptions): Judgement {
  const { scope } = opts;
  const version = pickVersion(scope, opts.version);
  const roleIds = { ...DEFAULT_ROLE_TEST_IDS, ...opts.roleTestIds };
  const findings = results.plugins.flatMap(findingsFor);
  for (const w of results.warnings ?? []) findings.push({ level: "warning", code: "archive", message: w });
  const roles = results.plugins.map((p) => decideRole(p, opts.roleOverrides));
  const byId = new Map<string, TestIdResult>();
  const entry = (id: string): TestIdResult => {
    let r = byId.get(id);
    if (!r) {
      r = {
        id,
        verdict: "NOT_RUN",
        reasons: [],
        notes: [],
        plugins: [],
        scope: "cluster",
        inScope: false,
        failures: [],
        moreFailures: 0,
        excused: [],
        checks: [],
        durationSeconds: 0,
        ...(INFORMATIONAL_TEST_IDS.has(id) ? { informational: true } : {}),
      };
      byId.set(id, r);
    }
    return r;
  };

  // Scope test ids first, in the scope file's order.
  const targetOf = new Map<string, { target: string; module: string }>();
  for (const m of scope.modules) {
    if (!version.include.includes(m.id)) continue;
    for (const [target, ids] of Object.entries(m.targets))
      for (const id of ids) targetOf.set(id, { target, module: m.id });
  }
  for (const tc of scope.testcases) {
    const t = targetOf.get(tc.id);
    const r = entry(tc.id);
    r.description = tc.description;
    r.script = tc.script;
    if (tc.executable) r.executable = tc.executable;
    if (t) {
      r.inScope = true;
      r.target = t.target;
      r.module = t.module;
    }
  }

  const pluginVerdicts = new Map<string, Verdict[]>();
  for (const [i, p] of results.plugins.entries()) {
    const role = (roles[i] as RoleDecision).role;
    const pf = findings.filter((f) => f.plugin === p.name);
    if (role === "scs") judgeScsPlugin(p, pf, entry, pluginVerdicts, scope, roleIds, findings);
    const id = roleIds[role];
    if (id) judgeE2ePlugin(p, pf, entry(id), pluginVerdicts, opts.okToFail, role, results.cluster);
  }
  for (const r of byId.values()) {
    const vs = pluginVerdicts.get(r.id);
    if (vs?.length) r.verdict = worst(vs);
    else if (!r.reasons.length) r.reasons.push("no plugin in the results ran it");
  }

  const modules: ModuleResult[] = [];
  for (const m of scope.modules) {
    if (!version.include.includes(m.id)) continue;
    for (const [target, ids] of Object.entries(m.targets)) {
      const mod: ModuleResult = {
        id: m.id,
        name: m.name,
        target,
        testIds: ids,
        verdict: worst(ids.map((id) => entry(id).verdict)),
      };
      if (m.url) mod.url = m.url;
      modules.push(mod);
    }
  }
  const testIds = [...byId.values()];
  const mainIds = testIds.filter((r) => r.target === "main");
  const overall = worst(mainIds.map((r) => r.verdict));
  // Exit code over the main target plus every other id that has a result (preview ids not run don't count).
  const counted = testIds.filter((r) => !r.informational && (r.target === "main" || r.verdict !== "NOT_RUN"));
  const all = worst(counted.map((r) => r.verdict));
  const exitCode = all === "PASS" ? 0 : all === "FAIL" ? 1 : 2;
  return {
    scope: { name: scope.name, uuid: scope.uuid, url: scope.url, file: scope.file, version: version.version },
    okToFailFile: opts.okToFailFile,
    roles,
    testIds,
    modules,
    overall,
    exitCode,
    findings,
  };
}

function pickVersion(scope: Scope, wanted?: string) {
  if (wanted) {
    const v = scope.versions.find((x) => x.version === wanted);
    if (!v)
      throw new Error(
        `scope ${scope.name} has no version ${wanted} (has ${scope.versions.map((x) => x.version).join(", ")})`,
      );
    return v;
  }
  const stable = scope.versions
    .filter((v) => v.stabilizedAt)
    .sort((a, b) => String(b.stabilizedAt).localeCompare(String(a.stabilizedAt)));
  const v = stable[0] ?? scope.versions.at(-1);
  if (!v) throw new Error(`scope ${scope.name} lists no versions`);
  return v;
}

function push(map: Map<string, Verdict[]>, id: string, v: Verdict) {
  const a = map.get(id) ?? [];
  a.push(v);
  map.set(id, a);
}

function failureRow(plugin: string, c: TestCase): FailureRow {
  const row: FailureRow = {
    plugin,
    name: c.name,
    status: c.status === "error" ? "error" : "failed",
    time: c.time,
  };
  if (c.message) row.message = c.message;
  if (c.systemOut) row.systemOut = c.systemOut;
  return row;
}

function judgeE2ePlugin(
  p: PluginResults,
  pf: Finding[],
  r: TestIdResult,
  out: Map<string, Verdict[]>,
  okToFail: OkToFail[],
  role: PluginRole,
  cluster: ClusterFacts,
) {
  r.plugins.push(p.name);
  const t = p.tally;
  r.durationSeconds += t.durationSeconds;
  r.counts ??= { passed: 0, failed: 0, error: 0, skipped: 0 };
  const c = r.counts;
  c.passed += t.counts.passed;
  c.failed += t.counts.failed;
  c.error += t.counts.error;
  c.skipped += t.counts.skipped;
  let unexcused = 0;
  for (const k of t.kept) {
    if (k.status !== "failed" && k.status !== "error") continue;
    // The SCS driver searches each regex in the testcase name as the junit writes it (`[It] ...`).
    const ok = excuse(okToFail, k.junitName);
    if (ok) r.excused.push({ ...failureRow(p.name, k), reason: ok.reason, regex: ok.regex });
    else {
      unexcused++;
      r.failures.push(failureRow(p.name, k));
    }
  }
  // Failures beyond the kept ones were judged as they were read, against the same okToFail list
  // (makeReport passes it to readResults); against another list they all count as not excused.
  const sameList = t.okToFail === okToFail;
  const moreUnexcused = sameList ? t.moreUnexcused : t.moreFailures;
  unexcused += moreUnexcused;
  r.moreFailures += moreUnexcused;
  if (sameList)
    for (const [regex, e] of t.moreExcused)
      r.notes.push(
        `${p.name}: ${e.count} more failure(s) excused by okToFail ${JSON.stringify(regex)} (${e.reason}), not listed`,
      );
  const aborts: string[] = [];
  for (const f of pf)
    if (["tally-mismatch", "plugin-errors", "suite-setup-failed", "no-results"].includes(f.code))
      aborts.push(`${p.name}: ${f.message}`);
  aborts.push(...dryRunSignals(p).map((s) => `${p.name}: dry run (${s}): specs were listed, not executed`));
  aborts.push(...unexplainedSuiteFailure(p));
  aborts.push(...failedPluginStatus(p));
  if (t.ran === 0 && !aborts.length) aborts.push(`${p.name}: executed no test`);
  // Conformance tests must not be skipped: a run that skipped any (a narrower focus than
  // --mode certified-conformance) says nothing about the rest.
  if (role === "conformance" && t.skippedConformance > 0)
    aborts.push(
      `${p.name}: incomplete conformance run: ${t.skippedConformance} [Conformance] test(s) skipped, ${t.ranConformance} ran`,
    );
  if (role === "conformance") aborts.push(...conformanceGaps(p, cluster));
  if (role === "networking") aborts.push(...networkPolicyGaps(p, cluster, okToFail, r.notes));
  for (const g of p.ginkgoTallies)
    if (g.flaked)
      r.notes.push(
        `${p.name}: ${g.flaked} spec(s) flaked (failed, then passed on a retry with --flake-attempts; ${g.file})`,
      );
  let v: Verdict = "PASS";
  if (unexcused > 0) {
    v = "FAIL";
    r.reasons.push(`${p.name}: ${unexcused} failed test(s) not excused by okToFail`);
  } else if (aborts.length) v = "ABORT";
  r.reasons.push(...aborts);
  if (v === "PASS")
    r.notes.push(
      `${p.name}: ${t.counts.passed} passed, ${r.excused.filter((e) => e.plugin === p.name).length} excused failure(s), ${t.counts.skipped} skipped`,
    );
  push(out, r.id, v);
}

/** Every signal of a ginkgo dry run the tarball carries: the definition's env/args, the junit's DryRun. */
function dryRunSignals(p: PluginResults): string[] {
  const out: string[] = [];
  if (p.definition?.dryRunSignal) out.push(p.definition.dryRunSignal);
  for (const f of p.junitFiles)
    if ((f.suiteProperties.DryRun ?? "").toLowerCase() === "true")
      out.push(`${f.file}: suite property DryRun=true`);
  return out;
}

/** Sonobuoy's own status of the plugin says failed, yet its results hold no failure: the plugin failed. */
function failedPluginStatus(p: PluginResults): string[] {
  const t = p.tally;
  if (p.cached?.rootStatus !== "failed" || t.counts.failed + t.counts.error > 0) return [];
  return [
    `${p.name}: Sonobuoy's status of the plugin is failed (sonobuoy_results.yaml), yet its results hold no failure`,
  ];
}

/** Ginkgo said the suite failed, but no test (and no pseudo-case) failed: something else went wrong. */
function unexplainedSuiteFailure(p: PluginResults): string[] {
  const t = p.tally;
  if (t.counts.failed + t.counts.error + t.pseudo.failed + t.pseudo.error > 0) return [];
  const out: string[] = [];
  for (const f of p.junitFiles)
    if ((f.suiteProperties.SuiteSucceeded ?? "").toLowerCase() === "false") {
      const why = f.suiteProperties.SpecialSuiteFailureReason;
      out.push(
        `${p.name}: ${f.file} says SuiteSucceeded=false${why ? ` (${why})` : ""}, yet no test failed: the suite did not complete as reported`,
      );
    }
  for (const g of p.ginkgoTallies)
    if (g.suiteFailed)
      out.push(`${p.name}: ${g.file} ends with ginkgo's failure line (${g.failureLine}), yet no test failed`);
  return out;
}

const MAX_NAMED = 25;
const named = (names: string[]) =>
  `${names.slice(0, MAX_NAMED).join("; ")}${names.length > MAX_NAMED ? `; and ${names.length - MAX_NAMED} more` : ""}`;

/** The conformance run must be of the cluster's minor and hold every spec of its upstream list. */
function conformanceGaps(p: PluginResults, cluster: ClusterFacts): string[] {
  const minor = cluster.minor;
  if (!minor)
    return [
      `${p.name}: the cluster's Kubernetes version is unknown (no readable serverversion.json), so the conformance list it must pass is unknown`,
    ];
  const out: string[] = [];
  const image = p.definition?.image;
  const imageMinor = p.definition?.imageMinor;
  if (!imageMinor)
    out.push(
      `${p.name}: cannot tell the conformance image's Kubernetes version (image ${image ?? "not in the plugin definition"}); it must be the cluster's (${minor})`,
    );
  else if (imageMinor !== minor)
    out.push(
      `${p.name}: the conformance image ${image} is Kubernetes ${imageMinor}, but the cluster runs ${minor} (serverversion.json ${cluster.version ?? ""})`,
    );
  const list = specList("conformance", minor);
  if (!list) {
    out.push(
      `${p.name}: no bundled conformance list for Kubernetes ${minor} (bundled: ${bundledMinors().join(", ")}), so completeness cannot be checked`,
    );
    return out;
  }
  const ran = p.tally.executedListed;
  const missing = list.names.filter((n) => !ran.names.has(n));
  if (missing.length)
    out.push(
      `${p.name}: ${missing.length} of the ${list.names.length} [Conformance] specs of Kubernetes ${minor} did not run (list: ${list.source} test/conformance/testdata/conformance.yaml)${ran.dropped ? ` (${ran.dropped} executed names beyond the kept bound)` : ""}: ${named(missing)}`,
    );
  return out;
}

/** Documented gaps: NetworkPolicy specs a conformant CNI need not pass, beside the okToFail list. */
const DOCUMENTED_GAPS: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /\[Feature:SCTPConnectivity\]/,
    reason: "SCTP is optional (scs-0219-v1 requires NetworkPolicy, not SCTP)",
  },
];

/**
 * Every NetworkPolicy spec of the e2e version (bundled list, plus any the junit lists as skipped) must
 * have run, unless the okToFail list or a documented gap excuses it by name.
 */
function networkPolicyGaps(
  p: PluginResults,
  cluster: ClusterFacts,
  okToFail: OkToFail[],
  notes: string[],
): string[] {
  const minor = p.definition?.imageMinor ?? cluster.minor;
  if (!minor)
    return [
      `${p.name}: neither the e2e image nor serverversion.json tells the Kubernetes version, so the NetworkPolicy specs that must run are unknown`,
    ];
  const list = specList("networkpolicy", minor);
  if (!list)
    return [
      `${p.name}: no bundled NetworkPolicy spec list for Kubernetes ${minor} (bundled: ${bundledMinors().join(", ")}), so completeness cannot be checked`,
    ];
  const ran = p.tally.executedListed.names;
  const required = new Set([...list.names, ...p.tally.skippedNetworkPolicy.names]);
  const unexcused: string[] = [];
  const excused: string[] = [];
  for (const name of required) {
    if (ran.has(name)) continue;
    const ok =
      excuse(okToFail, `[It] ${name}`) ??
      excuse(okToFail, name) ??
      DOCUMENTED_GAPS.find((g) => g.pattern.test(name));
    (ok ? excused : unexcused).push(name);
  }
  if (excused.length)
    notes.push(
      `${p.name}: ${excused.length} NetworkPolicy spec(s) not run, excused by okToFail or a documented gap: ${named(excused)}`,
    );
  if (!unexcused.length) return [];
  return [
    `${p.name}: ${unexcused.length} of the ${required.size} NetworkPolicy specs of Kubernetes ${minor} did not run and no okToFail entry or documented gap excuses them (list: ${list.source}): ${named(unexcused)}`,
  ];
}

const CHECK_RANK: Record<CheckVerdict, number> = { pass: 0, skip: 1, abort: 2, fail: 3 };

function judgeScsPlugin(
  p: PluginResults,
  pf: Finding[],
  entry: (id: string) => TestIdResult,
  out: Map<string, Verdict[]>,
  scope: Scope,
  roleIds: Partial<Record<PluginRole, string>>,
  findings: Finding[],
) {
  const seen = new Set<string>();
  // Test ids belong to roles: the e2e runs' ids are answered only by those runs.
  const e2eOwner = new Map(Object.entries(roleIds).map(([role, id]) => [id, role]));
  const runnerProblems: string[] = [];
  for (const c of p.tally.kept) {
    const checkId = c.properties[CASE_PROPERTIES.checkId];
    if (checkId === RUNNER_CHECK_ID) {
      // The runner standing in for checks it could not run: a plugin-level failure, not a test id.
      if (c.status !== "passed")
        runnerProblems.push(`${p.name}: runner: ${firstLineOf(c.message) || c.status}`);
      continue;
    }
    const id = c.properties[CASE_PROPERTIES.testId] || checkId;
    if (!id) continue;
    const owner = e2eOwner.get(id);
    if (owner) {
      const msg = `testcase ${JSON.stringify(c.name)} claims test id ${id}, which only a ${owner} e2e run answers: ignored`;
      findings.push({ level: "warning", code: "role-claim", plugin: p.name, message: msg });
      entry(id).reasons.push(`${p.name}: ${msg}`);
      continue;
    }
    if (c.status === "skipped" && /^not selected\b/.test(c.message ?? "")) {
      // Listed by the runner but deselected (focus/skip/disruptive): not run, and no verdict.
      entry(id).reasons.push(`${checkId ?? id}: ${firstLineOf(c.message)}`);
      continue;
    }
    const fromElement: CheckVerdict =
      c.status === "failed"
        ? "fail"
        : c.status === "error"
          ? "abort"
          : c.status === "skipped"
            ? "skip"
            : "pass";
    const declared = c.properties[CASE_PROPERTIES.verdict];
    let verdict = fromElement;
    const r = entry(id);
    if (isVerdict(declared) && declared !== fromElement) {
      verdict = CHECK_RANK[declared] > CHECK_RANK[fromElement] ? declared : fromElement;
      r.reasons.push(`${c.name}: scs.verdict ${declared} but junit says ${fromElement}; taking ${verdict}`);
    } else if (isVerdict(declared)) verdict = declared;
    const row: CheckRow = {
      plugin: p.name,
      checkId: c.properties[CASE_PROPERTIES.checkId] ?? id,
      name: c.name,
      verdict,
      time: c.time,
    };
    const std = c.properties[CASE_PROPERTIES.standard];
    if (std) row.standard = std;
    const sc = c.properties[CASE_PROPERTIES.scope];
    if (sc) row.scope = sc;
    if (c.message) row.message = c.message;
    if (c.systemOut) row.systemOut = c.systemOut;
    if (!r.plugins.includes(p.name)) r.plugins.push(p.name);
    r.checks.push(row);
    r.durationSeconds += c.time;
    seen.add(id);
  }
  for (const id of seen) {
    const r = entry(id);
    const scopes = new Set(r.checks.map((k) => (k.scope === "kaas" ? "kaas" : "cluster")));
    r.scope = scopes.size > 1 ? "mixed" : scopes.has("kaas") ? "kaas" : "cluster";
    const ranked = r.checks.map((k) => k.verdict);
    const fails = r.checks.filter((k) => k.verdict === "fail");
    const aborts = r.checks.filter((k) => k.verdict === "abort");
    const skips = r.checks.filter((k) => k.verdict === "skip");
    let v: Verdict = "PASS";
    if (fails.length) v = "FAIL";
    else if (aborts.length || skips.length) v = "ABORT"; // a skipped check never counts as a pass
    for (const k of [...fails, ...aborts, ...skips])
      r.reasons.push(`${k.checkId}: ${k.verdict}${k.message ? `: ${k.message.split("\n")[0]}` : ""}`);
    if (v === "PASS") r.notes.push(`${ranked.length} check(s) passed`);
    for (const k of fails)
      r.failures.push({
        plugin: p.name,
        name: k.name,
        status: "failed",
        ...(k.message ? { message: k.message } : {}),
        ...(k.systemOut ? { systemOut: k.systemOut } : {}),
        time: k.time,
      });
    push(out, id, v);
  }
  // A broken scs plugin (errors/ entries, no results, the runner failing) is treated as an e2e plugin is:
  // every id it answered is ABORT, and the scope ids it should have answered are ABORT, not "not run".
  const broken = [
    ...pf
      .filter((f) => ["plugin-errors", "no-results", "suite-setup-failed"].includes(f.code))
      .map((f) => `${p.name}: ${f.message}`),
    ...failedPluginStatus(p),
    ...runnerProblems,
  ];
  if (broken.length) {
    for (const id of seen) {
      entry(id).reasons.push(...broken);
      push(out, id, "ABORT");
    }
    const e2eIds = new Set(Object.values(roleIds));
    for (const tc of scope.testcases) {
      if (e2eIds.has(tc.id) || seen.has(tc.id) || !tc.executable) continue;
      const r = entry(tc.id);
      r.plugins.push(p.name);
      r.reasons.push(...broken);
      push(out, tc.id, "ABORT");
    }
  }
}

function firstLineOf(s: string | undefined): string {
  return (s ?? "").split("\n")[0]?.trim() ?? "";
}
