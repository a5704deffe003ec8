/** Where a path sits in Sonobuoy's results layout (docs: shared/docs/sonobuoy.md, "The results tarball"). */
export type LayoutRole =
  | { kind: "definition"; plugin: string }
  | { kind: "cached-results"; plugin: string }
  | { kind: "result"; plugin: string; node: string; rel: string }
  | { kind: "plugin-error"; plugin: string }
  | { kind: "plugin-other"; plugin: string }
  | { kind: "server-version" }
  | { kind: "nodes" }
  | { kind: "sonobuoy-config" }
  | { kind: "other" };

const TOP = /^(plugins|meta|resources|podlogs|hosts|serverversion\.json|servergroups\.json)(\/|$)/;

/** Accepts a tarball made from an extracted results folder, with one extra leading folder. */
export function stripWrapperFolder(path: string): string {
  if (TOP.test(path)) return path;
  const i = path.indexOf("/");
  return i > 0 && TOP.test(path.slice(i + 1)) ? path.slice(i + 1) : path;
}

export function layoutRole(path: string): LayoutRole {
  const p = stripWrapperFolder(path);
  if (p === "serverversion.json") return { kind: "server-version" };
  if (p === "resources/cluster/Nodes.json" || p === "resources/cluster/core_v1_nodes.json")
    return { kind: "nodes" };
  if (p === "meta/config.json") return { kind: "sonobuoy-config" };
  const m = /^plugins\/([^/]+)\/(.+)$/.exec(p);
  if (!m) return { kind: "other" };
  const plugin = m[1] as string;
  const rest = m[2] as string;
  if (rest === "definition.json" || rest === "defintion.json") return { kind: "definition", plugin };
  if (rest === "sonobuoy_results.yaml") return { kind: "cached-results", plugin };
  const r = /^results\/(.+)$/.exec(rest);
  if (r) {
    const rel = r[1] as string;
    const slash = rel.indexOf("/");
    return { kind: "result", plugin, node: slash > 0 ? rel.slice(0, slash) : "", rel };
  }
  if (rest.startsWith("errors/")) return { kind: "plugin-error", plugin };
  return { kind: "plugin-other", plugin };
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
