import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export type RunOptions = {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Lower the CPU priority (the machine's two cores are shared). */
  nice?: boolean;
};

/** Runs a command, streams its output line by line to `log`, rejects with the tail of it on failure. */
export function run(command: string, args: readonly string[], opts: RunOptions): Promise<void> {
  const [file, argv] = opts.nice ? ["nice", ["-n", "10", command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: "pipe" });
    const tail: string[] = [];
    const onData = (buffer: Buffer, pending: { text: string }) => {
      pending.text += buffer.toString("utf8");
      const lines = pending.text.split("\n");
      pending.text = lines.pop() ?? "";
      for (const line of lines) {
        opts.log(line);
        tail.push(line);
        if (tail.length > 30) tail.shift();
      }
    };
    const out = { text: "" };
    const err = { text: "" };
    child.stdout.on("data", (b: Buffer) => onData(b, out));
    child.stderr.on("data", (b: Buffer) => onData(b, err));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const rest of [out.text, err.text]) if (rest) opts.log(rest);
      if (code === 0) resolve();
      else
        reject(
          new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`),
        );
    });
  });
}

/** Runs a command and returns its stdout; for short queries such as `go env GOMODCACHE`. */
export async function capture(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  try {
    return (await execFileAsync(command, [...args], { env: env ?? process.env, encoding: "utf8" })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}
