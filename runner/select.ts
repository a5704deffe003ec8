import { testcaseName } from "../common/junit-contract.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { isDisruptive } from "./result.ts";

export interface Selection {
  /** Regex (searched, not anchored) over id, standard, test id, title and labels; absent = all. */
  focus?: string;
  skip?: string;
  enableDisruptive: boolean;
}

export interface SelectedCheck {
  check: CheckDefinition;
  selected: boolean;
  /** Why a check is not selected; absent when selected. */
  excludedBecause?: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The text --focus/--skip are matched against: the id plus the junit testcase name (standard, test id, title, labels). */
export function selectionText(c: CheckDefinition): string {
  return `${c.id} ${testcaseName(c)}`;
}

/**
 * Every check with whether it runs, in run order: the registry's order, except that [Disruptive] checks
 * (node rolls, VM kills) come last, so that the others judge a cluster nothing has disturbed yet.
 */
export function selectChecks(checks: readonly CheckDefinition[], sel: Selection): SelectedCheck[] {
  const focus = compile("focus", sel.focus);
  const skip = compile("skip", sel.skip);
  const ordered = [...checks].sort((a, b) => Number(isDisruptive(a)) - Number(isDisruptive(b)));
  return ordered.map((check) => {
    const text = selectionText(check);
    if (focus && !focus.test(text))
      return { check, selected: false, excludedBecause: `not matched by --focus ${sel.focus}` };
    if (skip?.test(text)) return { check, selected: false, excludedBecause: `matched by --skip ${sel.skip}` };
    if (isDisruptive(check) && !sel.enableDisruptive) {
      return {
        check,
        selected: false,
        excludedBecause: "[Disruptive] checks run only when enable-disruptive is set",
      };
    }
    return { check, selected: true };
  });
}

function compile(what: string, source: string | undefined): RegExp | undefined {
  if (source === undefined || source === "") return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(
      `invalid --${what} regular expression ${JSON.stringify(source)}: ${(err as Error).message}`,
    );
  }
}
