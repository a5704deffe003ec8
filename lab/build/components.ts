import {
  CONTAINERD,
  COREDNS,
  ETCD,
  ETCD_SIBLINGS,
  LOCAL_PATH_PROVISIONER,
  METALLB,
  SONOBUOY,
} from "../versions.ts";
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

/**
 * MetalLB v0.13.5's golang.org/x/net reaches into syscall through go:linkname, which Go 1.23+ refuses to
 * link ("invalid reference to syscall.recvmsg"); a current x/net (the one Kubernetes 1.36 uses) does not.
 */
const METALLB_RAISED: readonly Requirement[] = [{ path: "golang.org/x/net", version: "v0.56.0" }];

const metallbLdflags = [`-X ${METALLB.module}/internal/version.version=${METALLB.version.replace(/^v/, "")}`];

export const metallbSpec: GoComponentSpec = {
  component: "metallb",
  version: METALLB.version,
  binaries: [
    { name: "metallb-controller", pkg: `${METALLB.module}/controller`, ldflags: metallbLdflags },
    { name: "metallb-speaker", pkg: `${METALLB.module}/speaker`, ldflags: metallbLdflags },
  ],
  wrapperSettings: { raised: METALLB_RAISED },
  wrapper: () => wrapperFor("metallb", METALLB.module, METALLB.version, [], METALLB_RAISED),
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
 * Every Go component, in build order: what a cluster needs to start first (Kubernetes servers, etcd,
 * containerd), then the test binaries (e2e.test is the longest build), then the add-ons.
 */
export function goComponents(kubernetesVersion: string): GoComponentSpec[] {
  return [
    kubernetesSpec(kubernetesVersion),
    etcdSpec,
    containerdSpec,
    kubernetesTestSpec(kubernetesVersion),
    corednsSpec,
    metallbSpec,
    localPathProvisionerSpec,
    sonobuoySpec,
  ];
}
