import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  type ArtifactOptions,
  binaryPath,
  type ImageArtifact,
  images,
  selectImages,
  type VersionOptions,
} from "../build/artifacts.ts";
import { imageSpecs, imageTarball } from "../build/images.ts";
import { suiteImage } from "../build/suite-image.ts";
import { KUBERNETES_VERSION } from "../versions.ts";

/**
 * The build layer's binaries and images, with one development escape hatch: SCS_KAAS_LAB_DEV_BIN names a
 * directory of locally built binaries that take precedence, and in that mode images that are not built yet
 * are skipped instead of failing. Never set in CI.
 */
const devDir = () => process.env.SCS_KAAS_LAB_DEV_BIN;

export function bin(name: string, opts: VersionOptions = {}): string {
  const dir = devDir();
  if (dir && existsSync(join(dir, name))) return join(dir, name);
  return binaryPath(name, opts);
}

export function labImages(opts: ArtifactOptions = {}): ImageArtifact[] {
  if (!devDir()) return images(opts);
  const version = opts.kubernetesVersion ?? KUBERNETES_VERSION;
  const suite = suiteImage();
  return [
    ...selectImages(imageSpecs(version), version, opts.include ?? "all").map((spec) => ({
      ref: spec.refs[0] ?? spec.name,
      refs: [...spec.refs],
      tarball: anyBuild(imageTarball(spec)),
    })),
    { ...suite, tarball: anyBuild(suite.tarball) },
  ].filter((i) => existsSync(i.tarball));
}

/** The main reference of the lab image whose name matches, e.g. /\/busybox:/. */
export function labImageRef(match: RegExp, opts: ArtifactOptions = {}): string {
  const image = labImages(opts).find((i) => match.test(i.ref));
  if (!image) throw new Error(`the build layer provides no image matching ${match}`);
  return image.ref;
}

/** Development only: an image built under an older cache key still serves. */
function anyBuild(tarball: string): string {
  if (existsSync(tarball)) return tarball;
  const dir = dirname(dirname(tarball));
  const stem = basename(dirname(tarball)).replace(/-[0-9a-f]{10}$/, "-");
  const other = readdirSync(dir).find(
    (d) => d.startsWith(stem) && existsSync(join(dir, d, basename(tarball))),
  );
  return other ? join(dir, other, basename(tarball)) : tarball;
}

export const devMode = () => !!devDir();
