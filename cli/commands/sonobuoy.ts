import { type Command, InvalidArgumentError, Option } from "commander";
import { parseParallel, parseReferenceDate } from "../../plugin/config.ts";
import { findSonobuoy, SonobuoyMissing, TESTED_SONOBUOY_VERSIONS } from "../sonobuoy/binary.ts";
import type { CertRunPlan, Images } from "../sonobuoy/plan.ts";
import { keyValue } from "./arguments.ts";

interface SonobuoyOptions {
  sonobuoy?: string;
  kubeconfig?: string;
  context?: string;
  output: string;
  namespace: string;
  quick?: boolean;
  e2eFocus?: string;
  netpolFocus?: string;
  e2e: boolean;
  scs: boolean;
  flakeAttempts: number;
  e2eProcs?: number;
  focus?: string;
  skip?: string;
  enableDisruptive?: boolean;
  referenceDate?: string;
  parallel?: number;
  option: Record<string, string>;
  sonobuoyImage?: string;
  conformanceImage?: string;
  scsImage?: string;
  e2eRepo?: string;
  e2eRepoConfig?: string;
  imagePullPolicy?: Images["pullPolicy"];
  timeout: number;
  leastPrivilege?: boolean;
}

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

function checked<T>(parse: (v: string) => T) {
  return (value: string): T => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

function regex(value: string): string {
  try {
    new RegExp(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

/** The plan `scs-kaas sonobuoy` runs, from its options. */
export function planFrom(opts: SonobuoyOptions): CertRunPlan {
  const images: Images = {
    ...(opts.sonobuoyImage ? { sonobuoy: opts.sonobuoyImage } : {}),
    ...(opts.conformanceImage ? { conformance: opts.conformanceImage } : {}),
    ...(opts.scsImage ? { scs: opts.scsImage } : {}),
    ...(opts.e2eRepo ? { e2eRepo: opts.e2eRepo } : {}),
    ...(opts.e2eRepoConfig ? { e2eRepoConfig: opts.e2eRepoConfig } : {}),
    ...(opts.imagePullPolicy ? { pullPolicy: opts.imagePullPolicy } : {}),
  };
  return {
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
    namespace: opts.namespace,
    e2e: opts.e2e,
    scs: opts.scs,
    quick: Boolean(opts.quick),
    ...(opts.e2eFocus ? { conformanceFocus: opts.e2eFocus } : {}),
    ...(opts.netpolFocus ? { netpolFocus: opts.netpolFocus } : {}),
    flakeAttempts: opts.flakeAttempts,
    ...(opts.e2eProcs ? { e2eProcs: opts.e2eProcs } : {}),
    scsConfig: {
      ...(opts.focus ? { focus: opts.focus } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      enableDisruptive: Boolean(opts.enableDisruptive),
      ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
      ...(opts.parallel ? { parallel: opts.parallel } : {}),
      options: opts.option,
    },
    images,
    timeoutSeconds: opts.timeout,
  };
}

/**
 * `scs-kaas sonobuoy`: the whole SCS certification run in one command. Exit codes as `scs-kaas report`:
 * 0 every SCS test id PASS, 1 any FAIL, 2 ABORT, NOT_RUN, no results, or a usage error.
 */
export function register(program: Command): void {
  program
    .command("sonobuoy")
    .description(
      `run Sonobuoy with the plugins SCS certification needs (e2e certified-conformance, e2e-netpol, scs), wait with progress, retrieve, delete, and print the SCS verdict (Sonobuoy ${TESTED_SONOBUOY_VERSIONS.join(", ")} tested)`,
    )
    .option("--sonobuoy <path>", "the sonobuoy binary (default: sonobuoy on PATH)")
    .option("--kubeconfig <file>", "kubeconfig file (default: as sonobuoy finds it)")
    .option("--context <name>", "kubeconfig context")
    .option("-o, --output <dir>", "where the tarball, the HTML page and the SCS report go", "results")
    .option("-n, --namespace <name>", "Sonobuoy's namespace", "sonobuoy")
    .option("--quick", "smoke run: one conformance spec and one NetworkPolicy spec; never certifies")
    .option(
      "--e2e-focus <regex>",
      "the conformance plugin's focus instead of [Conformance] (never certifies)",
      regex,
    )
    .option("--netpol-focus <regex>", "the NetworkPolicy plugin's focus (default NetworkPolicy)", regex)
    .option("--no-e2e", "run the scs plugin only (no conformance, no NetworkPolicy run)")
    .option("--no-scs", "run the two e2e plugins only")
    .option(
      "--flake-attempts <n>",
      "tries of a failed e2e spec (SCS certification uses 2)",
      wholeNumber(1),
      2,
    )
    .option("--focus <regex>", "scs plugin: run only checks matching", regex)
    .option("--skip <regex>", "scs plugin: do not run checks matching", regex)
    .option("--enable-disruptive", "scs plugin: also run [Disruptive] checks")
    .option(
      "--reference-date <YYYY-MM-DD>",
      "scs plugin: judge time windows as of this date",
      checked((v) => {
        parseReferenceDate(v, new Date());
        return v;
      }),
    )
    .option("--parallel <n>", "scs plugin: checks at once", checked(parseParallel))
    .option("--option <key=value>", "scs plugin: an option for the checks (repeatable)", keyValue, {})
    .option("--sonobuoy-image <image>", "Sonobuoy's aggregator and worker image (air-gapped registries)")
    .option("--conformance-image <image>", "the upstream conformance image for both e2e plugins")
    .option("--scs-image <image>", "the scs plugin's image")
    .option("--e2e-repo <registry>", "registry for the e2e tests' own images")
    .option("--e2e-repo-config <file>", "KUBE_TEST_REPO_LIST file for the e2e tests' images")
    .addOption(
      new Option("--image-pull-policy <policy>", "for every pod Sonobuoy creates").choices([
        "Always",
        "IfNotPresent",
        "Never",
      ]),
    )
    .option(
      "--e2e-procs <n>",
      "e2e plugins: Ginkgo processes at once (default 1, as certification runs; [Serial] specs still run alone)",
      wholeNumber(1),
    )
    .option("--timeout <seconds>", "Sonobuoy's timeout for the plugins", wholeNumber(60), 21_600)
    .option(
      "--least-privilege",
      "Sonobuoy's aggregator with read rights only (clusterRead); the scs plugin with the suite's ClusterRole (scs-kaas rbac), the e2e plugins with their own cluster-admin account",
    )
    .action(async (opts: SonobuoyOptions) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let bin: string;
      try {
        bin = findSonobuoy(opts.sonobuoy);
      } catch (err) {
        if (!(err instanceof SonobuoyMissing)) throw err;
        say(`scs-kaas sonobuoy: ${err.message}`);
        process.exitCode = 2;
        return;
      }
      const { certRun } = await import("../sonobuoy/certrun.ts");
      let plan = planFrom(opts);
      let hooks = {};
      if (opts.leastPrivilege) {
        const { leastPrivileged } = await import("../sonobuoy/least-privilege.ts");
        ({ plan, hooks } = leastPrivileged(plan, say));
      }
      const result = await certRun(
        bin,
        plan,
        opts.output,
        { say, out: (text) => process.stdout.write(text) },
        hooks,
      );
      process.exitCode = result.exitCode;
    });
}
