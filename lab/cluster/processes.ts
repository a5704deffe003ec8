import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createNodeCgroups } from "./cgroups.ts";
import { Fatal, sleep } from "./exec.ts";
import { logDir, netnsPath, pidDir } from "./paths.ts";

export type DaemonSpec = {
  /** A node name, or "infra" for the lab's own helpers (router, proxies). */
  owner: string;
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  /** Network namespace owner; the process joins only its network namespace (not a mount namespace). */
  netns?: string;
  /**
   * Start again 2 s after it exits, as systemd or kubelet's static pods would (clients of the API server
   * exit when it is not ready yet). Servers whose failure is a configuration error are not restarted.
   */
  restart?: boolean;
};

/**
 * Starts a long-running process detached from the CLI: it first joins the owner's daemon cgroup in every
 * hierarchy (so `node kill` and `down` find it and every child it forks, such as containerd's shims), then
 * enters the owner's network namespace and execs the program. Output goes to <logs>/<owner>/<name>.log.
 */
export function startDaemon(spec: DaemonSpec): number {
  const procs = createNodeCgroups(spec.owner);
  mkdirSync(join(logDir(), spec.owner), { recursive: true });
  mkdirSync(pidDir(spec.owner), { recursive: true });
  const log = openSync(join(logDir(), spec.owner, `${spec.name}.log`), "a");
  const argv = spec.netns
    ? ["nsenter", `--net=${netnsPath(spec.netns)}`, "--", spec.command, ...spec.args]
    : [spec.command, ...spec.args];
  const enter = 'for f in $LAB_CGROUP_PROCS; do echo $$ > "$f"; done; ';
  const script = spec.restart
    ? `${enter}while :; do "$@"; echo "lab: exited with $?, restarting in 2 s" >&2; sleep 2; done`
    : `${enter}exec "$@"`;
  const child = spawn("sh", ["-c", script, "sh", ...argv], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, ...spec.env, LAB_CGROUP_PROCS: procs.join(" ") },
  });
  closeSync(log);
  if (!child.pid) throw new Error(`could not start ${spec.owner}/${spec.name}`);
  child.unref();
  writeFileSync(join(pidDir(spec.owner), `${spec.name}.pid`), `${child.pid}\n`);
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export function daemonPid(owner: string, name: string): number | undefined {
  const file = join(pidDir(owner), `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Daemons with a pid file for an owner, and whether each is alive. */
export function daemons(owner: string): { name: string; pid: number; alive: boolean }[] {
  const dir = pidDir(owner);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => {
      const name = f.slice(0, -4);
      const pid = daemonPid(owner, name) ?? -1;
      return { name, pid, alive: pid > 0 && isAlive(pid) };
    });
}

/** Stops one daemon: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopDaemon(owner: string, name: string, graceMs = 5000): Promise<void> {
  const pid = daemonPid(owner, name);
  if (pid && isAlive(pid)) {
    // The daemon leads its own process group (a restart loop and its child, or the program itself).
    try {
      process.kill(-pid, "SIGTERM");
    } catch {}
    for (let waited = 0; waited < graceMs && isAlive(pid); waited += 100) await sleep(100);
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }
  rmSync(join(pidDir(owner), `${name}.pid`), { force: true });
}

export function forgetDaemons(owner: string): void {
  rmSync(pidDir(owner), { recursive: true, force: true });
}

/** The last lines of a daemon's log, for error messages. */
export function logTail(owner: string, name: string, lines = 5): string {
  const file = join(logDir(), owner, `${name}.log`);
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Throws, with the end of its log, when a daemon that was started has exited. */
export function assertAlive(owner: string, name: string): void {
  const pid = daemonPid(owner, name);
  if (pid && !isAlive(pid)) throw new Fatal(`${owner}/${name} exited:\n${logTail(owner, name)}`);
}
