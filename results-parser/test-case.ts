/** Outcome of one test as recorded by a plugin. `error` (junit `<error>`) is kept apart from `failed`. */
export type CaseStatus = "passed" | "failed" | "error" | "skipped";

export interface TestCase {
  name: string;
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
