// The npm registry reachable from the development machines and CI serves only the Linux builds of biome's
// per-platform packages, so npm leaves the others out of package-lock.json, and `npm ci` then rejects the
// lockfile as out of sync. This adds the missing optional platform entries (name, version, os, cpu,
// libc: what npm needs to skip them on a non-matching machine, never downloaded there).
// Run after changing the biome version: `scripts/node22 node scripts/complete-lockfile.ts`.
import { readFileSync, writeFileSync } from "node:fs";

type LockEntry = { version?: string; optionalDependencies?: Record<string, string>; [key: string]: unknown };
const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8")) as { packages: Record<string, LockEntry> };

const PLATFORM = /^@biomejs\/cli-(android|darwin|linux|win32)-(arm64|x64)(-musl)?$/;
const biome = lock.packages["node_modules/@biomejs/biome"];
let added = 0;
for (const [name, version] of Object.entries(biome?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = PLATFORM.exec(name);
  if (lock.packages[key] || !platform) continue;
  const [, os, cpu, musl] = platform;
  lock.packages[key] = {
    version,
    cpu: [cpu],
    dev: true,
    ...(musl ? { libc: ["musl"] } : os === "linux" ? { libc: ["glibc"] } : {}),
    license: "MIT OR Apache-2.0",
    optional: true,
    os: [os],
  };
  added++;
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(lockPath, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
