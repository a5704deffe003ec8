import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ArtifactOptions } from "../build/artifacts.ts";
import { bin, labImageRef, labImages } from "./artifacts.ts";
import { exec, run, waitFor } from "./exec.ts";
import { containerdSocket, nodeRunDir, nodeStateDir } from "./paths.ts";
import { startDaemon } from "./processes.ts";
import type { LabNode } from "./topology.ts";

const CNI_BIN = "/usr/lib/cni";
const RUNC = "/usr/sbin/runc";

export const cniConfDir = (node: string) => join(nodeStateDir(node), "cni", "net.d");

/**
 * containerd 2 (config version 3) for one node: its own root, state, socket and CNI config; network
 * namespaces of pods mounted under its state dir (not /run/netns, which holds the nodes themselves); NRI off
 * (its socket path is machine-wide).
 */
export function containerdConfig(node: string, sandboxImage: string): string {
  const root = join(nodeStateDir(node), "containerd");
  const state = join(nodeRunDir(node), "containerd");
  return `version = 3
root = "${root}"
state = "${state}"
temp = "${join(nodeStateDir(node), "containerd-tmp")}"

[grpc]
  address = "${containerdSocket(node)}"

[ttrpc]
  address = "${containerdSocket(node)}.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "${join(nodeStateDir(node), "opt")}"
  [plugins."io.containerd.nri.v1.nri"]
    disable = true
  [plugins."io.containerd.grpc.v1.cri"]
    disable_tcp_service = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
  [plugins."io.containerd.cri.v1.images"]
    snapshotter = "overlayfs"
    [plugins."io.containerd.cri.v1.images".pinned_images]
      sandbox = "${sandboxImage}"
  [plugins."io.containerd.cri.v1.runtime"]
    netns_mounts_under_state_dir = true
    enable_selinux = false
    disable_apparmor = true
    # The sandbox lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below containerd's own.
    restrict_oom_score_adj = true
    [plugins."io.containerd.cri.v1.runtime".containerd]
      default_runtime_name = "runc"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
          BinaryName = "${RUNC}"
          Root = "${join(nodeRunDir(node), "runc")}"
          SystemdCgroup = false
    [plugins."io.containerd.cri.v1.runtime".cni]
      bin_dirs = ["${CNI_BIN}"]
      conf_dir = "${cniConfDir(node)}"
      max_conf_num = 1
`;
}

/**
 * Pod network of a node: ptp veths (routed, no bridge, so every packet crosses the node's iptables without
 * br_netfilter), host-local IPAM from the node's /24 with its state on the node's tmpfs, portmap for
 * hostPort. No masquerade: pod addresses are routed between nodes.
 */
export function cniConfig(node: LabNode): string {
  return `${JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: "scs-lab",
      plugins: [
        {
          type: "ptp",
          ipMasq: false,
          mtu: 1500,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: node.podCIDR }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: join(nodeRunDir(node.name), "cni-ipam"),
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

const ctr = (node: string, args: readonly string[]) =>
  run(bin("ctr"), ["--address", containerdSocket(node), "--namespace", "k8s.io", ...args]);

export const sandboxImage = (kubernetesVersion: string) =>
  labImageRef(/\/pause:/, { kubernetesVersion, include: "cluster" });

export async function startContainerd(node: LabNode, kubernetesVersion: string): Promise<void> {
  const file = join(nodeStateDir(node.name), "containerd.toml");
  mkdirSync(cniConfDir(node.name), { recursive: true });
  mkdirSync(nodeRunDir(node.name), { recursive: true });
  writeFileSync(file, containerdConfig(node.name, sandboxImage(kubernetesVersion)));
  writeFileSync(join(cniConfDir(node.name), "10-scs-lab.conflist"), cniConfig(node));
  const containerd = bin("containerd");
  startDaemon({
    owner: node.name,
    name: "containerd",
    command: containerd,
    args: ["--config", file, "--log-level", "warn"],
    netns: node.name,
    // The shim is found next to containerd; runc and iptables from Debian.
    env: { PATH: `${dirname(containerd)}:/usr/sbin:/usr/bin:/sbin:/bin` },
  });
  await waitFor(`containerd on ${node.name}`, 60_000, async () =>
    (await exec(bin("ctr"), ["--address", containerdSocket(node.name), "version"])).code === 0
      ? true
      : undefined,
  );
}

/**
 * Imports every image of the lab's artifact set and pins it (kubelet's image GC never removes a pinned
 * image; a removed image could not be pulled back: there is no registry).
 */
export async function importImages(node: string, artifacts: ArtifactOptions): Promise<void> {
  for (const image of labImages(artifacts)) {
    await ctr(node, ["images", "import", "--snapshotter", "overlayfs", image.tarball]);
  }
  const refs = (await ctr(node, ["images", "ls", "-q"]))
    .split("\n")
    .filter((r) => r && !r.startsWith("sha256:"));
  for (const ref of refs) await ctr(node, ["images", "label", ref, "io.cri-containerd.pinned=pinned"]);
}
