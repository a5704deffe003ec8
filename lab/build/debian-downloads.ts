// Debian packages used only as image content: downloaded and unpacked into the cache, never installed
// (installing nginx would start a web server on the host). `<cache>/debs/<pkg>.version` records which
// version is unpacked, so image cache keys are known without asking apt.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEBIAN_DOWNLOADS } from "../versions.ts";
import { buildAtomically, cacheKey, componentDir, labCacheDir } from "./cache.ts";
import { capture, run } from "./run.ts";

const pointer = (pkg: string) => join(labCacheDir(), "debs", `${pkg}.version`);
const unpackedDir = (pkg: string, version: string) => componentDir("debs", cacheKey(`${pkg}_${version}`));

/** The unpacked version of a downloaded package, or "not-downloaded". */
export function downloadedVersion(pkg: string): string {
  return existsSync(pointer(pkg)) ? readFileSync(pointer(pkg), "utf8").trim() : "not-downloaded";
}

/** Root of the unpacked files of a downloaded package. */
export function downloadedPackageRoot(pkg: string): string {
  const root = join(unpackedDir(pkg, downloadedVersion(pkg)), "root");
  if (!existsSync(root))
    throw new Error(`Debian package ${pkg} is not downloaded: run \`npm run lab -- build\``);
  return root;
}

/** Downloads and unpacks each package of DEBIAN_DOWNLOADS that is not in the cache yet. */
export async function ensureDebianDownloads(
  log: (line: string) => void,
  packages = DEBIAN_DOWNLOADS,
): Promise<void> {
  for (const pkg of packages) {
    if (downloadedVersion(pkg) !== "not-downloaded") continue;
    const policy = await capture("apt-cache", ["policy", pkg]);
    const version = /Candidate:\s*(\S+)/.exec(policy)?.[1];
    if (!version || version === "(none)")
      throw new Error(`apt has no candidate for ${pkg}: run apt-get update`);
    await buildAtomically(unpackedDir(pkg, version), async (tmp) => {
      await run("apt-get", ["download", `${pkg}=${version}`], { cwd: tmp, log });
      const deb = readdirSync(tmp).find((f) => f.endsWith(".deb"));
      if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
      await run("dpkg-deb", ["-x", join(tmp, deb), join(tmp, "root")], { log });
    });
    writeFileSync(pointer(pkg), `${version}\n`);
    log(`debian: ${pkg} ${version} unpacked for images`);
  }
}
