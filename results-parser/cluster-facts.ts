/** What the tarball tells about the cluster the results came from. */
export interface ClusterFacts {
  version?: string;
  /** MAJOR.MINOR from serverversion.json (gitVersion, else its major/minor fields). */
  minor?: string;
  platform?: string;
  nodes: NodeFacts[];
  /** Sonobuoy version that produced the tarball (meta/config.json), when present. */
  sonobuoyVersion?: string;
}

export interface NodeFacts {
  name: string;
  roles: string[];
  zone?: string;
  region?: string;
  kubeletVersion?: string;
  osImage?: string;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

export function applyServerVersion(facts: ClusterFacts, doc: unknown): void {
  if (!isObj(doc)) return;
  if (typeof doc.gitVersion === "string") facts.version = doc.gitVersion;
  const fromGit = typeof doc.gitVersion === "string" ? /^v?(\d+)\.(\d+)\./.exec(doc.gitVersion) : null;
  const major = fromGit?.[1] ?? (typeof doc.major === "string" ? doc.major.replace(/\D+$/, "") : "");
  const minor = fromGit?.[2] ?? (typeof doc.minor === "string" ? doc.minor.replace(/\D+$/, "") : "");
  if (/^\d+$/.test(major) && /^\d+$/.test(minor)) facts.minor = `${major}.${minor}`;
  if (typeof doc.platform === "string") facts.platform = doc.platform;
}

export function applyNodeList(facts: ClusterFacts, doc: unknown): void {
  const items = Array.isArray(doc) ? doc : isObj(doc) && Array.isArray(doc.items) ? doc.items : [];
  facts.nodes = [];
  for (const n of items) {
    if (!isObj(n) || !isObj(n.metadata)) continue;
    const labels = isObj(n.metadata.labels) ? (n.metadata.labels as Record<string, unknown>) : {};
    const label = (k: string) => (typeof labels[k] === "string" ? (labels[k] as string) : undefined);
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith("node-role.kubernetes.io/"))
      .map((k) => k.slice("node-role.kubernetes.io/".length))
      .sort();
    const info = isObj(n.status) && isObj(n.status.nodeInfo) ? n.status.nodeInfo : {};
    const node: NodeFacts = { name: String(n.metadata.name ?? ""), roles };
    const zone = label("topology.kubernetes.io/zone") ?? label("failure-domain.beta.kubernetes.io/zone");
    const region =
      label("topology.kubernetes.io/region") ?? label("failure-domain.beta.kubernetes.io/region");
    if (zone) node.zone = zone;
    if (region) node.region = region;
    if (typeof info.kubeletVersion === "string") node.kubeletVersion = info.kubeletVersion;
    if (typeof info.osImage === "string") node.osImage = info.osImage;
    facts.nodes.push(node);
  }
}

export function applySonobuoyConfig(facts: ClusterFacts, doc: unknown): void {
  if (isObj(doc) && typeof doc.Version === "string") facts.sonobuoyVersion = doc.Version;
}
