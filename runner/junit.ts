import { create } from "xmlbuilder2";
import {
  CASE_PROPERTIES,
  CLASSNAME_PREFIX,
  JUNIT_SUITE_NAME,
  RUNNER_CHECK_ID,
  RUNNER_STANDARD,
  SUITE_PROPERTIES,
  testcaseName,
} from "../common/junit-contract.ts";
import { type CheckResult, tally } from "./result.ts";

export interface RunMeta {
  suiteVersion: string;
  clusterVersion: string;
  referenceDate: Date;
  /** Selection and check options as given (focus, skip, enable-disruptive, release-data, ...). */
  options: Readonly<Record<string, string>>;
  mode: "sonobuoy" | "cli";
  runId: string;
  startedAt: Date;
}

/** A result standing for the runner itself when no check result can fill the suite. */
export function runnerResult(reason: string, details: string[] = []): CheckResult {
  return {
    check: { id: RUNNER_CHECK_ID, standard: RUNNER_STANDARD, title: "runner", labels: [], scope: "cluster" },
    verdict: "abort",
    reason,
    details,
    warnings: [],
    output: [],
    durationMs: 0,
  };
}

/** Renders the junit described in common/junit-contract.ts: one testsuite, never empty. */
export function renderJunit(results: readonly CheckResult[], meta: RunMeta, now = new Date()): string {
  const cases = results.length
    ? results
    : [runnerResult("no check result: the registry is empty or the run ended before any check was listed")];
  const t = tally(cases);
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites");
  const suite = root.ele("testsuite", {
    name: JUNIT_SUITE_NAME,
    tests: String(cases.length),
    failures: String(t.fail),
    errors: String(t.abort),
    skipped: String(t.skip),
    time: seconds(now.getTime() - meta.startedAt.getTime()),
    timestamp: meta.startedAt.toISOString().replace(/\.\d+Z$/, ""),
  });
  const props = suite.ele("properties");
  const suiteProps: Record<keyof typeof SUITE_PROPERTIES, string> = {
    suiteVersion: meta.suiteVersion,
    clusterVersion: meta.clusterVersion,
    referenceDate: meta.referenceDate.toISOString().slice(0, 10),
    options: JSON.stringify(meta.options),
    mode: meta.mode,
    runId: meta.runId,
  };
  for (const [key, name] of Object.entries(SUITE_PROPERTIES)) {
    props.ele("property", { name, value: clean(suiteProps[key as keyof typeof SUITE_PROPERTIES]) });
  }

  for (const r of cases) {
    const tc = suite.ele("testcase", {
      name: clean(testcaseName({ ...r.check, labels: r.check.labels })),
      classname: `${CLASSNAME_PREFIX}${r.check.id === RUNNER_CHECK_ID ? "runner" : r.check.standard}`,
      time: seconds(r.durationMs),
    });
    const cp = tc.ele("properties");
    const caseProps: Record<keyof typeof CASE_PROPERTIES, string | undefined> = {
      checkId: r.check.id,
      standard: r.check.standard,
      testId: r.check.testId,
      verdict: r.verdict,
      labels: r.check.labels.join(" "),
      warnings: String(r.warnings.length),
      scope: r.check.scope,
    };
    for (const [key, name] of Object.entries(CASE_PROPERTIES)) {
      const value = caseProps[key as keyof typeof CASE_PROPERTIES];
      if (value !== undefined) cp.ele("property", { name, value: clean(value) });
    }
    const detailText = clean(r.details.join("\n"));
    if (r.verdict === "fail") tc.ele("failure", { type: "fail", message: clean(r.reason) }).txt(detailText);
    if (r.verdict === "abort") tc.ele("error", { type: "abort", message: clean(r.reason) }).txt(detailText);
    if (r.verdict === "skip") tc.ele("skipped", { message: clean(r.reason) });
    tc.ele("system-out").txt(clean(systemOut(r)));
  }
  return root.end({ prettyPrint: true });
}

/** The testcase's system-out: everything a person needs without the rest of the tarball. */
export function systemOut(r: CheckResult): string {
  const lines = [`${r.verdict.toUpperCase()}: ${r.reason}`];
  if (r.details.length) lines.push("details:", ...r.details.map((d) => `  ${d}`));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.output.length) lines.push("log:", ...r.output.map((o) => `  ${o}`));
  return lines.join("\n");
}

/** Drops what XML 1.0 cannot carry (control characters, lone surrogates) and terminal colour codes. */
export function clean(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal escapes is the point
      .replace(/\u001b\[[0-9;]*[A-Za-z]/g, "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 allows only these characters
      .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
  );
}
