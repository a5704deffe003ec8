import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NODE_ACTION_OPTIONS } from "../suites/framework/node-actions/options.ts";

/** The keys the plugin understands in its config-map (sonobuoy.yaml) and their env overrides. */
export const CONFIG_KEYS = {
  focus: "SCS_KAAS_FOCUS",
  skip: "SCS_KAAS_SKIP",
  "reference-date": "SCS_KAAS_REFERENCE_DATE",
  "enable-disruptive": "SCS_KAAS_ENABLE_DISRUPTIVE",
  parallel: "SCS_KAAS_PARALLEL",
} as const;
/**
 * Keys passed on to the checks as ctx.options, each also settable per run by its env variable
 * (`--plugin-env scs.SCS_KAAS_NODE_ACTION=webhook`); any other config-map key is passed on too.
 */
export const CHECK_OPTION_ENV = {
  "release-data": "SCS_KAAS_RELEASE_DATA",
  "timeout-scale": "SCS_KAAS_TIMEOUT_SCALE",
  image: "SCS_KAAS_IMAGE",
  "image-registry": "SCS_KAAS_IMAGE_REGISTRY",
  "sweep-older-than": "SCS_KAAS_SWEEP_OLDER_THAN",
  [NODE_ACTION_OPTIONS.driver]: "SCS_KAAS_NODE_ACTION",
  [NODE_ACTION_OPTIONS.url]: "SCS_KAAS_NODE_ACTION_URL",
  [NODE_ACTION_OPTIONS.tokenSecret]: "SCS_KAAS_NODE_ACTION_TOKEN_SECRET",
  [NODE_ACTION_OPTIONS.tokenFile]: "SCS_KAAS_NODE_ACTION_TOKEN_FILE",
  [NODE_ACTION_OPTIONS.allowControlPlane]: "SCS_KAAS_NODE_ACTION_ALLOW_CONTROL_PLANE",
} as const;

export interface PluginConfig {
  resultsDir: string;
  progressPort?: string;
  k8sVersion?: string;
  configDir: string;
  focus?: string;
  skip?: string;
  referenceDate: Date;
  enableDisruptive: boolean;
  /** How many ordinary checks run at once; absent = the runner's default. */
  parallel?: number;
  checkOptions: Record<string, string>;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Where results go even when the rest of the configuration is broken. */
export function resultsDirFrom(env: NodeJS.ProcessEnv): string {
  return env.SONOBUOY_RESULTS_DIR || env.RESULTS_DIR || "/tmp/sonobuoy/results";
}

/**
 * Reads env (Sonobuoy's variables; `--plugin-env scs.SCS_KAAS_FOCUS=...` overrides) and the config-map
 * files mounted at $SONOBUOY_CONFIG_DIR (one file per key; Kubernetes' `..data` links are skipped).
 */
export function readPluginConfig(env: NodeJS.ProcessEnv, now = new Date()): PluginConfig {
  const configDir = env.SONOBUOY_CONFIG_DIR || "/tmp/sonobuoy/config";
  const files = readConfigDir(configDir);
  const value = (key: string, envName: string): string | undefined => {
    const v = env[envName] ?? files[key];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const checkOptions: Record<string, string> = {};
  for (const [key, v] of Object.entries(files)) {
    if (!(key in CONFIG_KEYS) && v.trim() !== "") checkOptions[key] = v.trim();
  }
  for (const [key, envName] of Object.entries(CHECK_OPTION_ENV)) {
    const v = env[envName];
    if (v) checkOptions[key] = v;
  }
  const focus = value("focus", CONFIG_KEYS.focus);
  const skip = value("skip", CONFIG_KEYS.skip);
  const parallel = value("parallel", CONFIG_KEYS.parallel);
  const progressPort = env.SONOBUOY_PROGRESS_PORT || (env.SONOBUOY === "true" ? "8099" : undefined);
  return {
    resultsDir: resultsDirFrom(env),
    configDir,
    ...(progressPort ? { progressPort } : {}),
    ...(env.SONOBUOY_K8S_VERSION ? { k8sVersion: env.SONOBUOY_K8S_VERSION } : {}),
    ...(focus ? { focus } : {}),
    ...(skip ? { skip } : {}),
    referenceDate: parseReferenceDate(value("reference-date", CONFIG_KEYS["reference-date"]), now),
    enableDisruptive: parseBool(
      "enable-disruptive",
      value("enable-disruptive", CONFIG_KEYS["enable-disruptive"]),
    ),
    ...(parallel !== undefined ? { parallel: parseParallel(parallel) } : {}),
    checkOptions,
  };
}

/** A whole number of at least 1 (`--parallel`, the plugin's `parallel`). */
export function parseParallel(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`parallel must be a whole number of at least 1, got ${JSON.stringify(text)}`);
  return n;
}

function readConfigDir(dir: string): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return {}; // no config-map: defaults
  }
  const out: Record<string, string> = {};
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    out[name] = readFileSync(path, "utf8");
  }
  return out;
}

/** `YYYY-MM-DD` (UTC midnight); absent = today. */
export function parseReferenceDate(text: string | undefined, now: Date): Date {
  if (text === undefined) return now;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || d.toISOString().slice(0, 10) !== text) {
    throw new ConfigError(`reference-date must be a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return d;
}

export function parseBool(key: string, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (/^(true|yes|1)$/i.test(text)) return true;
  if (/^(false|no|0)$/i.test(text)) return false;
  throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(text)}`);
}
