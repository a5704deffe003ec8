// The build layer's API for the rest of the lab: where every binary and image of a built lab is, and one
// call that builds whatever is missing.
import { existsSync } from "node:fs";
import { KUBERNETES_VERSION } from "../versions.ts";
import { ensureAptPackages } from "./apt.ts";
import type { VersionOptions } from "./binaries.ts";
import { labCacheDir } from "./cache.ts";
import { goComponents } from "./components.ts";
import { ensureDebianDownloads } from "./debian-downloads.ts";
import { buildGoComponent, goComponentDir } from "./go-component.ts";
import { buildImage, imageSpecs, imageTarball } from "./images.ts";

export { binaryPath, binaryPaths, type VersionOptions } from "./binaries.ts";
export { labCacheDir };

const BUILD_HINT = "run `npm run lab -- build` first";

/** `ref`: the image's main name; `refs`: every name the one tarball imports (e.g. two agnhost tags). */
export type ImageArtifact = { ref: string; refs: string[]; tarball: string };

/**
 * Every image tarball to import into each node (`ctr -n k8s.io images import <tarball>`), one entry per
 * tarball. Throws when one is not built.
 */
export function images(opts: VersionOptions = {}): ImageArtifact[] {
  return imageSpecs(opts.kubernetesVersion ?? KUBERNETES_VERSION).map((spec) => {
    const tarball = imageTarball(spec);
    const ref = spec.refs[0] ?? spec.name;
    if (!existsSync(tarball))
      throw new Error(`lab image ${ref} is not built (${tarball} missing): ${BUILD_HINT}`);
    return { ref, refs: [...spec.refs], tarball };
  });
}

export type BuildOptions = VersionOptions & { log: (line: string) => void };

/**
 * Builds every missing binary and image, in dependency order; idempotent. With a warm cache it only checks
 * that directories exist: it installs nothing and never runs `go`.
 */
export async function buildAll(opts: BuildOptions): Promise<void> {
  const version = opts.kubernetesVersion ?? KUBERNETES_VERSION;
  const started = Date.now();
  const missingComponents = () => goComponents(version).filter((s) => !existsSync(goComponentDir(s)));
  const missingImages = () => imageSpecs(version).filter((s) => !existsSync(imageTarball(s)));
  if (missingComponents().length === 0 && missingImages().length === 0) {
    opts.log(`lab build: everything for Kubernetes ${version} is cached in ${labCacheDir()}`);
    return;
  }
  await ensureAptPackages(opts.log);
  await ensureDebianDownloads(opts.log);
  for (const spec of missingComponents()) {
    const record = await buildGoComponent(spec, opts.log);
    if (record) opts.log(`lab build: ${spec.component} ${spec.version}: ${JSON.stringify(record.seconds)}`);
  }
  // Image keys include Debian package versions, so they are computed after the installs above.
  for (const spec of missingImages()) await buildImage(spec, opts.log);
  opts.log(`lab build: done in ${Math.round((Date.now() - started) / 1000)} s`);
}
