import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { killCgroup, leftoverCgroups, processesOf, removeCgroups } from "./cgroups.ts";
import { exec, sleep } from "./exec.ts";
import { BRIDGE, CGROUP_ROOT, NETNS_PREFIX, NFT_TABLE, RUN_DIR, STATE_DIR, VETH_PREFIX } from "./paths.ts";

/**
 * Finds and removes everything a lab (this one or a crashed earlier one) left on the machine. Every finder
 * works from the kernel's view, not from the lab's own records, so a lab whose state files are gone is still
 * cleaned.
 */

const underLab = (path: string) =>
  [STATE_DIR, RUN_DIR].some((dir) => path === dir || path.startsWith(`${dir}/`)) ||
  path.startsWith(`/run/netns/${NETNS_PREFIX}`);

/** Mount points the lab made (containerd rootfs and netns mounts, kubelet volumes, node namespaces). */
export function labMounts(mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  return mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\040/g, " "))
    .filter(underLab);
}

export function labNetns(): string[] {
  if (!existsSync("/run/netns")) return [];
  return readdirSync("/run/netns").filter((n) => n.startsWith(NETNS_PREFIX));
}

export async function labLinks(): Promise<string[]> {
  const out = (await exec("ip", ["-o", "link", "show"])).stdout;
  return out
    .split("\n")
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1])
    .filter(
      (name): name is string =>
        !!name && (name === BRIDGE || name.startsWith(VETH_PREFIX) || name.startsWith("slc-")),
    );
}

/** Root-namespace firewall state the lab could have made: its own table, or kube-proxy chains. */
export async function labFirewall(): Promise<string[]> {
  const out = (await exec("nft", ["list", "ruleset"])).stdout;
  const found: string[] = [];
  if (out.includes(`table inet ${NFT_TABLE}`)) found.push(`nft table inet ${NFT_TABLE}`);
  for (const marker of ["KUBE-", "scslab_netpol"])
    if (out.includes(marker)) found.push(`root-namespace rules with ${marker}`);
  return [...new Set(found)];
}

function netnsInodes(): Set<number> {
  const inodes = new Set<number>();
  for (const ns of labNetns()) {
    try {
      inodes.add(statSync(`/run/netns/${ns}`).ino);
    } catch {}
  }
  return inodes;
}

/** Processes in the lab's cgroups, in its network namespaces, or running from its state directories. */
export function labProcesses(): number[] {
  const pids = new Set(processesOf(`/${CGROUP_ROOT}`));
  const inodes = netnsInodes();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const ns = readlinkSync(`/proc/${entry}/ns/net`);
      const inode = Number(/\[(\d+)\]/.exec(ns)?.[1]);
      if (inodes.has(inode)) pids.add(Number(entry));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(`${STATE_DIR}/`) || cmdline.includes(`${RUN_DIR}/`)) pids.add(Number(entry));
    } catch {}
  }
  pids.delete(process.pid);
  return [...pids];
}

/**
 * containerd 2 puts shim sockets under /run/containerd/s whatever its state dir (the socket name hashes the
 * daemon's address, so nodes do not collide); runc and ctr use /run/containerd too. The lab owns that
 * directory when no containerd outside the lab runs.
 */
const CONTAINERD_RUN = "/run/containerd";

function foreignContainerd(): boolean {
  const lab = new Set(labProcesses());
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || lab.has(Number(entry))) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "containerd") return true;
    } catch {}
  }
  return false;
}

export async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of labProcesses()) found.push(`process ${pid}`);
  for (const m of labMounts()) found.push(`mount ${m}`);
  for (const ns of labNetns()) found.push(`netns ${ns}`);
  for (const link of await labLinks()) found.push(`link ${link}`);
  found.push(...(await labFirewall()));
  for (const cg of leftoverCgroups()) found.push(`cgroup ${cg}`);
  for (const dir of [STATE_DIR, RUN_DIR]) if (existsSync(dir)) found.push(`directory ${dir}`);
  if (existsSync(CONTAINERD_RUN) && !foreignContainerd()) found.push(`directory ${CONTAINERD_RUN}`);
  return found;
}

/** Unmounts everything under `prefix`-matching paths, deepest first (lazily if busy). */
export async function unmountAll(filter: (mount: string) => boolean = () => true): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const mounts = labMounts()
      .filter(filter)
      .sort((a, b) => b.length - a.length);
    if (mounts.length === 0) return;
    for (const m of mounts) {
      if ((await exec("umount", [m])).code !== 0) await exec("umount", ["-l", m]);
    }
  }
}

export async function killLabProcesses(): Promise<void> {
  await killCgroup(`/${CGROUP_ROOT}`);
  for (let round = 0; round < 20; round++) {
    const pids = labProcesses();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await sleep(100);
  }
}

/** Tears down every trace of the lab; safe to run any number of times. */
export async function removeEverything(log: (line: string) => void = () => undefined): Promise<void> {
  await killLabProcesses();
  log("lab down: processes stopped");
  await unmountAll();
  for (const ns of labNetns()) await exec("ip", ["netns", "delete", ns]);
  for (const link of await labLinks()) await exec("ip", ["link", "delete", link]);
  await exec("nft", ["delete", "table", "inet", NFT_TABLE]);
  await unmountAll();
  await removeCgroups(`/${CGROUP_ROOT}`);
  // A directory with a mount left inside must never be deleted recursively: a pod's hostPath volume could be
  // the machine's own filesystem.
  const stuck = labMounts();
  if (stuck.length > 0) throw new Error(`lab down: mounts still present, state kept: ${stuck.join(", ")}`);
  for (const dir of [RUN_DIR, STATE_DIR]) rmSync(dir, { recursive: true, force: true });
  if (!foreignContainerd()) rmSync(CONTAINERD_RUN, { recursive: true, force: true });
  log("lab down: mounts, namespaces, links, firewall, cgroups and state removed");
}
