import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { parseParallel, parseReferenceDate } from "../../plugin/config.ts";
import { guardProcess } from "../../runner/process-guards.ts";
import { loadChecks } from "../../runner/registry.ts";
import { isDisruptive, tally } from "../../runner/result.ts";
import { DEFAULT_PARALLEL } from "../../runner/run-suite.ts";
import { selectChecks, UsageError } from "../../runner/select.ts";
import { exitCodeFor, Session } from "../../runner/session.ts";
import { SUITE_VERSION } from "../../runner/suite-version.ts";
import { newRunId, runSelector } from "../../suites/framework/labels.ts";
import { KubeconfigError, loadKubeconfig } from "../kubeconfig.ts";
import { liveView, type ProgressView, plainView } from "../progress-view.ts";
import { keyValue } from "./arguments.ts";

interface RunOptions {
  kubeconfig?: string;
  context?: string;
  output: string;
  focus?: string;
  skip?: string;
  dryRun?: boolean;
  referenceDate?: Date;
  enableDisruptive?: boolean;
  option: Record<string, string>;
  progress: "auto" | "live" | "plain";
  parallel: number;
}

export const EXIT = { passed: 0, failed: 1, abortOrUsage: 2 } as const;

function parallel(value: string): number {
  try {
    return parseParallel(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function date(value: string): Date {
  try {
    return parseReferenceDate(value, new Date());
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/**
 * `scs-kaas run`: the checks against a kubeconfig's cluster, from outside. Exit codes: 0 every selected
 * check passed (or skipped), 1 any failed, 2 any abort, an interrupted run, or a usage/kubeconfig error.
 */
export function register(program: Command): void {
  program
    .command("run")
    .description("run the checks against the cluster of the current kubeconfig context")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: the current context)")
    .option("-o, --output <dir>", "where to write junit, log and tarball", "results")
    .option("--focus <regex>", "run only checks whose id, standard, test id, title or labels match")
    .option("--skip <regex>", "do not run checks whose id, standard, test id, title or labels match")
    .option("--dry-run", "list what would run and exit; touches nothing, makes no API call")
    .option("--reference-date <YYYY-MM-DD>", "judge the standards' time windows as of this date", date)
    .option("--enable-disruptive", "also run [Disruptive] checks (node rolls, VM kills)")
    .option(
      "--option <key=value>",
      "an option for the checks, e.g. release-data=FILE (repeatable)",
      keyValue,
      {},
    )
    .option(
      "--parallel <n>",
      "how many checks run at once ([Serial] and [Disruptive] ones always run alone)",
      parallel,
      DEFAULT_PARALLEL,
    )
    .option("--progress <mode>", "auto | live | plain", "auto")
    .action(async (opts: RunOptions) => {
      process.exitCode = await run(opts);
    });
}

async function run(opts: RunOptions): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => {
    process.stderr.write(`scs-kaas: ${line}\n`);
    return EXIT.abortOrUsage;
  };
  const checks = await loadChecks();
  const selection = {
    ...(opts.focus ? { focus: opts.focus } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
    enableDisruptive: Boolean(opts.enableDisruptive),
  };
  let selected: ReturnType<typeof selectChecks>;
  try {
    selected = selectChecks(checks, selection);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  const chosen = selected.filter((s) => s.selected).map((s) => s.check);

  if (opts.dryRun) {
    for (const s of selected) {
      const mark = s.selected ? "would run" : `excluded (${s.excludedBecause})`;
      say(`${s.check.id}  [${s.check.standard}]${isDisruptive(s.check) ? " [Disruptive]" : ""}  ${mark}`);
    }
    say(`${chosen.length} of ${checks.length} checks would run`);
    return chosen.length ? EXIT.passed : EXIT.abortOrUsage;
  }

  let kube: ReturnType<typeof loadKubeconfig>;
  try {
    kube = loadKubeconfig({
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    });
  } catch (err) {
    if (err instanceof KubeconfigError) return fail(err.message);
    throw err;
  }

  const runId = newRunId();
  const outputDir = resolve(opts.output);
  const server = kube.kc.getCurrentCluster()?.server;
  say(
    `scs-kaas ${SUITE_VERSION}: run ${runId} against ${server} (context ${kube.kc.getCurrentContext()}, ${kube.source})`,
  );
  // log-update fits its output to the terminal's rows: a terminal that reports none gets plain lines.
  const live =
    opts.progress === "live" ||
    (opts.progress === "auto" && process.stdout.isTTY === true && (process.stdout.rows ?? 0) > 0);
  const view: ProgressView = live ? liveView(process.stdout, chosen) : plainView(say);
  const session = new Session({
    checks,
    selection,
    kubeConfig: kube.kc,
    outputDir,
    runId,
    referenceDate: opts.referenceDate ?? new Date(),
    checkOptions: opts.option,
    mode: "cli",
    suiteVersion: SUITE_VERSION,
    writeDoneFile: false,
    parallel: opts.parallel,
    onEvent: (e) => view.event(e),
    echo: (line) => view.log(line),
    exit: () => {
      view.stop();
      process.stderr.write(`scs-kaas: stopped at once; results in ${outputDir}\n`);
      process.exit(EXIT.abortOrUsage);
    },
  });
  guardProcess(session);
  const result = await session.run();
  view.stop();

  const t = tally(result.results.filter((r) => !r.notSelected));
  say(`${t.pass} passed, ${t.fail} failed, ${t.abort} aborted, ${t.skip} skipped`);
  say(`results: ${result.junitPath}, ${result.tarballPath}, log ${result.logPath}`);
  if (result.interrupted) {
    process.stderr.write(`scs-kaas: ${result.interrupted}\n`);
    process.stderr.write(`scs-kaas: anything left behind carries the labels ${runSelector(runId)}\n`);
    return EXIT.abortOrUsage;
  }
  return exitCodeFor(result.results);
}
