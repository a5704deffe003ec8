/**
 * The `scs` Sonobuoy plugin's entrypoint (the image's ENTRYPOINT): reads env and the config-map, runs
 * the selected checks in this cluster, writes junit + log + tarball into the results dir, then the done
 * file naming the tarball.
 *
 * Exit code: 0 once the done file is written, whatever the verdicts. The verdicts travel in the junit;
 * Sonobuoy's worker uploads what the done file names no matter how this container exits, and a non-zero
 * exit would only make the pod look crashed (kubectl shows Error) while its results say the opposite.
 * Non-zero (1) means the results could NOT be handed over: then Sonobuoy's own failure detection (a
 * container terminated without results) is the right messenger.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { guardProcess } from "../runner/process-guards.ts";
import { ProgressReporter } from "../runner/progress.ts";
import { loadChecks } from "../runner/registry.ts";
import { failBeforeRun, Session } from "../runner/session.ts";
import { SUITE_VERSION } from "../runner/suite-version.ts";
import { describe } from "../suites/framework/api-errors.ts";
import { newRunId } from "../suites/framework/labels.ts";
import { readPluginConfig, resultsDirFrom } from "./config.ts";

async function main(): Promise<number> {
  const runId = newRunId();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let session: Session;
  try {
    const cfg = readPluginConfig(process.env);
    const checks = await loadChecks();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault(); // in the pod: the service account; KUBECONFIG wins when set (tests)
    session = new Session({
      checks,
      selection: {
        ...(cfg.focus ? { focus: cfg.focus } : {}),
        ...(cfg.skip ? { skip: cfg.skip } : {}),
        enableDisruptive: cfg.enableDisruptive,
      },
      kubeConfig,
      outputDir: cfg.resultsDir,
      runId,
      referenceDate: cfg.referenceDate,
      checkOptions: cfg.checkOptions,
      mode: "sonobuoy",
      suiteVersion: SUITE_VERSION,
      ...(cfg.k8sVersion ? { clusterVersionHint: cfg.k8sVersion } : {}),
      writeDoneFile: true,
      ...(cfg.parallel ? { parallel: cfg.parallel } : {}),
      ...(cfg.progressPort ? { progress: new ProgressReporter(cfg.progressPort) } : {}),
      echo: log,
      exit: (resultsWritten) => process.exit(resultsWritten ? 0 : 1),
    });
  } catch (err) {
    log(`scs-kaas: cannot start: ${describe(err)}`);
    await failBeforeRun({
      outputDir: resultsDirFrom(process.env),
      reason: describe(err),
      mode: "sonobuoy",
      suiteVersion: SUITE_VERSION,
      runId,
      writeDoneFile: true,
    });
    return 0;
  }
  guardProcess(session);
  const result = await session.run();
  log(`results handed over: ${result.tarballPath}`);
  return result.donePath ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`scs-kaas: results could not be written: ${describe(err)}\n`);
    process.exit(1);
  },
);
