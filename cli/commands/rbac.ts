import type { Command } from "commander";
import { renderDisruptiveRbacManifest, renderRbacManifest } from "../../runner/rbac.ts";
import { loadChecks } from "../../runner/registry.ts";

/**
 * `scs-kaas rbac`: the least-privilege ServiceAccount, ClusterRole and binding for the registered checks;
 * `--disruptive`: the separate opt-in ClusterRole with what only [Disruptive] checks need.
 */
export function register(program: Command): void {
  program
    .command("rbac")
    .description("print the least-privilege ServiceAccount + ClusterRole + binding (kubectl apply -f -)")
    .option("--disruptive", "print instead the opt-in ClusterRole [Disruptive] checks need beyond that")
    .action(async (opts: { disruptive?: boolean }) => {
      const checks = await loadChecks();
      process.stdout.write(
        opts.disruptive ? renderDisruptiveRbacManifest(checks) : renderRbacManifest(checks),
      );
    });
}
