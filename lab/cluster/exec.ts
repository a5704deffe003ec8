import { spawn } from "node:child_process";

export type ExecResult = { code: number; stdout: string; stderr: string };

/** Runs a program (no shell), collects its output; never throws for a non-zero exit. */
export function exec(file: string, args: readonly string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr?.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
  });
}

/** Runs a program and throws with its stderr when it fails; returns stdout. */
export async function run(file: string, args: readonly string[], input?: string): Promise<string> {
  const result = await exec(file, args, input);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** `ip` inside a network namespace (`ip -n` enters only the network namespace). */
export const ipIn = (netns: string, args: readonly string[]) => run("ip", ["-n", netns, ...args]);

/** A program inside a node's network namespace, in the machine's mount namespace. */
export const runIn = (netnsPath: string, file: string, args: readonly string[], input?: string) =>
  run("nsenter", [`--net=${netnsPath}`, "--", file, ...args], input);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An error that ends a `waitFor` at once instead of being retried. */
export class Fatal extends Error {}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof Fatal) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${last}` : ""}`,
      );
    }
    await sleep(intervalMs);
  }
}
