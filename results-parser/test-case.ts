/** Outcome of one test as recorded by a plugin. `error` (junit `<error>`) is kept apart from `failed`. */
export type CaseStatus = "passed" | "failed" | "error" | "skipped";

export interface TestCase {
  /** The spec name: the junit name without ginkgo's `[It] ` prefix. */
  name: string;
  /** The name as the junit writes it (what the SCS driver searches okToFail regexes in). */
  junitName: string;
  classname?: string;
  /** Name of the innermost suite holding the case ("" if none). */
  suite: string;
  /** Results file it came from, archive-relative. */
  file: string;
  /** Seconds, 0 when absent. */
  time: number;
  status: CaseStatus;
  /** Failure/error/skip message attribute and body, bounded. */
  message?: string;
  type?: string;
  systemOut?: string;
  systemErr?: string;
  properties: Record<string, string>;
  /** A ginkgo pseudo-case (suite setup/teardown/reporting), not a test. */
  pseudo: boolean;
}

export interface Counts {
  passed: number;
  failed: number;
  error: number;
  skipped: number;
}

export function zeroCounts(): Counts {
  return { passed: 0, failed: 0, error: 0, skipped: 0 };
}

export function totalOf(c: Counts): number {
  return c.passed + c.failed + c.error + c.skipped;
}

/** Ginkgo v2 reports suite-level nodes as testcases; they are not tests. */
const PSEUDO_CASE =
  /^\[(SynchronizedBeforeSuite|SynchronizedAfterSuite|BeforeSuite|AfterSuite|ReportBeforeSuite|ReportAfterSuite|DeferCleanup \(Suite\))\]/;

export function isGinkgoPseudoCase(name: string): boolean {
  return PSEUDO_CASE.test(name);
}

/** Ginkgo v2 prefixes leaf names with `[It] ` in junit (ginkgo issue 1277); the spec name is without it. */
export function specName(name: string): string {
  return name.startsWith("[It] ") ? name.slice(5) : name;
}

/**
 * A copy of `s` that does not keep alive the (large) decoded chunk it was cut from: V8 represents a
 * substring as a slice of its parent, so one kept failure name would otherwise pin a whole chunk.
 */
export function detach(s: string): string;
export function detach(s: string | undefined): string | undefined;
export function detach(s: string | undefined): string | undefined {
  return s === undefined ? s : ` ${s}`.slice(1);
}

/** The case with every string copied (see detach): for the few cases a tally keeps. */
export function detachCase(c: TestCase): TestCase {
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.properties)) properties[detach(k)] = detach(v);
  const out: TestCase = {
    ...c,
    name: detach(c.name),
    junitName: c.junitName === c.name ? c.name : detach(c.junitName),
    suite: detach(c.suite),
    properties,
  };
  for (const k of ["classname", "message", "type", "systemOut", "systemErr"] as const)
    if (c[k] !== undefined) out[k] = detach(c[k]);
  if (c.junitName === c.name) out.junitName = out.name;
  return out;
}
