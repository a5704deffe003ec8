import { join } from "node:path";

/**
 * Where the lab keeps its state: persistent data (a node's "disk") under STATE_DIR, runtime data (a node's
 * tmpfs: sockets, pid files, container state) under RUN_DIR. Both lie outside the checkout and are removed
 * by `down`. SCS_KAAS_LAB_STATE / SCS_KAAS_LAB_RUN override them (tests).
 */
export const STATE_DIR = process.env.SCS_KAAS_LAB_STATE || "/var/lib/scs-kaas-lab";
export const RUN_DIR = process.env.SCS_KAAS_LAB_RUN || "/run/scs-kaas-lab";

/** Every name the lab gives to a kernel object starts with one of these, so `down` finds leftovers by name. */
export const NETNS_PREFIX = "scslab-";
export const BRIDGE = "scslab0";
/** Root-namespace end of a node's veth pair (Linux limits names to 15 characters). */
export const VETH_PREFIX = "sl-";
export const CGROUP_ROOT = "scs-kaas-lab";
export const NFT_TABLE = "scslab";

export const labFile = () => join(STATE_DIR, "lab.json");
export const pkiDir = () => join(STATE_DIR, "pki");
export const kubeconfigDir = () => join(STATE_DIR, "kubeconfig");
export const adminKubeconfig = () => join(kubeconfigDir(), "admin.conf");
export const logDir = () => join(STATE_DIR, "logs");
export const sharedStorageDir = () => join(STATE_DIR, "shared-storage");

/** A node's persistent disk. */
export const nodeStateDir = (node: string) => join(STATE_DIR, "nodes", node);
/** A node's tmpfs: cleared when the node is killed and restored, as a reboot clears /run. */
export const nodeRunDir = (node: string) => join(RUN_DIR, "nodes", node);
export const pidDir = (owner: string) => join(RUN_DIR, "pids", owner);
export const netnsName = (owner: string) => `${NETNS_PREFIX}${owner}`;
export const netnsPath = (owner: string) => `/run/netns/${netnsName(owner)}`;
export const containerdSocket = (node: string) => join(nodeRunDir(node), "containerd.sock");
