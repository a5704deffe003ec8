import { testcaseName } from "../common/junit-contract.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { isDisruptive, isSerial } from "./result.ts";

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
 * Every check with whether it runs, in the registry's order (the junit's order). The order they run in
 * is `runStages`' below: [Disruptive] checks last.
 */
export function selectChecks(checks: readonly CheckDefinition[], sel: Selection): SelectedCheck[] {
  const focus = compile("focus", sel.focus);
  const skip = compile("skip", sel.skip);
  return checks.map((check) => {
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

/** A step of the run: these checks, at most `concurrency` of them at a time. */
export interface RunPhase {
  checks: CheckDefinition[];
  concurrency: number;
}

/**
 * The order of a run: the ordinary checks concurrently (they create their own namespaces and must not
 * disturb one another), then each `[Serial]` check alone, then each `[Disruptive]` one alone and last, so
 * that a node roll or VM kill cannot make an unrelated check fail. Registry order within each phase.
 */
export function planRun(selected: readonly CheckDefinition[], parallel: number): RunPhase[] {
  const disruptive = selected.filter(isDisruptive);
  const serial = selected.filter((c) => !isDisruptive(c) && isSerial(c));
  const ordinary = selected.filter((c) => !isDisruptive(c) && !isSerial(c));
  return [
    { checks: ordinary, concurrency: parallel },
    { checks: serial, concurrency: 1 },
    { checks: disruptive, concurrency: 1 },
  ].filter((p) => p.checks.length > 0);
}
