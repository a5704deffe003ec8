// OCI image archives written directly (no Docker, no registry): one uncompressed tar layer per file list,
// a config, a manifest, and an index whose annotations give containerd the image's full name.
import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from "node:fs";
import { posix } from "node:path";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

export type LayerEntry =
  | { kind: "file"; path: string; mode?: number; uid?: number; gid?: number; source: string }
  | { kind: "file"; path: string; mode?: number; uid?: number; gid?: number; content: string | Buffer }
  | { kind: "dir"; path: string; mode?: number; uid?: number; gid?: number }
  | { kind: "symlink"; path: string; target: string };

export type ImageConfig = {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts?: string[];
  labels?: Record<string, string>;
};

export const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
/** containerd's annotation for the full image name; the OCI ref.name annotation holds only the tag. */
export const CONTAINERD_NAME_ANNOTATION = "io.containerd.image.name";
export const OCI_REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

const EPOCH = new Date(0);
const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function normalize(path: string): string {
  const clean = posix.normalize(`/${path}`).replace(/^\/+/, "");
  if (clean === "" || path.split("/").includes("..")) throw new Error(`bad path in image layer: ${path}`);
  return clean;
}

/**
 * Orders entries for a tar layer: each parent directory before its children (created with mode 0755 when
 * not listed), later entries for the same path replacing earlier ones. Deterministic: same input, same bytes.
 */
export function layoutEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const entry of entries) {
    const path = normalize(entry.path);
    let parent = posix.dirname(path);
    while (parent !== ".") {
      if (!byPath.has(parent)) byPath.set(parent, { kind: "dir", path: parent, mode: 0o755 });
      parent = posix.dirname(parent);
    }
    byPath.set(path, { ...entry, path });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An uncompressed tar of the entries, as one image layer. */
export async function layerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of layoutEntries(entries)) {
    const owner =
      entry.kind === "symlink" ? { uid: 0, gid: 0 } : { uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
    const common = { mtime: EPOCH, ...owner };
    if (entry.kind === "dir") {
      pack.entry({ ...common, name: `${entry.path}/`, type: "directory", mode: entry.mode ?? 0o755 });
    } else if (entry.kind === "symlink") {
      pack.entry({ ...common, name: entry.path, type: "symlink", linkname: entry.target, mode: 0o777 });
    } else {
      const data = "source" in entry ? readFileSync(entry.source) : Buffer.from(entry.content);
      pack.entry({ ...common, name: entry.path, type: "file", mode: entry.mode ?? 0o644 }, data);
    }
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export type Descriptor = {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
};

function blob(mediaType: string, data: Buffer): { descriptor: Descriptor; data: Buffer } {
  const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  return { descriptor: { mediaType, digest, size: data.length }, data };
}

/** The tag part of a fully qualified reference: `registry.k8s.io/pause:3.10.2` → `3.10.2`. */
export function tagOf(ref: string): string {
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", lastSlash + 1);
  if (colon < 0) throw new Error(`image reference without a tag: ${ref}`);
  return ref.slice(colon + 1);
}

/** Rejects references that containerd would not resolve exactly as the manifests name them. */
export function assertQualifiedRef(ref: string): void {
  const tag = tagOf(ref);
  if (tag === "latest") throw new Error(`image reference must not use :latest: ${ref}`);
  const firstPart = ref.split("/")[0] ?? "";
  if (!ref.includes("/")) throw new Error(`image reference must name a registry or repository path: ${ref}`);
  if (!/^[a-z0-9]/.test(firstPart)) throw new Error(`bad image reference: ${ref}`);
}

/** `refs`: every name the image is imported under (same manifest), e.g. two tags of one build. */
export type OciImage = { refs: readonly string[]; layers: readonly Buffer[]; config: ImageConfig };

/** Writes an OCI image layout as a tar archive at `out` (via a temp file renamed on completion). */
export async function writeOciArchive(out: string, image: OciImage): Promise<void> {
  if (image.refs.length === 0) throw new Error("an image needs at least one reference");
  for (const ref of image.refs) assertQualifiedRef(ref);
  const layers = image.layers.map((data) => blob(LAYER_MEDIA_TYPE, data));
  const c = image.config;
  const config = {
    created: EPOCH.toISOString(),
    architecture: "amd64",
    os: "linux",
    config: {
      Env: c.env ?? [DEFAULT_PATH],
      ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
      ...(c.cmd ? { Cmd: c.cmd } : {}),
      ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
      ...(c.user ? { User: c.user } : {}),
      ...(c.exposedPorts ? { ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) } : {}),
      ...(c.labels ? { Labels: c.labels } : {}),
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.descriptor.digest) },
  };
  const configBlob = blob(CONFIG_MEDIA_TYPE, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: configBlob.descriptor,
    layers: layers.map((l) => l.descriptor),
  };
  const manifestBlob = blob(MANIFEST_MEDIA_TYPE, Buffer.from(JSON.stringify(manifest)));
  await writeArchive(out, namedIndex(manifestBlob.descriptor, image.refs), async (add) => {
    const seen = new Set<string>();
    for (const b of [...layers, configBlob, manifestBlob]) {
      if (seen.has(b.descriptor.digest)) continue;
      seen.add(b.descriptor.digest);
      await add(`blobs/sha256/${b.descriptor.digest.slice("sha256:".length)}`, b.data);
    }
  });
}

