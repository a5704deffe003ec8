import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CheckDefinition } from "../suites/framework/check.ts";

/**
 * Replaces the registry with a module exporting `checks` (path). For the runner's own process-level
 * tests only: they inject fake checks that throw, hang or leak rejections into the real entrypoints.
 */
export const TEST_REGISTRY_ENV = "SCS_KAAS_TEST_REGISTRY";

export async function loadChecks(env: NodeJS.ProcessEnv = process.env): Promise<readonly CheckDefinition[]> {
  const override = env[TEST_REGISTRY_ENV];
  const mod = override
    ? ((await import(pathToFileURL(isAbsolute(override) ? override : resolve(override)).href)) as {
        checks?: readonly CheckDefinition[];
      })
    : await import("../suites/index.ts");
  const checks = mod.checks;
  if (!Array.isArray(checks))
    throw new Error(`${override ?? "suites/index.ts"} does not export an array \`checks\``);
  assertUniqueIds(checks);
  return checks;
}

export function assertUniqueIds(checks: readonly CheckDefinition[]): void {
  const seen = new Set<string>();
  for (const c of checks) {
    if (seen.has(c.id)) throw new Error(`two checks share the id ${c.id}`);
    seen.add(c.id);
  }
}
