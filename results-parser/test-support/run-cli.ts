import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = `${ROOT}cli/main.ts`;
const HARNESS = fileURLToPath(new URL("./report-cli.ts", import.meta.url));

/** Runs `scs-kaas report ...` as a child process (the real cli/main.ts when it exists), with a time limit. */
export function runReportCli(
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string; signal: string | null }> {
  const entry = existsSync(MAIN) ? MAIN : HARNESS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, "report", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, signal });
    });
  });
}
