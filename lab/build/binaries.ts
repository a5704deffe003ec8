import { existsSync } from "node:fs";
import { join } from "node:path";
import { KUBERNETES_VERSION } from "../versions.ts";
import { goComponents } from "./components.ts";
import { goComponentDir } from "./go-component.ts";

export type VersionOptions = { kubernetesVersion?: string };

/** Every binary name the lab builds, with the path it lands at, for one Kubernetes version. */
export function binaryPaths(opts: VersionOptions = {}): Map<string, string> {
  const paths = new Map<string, string>();
  for (const spec of goComponents(opts.kubernetesVersion ?? KUBERNETES_VERSION)) {
    const dir = goComponentDir(spec);
    for (const binary of spec.binaries) paths.set(binary.name, join(dir, "bin", binary.name));
  }
  return paths;
}

/**
 * Absolute path of a built binary: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
 * kube-proxy, kubectl, e2e.test, ginkgo, agnhost, go-runner, etcd, etcdctl, containerd,
 * containerd-shim-runc-v2, ctr, coredns, metallb-controller, metallb-speaker, local-path-provisioner,
 * sonobuoy. Throws when the name is unknown or the binary has not been built.
 */
export function binaryPath(name: string, opts: VersionOptions = {}): string {
  const paths = binaryPaths(opts);
  const path = paths.get(name);
  if (!path) throw new Error(`unknown lab binary "${name}"; known: ${[...paths.keys()].join(", ")}`);
  if (!existsSync(path))
    throw new Error(`lab binary ${name} is not built (${path} missing): run \`npm run lab -- build\` first`);
  return path;
}

/** Absolute path of a file a component keeps from its upstream module (e.g. metallb-native.yaml). */
export function componentFilePath(name: string, opts: VersionOptions = {}): string {
  for (const spec of goComponents(opts.kubernetesVersion ?? KUBERNETES_VERSION)) {
    if (!spec.moduleFiles || !(name in spec.moduleFiles.files)) continue;
    const path = join(goComponentDir(spec), "files", name);
    if (!existsSync(path))
      throw new Error(`lab file ${name} is not built (${path} missing): run \`npm run lab -- build\` first`);
    return path;
  }
  throw new Error(`no lab component keeps a file named "${name}"`);
}
