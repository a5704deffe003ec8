import { parse as parseYaml } from "yaml";
import { InputError } from "./input-error.ts";

export type ResultFormat = "junit" | "gojson" | "raw" | "manual";

/** What a plugin's definition.json (or the older defintion.json) says about how it reports results. */
export interface PluginDefinition {
  name: string;
  driver: "Job" | "DaemonSet" | string;
  format: ResultFormat;
  /** `result-format` as written; Sonobuoy silently treats unknown or missing values as raw. */
  declaredFormat: string;
  resultFiles: string[];
  image?: string;
  /** E2E focus and skip regexes, from E2E_FOCUS/E2E_SKIP or --ginkgo.focus/--ginkgo.skip in E2E_EXTRA_ARGS. */
  focus?: string;
  skip?: string;
  dryRun: boolean;
  warnings: string[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

export function parsePluginDefinition(text: string, file: string): PluginDefinition {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      throw new InputError(`${file}: neither JSON nor YAML (${(e as Error).message})`);
    }
  }
  if (!isObj(doc)) throw new InputError(`${file}: not a plugin definition`);
  const def = isObj(doc.Definition) ? doc.Definition : doc;
  const cfg = def["sonobuoy-config"];
  if (!isObj(cfg)) throw new InputError(`${file}: no sonobuoy-config in the plugin definition`);
  const warnings: string[] = [];
  const declared = typeof cfg["result-format"] === "string" ? (cfg["result-format"] as string) : "";
  let format: ResultFormat;
  if (declared === "junit" || declared === "e2e") format = "junit";
  else if (declared === "gojson" || declared === "raw" || declared === "manual") format = declared;
  else {
    format = "raw";
    warnings.push(
      `result-format ${JSON.stringify(declared)} is unknown; Sonobuoy treats it as raw (every file passes)`,
    );
  }
  const files = Array.isArray(cfg["result-files"])
    ? (cfg["result-files"] as unknown[]).filter((f) => typeof f === "string")
    : [];
  const spec = isObj(def.spec) ? def.spec : {};
  const env: Record<string, string> = {};
  if (Array.isArray(spec.env))
    for (const e of spec.env)
      if (isObj(e) && typeof e.name === "string") env[e.name] = typeof e.value === "string" ? e.value : "";
  const extra = parseGinkgoArgs(
    `${env.E2E_EXTRA_ARGS ?? ""} ${[...asStrings(spec.command), ...asStrings(spec.args)].join(" ")}`,
  );
  const out: PluginDefinition = {
    name: typeof cfg["plugin-name"] === "string" ? (cfg["plugin-name"] as string) : "",
    driver: typeof cfg.driver === "string" ? cfg.driver : "Job",
    format,
    declaredFormat: declared,
    resultFiles: files as string[],
    dryRun: /^(true|1|yes)$/i.test(env.E2E_DRYRUN ?? "") || extra.dryRun,
    warnings,
  };
  if (typeof spec.image === "string") out.image = spec.image;
  const focus = env.E2E_FOCUS || extra.focus;
  const skip = env.E2E_SKIP || extra.skip;
  if (focus) out.focus = focus;
  if (skip) out.skip = skip;
  return out;
}

function asStrings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : [];
}

function parseGinkgoArgs(s: string): { focus?: string; skip?: string; dryRun: boolean } {
  const get = (flag: string) => new RegExp(`--ginkgo\\.${flag}[= ]("([^"]*)"|'([^']*)'|(\\S+))`).exec(s);
  const f = get("focus");
  const k = get("skip");
  const out: { focus?: string; skip?: string; dryRun: boolean } = {
    dryRun: /--ginkgo\.dry-?run(\b|=true)/i.test(s),
  };
  const focus = f?.[2] ?? f?.[3] ?? f?.[4];
  const skip = k?.[2] ?? k?.[3] ?? k?.[4];
  if (focus) out.focus = focus;
  if (skip) out.skip = skip;
  return out;
}

export function isDaemonSet(d: PluginDefinition): boolean {
  return d.driver.toLowerCase() === "daemonset";
}
