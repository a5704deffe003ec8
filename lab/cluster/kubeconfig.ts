import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { kubeconfigDir } from "./paths.ts";
import { certFile, keyFile } from "./pki.ts";
import { API_ENDPOINT } from "./topology.ts";

/** A kubeconfig that points at files of the lab PKI (pure; tested). */
export function kubeconfigYaml(
  user: string,
  cert: string,
  key: string,
  ca: string,
  server = API_ENDPOINT,
): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "scs-kaas-lab", cluster: { server, "certificate-authority": ca } }],
    users: [{ name: user, user: { "client-certificate": cert, "client-key": key } }],
    contexts: [{ name: "scs-kaas-lab", context: { cluster: "scs-kaas-lab", user } }],
    "current-context": "scs-kaas-lab",
  });
}

/** Writes <kubeconfig dir>/<file>.conf for the PKI identity `name`; returns its path. */
export function writeKubeconfig(name: string, server = API_ENDPOINT, fileStem = name): string {
  mkdirSync(kubeconfigDir(), { recursive: true, mode: 0o700 });
  const file = join(kubeconfigDir(), `${fileStem}.conf`);
  writeFileSync(file, kubeconfigYaml(name, certFile(name), keyFile(name), certFile("ca"), server), {
    mode: 0o600,
  });
  return file;
}
