/**
 * The verdict vocabulary shared by the checks, the runner, the junit writer and the results parser.
 * - pass:  the cluster meets the requirement.
 * - fail:  the cluster violates the standard (and the reason says how).
 * - abort: the check could not decide (no permission, API error, missing or stale data).
 * - skip:  a precondition is not met (the reason says which); never counts as a pass.
 */
export const VERDICTS = ["pass", "fail", "abort", "skip"] as const;
export type Verdict = (typeof VERDICTS)[number];

export function isVerdict(x: unknown): x is Verdict {
  return typeof x === "string" && (VERDICTS as readonly string[]).includes(x);
}

/** The SCS compliance driver's words for a test id's result (standards.md, "result contract"). */
export type ScsResult = "PASS" | "FAIL" | "ABORT";
