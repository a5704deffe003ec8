import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "./exec.ts";
import { CGROUP_ROOT } from "./paths.ts";

/**
 * Cgroups of the lab. This machine has a cgroup v1 hierarchy (cgroup2 only at /sys/fs/cgroup/unified), and
 * its memory hierarchy already holds the sandbox's own cgroups, so it cannot be converted to a pure v2
 * hierarchy without disturbing everything else running here; kubelet runs with failCgroupV1: false instead.
 *
 * Layout, in every mounted hierarchy: /scs-kaas-lab/<node>/ is the node's cgroupRoot (kubelet puts pods
 * under it), /scs-kaas-lab/<node>/system holds the node's daemons (containerd and its shims, kubelet,
 * kube-proxy, addons). So "every process of a node" is exactly the cgroup subtree /scs-kaas-lab/<node>.
 */

type Hierarchy = { mount: string; v2: boolean; cpuset: boolean };

export function hierarchies(mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fstype = right.split(" ")[0];
    const mount = left.split(" ")[4];
    if (!mount || (fstype !== "cgroup" && fstype !== "cgroup2")) continue;
    const options = right.split(" ")[2] ?? "";
    out.push({
      mount,
      v2: fstype === "cgroup2",
      cpuset: fstype === "cgroup" && options.split(",").includes("cpuset"),
    });
  }
  return out;
}

/** Creates a cgroup path in one hierarchy; cpuset v1 cgroups need cpus/mems before they accept tasks. */
function ensure(h: Hierarchy, relative: string): string {
  let dir = h.mount;
  for (const part of relative.split("/").filter(Boolean)) {
    const parent = dir;
    dir = join(dir, part);
    if (!existsSync(dir)) mkdirSync(dir);
    if (h.cpuset) {
      for (const file of ["cpuset.cpus", "cpuset.mems"]) {
        if (readFileSync(join(dir, file), "utf8").trim() === "") {
          writeFileSync(join(dir, file), readFileSync(join(parent, file), "utf8"));
        }
      }
    }
  }
  return dir;
}

export const nodeCgroup = (node: string) => `/${CGROUP_ROOT}/${node}`;
export const systemCgroup = (node: string) => `/${CGROUP_ROOT}/${node}/system`;

/** Pre-creates the node's cgroupRoot and daemon cgroup in every hierarchy; returns the cgroup.procs files. */
export function createNodeCgroups(node: string): string[] {
  const procs: string[] = [];
  for (const h of hierarchies()) {
    ensure(h, nodeCgroup(node));
    procs.push(join(ensure(h, systemCgroup(node)), "cgroup.procs"));
  }
  return procs;
}

function subtree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const dirs = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.push(...subtree(join(dir, entry.name)));
  }
  return dirs;
}

function pidsIn(dir: string): number[] {
  const pids: number[] = [];
  for (const d of subtree(dir)) {
    const file = join(d, "cgroup.procs");
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim()) pids.push(Number(line));
  }
  return pids;
}

/** Every process in a cgroup subtree, as seen from the freezer (or any v1) hierarchy. */
export function processesOf(relative: string): number[] {
  const hs = hierarchies();
  const h = hs.find((x) => x.mount.endsWith("/freezer")) ?? hs.find((x) => !x.v2) ?? hs[0];
  return h ? pidsIn(join(h.mount, relative)) : [];
}

/**
 * Kills every process of a cgroup subtree at the same instant: freeze, SIGKILL all, thaw (a frozen task
 * cannot fork or react, so nothing escapes and no daemon sees its siblings die first).
 */
export async function killCgroup(relative: string): Promise<number> {
  const hs = hierarchies();
  const freezer = hs.find((h) => h.mount.endsWith("/freezer"));
  let killed = 0;
  if (freezer && existsSync(join(freezer.mount, relative))) {
    const dir = join(freezer.mount, relative);
    writeFileSync(join(dir, "freezer.state"), "FROZEN");
    for (let i = 0; i < 100 && readFileSync(join(dir, "freezer.state"), "utf8").trim() !== "FROZEN"; i++) {
      await sleep(20);
    }
    for (const pid of pidsIn(dir)) {
      try {
        process.kill(pid, "SIGKILL");
        killed++;
      } catch {}
    }
    writeFileSync(join(dir, "freezer.state"), "THAWED");
  }
  const v2 = hs.find((h) => h.v2);
  if (v2 && existsSync(join(v2.mount, relative, "cgroup.kill")))
    writeFileSync(join(v2.mount, relative, "cgroup.kill"), "1");
  for (let i = 0; i < 100 && processesOf(relative).length > 0; i++) await sleep(50);
  return killed;
}

/** Removes a cgroup subtree from every hierarchy (deepest first); its processes must be gone. */
export async function removeCgroups(relative: string): Promise<void> {
  for (const h of hierarchies()) {
    for (const dir of subtree(join(h.mount, relative)).reverse()) {
      for (let attempt = 0; ; attempt++) {
        try {
          rmdirSync(dir);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
          if (attempt > 40) throw new Error(`cannot remove cgroup ${dir}: ${error}`);
          await sleep(100);
        }
      }
    }
  }
}

/** Lab cgroups still present, for the leftover check. */
export function leftoverCgroups(): string[] {
  return hierarchies()
    .map((h) => join(h.mount, CGROUP_ROOT))
    .filter((dir) => existsSync(dir));
}
