import { type Command, InvalidArgumentError } from "commander";
import { formatFinding } from "../../suites/scs-0210-v2-version-policy/check.ts";
import { parseDay, toDay } from "../../suites/scs-0210-v2-version-policy/days.ts";
import { loadReleaseData } from "../../suites/scs-0210-v2-version-policy/load.ts";
import { ReleaseDataError } from "../../suites/scs-0210-v2-version-policy/release-data.ts";
import { evaluateOffering, type PolicyResult } from "../../suites/scs-0210-v2-version-policy/rules.ts";
import { parseKubeVersion } from "../../suites/scs-0210-v2-version-policy/version.ts";

export const EXIT = { pass: 0, fail: 1, abort: 2 } as const;

interface Options {
  version: string[];
  referenceDate?: string;
  releaseData?: string;
  offline?: boolean;
}

function collectVersion(value: string, previous: string[]): string[] {
  try {
    parseKubeVersion(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return [...previous, value];
}

function day(value: string): string {
  try {
    return parseDay(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

const RANK = { fail: 0, warning: 1, info: 2 } as const;

/** The report a provider's SRE reads: verdict first, then every finding, then where the data came from. */
export function renderReport(r: PolicyResult, versions: string[], ref: string): string {
  const lines = [
    `scs-0210-v2 version policy (KaaS level) for the offered versions ${versions.join(", ")}, as of ${ref}`,
    `verdict: ${r.verdict.toUpperCase()}: ${r.reason}`,
    "",
    ...[...r.findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]).map(formatFinding),
    "",
    ...r.dataNotes,
  ];
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("version-policy")
    .description(
      "evaluate scs-0210-v2 for the Kubernetes versions a provider offers (no cluster needed); exit 0 pass, 1 fail, 2 abort or usage error",
    )
    .requiredOption("--version <v1.X.Y>", "an offered version; repeat for each", collectVersion, [])
    .option("--reference-date <YYYY-MM-DD>", "judge as of this day (default: today, UTC)", day)
    .option("--release-data <file>", "release data JSON to use instead of upstream or the bundled snapshot")
    .option("--offline", "do not try the upstream sources; use the bundled snapshot")
    .action(async (opts: Options) => {
      const ref = opts.referenceDate ?? toDay(new Date());
      let result: PolicyResult;
      try {
        const loaded = await loadReleaseData({
          ...(opts.releaseData ? { file: opts.releaseData } : {}),
          live: !opts.offline,
        });
        result = evaluateOffering(opts.version, loaded.data, ref, loaded.origin);
      } catch (e) {
        if (!(e instanceof ReleaseDataError)) throw e;
        result = { verdict: "abort", reason: e.message, findings: [], dataNotes: [] };
      }
      process.stdout.write(renderReport(result, opts.version, ref));
      process.exitCode = EXIT[result.verdict];
    });
}
