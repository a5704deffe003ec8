import { writeFile } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { OUTPUT_FORMATS, type OutputFormat } from "../../results-parser/output-formats.ts";
import { type PluginRole, parseRoleOverrides } from "../../results-parser/plugin-role.ts";

interface Options {
  output?: OutputFormat;
  scope?: string;
  okToFail?: string;
  scopeVersion?: string;
  role: string[];
  conformanceId?: string;
  networkingId?: string;
  subject?: string;
  out?: string;
}

function collect(value: string, previous: string[]): string[] {
  try {
    parseRoleOverrides([value]);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return [...previous, value];
}

/** Exit codes: 0 every verdict PASS, 1 any FAIL, 2 ABORT, NOT_RUN, or input that cannot be read. */
export function register(program: Command): void {
  program
    .command("report")
    .description(
      "turn a Sonobuoy results tarball (or extracted directory) into the SCS verdict per test id; exit 0 all PASS, 1 any FAIL, 2 ABORT, NOT_RUN or unreadable input",
    )
    .argument(
      "<tarball-or-directory>",
      "sonobuoy retrieve output (.tar.gz) or the folder it was extracted to",
    )
    .addOption(
      new Option(
        "--output <format>",
        "lines (the SCS driver's format; default when stdout is not a terminal), scs-report (YAML), json, markdown (default on a terminal), html",
      ).choices(OUTPUT_FORMATS),
    )
    .option("--scope <file>", "scope file (default: bundled scs-compatible-kaas.yaml)")
    .option("--ok-to-fail <file>", "okToFail list (default: bundled scs-sonobuoy-config-v1.yaml)")
    .option("--scope-version <version>", "scope version to judge (default: the newest stabilised)")
    .option(
      "--role <plugin=role>",
      "say what a plugin ran: conformance, networking, scs or other (repeatable)",
      collect,
      [],
    )
    .option(
      "--conformance-id <test-id>",
      "test id the conformance run answers (default cncf-k8s-conformance)",
    )
    .option(
      "--networking-id <test-id>",
      "test id the NetworkPolicy run answers (default kaas-networking-check)",
    )
    .option("--subject <name>", "subject for the scs-report (default: the cluster's version)")
    .option("--out <file>", "write the report to this file instead of stdout")
    .action(async (input: string, opts: Options) => {
      try {
        // Loaded here, not at registration: other commands and --help need none of the parser.
        const { makeReport, render } = await import("../../results-parser/index.ts");
        const roleTestIds: Partial<Record<PluginRole, string>> = {};
        if (opts.conformanceId) roleTestIds.conformance = opts.conformanceId;
        if (opts.networkingId) roleTestIds.networking = opts.networkingId;
        const report = await makeReport(input, {
          ...(opts.scope ? { scopeFile: opts.scope } : {}),
          ...(opts.okToFail ? { okToFailFile: opts.okToFail } : {}),
          ...(opts.scopeVersion ? { scopeVersion: opts.scopeVersion } : {}),
          ...(opts.subject ? { subject: opts.subject } : {}),
          roleOverrides: parseRoleOverrides(opts.role),
          roleTestIds,
          argv: process.argv.slice(2),
        });
        const format = opts.output ?? (process.stdout.isTTY ? "markdown" : "lines");
        const text = await render(report, format);
        if (opts.out) await writeFile(opts.out, text);
        else process.stdout.write(text);
        process.exitCode = report.judgement.exitCode;
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim().slice(0, 500);
        process.stderr.write(`scs-kaas report: ${msg}\n`);
        if (process.env.SCS_KAAS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
        process.exitCode = 2;
      }
    });
}
