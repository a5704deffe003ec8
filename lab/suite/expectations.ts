// Expected verdicts per SCS test id (lab/scenarios/scenarios.ts), compared with what a run produced: the
// results parser's judgement of a Sonobuoy tarball, or the junit of `scs-kaas run` read the same way.
import { createReadStream } from "node:fs";
import { CASE_PROPERTIES, RUNNER_CHECK_ID } from "../../common/junit-contract.ts";
import { readJunit } from "../../results-parser/junit-reader.ts";
import type { Expectations, ExpectedVerdict } from "../scenarios/scenarios.ts";

const RANK: Record<ExpectedVerdict, number> = { PASS: 0, NOT_RUN: 1, ABORT: 2, FAIL: 3 };

/**
 * The verdict per test id (check id when a check has none) of a `scs-kaas run` junit, by the results
 * parser's rules: any failed check FAIL, else an aborted or skipped one ABORT (a skip is never a pass),
 * a check not selected NOT_RUN.
 */
export async function verdictsFromJunit(
  file: string,
): Promise<Record<string, { verdict: ExpectedVerdict; reasons: string[] }>> {
  const out: Record<string, { verdict: ExpectedVerdict; reasons: string[] }> = {};
  await readJunit(createReadStream(file), file, (c) => {
    const checkId = c.properties[CASE_PROPERTIES.checkId];
    if (!checkId || checkId === RUNNER_CHECK_ID) return;
    const id = c.properties[CASE_PROPERTIES.testId] || checkId;
    const verdict: ExpectedVerdict =
      c.status === "failed"
        ? "FAIL"
        : c.status === "error"
          ? "ABORT"
          : c.status === "skipped"
            ? /^not selected\b/.test(c.message ?? "")
              ? "NOT_RUN"
              : "ABORT"
            : "PASS";
    out[id] ??= { verdict, reasons: [] };
    const entry = out[id];
    if (RANK[verdict] > RANK[entry.verdict]) entry.verdict = verdict;
    if (c.message) entry.reasons.push(`${checkId}: ${c.message.split("\n")[0]}`);
  });
  return out;
}

/**
 * Logs every mismatch and returns whether all expectations hold. No expectations at all is an error, never
 * a pass: a run that was checked against nothing proves nothing.
 */
export function meetsExpectations(
  got: Readonly<Record<string, { verdict: ExpectedVerdict; reasons: readonly string[] }>>,
  expected: Expectations,
  log: (line: string) => void,
): boolean {
  const entries = Object.entries(expected);
  if (entries.length === 0) {
    log(
      "no expected verdicts: nothing would be checked (give --expect ID=VERDICT or use a scenario that has some)",
    );
    return false;
  }
  let ok = true;
  for (const [id, verdict] of entries) {
    const actual = got[id];
    const seen = actual?.verdict ?? "NOT_RUN";
    if (seen !== verdict) {
      ok = false;
      log(
        `${id} is ${seen}, expected ${verdict}${actual?.reasons.length ? `: ${actual.reasons.join("; ")}` : ""}`,
      );
    }
  }
  if (ok) log(`verdicts as expected (${entries.map(([k, v]) => `${k}=${v}`).join(", ")})`);
  return ok;
}

/** `id=VERDICT` pairs, as given on the command line. */
export function parseExpectations(pairs: readonly string[]): Record<string, ExpectedVerdict> {
  const out: Record<string, ExpectedVerdict> = {};
  for (const pair of pairs) {
    const m = /^([\w./-]+)=(PASS|FAIL|ABORT|NOT_RUN)$/.exec(pair);
    if (!m?.[1] || !m[2]) throw new Error(`--expect takes <test-id>=PASS|FAIL|ABORT|NOT_RUN, not "${pair}"`);
    out[m[1]] = m[2] as ExpectedVerdict;
  }
  return out;
}
