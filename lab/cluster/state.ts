import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomicSync } from "../../runner/atomic-write.ts";
import type { ArtifactSet } from "../build/components.ts";
import { labFile } from "./paths.ts";
import type { LabNode } from "./topology.ts";

/** What `up` made, so that the other verbs know the lab without re-deriving it. */
export type LabRecord = {
  scenario: string;
  kubernetesVersion: string;
  /** The artifact set `up` imported (the scenario's); absent in records written before it existed: `all`. */
  artifacts?: ArtifactSet;
  nodes: LabNode[];
  /** Names of nodes that `node kill` stopped and `node restore` has not brought back. */
  killed: string[];
  startedAt: string;
  /** The node-action webhook (lab/cluster/addons/node-actions.ts); absent in records written before it existed. */
  nodeActions?: { url: string; tokenFile: string; secret: string };
};

export function readLab(): LabRecord | undefined {
  if (!existsSync(labFile())) return undefined;
  return JSON.parse(readFileSync(labFile(), "utf8")) as LabRecord;
}

export function requireLab(): LabRecord {
  const lab = readLab();
  if (!lab) throw new Error("no lab is up (run `npm run lab -- up`)");
  return lab;
}

/** Replaces the record whole (readers never see half a file); `up` only, which owns the lab it creates. */
export function writeLab(lab: LabRecord): void {
  mkdirSync(dirname(labFile()), { recursive: true });
  withStateLock(() => writeFileAtomicSync(labFile(), `${JSON.stringify(lab, null, 2)}\n`));
}

/**
 * Read-modify-write of the record under the state lock: the CLI and the node-action daemon change it at
 * the same time (a kill by one must not be lost to a restore by the other), so every change re-reads the
 * current record instead of writing back one read minutes earlier.
 */
export function updateLab(change: (lab: LabRecord) => void): LabRecord {
  return withStateLock(() => {
    const lab = requireLab();
    change(lab);
    writeFileAtomicSync(labFile(), `${JSON.stringify(lab, null, 2)}\n`);
    return lab;
  });
}

const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 20;
const lockFile = () => `${labFile()}.lock`;

/**
 * A lock file created exclusively (O_EXCL) holding the owner's pid; one left by a dead process is taken
 * over. Synchronous on purpose: the critical sections are a read, a change and a rename, which never wait
 * for anything else (so a lock library's asynchronous acquire buys nothing here).
 */
export function withStateLock<T>(critical: () => T): T {
  const path = lockFile();
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      try {
        return critical();
      } finally {
        rmSync(path, { force: true });
      }
    }
    const holder = lockHolder(path);
    if (holder !== undefined && !processAlive(holder)) {
      rmSync(path, { force: true }); // left by a process that died inside the critical section
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(
        `lab state is locked by process ${holder ?? "?"} (${path}) for over ${LOCK_WAIT_MS / 1000} s`,
      );
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCK_POLL_MS);
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // just released, or still being written: try again
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
