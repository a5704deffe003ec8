// `npm run lab -- suite [scs-kaas run arguments]`: the suite from this machine against the running lab,
// with the lab's kubeconfig, the release-data snapshot's date as reference date and the lab's node-action
// webhook filled in (each only when the arguments do not set it already).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JUNIT_FILE_NAME } from "../../common/junit-contract.ts";
import { lbProberOptions, readLbProber } from "../cluster/lb-prober.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { requireLab } from "../cluster/state.ts";
import type { Expectations } from "../scenarios/scenarios.ts";
import { meetsExpectations, verdictsFromJunit } from "./expectations.ts";
import { labNodeActionOptions } from "./node-action-options.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCS_KAAS = join(ROOT, "bin", "scs-kaas.js");
const SNAPSHOT = join(ROOT, "suites", "scs-0210-v2-version-policy", "release-data.snapshot.json");
/** scs-kaas run's default output directory. */
const DEFAULT_OUTPUT = "results";

/** The date of the bundled release-data snapshot: judging as of that day makes runs reproducible. */
export function snapshotDate(file = SNAPSHOT): string {
  const date = (JSON.parse(readFileSync(file, "utf8")) as { snapshotDate?: unknown }).snapshotDate;
  if (typeof date !== "string") throw new Error(`${file} has no snapshotDate`);
  return date;
}

const given = (args: readonly string[], ...flags: string[]) =>
  args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));

/** The `run` arguments: the user's, then the lab's defaults for what they leave out. */
export function suiteArgs(
  user: readonly string[],
  lab: {
    kubeconfig: string;
    referenceDate: string;
    /** Check options the lab fills in (its node-action webhook, its outside prober) unless the user gives them. */
    options: Record<string, string>;
    disruptive: boolean;
  },
): string[] {
  const args = ["run", ...user];
  if (!given(user, "--kubeconfig")) args.push("--kubeconfig", lab.kubeconfig);
  if (!given(user, "--reference-date")) args.push("--reference-date", lab.referenceDate);
  if (lab.disruptive && !given(user, "--enable-disruptive")) args.push("--enable-disruptive");
  const optionKeys = user.flatMap((a, i) => {
    const value = a === "--option" ? user[i + 1] : a.startsWith("--option=") ? a.slice(9) : undefined;
    return value ? [value.split("=")[0]] : [];
  });
  for (const [key, value] of Object.entries(lab.options))
    if (!optionKeys.includes(key)) args.push("--option", `${key}=${value}`);
  return args;
}

/** The output directory the run writes to (`-o`/`--output`, else scs-kaas run's default). */
export function outputDir(user: readonly string[]): string {
  for (const [i, a] of user.entries()) {
    if ((a === "-o" || a === "--output") && user[i + 1]) return resolve(user[i + 1] as string);
    if (a.startsWith("--output=")) return resolve(a.slice(9));
  }
  return resolve(DEFAULT_OUTPUT);
}

/**
 * Runs scs-kaas and returns its exit code; with expectations, 0 when the verdicts in its junit are the
 * expected ones and 1 otherwise (a FAIL the scenario expects is then a success).
 */
export async function runSuite(
  user: readonly string[],
  opts: { expect?: Expectations; log: (line: string) => void },
): Promise<number> {
  const lab = requireLab();
  const args = suiteArgs(user, {
    kubeconfig: adminKubeconfig(),
    referenceDate: snapshotDate(),
    options: { ...labNodeActionOptions(lab), ...labProberOptions() },
    disruptive: opts.expect !== undefined,
  });
  opts.log(`lab suite: scs-kaas ${args.join(" ")}`);
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, [SCS_KAAS, ...args], { stdio: "inherit" });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("error", fail);
    child.on("close", (c, sig) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      done(c ?? (sig ? 128 + 15 : 2));
    });
  });
  if (!opts.expect) return code;
  const junit = join(outputDir(user), JUNIT_FILE_NAME);
  const ok = meetsExpectations(await verdictsFromJunit(junit), opts.expect, (l) =>
    opts.log(`lab suite: ${l}`),
  );
  return ok ? 0 : 1;
}

/** The lb-client-ip check's outside prober, when this lab runs one. */
function labProberOptions(): Record<string, string> {
  const prober = readLbProber();
  return prober ? lbProberOptions(prober) : {};
}
