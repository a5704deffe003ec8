import type { Command } from "commander";
import { renderRbacManifest } from "../../runner/rbac.ts";
import { loadChecks } from "../../runner/registry.ts";

/** `scs-kaas rbac`: the least-privilege ServiceAccount, ClusterRole and binding for the registered checks. */
export function register(program: Command): void {
  program
    .command("rbac")
    .description("print the least-privilege ServiceAccount + ClusterRole + binding (kubectl apply -f -)")
    .action(async () => {
      process.stdout.write(renderRbacManifest(await loadChecks()));
    });
}
