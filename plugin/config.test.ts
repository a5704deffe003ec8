import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type PluginConfig, readPluginConfig } from "./config.ts";

/** readPluginConfig over a throwaway config-map directory holding `files`. */
function parseReadConfig(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): PluginConfig {
  const dir = mkdtempSync(join(tmpdir(), "scs-config-"));
  try {
    for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
    return readPluginConfig({ ...env, SONOBUOY_CONFIG_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("plugin config", () => {
  it("reads config-map files, lets env override them, and passes other keys to the checks", () => {
    const cfg = parseReadConfig(
      {
        focus: "scs-0214\n",
        "reference-date": "2026-11-21",
        "enable-disruptive": "true",
        "release-data": "/data.json",
      },
      { SCS_KAAS_FOCUS: "scs-0210" },
    );
    expect(cfg.focus).to.equal("scs-0210");
    expect(cfg.referenceDate.toISOString()).to.equal("2026-11-21T00:00:00.000Z");
    expect(cfg.enableDisruptive).to.equal(true);
    expect(cfg.checkOptions).to.deep.equal({ "release-data": "/data.json" });
  });
});
