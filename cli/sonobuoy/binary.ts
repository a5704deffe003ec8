import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Sonobuoy versions `scs-kaas sonobuoy` was run with end to end (the lab builds this one). */
export const TESTED_SONOBUOY_VERSIONS = ["v0.57.5"] as const;

export class SonobuoyMissing extends Error {
  override readonly name = "SonobuoyMissing";
}

/** `--sonobuoy PATH`, else the first `sonobuoy` on PATH; a clear error when there is none. */
export function findSonobuoy(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const tested = TESTED_SONOBUOY_VERSIONS.join(", ");
  if (explicit) {
    if (!isExecutable(explicit))
      throw new SonobuoyMissing(
        `--sonobuoy ${explicit}: no executable file there (tested with Sonobuoy ${tested})`,
      );
    return explicit;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "sonobuoy");
    if (isExecutable(candidate)) return candidate;
  }
  throw new SonobuoyMissing(
    `no \`sonobuoy\` on PATH: install Sonobuoy (https://github.com/vmware-tanzu/sonobuoy/releases; tested with ${tested}) or pass --sonobuoy PATH`,
  );
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Sonobuoy's output is small (status JSON, a generated plugin); anything near this is a fault. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/** Runs sonobuoy with these arguments (no shell), collects its output; never throws for a non-zero exit. */
export async function execSonobuoy(
  bin: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<ExecResult> {
  try {
    const { stdout, stderr } = await execFileAsync(bin, [...args], {
      encoding: "utf8",
      maxBuffer: MAX_OUTPUT,
      ...(signal ? { signal } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code === "number") return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    throw err;
  }
}

/** Like execSonobuoy, but a non-zero exit throws with what sonobuoy said. */
export async function sonobuoyOk(
  bin: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<string> {
  const r = await execSonobuoy(bin, args, signal);
  if (r.code !== 0)
    throw new Error(
      `sonobuoy ${args.slice(0, 3).join(" ")} failed (exit ${r.code}): ${lastLines(r.stderr || r.stdout)}`,
    );
  return r.stdout;
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

/** `sonobuoy version --short`; a note when it is not a tested version. */
export async function sonobuoyVersion(bin: string): Promise<{ version: string; note?: string }> {
  const version = (await sonobuoyOk(bin, ["version", "--short"])).trim();
  const tested = (TESTED_SONOBUOY_VERSIONS as readonly string[]).includes(version);
  return tested
    ? { version }
    : {
        version,
        note: `Sonobuoy ${version} is untested here (tested with ${TESTED_SONOBUOY_VERSIONS.join(", ")})`,
      };
}
