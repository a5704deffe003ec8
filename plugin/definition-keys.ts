import * as k8s from "@kubernetes/client-node";

/** The keys Sonobuoy (v0.57) reads in a plugin definition; anything else it silently ignores. */
export const TOP_LEVEL_KEYS = ["sonobuoy-config", "spec", "podSpec", "extra-volumes", "config-map"] as const;
export const SONOBUOY_CONFIG_KEYS = [
  "driver",
  "plugin-name",
  "result-format",
  "result-files",
  "skip-cleanup",
  "description",
  "source-url",
  "order",
] as const;
export const DRIVERS = ["Job", "DaemonSet"] as const;
export const RESULT_FORMATS = ["junit", "e2e", "gojson", "raw", "manual"] as const;

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
type Model = { getAttributeTypeMap(): Attribute[] };

function model(type: string): Model | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[type] as Partial<Model> | undefined;
  return typeof m?.getAttributeTypeMap === "function" ? (m as Model) : undefined;
}

/**
 * Finds every key that the Kubernetes type does not have, at every depth, using client-node's model
 * metadata (the same field list the API server's schema has). Returns paths like `spec.securtyContext`.
 */
export function unknownKeys(value: unknown, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1]) {
    if (!Array.isArray(value)) return [`${path} (expected a list)`];
    return value.flatMap((item, i) => unknownKeys(item, array[1] as string, `${path}[${i}]`));
  }
  const m = model(type);
  if (!m) return []; // scalars, maps of strings, quantities, IntOrString
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return [`${path} (expected an object)`];
  const attrs = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const t = attrs.get(key);
    return t === undefined ? [`${path}.${key}`] : unknownKeys(v, t, `${path}.${key}`);
  });
}

/** Every key in a plugin definition that Sonobuoy would ignore, plus values it would misread. */
export function definitionProblems(
  doc: Record<string, unknown>,
  knownConfigMapKeys: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(doc))
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) problems.push(`unknown top-level key ${key}`);
  const sc = (doc["sonobuoy-config"] ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(sc)) {
    if (!(SONOBUOY_CONFIG_KEYS as readonly string[]).includes(key))
      problems.push(`unknown key sonobuoy-config.${key}`);
  }
  if (!(DRIVERS as readonly unknown[]).includes(sc.driver))
    problems.push(`sonobuoy-config.driver ${String(sc.driver)}`);
  if (!(RESULT_FORMATS as readonly unknown[]).includes(sc["result-format"])) {
    problems.push(`sonobuoy-config.result-format ${String(sc["result-format"])} would silently become raw`);
  }
  const name = sc["plugin-name"];
  if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name === "sonobuoy") {
    problems.push(`sonobuoy-config.plugin-name ${String(name)}`);
  }
  problems.push(...unknownKeys(doc.spec, "V1Container", "spec").map((p) => `unknown key ${p}`));
  if (doc.podSpec !== undefined)
    problems.push(...unknownKeys(doc.podSpec, "V1PodSpec", "podSpec").map((p) => `unknown key ${p}`));
  if (doc["extra-volumes"] !== undefined) {
    problems.push(
      ...unknownKeys(doc["extra-volumes"], "Array<V1Volume>", "extra-volumes").map((p) => `unknown key ${p}`),
    );
  }
  const cm = (doc["config-map"] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(cm)) {
    if (typeof value !== "string") problems.push(`config-map.${key} must be a string (quote it)`);
    if (!knownConfigMapKeys.includes(key)) problems.push(`config-map.${key} is not read by the plugin`);
  }
  return problems;
}
