#!/usr/bin/env node
// The `scs-kaas` command. Plain JavaScript so that any node can start it: the CLI itself is TypeScript
// run natively by Node >= 22.18, so an older node re-executes this file through scripts/node22, which
// installs the pinned Node 22 from the npm registry on first use.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import module from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
const tooOld = major < 22 || (major === 22 && minor < 18);

if (tooOld && !process.env.SCS_KAAS_REEXEC) {
  const self = fileURLToPath(import.meta.url);
  const node22 = fileURLToPath(new URL("../scripts/node22", import.meta.url));
  const child = spawn(node22, ["node", self, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, SCS_KAAS_REEXEC: "1" },
  });
  // Ctrl-C reaches the whole process group; a SIGTERM sent to this process alone is passed on.
  for (const sig of ["SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 2 : 0)));
} else if (tooOld) {
  process.stderr.write(`scs-kaas: needs Node >= 22.18, this is ${process.version}\n`);
  process.exit(2);
} else {
  enableCompileCache();
  await import("../cli/main.ts");
}

/**
 * Caches V8's compiled code of the CLI's modules between runs (outside the repository:
 * $NODE_COMPILE_CACHE, else ~/.cache/scs-kaas/node-compile-cache). Start-up only; a cache that cannot be
 * written is no error, the CLI just compiles as usual.
 */
function enableCompileCache() {
  if (process.env.NODE_COMPILE_CACHE || typeof module.enableCompileCache !== "function") return;
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : tmpdir());
  const dir = join(base, "scs-kaas", "node-compile-cache");
  try {
    if (makeDirectory(dir, dirname(base))) module.enableCompileCache(dir);
  } catch {
    // unwritable cache directory: run without it
  }
}

/**
 * mkdir -p below `root` (which must exist: no home directory is made up), one level at a time: Node 22's
 * recursive mkdir (also inside enableCompileCache) never returns where mkdir answers ENOENT under an
 * existing parent, as in /proc.
 */
function makeDirectory(dir, root) {
  const missing = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    if (d === root || dirname(d) === d) return false;
    missing.push(d);
  }
  for (const d of missing.reverse()) mkdirSync(d);
  return statSync(dir).isDirectory();
}
