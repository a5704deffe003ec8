// The build layer's API for the rest of the lab: where every binary and image of a built lab is, and one
// call that builds whatever is missing.
import { existsSync } from "node:fs";
import { KUBERNETES_VERSION } from "../versions.ts";
import { ensureAptPackages } from "./apt.ts";
import type { VersionOptions } from "./binaries.ts";
import { labCacheDir } from "./cache.ts";
import { type ArtifactSet, goComponents } from "./components.ts";
import { ensureDebianDownloads } from "./debian-downloads.ts";
import { buildGoComponent, goComponentDir } from "./go-component.ts";
import { buildImage, type ImageSpec, imageSpecs, imageTarball } from "./images.ts";
import { buildSuiteImage, suiteImage } from "./suite-image.ts";

export { binaryPath, binaryPaths, type VersionOptions } from "./binaries.ts";
export type { ArtifactSet } from "./components.ts";
export { labCacheDir };

/** A Kubernetes version and which of its artifacts (default `all`; `cluster`: no test binaries). */
export type ArtifactOptions = VersionOptions & { include?: ArtifactSet };

/**
 * The images of an artifact set: those none of whose inputs is a binary of a component left out of it
 * (an image's inputs name every binary it contains, since they decide its cache key).
 */
export function selectImages(
  specs: readonly ImageSpec[],
  kubernetesVersion: string,
  include: ArtifactSet,
): ImageSpec[] {
  const kept = new Set(goComponents(kubernetesVersion, include).map(goComponentDir));
  const left = goComponents(kubernetesVersion, "all")
    .map(goComponentDir)
    .filter((dir) => !kept.has(dir));
  const usesLeftOut = (value: unknown) =>
    typeof value === "string" && left.some((dir) => value.startsWith(`${dir}/`));
  return specs.filter((spec) => !Object.values(spec.inputs).some(usesLeftOut));
}

function selectedImageSpecs(opts: ArtifactOptions): ImageSpec[] {
  const version = opts.kubernetesVersion ?? KUBERNETES_VERSION;
  return selectImages(imageSpecs(version), version, opts.include ?? "all");
}

const BUILD_HINT = "run `npm run lab -- build` first";

/** `ref`: the image's main name; `refs`: every name the one tarball imports (e.g. two agnhost tags). */
export type ImageArtifact = { ref: string; refs: string[]; tarball: string };

/**
 * Every image tarball of the set to import into each node (`ctr -n k8s.io images import <tarball>`), one
 * entry per tarball: the lab's images, then the suite's own (sonobuoy.yaml's spec.image, built from the
 * Dockerfile; in every set, it does not depend on the Kubernetes version). Throws when one is not built.
 */
export function images(opts: ArtifactOptions = {}): ImageArtifact[] {
  const artifacts: ImageArtifact[] = selectedImageSpecs(opts).map((spec) => ({
    ref: spec.refs[0] ?? spec.name,
    refs: [...spec.refs],
    tarball: imageTarball(spec),
  }));
  artifacts.push(suiteImage());
  for (const { ref, tarball } of artifacts)
    if (!existsSync(tarball))
      throw new Error(`lab image ${ref} is not built (${tarball} missing): ${BUILD_HINT}`);
  return artifacts;
}

export type BuildOptions = ArtifactOptions & { log: (line: string) => void };

/**
 * Builds every missing binary and image of the set (default `all`), in dependency order; idempotent. With
 * a warm cache it only checks that directories exist: it installs nothing and never runs `go`.
 */
export async function buildAll(opts: BuildOptions): Promise<void> {
  const version = opts.kubernetesVersion ?? KUBERNETES_VERSION;
  const include = opts.include ?? "all";
  const started = Date.now();
  const missingComponents = () =>
    goComponents(version, include).filter((s) => !existsSync(goComponentDir(s)));
  const missingImages = () => selectedImageSpecs(opts).filter((s) => !existsSync(imageTarball(s)));
  const suiteMissing = () => !existsSync(suiteImage().tarball);
  if (missingComponents().length === 0 && missingImages().length === 0 && !suiteMissing()) {
    const set = include === "all" ? "" : ` (${include} artifacts)`;
    opts.log(`lab build: everything for Kubernetes ${version}${set} is cached in ${labCacheDir()}`);
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
  // Last: it needs the network (npm ci in the Dockerfile) and its key includes buildah's version.
  await buildSuiteImage(opts.log);
  opts.log(`lab build: done in ${Math.round((Date.now() - started) / 1000)} s`);
}
