import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { InputError, oneLine } from "./input-error.ts";

/** The certification scope (Tests/scs-compatible-kaas.yaml): test ids, modules (standards), versions. */
export interface Scope {
  name: string;
  uuid: string;
  url: string;
  file: string;
  testcases: ScopeTestcase[];
  modules: ScopeModule[];
  versions: ScopeVersion[];
}

export interface ScopeTestcase {
  id: string;
  description: string;
  url?: string;
  lifetime?: string;
  section?: string;
  /** Index of the script entry that produces it (the SCS driver's "invocation"). */
  script: number;
  /** The script's executable, when it has one (manual checks have none). */
  executable?: string;
}

export interface ScopeModule {
  id: string;
  name: string;
  url?: string;
  targets: Record<string, string[]>;
}

export interface ScopeVersion {
  version: string;
  stabilizedAt?: string;
  include: string[];
}

/** One okToFail entry: a regex searched (not fully matched) in the failed test's name. */
export interface OkToFail {
  regex: string;
  reason: string;
  pattern: RegExp;
}

export const BUNDLED_SCOPE = fileURLToPath(new URL("./data/scs-compatible-kaas.yaml", import.meta.url));
export const BUNDLED_OK_TO_FAIL = fileURLToPath(
  new URL("./data/scs-sonobuoy-config-v1.yaml", import.meta.url),
);

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const str = (x: unknown) => (typeof x === "string" ? x : x === undefined || x === null ? "" : String(x));

async function loadYaml(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${what} ${file} is not valid YAML: ${oneLine(e)}`);
  }
}

export async function loadScope(file: string = BUNDLED_SCOPE): Promise<Scope> {
  const doc = await loadYaml(file, "scope file");
  if (!isObj(doc) || !Array.isArray(doc.modules) || !Array.isArray(doc.versions))
    throw new InputError(`scope file ${file} has no modules/versions (not an SCS scope file)`);
  const testcases: ScopeTestcase[] = [];
  const scripts = Array.isArray(doc.scripts) ? doc.scripts : [];
  scripts.forEach((s, i) => {
    if (!isObj(s) || !Array.isArray(s.testcases)) return;
    for (const t of s.testcases) {
      if (!isObj(t) || typeof t.id !== "string") continue;
      const tc: ScopeTestcase = { id: t.id, description: str(t.description).trim(), script: i };
      if (t.url) tc.url = str(t.url);
      if (t.lifetime) tc.lifetime = str(t.lifetime);
      if (t.section) tc.section = str(t.section);
      if (typeof s.executable === "string") tc.executable = s.executable;
      testcases.push(tc);
    }
  });
  const modules: ScopeModule[] = doc.modules.filter(isObj).map((m) => {
    const targets: Record<string, string[]> = {};
    if (isObj(m.targets))
      for (const [k, v] of Object.entries(m.targets)) targets[k] = Array.isArray(v) ? v.map(str) : [];
    const mod: ScopeModule = { id: str(m.id), name: str(m.name).trim(), targets };
    if (m.url) mod.url = str(m.url);
    return mod;
  });
  const versions: ScopeVersion[] = doc.versions.filter(isObj).map((v) => {
    const out: ScopeVersion = {
      version: str(v.version),
      include: Array.isArray(v.include) ? v.include.map(str) : [],
    };
    if (v.stabilized_at)
      out.stabilizedAt = str(
        v.stabilized_at instanceof Date ? v.stabilized_at.toISOString().slice(0, 10) : v.stabilized_at,
      );
    return out;
  });
  return { name: str(doc.name), uuid: str(doc.uuid), url: str(doc.url), file, testcases, modules, versions };
}

export async function loadOkToFail(file: string = BUNDLED_OK_TO_FAIL): Promise<OkToFail[]> {
  const doc = await loadYaml(file, "okToFail file");
  const list = isObj(doc) ? doc.okToFail : undefined;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new InputError(`okToFail file ${file}: okToFail is not a list`);
  return list.filter(isObj).map((e, i) => {
    const regex = str(e.regex);
    if (!regex) throw new InputError(`okToFail file ${file}: entry ${i + 1} has no regex`);
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex);
    } catch (err) {
      throw new InputError(`okToFail file ${file}: entry ${i + 1} regex is invalid: ${oneLine(err)}`);
    }
    return { regex, reason: str(e.reason), pattern };
  });
}

/** Python's re.search semantics: the regex may match anywhere in the name. */
export function excuse(list: OkToFail[], testName: string): OkToFail | undefined {
  return list.find((e) => e.pattern.test(testName));
}
