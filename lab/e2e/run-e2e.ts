// Runs a proof set of the upstream e2e binary (built from the same Kubernetes module) against the lab.
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { readGinkgoTally } from "../../results-parser/e2e-log-tally.ts";
import { bin } from "../cluster/artifacts.ts";
import { adminKubeconfig } from "../cluster/paths.ts";
import { readLab } from "../cluster/state.ts";
import { PROOF_SETS, selectionOf } from "./proof-sets.ts";

export type Expectation = "pass" | "fail";

export interface E2eRunOptions {
  set: string;
  expect: Expectation;
  reportDir: string;
  log: (line: string) => void;
}

/** Resolves to true when the outcome matches the expectation: every spec of the set ran, and all passed or all failed. */
export async function runProofSet(opts: E2eRunOptions): Promise<boolean> {
  const set = PROOF_SETS[opts.set];
  if (!set) throw new Error(`unknown proof set "${opts.set}"; known: ${Object.keys(PROOF_SETS).join(", ")}`);
  const lab = readLab();
  if (!lab) throw new Error("no lab is up: run `npm run lab -- up` first");
  const selection = selectionOf(set);
  mkdirSync(opts.reportDir, { recursive: true });
  const e2e = bin("e2e.test", { kubernetesVersion: lab.kubernetesVersion });
  const logFile = join(opts.reportDir, "e2e.log");
  const args = [
    `--kubeconfig=${adminKubeconfig()}`,
    // e2e.test runs `kubectl` from PATH by default; a machine may have another one (this one has Google's).
    `--kubectl-path=${bin("kubectl", { kubernetesVersion: lab.kubernetesVersion })}`,
    "--provider=local",
    `--report-dir=${opts.reportDir}`,
    `--ginkgo.focus=${selection.focus}`,
    `--ginkgo.skip=${selection.skip}`,
    "--ginkgo.no-color",
    "--ginkgo.timeout=30m",
    "--disable-log-dump",
  ];
  opts.log(`e2e ${opts.set}: ${set.description}; ${selection.specs} specs, expecting ${opts.expect}`);
  const started = Date.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(e2e, args, { stdio: ["ignore", "pipe", "pipe"], cwd: opts.reportDir });
    const out = createWriteStream(logFile);
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on("error", reject);
    child.on("close", (code) => out.end(() => resolve(code ?? 1)));
  });
  const tally = await readGinkgoTally(createReadStream(logFile), logFile);
  if (!tally) {
    opts.log(`e2e ${opts.set}: no ginkgo tally in ${logFile} (exit ${exitCode}); the run did not complete`);
    return false;
  }
  opts.log(
    `e2e ${opts.set}: ran ${tally.ran} of ${tally.total} specs: ${tally.passed} passed, ${tally.failed} failed (exit ${exitCode}); log ${logFile}`,
  );
  opts.log(`e2e ${opts.set}: wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (tally.ran !== selection.specs) {
    opts.log(`e2e ${opts.set}: expected ${selection.specs} specs to run, ${tally.ran} ran`);
    return false;
  }
  // A broken scenario fails the set when any spec fails (some specs, e.g. allow-all, pass without enforcement).
  return opts.expect === "pass" ? tally.passed === tally.ran : tally.failed > 0;
}
