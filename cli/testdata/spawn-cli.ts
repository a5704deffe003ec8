// bin/scs-kaas.js in a child process, as a person runs it (tests only): its output collected, its exit
// awaited; the child is handed out so that a test can signal it while it runs.
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";

const BIN = join(resolve(import.meta.dirname, "../.."), "bin/scs-kaas.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI with exactly `env` (nothing inherited unless given). */
export function spawnCli(
  args: readonly string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv },
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: opts.env,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const done = new Promise<CliRun>((resolveRun) =>
    child.on("exit", (code) => resolveRun({ code, stdout, stderr })),
  );
  return { child, done };
}
