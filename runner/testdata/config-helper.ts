import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PluginConfig, readPluginConfig } from "../../plugin/config.ts";

/** readPluginConfig over a throwaway config-map directory holding `files`. */
export function parseReadConfig(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): PluginConfig {
  const dir = mkdtempSync(join(tmpdir(), "scs-config-"));
  try {
    for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
    return readPluginConfig({ ...env, SONOBUOY_CONFIG_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
