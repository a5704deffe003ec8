import { execFile } from "node:child_process";
import { mkdtemp, open, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { DATA_FILE, expectedSha256, parseSize, seededChunks } from "./storage.ts";

const run = promisify(execFile);
const MAIN = new URL("./main.ts", import.meta.url).pathname;

async function workload(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [MAIN, ...args]);
  return JSON.parse(stdout.trim()) as Record<string, unknown>;
}

describe("scs-0211-v1 storage workload verbs", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "scs-storage-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("scs-0211-v1: parseSize reads Ki/Mi/Gi and refuses the rest", () => {
    expect(parseSize("64Mi")).to.equal(64 * 1024 * 1024);
    expect(parseSize("3Ki")).to.equal(3072);
    expect(parseSize("100")).to.equal(100);
    expect(() => parseSize("64MB")).to.throw(/not <n>\[Ki\|Mi\|Gi\]/);
    expect(() => parseSize("0")).to.throw(/out of range/);
  });

  it("scs-0211-v1: the seeded stream depends on the seed and is reproducible", () => {
    const a = Buffer.concat([...seededChunks("a", 3000)]);
    expect(a.length).to.equal(3000);
    expect(Buffer.concat([...seededChunks("a", 3000)]).equals(a)).to.equal(true);
    expect(Buffer.concat([...seededChunks("b", 3000)]).equals(a)).to.equal(false);
  });

  it("scs-0211-v1: storage-write then storage-verify agree, through the real entrypoint", async () => {
    const w = await workload("storage-write", "--dir", dir, "--size", "3Mi", "--seed", "s1");
    expect(w.bytes).to.equal(3 * 1024 * 1024);
    expect(w.sha256).to.equal(expectedSha256("s1", 3 * 1024 * 1024));
    const v = await workload("storage-verify", "--dir", dir);
    expect(v).to.include({ exists: true, bytes: 3 * 1024 * 1024, sha256: w.sha256 });
    expect(v.manifest).to.deep.equal({ bytes: 3 * 1024 * 1024, sha256: w.sha256, seed: "s1" });
  });

  it("scs-0211-v1: storage-verify sees one flipped byte and a missing file", async () => {
    const w = await workload("storage-write", "--dir", dir, "--size", "64Ki", "--seed", "s2");
    const fh = await open(join(dir, DATA_FILE), "r+");
    const byte = Buffer.alloc(1);
    await fh.read(byte, 0, 1, 1000);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await fh.write(byte, 0, 1, 1000);
    await fh.close();
    const changed = await workload("storage-verify", "--dir", dir);
    expect(changed.exists).to.equal(true);
    expect(changed.sha256).to.not.equal(w.sha256);
    await unlink(join(dir, DATA_FILE));
    const gone = await workload("storage-verify", "--dir", dir);
    expect(gone).to.include({ exists: false, bytes: 0 });
  });

  it("scs-0211-v1: storage-write without --dir exits non-zero with a message", async () => {
    const err = await run(process.execPath, [MAIN, "storage-write"]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).to.equal(1);
    expect(err?.stderr).to.match(/--dir is required/);
  });
});
