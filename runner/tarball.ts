import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";

export interface TarEntry {
  /** Path inside the archive. */
  name: string;
  /** File on disk. */
  source: string;
}

/** Writes a .tar.gz of the given files (temp file + rename, so a reader never sees half an archive). */
export async function writeTarGz(out: string, entries: readonly TarEntry[]): Promise<void> {
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  const archive = pack();
  const written = pipeline(archive, createGzip(), createWriteStream(tmp));
  try {
    for (const entry of entries) {
      const { size, mtime } = await stat(entry.source);
      const sink = archive.entry({ name: entry.name, size, mtime, mode: 0o644 });
      await pipeline(createReadStream(entry.source), sink);
    }
    archive.finalize();
  } catch (err) {
    archive.destroy(err as Error);
    throw err;
  } finally {
    await written.catch(() => {});
  }
  await written;
  await rename(tmp, out);
}
