/**
 * How the `scs` plugin encodes its results in junit, so that Sonobuoy counts them right and the
 * results parser can recover every field. Writer: runner/junit.ts. Reader: results-parser/.
 *
 * <testsuites>
 *   <testsuite name="scs-kaas" tests= failures= errors= skipped= time= timestamp=>   (exactly one, never empty)
 *     <properties> SUITE_PROPERTIES.* </properties>
 *     <testcase name="[scs-0210-v2] version-policy-check: <title> [Label]..." classname="scs-kaas.scs-0210-v2" time=>
 *       <properties> CASE_PROPERTIES.* </properties>          (Sonobuoy ignores them; our parser reads them)
 *       fail  -> <failure type="fail" message="<reason>">details</failure>
 *       abort -> <error type="abort" message="<reason>">details</error>
 *       skip  -> <skipped message="<reason>"/>
 *       <system-out> reason, details, warnings, log lines, cleanup report, state dumped on failure </system-out>
 *     </testcase>
 */
export const JUNIT_SUITE_NAME = "scs-kaas";
export const JUNIT_FILE_NAME = "junit-scs.xml";
export const CLASSNAME_PREFIX = "scs-kaas.";

export const SUITE_PROPERTIES = {
  suiteVersion: "scs-kaas.version",
  clusterVersion: "cluster.version",
  referenceDate: "scs-kaas.reference-date",
  options: "scs-kaas.options",
  mode: "scs-kaas.mode", // "sonobuoy" | "cli"
  runId: "scs-kaas.run-id", // the label value on everything the run created
} as const;

/**
 * When no check result can stand in the suite (no check selected, the runner failed before running any),
 * the writer emits one testcase for the runner itself, as an <error type="abort">, so that the suite is
 * never empty and never looks green: `[scs-kaas] runner: <what happened>`, classname `scs-kaas.runner`.
 */
export const RUNNER_STANDARD = "scs-kaas";
export const RUNNER_CHECK_ID = "scs-kaas/runner";

export const CASE_PROPERTIES = {
  checkId: "scs.check-id",
  standard: "scs.standard",
  testId: "scs.test-id",
  verdict: "scs.verdict",
  labels: "scs.labels",
  warnings: "scs.warnings",
  scope: "scs.scope", // "cluster" | "kaas": what the verdict is about
} as const;

/** Builds the testcase name; the standard id is always its first token. */
export function testcaseName(c: {
  standard: string;
  testId?: string;
  id: string;
  title: string;
  labels: readonly string[];
}): string {
  const head = `[${c.standard}] ${c.testId ?? c.id}: ${c.title}`;
  return c.labels.length ? `${head} ${c.labels.join(" ")}` : head;
}
