import { createReadStream } from "node:fs";
import { lstat, open, opendir, readlink, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { InputError, oneLine } from "./input-error.ts";
import { LIMITS } from "./limits.ts";
import { linkStaysInside, resolveLinkTarget, safeEntryPath } from "./safe-path.ts";

/** One regular file of a results tarball or directory; `path` is relative, `/`-separated, safe. */
export interface ArchiveEntry {
  path: string;
  size: number;
  /** Consume fully or not at all; the source drains what is left. */
  body: AsyncIterable<Buffer>;
}

export type EntryHandler = (entry: ArchiveEntry) => Promise<void>;
export type InputKind = "tarball" | "directory";

/** What a read of the input found beside the files: the view a `tar -x` of it would give. */
export interface SourceReport {
  kind: InputKind;
  /** Links resolved, paths stored more than once, links not followed. */
  warnings: string[];
  /**
   * Set when a tarball holds links or paths stored twice: the first read handed every stored file as it
   * came; read again with this plan to see what extraction gives (the last copy of a path, links read
   * as their targets).
   */
  plan?: ArchivePlan;
}

/** For each entry index of a tarball, the paths (in the extracted view) whose content it is. */
export interface ArchivePlan {
  aliases: Map<number, string[]>;
  passes: number;
}

/**
 * Calls `handler` for every regular file of a tarball (.tar.gz or plain .tar) or extracted directory.
 * With a plan (from an earlier report), a tarball's files are handed as extraction would leave them.
 */
export async function forEachEntry(
  input: string,
  handler: EntryHandler,
  plan?: ArchivePlan,
): Promise<SourceReport> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(input);
  } catch (e) {
    throw new InputError(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
  if (st.isDirectory()) {
    const warnings: string[] = [];
    await walkDirectory(input, handler, warnings);
    return { kind: "directory", warnings };
  }
  if (!st.isFile()) throw new InputError(`${input} is neither a file nor a directory`);
  const compression = await sniffCompression(input);
  if (plan) {
    for (let pass = 0; pass < plan.passes; pass++)
      await walkTarball(input, compression, async (i, e) => {
        const path = plan.aliases.get(i)?.[pass];
        if (path !== undefined) await handler({ ...e, path });
      });
    return { kind: "tarball", warnings: [] };
  }
  const headers: StoredEntry[] = [];
  await walkTarball(
    input,
    compression,
    (_i, e) => handler(e),
    (h) => headers.push(h),
  );
  const made = planFor(headers);
  return { kind: "tarball", warnings: made.warnings, ...(made.plan ? { plan: made.plan } : {}) };
}

interface StoredEntry {
  index: number;
  path: string;
  type: string;
  linkname?: string;
}

const MAX_LINK_HOPS = 40;

/**
 * What `tar -x` leaves: the last entry stored under a path wins; a hard link is the content its target
 * had when the link was extracted (the last earlier entry of that path); a symbolic link reads as its
 * target's final content. Links to directories and dangling links are not followed (warned).
 */
function planFor(entries: StoredEntry[]): { plan?: ArchivePlan; warnings: string[] } {
  const warnings: string[] = [];
  const byPath = new Map<string, StoredEntry[]>();
  for (const e of entries) {
    const list = byPath.get(e.path);
    if (list) list.push(e);
    else byPath.set(e.path, [e]);
  }
  let odd = false;
  for (const [path, list] of byPath)
    if (list.length > 1 && list.some((e) => e.type !== "directory")) {
      odd = true;
      warnings.push(
        `archive entry ${path} is stored ${list.length} times; read the last copy, as tar extracts it`,
      );
    }
  if (entries.some((e) => e.type === "link" || e.type === "symlink")) odd = true;
  if (!odd) return { warnings };
  const isDirectory = (path: string) =>
    byPath.get(path)?.at(-1)?.type === "directory" || entries.some((e) => e.path.startsWith(`${path}/`));
  /** The entry whose content `path` has; `before` limits to entries stored before it (hard links). */
  const resolve = (path: string, before: number, hops: number, via: string): StoredEntry | undefined => {
    const list = (byPath.get(path) ?? []).filter((e) => e.index < before);
    const e = list.at(-1);
    if (!e) {
      warnings.push(
        `${via} links to ${path}, which ${isDirectory(path) ? "is a directory: not followed" : "is not in the archive: ignored"}`,
      );
      return undefined;
    }
    if (e.type === "file" || e.type === "contiguous-file") return e;
    if (e.type === "directory") {
      warnings.push(`${via} links to the directory ${path}: not followed`);
      return undefined;
    }
    if (hops >= MAX_LINK_HOPS) {
      warnings.push(`${via}: more than ${MAX_LINK_HOPS} links in a row: ignored`);
      return undefined;
    }
    if (e.type === "link") return resolve(e.linkname ?? "", e.index, hops + 1, via);
    if (e.type === "symlink") {
      const t = resolveLinkTarget(e.path, e.linkname ?? "");
      return t === undefined ? undefined : resolve(t, Number.POSITIVE_INFINITY, hops + 1, via);
    }
    return undefined;
  };
  const aliases = new Map<number, string[]>();
  for (const [path, list] of byPath) {
    const last = list.at(-1) as StoredEntry;
    let source: StoredEntry | undefined;
    if (last.type === "file" || last.type === "contiguous-file") source = last;
    else if (last.type === "link" || last.type === "symlink") {
      const kind = last.type === "link" ? "a hard link" : "a symbolic link";
      source = resolve(path, last.index + 1, 0, `archive entry ${path}`);
      if (source)
        warnings.push(
          `archive entry ${path} is ${kind} to ${source.path}; read as that file, as extraction gives it`,
        );
    }
    if (!source) continue;
    const a = aliases.get(source.index);
    if (a) a.push(path);
    else aliases.set(source.index, [path]);
  }
  const passes = Math.max(0, ...[...aliases.values()].map((a) => a.length));
  return { plan: { aliases, passes }, warnings };
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

async function walkTarball(
  file: string,
  compression: "gzip" | "tar",
  handler: (index: number, entry: ArchiveEntry) => Promise<void>,
  onHeader?: (h: StoredEntry) => void,
): Promise<void> {
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
      let linkname: string | undefined;
      if (h.type === "symlink" || h.type === "link") {
        const target = h.linkname ?? "";
        // A hard link's target is archive-root relative, a symlink's is relative to its folder.
        const inside = h.type === "link" ? resolveLinkTarget("x", target) : resolveLinkTarget(path, target);
        if (inside === undefined)
          throw new InputError(`archive entry ${path} links outside the archive (${target})`);
        linkname = h.type === "link" ? inside : target;
      }
      const index = entries - 1;
      onHeader?.({ index, path, type: h.type ?? "file", ...(linkname !== undefined ? { linkname } : {}) });
      if (h.type === "file" || h.type === "contiguous-file") {
        await handler(index, { path, size: h.size ?? 0, body: entry as unknown as AsyncIterable<Buffer> });
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

async function walkDirectory(root: string, handler: EntryHandler, warnings: string[]): Promise<void> {
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
        // As for a tarball: a link to a file reads as that file, other links are not followed.
        const to = resolved ? await stat(resolved) : undefined;
        const shown = resolved ? relative(realRoot, resolved).split(sep).join("/") : target;
        if (to?.isFile()) {
          warnings.push(`${rel} is a symbolic link to ${shown}; read as that file, as extraction gives it`);
          const body = createReadStream(resolved as string, { highWaterMark: 256 * 1024 });
          try {
            await handler({ path: safeEntryPath(rel), size: to.size, body });
          } finally {
            body.destroy();
          }
        } else
          warnings.push(
            `${rel} links to ${shown}, which ${to?.isDirectory() ? "is a directory: not followed" : "is not in the archive: ignored"}`,
          );
        continue;
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
