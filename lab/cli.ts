// The lab command: `npm run lab -- <verb>`. See lab/README.md.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { adminKubeconfig } from "./cluster/paths.ts";
import { readLab } from "./cluster/state.ts";
import { SCENARIOS } from "./scenarios/scenarios.ts";

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
        `${s.name}\n  breaks:    ${s.breaks}\n  must fail: ${s.mustFail || "nothing (every check passes)"}`,
      );
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
    "run an upstream e2e proof set against the lab: conformance, netpol (exits non-zero on mismatch)",
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
    "run Sonobuoy on the lab: the e2e plugin (one focused spec) and the scs plugin, retrieve and judge the tarball",
  )
  .option("--focus <text>", "e2e spec focus (a regular expression matching one spec)")
  .option("--no-scs", "run the e2e plugin only")
  .option("--no-e2e", "run the scs plugin only (a cluster-only lab has no conformance image)")
  .option("--reference-date <date>", "the scs plugin's reference date (YYYY-MM-DD)")
  .option("--expect <id=VERDICT...>", "verdicts the SCS test ids must get (default: every scs id PASS)", [])
  .option(
    "--plugin-env <KEY=VALUE...>",
    "extra environment of the scs plugin, e.g. SCS_KAAS_FOCUS=lb-client-ip or SCS_KAAS_LB_VARIANT=...",
    [],
  )
  .option("--output-dir <dir>", "where the tarball goes", join(tmpdir(), "scs-kaas-lab-sonobuoy"))
  .action(
    async (opts: {
      focus?: string;
      e2e: boolean;
      scs: boolean;
      referenceDate?: string;
      expect: string[];
      pluginEnv: string[];
      outputDir: string;
    }) => {
      const { DEFAULT_E2E_FOCUS, parseExpectations, parsePluginEnv, runSonobuoy } = await import(
        "./sonobuoy/run-sonobuoy.ts"
      );
      const ok = await runSonobuoy({
        focus: opts.focus ?? DEFAULT_E2E_FOCUS,
        e2e: opts.e2e,
        scs: opts.scs,
        ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}),
        outputDir: opts.outputDir,
        expect: parseExpectations(opts.expect),
        pluginEnv: parsePluginEnv(opts.pluginEnv),
        log,
      });
      process.exitCode = ok ? 0 : 1;
    },
  );

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
