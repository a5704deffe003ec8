import { spawn } from "node:child_process";
import { CheckAborted } from "../errors.ts";
import type { NodeActionDriver, NodeActionRequest } from "./driver.ts";

/** The last lines of output an error message or the log quotes. */
const TAIL_LINES = 5;

/**
 * The `command` driver (laptop mode): runs the command line with `sh -c`, with ACTION, NODE, PROVIDER_ID and
 * RUN_ID in its environment, and waits for it. Exit 0: done (its last stdout line is the account); anything
 * else aborts the check with the exit status and the end of stderr. On abort (timeout, SIGTERM) the whole
 * process group gets SIGTERM, then SIGKILL after 5 s.
 */
export function commandDriver(command: string): NodeActionDriver {
  return {
    description: `command ${command}`,
    act(request: NodeActionRequest, signal: AbortSignal): Promise<string> {
      const what = `node action command ${JSON.stringify(command)}: ${request.action} ${request.node}`;
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const child = spawn("/bin/sh", ["-c", command], {
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
          env: {
            ...process.env,
            ACTION: request.action,
            NODE: request.node,
            PROVIDER_ID: request.providerID,
            RUN_ID: request.runId,
          },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (b: Buffer) => {
          stdout = keepTail(stdout + b.toString("utf8"));
        });
        child.stderr.on("data", (b: Buffer) => {
          stderr = keepTail(stderr + b.toString("utf8"));
        });
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          signalGroup(child.pid, "SIGTERM");
          killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 5000);
          killTimer.unref();
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        child.on("error", (err) => {
          signal.removeEventListener("abort", onAbort);
          reject(new CheckAborted(`${what}: could not start /bin/sh: ${err.message}`));
        });
        child.on("close", (code, sig) => {
          signal.removeEventListener("abort", onAbort);
          clearTimeout(killTimer);
          if (signal.aborted) return;
          if (code === 0) return resolve(lastLine(stdout));
          const status = sig ? `was killed by ${sig}` : `exited with ${code}`;
          const said = lastLines(stderr) || lastLines(stdout);
          reject(new CheckAborted(`${what}: ${status}${said ? `: ${said}` : ""}`));
        });
      });
    },
  };
}

function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {}
}

const keepTail = (text: string) => (text.length > 16_384 ? text.slice(-16_384) : text);
const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
const lastLine = (text: string) => lines(text).at(-1) ?? "";
const lastLines = (text: string) => lines(text).slice(-TAIL_LINES).join(" | ");
