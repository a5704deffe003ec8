import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/**
 * The upstream spec lists bundled per Kubernetes minor (data/e2e-lists, generated from the Go module
 * k8s.io/kubernetes; sources.json names the module version of each): the [Conformance] specs of
 * test/conformance/testdata/conformance.yaml (`codename`, which is the junit name without `[It] `) and
 * the NetworkPolicy specs of test/e2e/network/netpol.
 */
export type SpecListKind = "conformance" | "networkpolicy";

export interface SpecList {
  kind: SpecListKind;
  minor: string;
  /** Where it came from, e.g. k8s.io/kubernetes@v1.36.5. */
  source: string;
  names: string[];
}

const DIR = new URL("./data/e2e-lists/", import.meta.url);
let sources: Record<string, { module: string }> | undefined;
const cache = new Map<string, SpecList | undefined>();

export function bundledMinors(): string[] {
  sources ??= JSON.parse(readFileSync(fileURLToPath(new URL("sources.json", DIR)), "utf8")) as Record<
    string,
    { module: string }
  >;
  return Object.keys(sources);
}

/** The bundled list of that kind for a minor ("1.36"), or undefined when none is bundled. */
export function specList(kind: SpecListKind, minor: string): SpecList | undefined {
  const key = `${kind}-v${minor}`;
  if (cache.has(key)) return cache.get(key);
  let list: SpecList | undefined;
  if (bundledMinors().includes(minor)) {
    const text = gunzipSync(readFileSync(fileURLToPath(new URL(`${key}.txt.gz`, DIR)))).toString("utf8");
    list = {
      kind,
      minor,
      source: sources?.[minor]?.module ?? "unknown",
      names: text.split("\n").filter((l) => l.trim()),
    };
  }
  cache.set(key, list);
  return list;
}
