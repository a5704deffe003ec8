import { createReadStream } from "node:fs";
import { lstat, open, opendir, readlink, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { InputError, oneLine } from "./input-error.ts";
import { LIMITS } from "./limits.ts";
import { linkStaysInside, safeEntryPath } from "./safe-path.ts";

/** One regular file of a results tarball or directory; `path` is relative, `/`-separated, safe. */
export interface ArchiveEntry {
  path: string;
  size: number;
  /** Consume fully or not at all; the source drains what is left. */
  body: AsyncIterable<Buffer>;
}

export type EntryHandler = (entry: ArchiveEntry) => Promise<void>;
export type InputKind = "tarball" | "directory";

/** Calls `handler` for every regular file of a tarball (.tar.gz or plain .tar) or extracted directory. */
export async function forEachEntry(input: string, handler: EntryHandler): Promise<InputKind> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(input);
  } catch (e) {
    throw new InputError(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
  if (st.isDirectory()) {
    await walkDirectory(input, handler);
    return "directory";
  }
  if (!st.isFile()) throw new InputError(`${input} is neither a file nor a directory`);
  await walkTarball(input, await sniffCompression(input), handler);
  return "tarball";
}

async function sniffCompression(file: string): Promise<"gzip" | "tar"> {
  const fh = await open(file, "r");
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
    if (bytesRead === 512 && head.toString("latin1", 257, 262) === "ustar") return "tar";
    if (bytesRead === 0) throw new InputError(`${file} is empty`);
    throw new InputError(`${file} is not a tarball (neither gzip-compressed nor a tar archive)`);
  } finally {
    await fh.close();
  }
}

async function walkTarball(file: string, compression: "gzip" | "tar", handler: EntryHandler): Promise<void> {
  const extract = tar.extract();
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
    extract.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  source.on("error", fail);
  if (compression === "gzip") {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    gunzip.on("error", (e) =>
      fail(new InputError(`${file}: gzip data is corrupt or truncated (${oneLine(e)})`)),
    );
    source.pipe(gunzip).pipe(extract);
  } else {
    source.pipe(extract);
  }
  let entries = 0;
  try {
    for await (const entry of extract) {
      if (++entries > LIMITS.maxEntries)
        throw new InputError(`more than ${LIMITS.maxEntries} archive entries`);
      const h = entry.header;
      const path = safeEntryPath(h.name);
      if (h.type === "symlink" || h.type === "link") {
        const target = h.linkname ?? "";
        // A hard link's target is archive-root relative, a symlink's is relative to its folder.
        const inside = h.type === "link" ? linkStaysInside("x", target) : linkStaysInside(path, target);
        if (!inside) throw new InputError(`archive entry ${path} links outside the archive (${target})`);
      }
      if (h.type === "file" || h.type === "contiguous-file") {
        await handler({ path, size: h.size ?? 0, body: entry as unknown as AsyncIterable<Buffer> });
      }
      for await (const _ of entry) {
        // drain what the handler left, so that the extractor moves on
      }
    }
  } catch (e) {
    source.destroy();
    throw translateTarError(failure ?? e, file);
  }
  if (failure) throw translateTarError(failure, file);
  if (entries === 0) throw new InputError(`${file} holds no entries (not a results tarball)`);
}

function translateTarError(e: unknown, file: string): unknown {
  if (e instanceof InputError) return e;
  const msg = oneLine(e);
  if (/unexpected end|truncated/i.test(msg)) return new InputError(`${file}: archive is truncated (${msg})`);
  if (/invalid tar header|unknown format|checksum/i.test(msg))
    return new InputError(`${file}: not a valid tar archive (${msg})`);
  return e;
}

async function walkDirectory(root: string, handler: EntryHandler): Promise<void> {
  const realRoot = await realpath(root);
  let entries = 0;
  const visit = async (dir: string): Promise<void> => {
    const d = await opendir(dir);
    const names: string[] = [];
    for await (const ent of d) names.push(ent.name);
    names.sort();
    for (const name of names) {
      if (++entries > LIMITS.maxEntries) throw new InputError(`more than ${LIMITS.maxEntries} files`);
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join("/");
      const ls = await lstat(full);
      if (ls.isSymbolicLink()) {
        const target = await readlink(full);
        let resolved: string | undefined;
        try {
          resolved = await realpath(full);
        } catch {
          resolved = undefined; // dangling: ignored below unless it points outside
        }
        const outside = resolved
          ? relative(realRoot, resolved).startsWith("..")
          : !linkStaysInside(rel, target);
        if (outside) throw new InputError(`${rel} links outside the results directory (${target})`);
        continue; // like Sonobuoy's walk, links are not followed
      }
      if (ls.isDirectory()) await visit(full);
      else if (ls.isFile()) {
        const body = createReadStream(full, { highWaterMark: 256 * 1024 });
        try {
          await handler({ path: safeEntryPath(rel), size: ls.size, body });
        } finally {
          body.destroy();
        }
      }
    }
  };
  await visit(root);
}
