import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { cleanupRuns, parseAge } from "../../runner/sweep.ts";
import { translateError } from "../../suites/framework/api-errors.ts";
import { KubeconfigError, loadKubeconfig } from "../kubeconfig.ts";

interface CleanupOptions {
  kubeconfig?: string;
  context?: string;
  runId?: string;
  dryRun?: boolean;
  timeout: number;
}

/** Exit codes: 0 nothing of the suite is left, 1 something stayed after the wait, 2 usage or API error. */
export const CLEANUP_EXIT = { clean: 0, left: 1, error: 2 } as const;

function duration(value: string): number {
  try {
    const ms = parseAge(value);
    if (ms === undefined) throw new Error("expected a duration like 5m, 30s");
    return ms;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^sweep-older-than=\S*: /, ""));
  }
}

/**
 * `scs-kaas cleanup [--run-id ID]`: deletes what runs of the suite left behind (namespaces labelled
 * with the suite's managed-by label and a run id; nothing else), waits until it is gone and names what
 * holds anything that stays (LoadBalancer finalizers, PVs). Credentials as for `run`.
 */
export function register(program: Command): void {
  program
    .command("cleanup")
    .description("delete the namespaces runs of the suite left behind (all runs, or one with --run-id)")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: the current context)")
    .option("--run-id <id>", "only this run's namespaces (the id `scs-kaas run` printed)")
    .option("--dry-run", "list what would be deleted; delete nothing")
    .option("--timeout <duration>", "how long to wait for the namespaces to be gone", duration, 300_000)
    .action(async (opts: CleanupOptions) => {
      process.exitCode = await cleanup(opts);
    });
}

async function cleanup(opts: CleanupOptions): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => {
    process.stderr.write(`scs-kaas: ${line}\n`);
    return CLEANUP_EXIT.error;
  };
  if (opts.runId !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(opts.runId)) {
    return fail(`--run-id ${opts.runId} is not a run id (like 20261121t160405-3f9a)`);
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
  try {
    const outcome = await cleanupRuns(kube.kc, {
      ...(opts.runId ? { runId: opts.runId } : {}),
      dryRun: Boolean(opts.dryRun),
      timeout: { name: "cleanup-wait", ms: opts.timeout },
      say,
    });
    if (outcome.left.length) {
      process.stderr.write(
        `scs-kaas: ${outcome.left.length} namespace(s) not gone: ${outcome.left.map((l) => l.name).join(", ")}\n`,
      );
      return CLEANUP_EXIT.left;
    }
    return CLEANUP_EXIT.clean;
  } catch (err) {
    return fail(translateError(err).reason);
  }
}
