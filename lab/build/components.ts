import { CONTAINERD, COREDNS, ETCD, ETCD_SIBLINGS, LOCAL_PATH_PROVISIONER, SONOBUOY } from "../versions.ts";
import { downloadModule, readGoMod } from "./go.ts";
import type { GoComponentSpec } from "./go-component.ts";
import { type Requirement, upstreamWrapper } from "./gomod.ts";
import { kubernetesSpec, kubernetesTestSpec } from "./kubernetes.ts";

async function wrapperFor(
  name: string,
  module: string,
  version: string,
  siblings: readonly string[] = [],
  raised: readonly Requirement[] = [],
) {
  const goMod = readGoMod(await downloadModule(module, version));
  return upstreamWrapper(name, { path: module, version }, goMod, [
    ...siblings.map((path) => ({ path, version })),
    ...raised,
  ]);
}

export const etcdSpec: GoComponentSpec = {
  component: "etcd",
  version: ETCD.version,
  binaries: [
    { name: "etcd", pkg: ETCD.module },
    { name: "etcdctl", pkg: "go.etcd.io/etcd/etcdctl/v3" },
  ],
  wrapper: () => wrapperFor("etcd", ETCD.module, ETCD.version, ETCD_SIBLINGS),
};

const containerdLdflags = [
  `-X ${CONTAINERD.module}/version.Version=${CONTAINERD.version}`,
  `-X ${CONTAINERD.module}/version.Package=${CONTAINERD.module}`,
];
// btrfs and devmapper snapshotters need cgo; the lab uses overlayfs.
const containerdTags = ["no_btrfs", "no_devmapper", "no_zfs"];

export const containerdSpec: GoComponentSpec = {
  component: "containerd",
  version: CONTAINERD.version,
  binaries: ["containerd", "containerd-shim-runc-v2", "ctr"].map((name) => ({
    name,
    pkg: `${CONTAINERD.module}/cmd/${name}`,
    ldflags: containerdLdflags,
    tags: containerdTags,
  })),
  wrapper: () => wrapperFor("containerd", CONTAINERD.module, CONTAINERD.version),
};

export const corednsSpec: GoComponentSpec = {
  component: "coredns",
  version: COREDNS.version,
  binaries: [{ name: "coredns", pkg: COREDNS.module }],
  wrapper: () => wrapperFor("coredns", COREDNS.module, COREDNS.version),
};

export const localPathProvisionerSpec: GoComponentSpec = {
  component: "local-path-provisioner",
  version: LOCAL_PATH_PROVISIONER.version,
  binaries: [
    {
      name: "local-path-provisioner",
      pkg: LOCAL_PATH_PROVISIONER.module,
      ldflags: [`-X main.VERSION=${LOCAL_PATH_PROVISIONER.version}`],
    },
  ],
  wrapper: () =>
    wrapperFor("local-path-provisioner", LOCAL_PATH_PROVISIONER.module, LOCAL_PATH_PROVISIONER.version),
};

export const sonobuoySpec: GoComponentSpec = {
  component: "sonobuoy",
  version: SONOBUOY.version,
  binaries: [
    {
      name: "sonobuoy",
      pkg: SONOBUOY.module,
      ldflags: [`-X ${SONOBUOY.module}/pkg/buildinfo.Version=${SONOBUOY.version}`],
    },
  ],
  wrapper: () => wrapperFor("sonobuoy", SONOBUOY.module, SONOBUOY.version),
};

/**
 * Which artifacts of a Kubernetes version to build and use: `all`, or `cluster` (everything but Kubernetes'
 * test binaries — e2e.test, ginkgo, agnhost, go-runner — and the images made from them, such as agnhost and
 * conformance), for a version that is only booted and checked, never tested with upstream e2e.
 */
export type ArtifactSet = "all" | "cluster";

/**
 * Every Go component of the set, in build order: what a cluster needs to start first (Kubernetes servers,
 * etcd, containerd), then the test binaries (e2e.test is the longest build), then the add-ons.
 */
export function goComponents(kubernetesVersion: string, include: ArtifactSet = "all"): GoComponentSpec[] {
  return [
    kubernetesSpec(kubernetesVersion),
    etcdSpec,
    containerdSpec,
    ...(include === "all" ? [kubernetesTestSpec(kubernetesVersion)] : []),
    corednsSpec,
    localPathProvisionerSpec,
    sonobuoySpec,
  ];
}