type AddBlob = (name: string, data: Buffer | { path: string; size: number }) => Promise<void>;

/**
 * An OCI image layout as one tar, written via a temp file: oci-layout, the blobs `addBlobs` adds (bytes,
 * or a file streamed by path), then index.json. Fixed mtimes, so equal inputs give equal archives.
 */
async function writeArchive(
  out: string,
  index: Record<string, unknown>,
  addBlobs: (add: AddBlob) => Promise<void>,
): Promise<void> {
  const pack = tar.pack();
  const tmp = `${out}.tmp-${process.pid}`;
  const written = pipeline(pack, createWriteStream(tmp));
  const add: AddBlob = async (name, data) => {
    if (Buffer.isBuffer(data)) {
      pack.entry({ name, mtime: EPOCH, mode: 0o644 }, data);
      return;
    }
    const entry = pack.entry({ name, size: data.size, mtime: EPOCH, mode: 0o644 });
    await pipeline(createReadStream(data.path), entry);
  };
  await add("oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
  pack.entry({ name: "blobs/", type: "directory", mtime: EPOCH, mode: 0o755 });
  pack.entry({ name: "blobs/sha256/", type: "directory", mtime: EPOCH, mode: 0o755 });
  await addBlobs(add);
  await add("index.json", Buffer.from(JSON.stringify(index)));
  pack.finalize();
  await written;
  renameSync(tmp, out);
}

/** Reads an archive back into its files (name → bytes); for tests and checks, not for huge images. */
export async function readTar(
  source: string | Buffer,
): Promise<Map<string, { data: Buffer; header: tar.Header }>> {
  const extract = tar.extract();
  const files = new Map<string, { data: Buffer; header: tar.Header }>();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.set(entry.header.name, { data: Buffer.concat(chunks), header: entry.header });
    }
  })();
  if (typeof source === "string") await pipeline(createReadStream(source), extract);
  else extract.end(source);
  await done;
  return files;
}

/**
 * The index of an image archive naming one manifest under every reference (same manifest, one entry per
 * name), as `writeOciArchive` writes it: containerd takes the full name from its own annotation, and would
 * otherwise import an OCI ref.name such as `scs-kaas:0.1.0` literally, unnormalized, under a name no Pod
 * spec resolves to.
 */
export function namedIndex(manifest: Descriptor, refs: readonly string[]): Record<string, unknown> {
  if (refs.length === 0) throw new Error("an image needs at least one reference");
  for (const ref of refs) assertQualifiedRef(ref);
  const { mediaType, digest, size } = manifest;
  return {
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: refs.map((ref) => ({
      mediaType,
      digest,
      size,
      platform: manifest.platform ?? { architecture: "amd64", os: "linux" },
      annotations: { [CONTAINERD_NAME_ANNOTATION]: ref, [OCI_REF_NAME_ANNOTATION]: tagOf(ref) },
    })),
  };
}

/**
 * Archives an OCI image layout directory holding one image (as `buildah push oci:<dir>` writes it) with its
 * index replaced by `namedIndex(refs)`. Blobs are streamed, not held in memory; written via a temp file.
 */
export async function archiveOciLayout(
  layoutDir: string,
  out: string,
  refs: readonly string[],
): Promise<void> {
  const original = JSON.parse(readFileSync(posix.join(layoutDir, "index.json"), "utf8")) as {
    manifests?: Descriptor[];
  };
  const manifests = original.manifests ?? [];
  const [manifest] = manifests;
  if (manifests.length !== 1 || !manifest || manifest.mediaType !== MANIFEST_MEDIA_TYPE)
    throw new Error(`${layoutDir}: expected one OCI image manifest in index.json, found ${manifests.length}`);
  const index = namedIndex(manifest, refs);
  const blobDir = posix.join(layoutDir, "blobs", "sha256");
  await writeArchive(out, index, async (add) => {
    for (const name of readdirSync(blobDir).sort()) {
      const path = posix.join(blobDir, name);
      await add(`blobs/sha256/${name}`, { path, size: statSync(path).size });
    }
  });
}
