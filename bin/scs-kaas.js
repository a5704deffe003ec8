#!/usr/bin/env node
// The `scs-kaas` command. Plain JavaScript so that any node can start it: the CLI itself is TypeScript
// run natively by Node >= 22.18, so an older node re-executes this file through scripts/node22, which
// installs the pinned Node 22 from the npm registry on first use.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
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
  const cache = cacheDirectory();
  if (cache) {
    enableCompileCache(cache);
    cacheStrippedTypeScript(cache);
  }
  await import("../cli/main.ts");
}

/**
 * The start-up caches' folder, outside the repository: $XDG_CACHE_HOME/scs-kaas, else
 * ~/.cache/scs-kaas; none when it cannot be made (the CLI then runs without caches).
 */
function cacheDirectory() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), ".cache") : tmpdir());
  return subdirectory(dirname(base), join(base, "scs-kaas"));
}

/** `dir` below the existing `root`, made when missing; undefined when it cannot be made. */
function subdirectory(root, dir) {
  try {
    return makeDirectory(dir, root) ? dir : undefined;
  } catch {
    return undefined; // unwritable
  }
}

/**
 * Caches V8's compiled code of the CLI's modules between runs (in `cache`/node-compile-cache, or
 * $NODE_COMPILE_CACHE). Start-up only; a cache that cannot be written is no error.
 */
function enableCompileCache(cache) {
  if (process.env.NODE_COMPILE_CACHE || typeof module.enableCompileCache !== "function") return;
  const dir = subdirectory(cache, join(cache, "node-compile-cache"));
  try {
    if (dir) module.enableCompileCache(dir);
  } catch {
    // unwritable cache directory: run without it
  }
}

/**
 * Node 22 strips the types of every .ts module on every start (its compile cache does not cover that),
 * and loading its stripper alone costs ~40 ms: stripping was a third of a `report` of a small tarball.
 * This keeps the stripped JavaScript in `cache`/stripped-ts/<node version>, keyed by a hash of the
 * module's URL and source, so a module is stripped again only when it changed. The output is what Node
 * itself would run (module.stripTypeScriptTypes, with the same sourceURL), and the compile cache then
 * applies to it. Old entries are not pruned (the whole CLI is ~200 KB). Workers are not covered (hooks
 * are per thread). Without module.registerHooks (Node < 22.15) nothing is cached.
 */
function cacheStrippedTypeScript(cache) {
  if (typeof module.registerHooks !== "function" || typeof module.stripTypeScriptTypes !== "function") return;
  const dir = subdirectory(cache, join(cache, "stripped-ts", process.version));
  if (!dir) return;
  let writable = true;
  module.registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (loaded.format !== "module-typescript" || url.includes("/node_modules/")) return loaded;
      const source = String(loaded.source);
      const file = join(
        dir,
        `${createHash("sha256").update(url).update("\0").update(source).digest("hex")}.js`,
      );
      try {
        return { format: "module", source: readFileSync(file, "utf8"), shortCircuit: true };
      } catch {
        // not cached yet
      }
      const code = quietly(() => module.stripTypeScriptTypes(source, { mode: "strip", sourceUrl: url }));
      if (writable) {
        try {
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, code);
          renameSync(tmp, file); // atomic: a concurrent run reads the whole file or none
        } catch {
          writable = false;
        }
      }
      return { format: "module", source: code, shortCircuit: true };
    },
  });
}

/** Runs `fn` without the one-time "stripTypeScriptTypes is experimental" warning (Node strips silently). */
function quietly(fn) {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (!String(warning).startsWith("stripTypeScriptTypes")) emitWarning.call(process, warning, ...rest);
  };
  try {
    return fn();
  } finally {
    process.emitWarning = emitWarning;
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
