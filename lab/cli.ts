// The lab command: `npm run lab -- <verb>`. See lab/README.md.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { keyValue } from "../cli/commands/arguments.ts";
import { adminKubeconfig } from "./cluster/paths.ts";
import { readLab } from "./cluster/state.ts";
import { describeExpectations, SCENARIOS } from "./scenarios/scenarios.ts";

// Verbs load what they need when they run: the Kubernetes client alone takes seconds to load on a busy
// machine, and `node kill` must act at once.
const lifecycle = () => import("./cluster/lifecycle.ts");

const log = (line: string) => console.error(line);

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error("the lab needs root (network namespaces, mounts, cgroups)");
}

const program = new Command("lab").description("a real multi-node Kubernetes cluster on this machine");

program
  .command("build")
  .description("build every binary and image the lab needs (cached outside the checkout)")
  .option("--kubernetes-version <version>", "Kubernetes version to build")
  .option("--cluster-only", "skip Kubernetes' test binaries (e2e.test …) and the images made from them")
  .action(async (opts: { kubernetesVersion?: string; clusterOnly?: boolean }) => {
    const { buildAll } = await import("./build/artifacts.ts");
    const include = opts.clusterOnly ? "cluster" : "all";
    await buildAll({ kubernetesVersion: opts.kubernetesVersion, include, log });
  });

program
  .command("up")
  .description("boot the lab (builds what is missing; replaces a lab that is up)")
  .option("--scenario <name>", "scenario to boot", "compliant")
  .option("--no-build", "do not build missing artifacts (fail instead)")
  .action(async (opts: { scenario: string; build: boolean }) => {
    requireRoot();
    await (await lifecycle()).up(opts.scenario, log, { build: opts.build });
  });

program
  .command("switch")
  .description(
    "move the running lab to another scenario in place when only add-ons or Node labels differ; else a full up (says why)",
  )
  .requiredOption("--scenario <name>", "scenario to switch to")
  .option("--no-build", "do not build missing artifacts for a fallback up (fail instead)")
  .option("--no-fallback", "fail instead of a full up when the switch cannot be made in place")
  .option("--dry-run", "print the plan only")
  .action(async (opts: { scenario: string; build: boolean; fallback: boolean; dryRun?: boolean }) => {
    const { currentPlan, switchScenario } = await import("./cluster/switch.ts");
    if (opts.dryRun) {
      const { describePlan } = await import("./cluster/switch-plan.ts");
      for (const line of describePlan(currentPlan(opts.scenario))) console.log(line);
      return;
    }
    requireRoot();
    await switchScenario(opts.scenario, log, { build: opts.build, fallback: opts.fallback });
  });

program
  .command("down")
  .description("remove everything the lab made")
  .action(async () => {
    requireRoot();
    await (await lifecycle()).down(log);
  });

program
  .command("status")
  .description("nodes, their processes and readiness")
  .action(async () => {
    const { status } = await import("./cluster/status.ts");
    console.log(await status());
  });

program
  .command("kubeconfig")
  .description("print the path of the admin kubeconfig")
  .action(() => {
    if (!readLab()) throw new Error("no lab is up");
    console.log(adminKubeconfig());
  });

program
  .command("scenarios")
  .description("list the scenarios, what each breaks and which check must fail on it")
  .action(() => {
    for (const s of SCENARIOS) {
      console.log(
        `${s.name}\n  breaks:  ${s.breaks}\n  expects: ${describeExpectations(s.expect).join(" ")}`,
      );
      if (s.otherProof) console.log(`  proof:   ${s.otherProof}`);
    }
  });

program
  .command("smoke")
  .description("prove the lab is a working cluster (exits non-zero on failure)")
  .action(async () => {
    const { smoke } = await import("./smoke/smoke.ts");
    process.exitCode = (await smoke(log)) ? 0 : 1;
  });

program
  .command("e2e <set>")
  .description(
    "run an upstream e2e proof set against the lab: conformance, netpol (45 specs), netpol-default-deny (exits non-zero on mismatch)",
  )
  .option("--expect <outcome>", "pass, or fail (for a broken scenario)", "pass")
  .option("--report-dir <dir>", "where e2e.log and the junit go", join(tmpdir(), "scs-kaas-lab-e2e"))
  .action(async (set: string, opts: { expect: string; reportDir: string }) => {
    if (opts.expect !== "pass" && opts.expect !== "fail") throw new Error("--expect takes pass or fail");
    const { runProofSet } = await import("./e2e/run-e2e.ts");
    const ok = await runProofSet({ set, expect: opts.expect, reportDir: join(opts.reportDir, set), log });
    process.exitCode = ok ? 0 : 1;
  });

