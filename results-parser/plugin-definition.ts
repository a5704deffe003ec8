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
  /** What asked for the dry run (env var and value), when one did. */
  dryRunSignal?: string;
  /** MAJOR.MINOR of the image's tag (`.../conformance:v1.36.5` → 1.36), when it has one. */
  imageMinor?: string;
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
  const dryRunSignal = dryRunRequest(env, spec);
  const out: PluginDefinition = {
    name: typeof cfg["plugin-name"] === "string" ? (cfg["plugin-name"] as string) : "",
    driver: typeof cfg.driver === "string" ? cfg.driver : "Job",
    format,
    declaredFormat: declared,
    resultFiles: files as string[],
    dryRun: dryRunSignal !== undefined,
    warnings,
  };
  if (dryRunSignal) out.dryRunSignal = dryRunSignal;
  if (typeof spec.image === "string") {
    out.image = spec.image;
    const minor = imageMinorOf(spec.image);
    if (minor) out.imageMinor = minor;
  }
  const focus = env.E2E_FOCUS || extra.focus;
  const skip = env.E2E_SKIP || extra.skip;
  if (focus) out.focus = focus;
  if (skip) out.skip = skip;
  return out;
}

function asStrings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : [];
}

/**
 * A ginkgo dry-run flag in an argument string, in any spelling ginkgo accepts: one or two dashes, with or
 * without `ginkgo.`, `dry-run`/`dryRun`, bare or `=value` (not false). Returns the flag as written.
 */
export function dryRunFlag(s: string): string | undefined {
  const re = /(?:^|[\s"'])(--?(?:ginkgo\.)?dry-?run)(?:=(\S*))?(?=$|[\s"'])/gi;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const value = (m[2] ?? "true").replace(/["']/g, "").toLowerCase();
    if (!["false", "f", "0"].includes(value)) return m[0].trim();
  }
  return undefined;
}

/**
 * Whether the definition asks for a dry run: E2E_DRYRUN with any non-empty value (the conformance image
 * treats any value as on), or a dry-run flag in E2E_EXTRA_GINKGO_ARGS, E2E_EXTRA_ARGS, the command or args.
 */
function dryRunRequest(env: Record<string, string>, spec: Obj): string | undefined {
  if ((env.E2E_DRYRUN ?? "") !== "") return `E2E_DRYRUN=${JSON.stringify(env.E2E_DRYRUN)}`;
  for (const name of ["E2E_EXTRA_GINKGO_ARGS", "E2E_EXTRA_ARGS"]) {
    const flag = dryRunFlag(env[name] ?? "");
    if (flag) return `${name} ${flag}`;
  }
  const flag = dryRunFlag([...asStrings(spec.command), ...asStrings(spec.args)].join(" "));
  return flag ? `container arguments ${flag}` : undefined;
}

/** `registry.k8s.io/conformance:v1.36.5` (or `...:v1.36.5@sha256:...`) → `1.36`. */
export function imageMinorOf(image: string): string | undefined {
  const tag = /:v?(\d+)\.(\d+)(?:\.\d+)?[^/:@]*(?:@[^/]*)?$/.exec(image);
  return tag ? `${tag[1]}.${tag[2]}` : undefined;
}

function parseGinkgoArgs(s: string): { focus?: string; skip?: string } {
  const get = (flag: string) => new RegExp(`--ginkgo\\.${flag}[= ]("([^"]*)"|'([^']*)'|(\\S+))`).exec(s);
  const f = get("focus");
  const k = get("skip");
  const out: { focus?: string; skip?: string } = {};
  const focus = f?.[2] ?? f?.[3] ?? f?.[4];
  const skip = k?.[2] ?? k?.[3] ?? k?.[4];
  if (focus) out.focus = focus;
  if (skip) out.skip = skip;
  return out;
}

export function isDaemonSet(d: PluginDefinition): boolean {
  return d.driver.toLowerCase() === "daemonset";
}
