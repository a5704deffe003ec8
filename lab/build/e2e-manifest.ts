// Reads the image tags that e2e.test expects from Kubernetes' test/utils/image/manifest.go.

/** `configs[Agnhost] = Config{list.PromoterE2eRegistry, "agnhost", "2.66.1"}` → Agnhost → 2.66.1. */
export function e2eImageTagsFromManifest(manifestGo: string): Map<string, { name: string; tag: string }> {
  const result = new Map<string, { name: string; tag: string }>();
  for (const m of manifestGo.matchAll(
    /configs\[(\w+)\]\s*=\s*Config\{\s*list\.\w+,\s*"([^"]+)",\s*"([^"]+)"\s*\}/g,
  ))
    if (m[1] && m[2] && m[3]) result.set(m[1], { name: m[2], tag: m[3] });
  return result;
}

/** `v1.36.5` → `1.36`. */
export function kubernetesMinor(version: string): string {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) throw new Error(`not a Kubernetes version: ${version}`);
  return `${match[1]}.${match[2]}`;
}