program
  .command("sonobuoy")
  .description(
    "scs-kaas sonobuoy on the lab (--quick unless --full): e2e conformance + e2e-netpol + the scs plugin, retrieved, deleted, judged",
  )
  .option("--focus <text>", "the conformance plugin's focus (default: --quick's one spec)")
  .option("--full", "the full certification run (every [Conformance] and NetworkPolicy spec; hours)")
  .option("--e2e-procs <n>", "Ginkgo processes for the e2e plugins (default 1; [Serial] specs still alone)")
  .option("--no-scs", "run the e2e plugins only")
  .option("--no-e2e", "run the scs plugin only (a cluster-only lab has no conformance image)")
  .option("--scs-focus <regex>", "the scs plugin runs only the checks matching this")
  .option("--scs-skip <regex>", "the scs plugin skips the checks matching this")
  .option("--no-disruptive", "the scs plugin leaves out the [Disruptive] checks (default with --full)")
  .option(
    "--option <key=value>",
    "a check option for the scs plugin, beside the lab's own (repeatable)",
    keyValue,
    {},
  )
  .option("--reference-date <date>", "the scs plugin's reference date (YYYY-MM-DD)")
  .option(
    "--expect <id=VERDICT...>",
    "verdicts the SCS test ids must get (default: the scenario's, see `lab scenarios`)",
    [],
  )
  .option("--output-dir <dir>", "where the tarball goes", join(tmpdir(), "scs-kaas-lab-sonobuoy"))
  .option("--least-privilege", "aggregator clusterRead, the scs plugin with the suite's ClusterRole")
  .action(
    async (opts: {
      focus?: string;
      full?: boolean;
      e2eProcs?: string;
      leastPrivilege?: boolean;
      e2e: boolean;
      scs: boolean;
      scsFocus?: string;
      scsSkip?: string;
      disruptive: boolean;
      option: Record<string, string>;
      referenceDate?: string;
      expect: string[];
      outputDir: string;
    }) => {
      const { runSonobuoy } = await import("./sonobuoy/run-sonobuoy.ts");
      const { parseExpectations } = await import("./suite/expectations.ts");
      const ok = await runSonobuoy({
        ...(opts.focus ? { focus: opts.focus } : {}),
        full: Boolean(opts.full),
        ...(opts.e2eProcs ? { e2eProcs: Number(opts.e2eProcs) } : {}),
        leastPrivilege: Boolean(opts.leastPrivilege),
        e2e: opts.e2e,
        scs: opts.scs,
        ...(opts.scsFocus ? { scsFocus: opts.scsFocus } : {}),
        ...(opts.scsSkip ? { scsSkip: opts.scsSkip } : {}),
        disruptive: opts.disruptive,
        scsOptions: opts.option,
        ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
        outputDir: opts.outputDir,
        expect: parseExpectations(opts.expect),
        log,
      });
      process.exitCode = ok ? 0 : 1;
    },
  );

program
  .command("suite")
  .description(
    "run `scs-kaas run` from this machine against the lab: its kubeconfig, the release-data snapshot's date and its node-action webhook filled in",
  )
  .argument("[args...]", "any `scs-kaas run` arguments (after --)")
  .option(
    "--expect-scenario",
    "also run the disruptive checks and compare the verdicts with the scenario's expectations (exit 0 when they match)",
  )
  .allowUnknownOption()
  .action(async (args: string[], opts: { expectScenario?: boolean }) => {
    const { runSuite } = await import("./suite/run-suite.ts");
    const { findScenario } = await import("./scenarios/scenarios.ts");
    const lab = readLab();
    if (!lab) throw new Error("no lab is up (run `npm run lab -- up`)");
    process.exitCode = await runSuite(args, {
      ...(opts.expectScenario ? { expect: findScenario(lab.scenario).expect } : {}),
      log,
    });
  });

program
  .command("node-actions")
  .description("print the node-action webhook's URL, token file and token Secret (README: Node actions)")
  .action(() => {
    const lab = readLab();
    if (!lab?.nodeActions) throw new Error("no lab with a node-action webhook is up");
    console.log(`url=${lab.nodeActions.url}`);
    console.log(`token-file=${lab.nodeActions.tokenFile}`);
    console.log(`token-secret=${lab.nodeActions.secret}`);
  });

const leastPrivilege = program
  .command("least-privilege")
  .description(
    "the suite's ServiceAccount with the ClusterRole `scs-kaas rbac` generates, for least-privileged runs",
  );
leastPrivilege
  .command("kubeconfig <file>")
  .description(
    "apply the RBAC manifest and write a kubeconfig that authenticates as its ServiceAccount (1 h token)",
  )
  .option(
    "--without <verb:resource>",
    "take this verb on this resource out of the ClusterRole (proves the ABORT)",
  )
  .option(
    "--disruptive",
    "also bind the opt-in ClusterRole of [Disruptive] checks (scs-kaas rbac --disruptive)",
  )
  .action(async (file: string, opts: { without?: string; disruptive?: boolean }) => {
    const m = opts.without ? /^([a-z]+):([a-z0-9./-]+)$/.exec(opts.without) : undefined;
    if (opts.without && !m) throw new Error("--without takes <verb>:<resource>, e.g. list:nodes");
    const { leastPrivilegeKubeconfig } = await import("./rbac/least-privilege.ts");
    const drop = m ? { verb: m[1] as string, resource: m[2] as string } : undefined;
    await leastPrivilegeKubeconfig(file, log, drop, Boolean(opts.disruptive));
    process.stdout.write(`${file}\n`);
  });
leastPrivilege
  .command("remove")
  .description("delete the ServiceAccount, ClusterRole and binding again")
  .action(async () => {
    const { removeLeastPrivilege } = await import("./rbac/least-privilege.ts");
    await removeLeastPrivilege(log);
  });

const node = program.command("node").description("node lifecycle: kill, restore, roll");
node
  .command("kill <name>")
  .description("stop every process of the node at once and cut its network (a VM that dies)")
  .action(async (name: string) => {
    requireRoot();
    const { killNode } = await import("./cluster/node-kill.ts");
    await killNode(name, log);
  });
node
  .command("restore <name>")
  .description("bring a killed node back (a rebooted VM with the same disk)")
  .action(async (name: string) => {
    requireRoot();
    await (await lifecycle()).restoreNode(name, log);
  });
node
  .command("roll <name>")
  .description(
    "cordon, drain, delete and replace a node with a fresh one (rolling upgrade; a control-plane node also leaves and rejoins etcd)",
  )
  .action(async (name: string) => {
    requireRoot();
    await (await lifecycle()).rollNode(name, log);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
