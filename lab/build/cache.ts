import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Root of every lab build output: `${SCS_KAAS_CACHE:-$HOME/.cache/scs-kaas}/lab`. Outside the checkout. */
export function labCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SCS_KAAS_CACHE || join(env.HOME || homedir(), ".cache", "scs-kaas");
  return join(root, "lab");
}

/**
 * The cache key of one component: its version plus every build setting that changes the output, so that a
 * changed setting never reuses a stale build. The readable version leads; a short hash covers the rest.
 */
export function cacheKey(version: string, settings: Record<string, unknown> = {}): string {
  const canonical = canonicalJson(settings);
  const digest = createHash("sha256").update(canonical).digest("hex").slice(0, 10);
  return `${version.replace(/[^A-Za-z0-9._-]/g, "_")}-${digest}`;
}

/** JSON with object keys sorted at every depth, so equal settings always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Directory of one built component: `<labCacheDir>/<component>/<key>`. */
export function componentDir(component: string, key: string, cacheDir = labCacheDir()): string {
  return join(cacheDir, component, key);
}

/**
 * Builds into `<dir>.tmp-<pid>` and renames it to `dir` only when `build` completes, so a crashed or
 * interrupted build never leaves a half-filled directory that a later run would take as done.
 * Returns false (and does nothing) when `dir` already exists.
 */
export async function buildAtomically(
  dir: string,
  build: (tmpDir: string) => Promise<void>,
): Promise<boolean> {
  if (existsSync(dir)) return false;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return true;
}
