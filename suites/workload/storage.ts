/**
 * Storage verbs of the workload (scs-0211 checks): write seeded data durably, verify it later, and hold a
 * volume mounted while the check acts on nodes.
 *
 *   storage-write  --dir D [--size 64Mi] [--seed S]   writes D/data.bin, fsyncs file and directory, prints JSON
 *   storage-verify --dir D                            recomputes the sha256 of D/data.bin, prints JSON
 *   storage-hold   --dir D                            keeps running (the 1-replica workload) until SIGTERM
 *
 * The data is the AES-256-CTR keystream of sha256(seed): reproducible from the seed alone, incompressible,
 * and fast to produce (no hand-written PRNG). Every JSON line is one object on stdout; errors go to stderr
 * with a non-zero exit.
 */
import { createCipheriv, createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export const DATA_FILE = "data.bin";
export const MANIFEST_FILE = "manifest.json";
const CHUNK = 1024 * 1024;

export interface WriteResult {
  file: string;
  bytes: number;
  seed: string;
  sha256: string;
  /** Milliseconds from open to the directory's fsync. */
  ms: number;
}

export interface VerifyResult {
  file: string;
  exists: boolean;
  bytes: number;
  /** Present when the file exists. */
  sha256?: string;
  /** What the manifest beside it recorded at write time, when it is still there. */
  manifest?: { bytes: number; sha256: string; seed: string };
  ms: number;
}

/** `64Mi`, `1Gi`, `512Ki`, `4096` → bytes; anything else throws. */
export function parseSize(text: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(text.trim());
  if (!m) throw new Error(`size ${JSON.stringify(text)} is not <n>[Ki|Mi|Gi]`);
  const factor = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ""] ?? 1;
  const bytes = Number(m[1]) * factor;
  if (bytes <= 0 || bytes > 64 * 1024 ** 3) throw new Error(`size ${text} is out of range (1 byte .. 64Gi)`);
  return bytes;
}

/** The seeded byte stream, in chunks of at most CHUNK bytes. */
export function* seededChunks(seed: string, bytes: number): Generator<Buffer> {
  const key = createHash("sha256").update(`scs-kaas storage seed:${seed}`).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = bytes; left > 0; left -= CHUNK) {
    yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
  }
}

/** The sha256 the seeded data of that size has, without writing it. */
export function expectedSha256(seed: string, bytes: number): string {
  const hash = createHash("sha256");
  for (const chunk of seededChunks(seed, bytes)) hash.update(chunk);
  return hash.digest("hex");
}

export async function writeData(dir: string, bytes: number, seed: string): Promise<WriteResult> {
  const started = Date.now();
  const file = join(dir, DATA_FILE);
  const hash = createHash("sha256");
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o640);
  try {
    for (const chunk of seededChunks(seed, bytes)) {
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  const sha256 = hash.digest("hex");
  const manifest = await open(join(dir, MANIFEST_FILE), "w", 0o640);
  try {
    await manifest.writeFile(`${JSON.stringify({ bytes, sha256, seed })}\n`);
    await manifest.sync();
  } finally {
    await manifest.close();
  }
  await syncDirectory(dir);
  return { file, bytes, seed, sha256, ms: Date.now() - started };
}

/** A new file's name lives in its directory: without this fsync a crash can lose the file though its data was synced. */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function verifyData(dir: string): Promise<VerifyResult> {
  const started = Date.now();
  const file = join(dir, DATA_FILE);
  let manifest: VerifyResult["manifest"];
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")) as VerifyResult["manifest"];
  } catch {
    manifest = undefined;
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return { file, exists: false, bytes: 0, ...(manifest ? { manifest } : {}), ms: Date.now() - started };
    }
    throw err;
  }
  const hash = createHash("sha256");
  const fh = await open(file, "r");
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return {
    file,
    exists: true,
    bytes: size,
    sha256: hash.digest("hex"),
    ...(manifest ? { manifest } : {}),
    ms: Date.now() - started,
  };
}

function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) throw new Error(`${a} needs a value`);
    out[a.slice(2)] = value;
    i++;
  }
  return out;
}

function requireDir(f: Record<string, string>): string {
  if (!f.dir) throw new Error("--dir is required");
  return f.dir;
}

export const storageWrite = {
  async run(args: string[]): Promise<number> {
    const f = flags(args);
    const result = await writeData(requireDir(f), parseSize(f.size ?? "64Mi"), f.seed ?? "scs-kaas");
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};

export const storageVerify = {
  async run(args: string[]): Promise<number> {
    const result = await verifyData(requireDir(flags(args)));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};

/** Runs until SIGTERM/SIGINT: the container of the 1-replica workload the check writes into and moves. */
export const storageHold = {
  async run(args: string[]): Promise<number> {
    const dir = requireDir(flags(args));
    const present = await verifyData(dir).catch(() => undefined);
    process.stdout.write(
      `${JSON.stringify({ holding: dir, dataPresent: present?.exists ?? false, bytes: present?.bytes ?? 0 })}\n`,
    );
    await new Promise<void>((resolve) => {
      const keepAlive = setInterval(() => {}, 1 << 30);
      const stop = () => {
        clearInterval(keepAlive);
        resolve();
      };
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    });
    return 0;
  },
};
