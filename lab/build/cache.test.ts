import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { buildAtomically, cacheKey, canonicalJson, componentDir, labCacheDir } from "./cache.ts";

describe("lab/build/cache", () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "lab-cache-test-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("lives under SCS_KAAS_CACHE, else under ~/.cache/scs-kaas", () => {
    expect(labCacheDir({ SCS_KAAS_CACHE: "/x/cache", HOME: "/home/u" })).to.equal("/x/cache/lab");
    expect(labCacheDir({ HOME: "/home/u" })).to.equal("/home/u/.cache/scs-kaas/lab");
    expect(componentDir("etcd", "v3.6.16-abc", "/c/lab")).to.equal("/c/lab/etcd/v3.6.16-abc");
  });

  it("keys by version and by every build setting, at any depth, independent of key order", () => {
    const base = cacheKey("v1.36.5", { go: "go1.26.8", binaries: [{ name: "kubelet", tags: ["a"] }] });
    expect(base).to.match(/^v1\.36\.5-[0-9a-f]{10}$/);
    expect(cacheKey("v1.36.5", { binaries: [{ tags: ["a"], name: "kubelet" }], go: "go1.26.8" })).to.equal(
      base,
    );
    expect(
      cacheKey("v1.36.5", { go: "go1.26.8", binaries: [{ name: "kubelet", tags: ["b"] }] }),
    ).to.not.equal(base);
    expect(
      cacheKey("v1.36.5", { go: "go1.26.9", binaries: [{ name: "kubelet", tags: ["a"] }] }),
    ).to.not.equal(base);
    expect(
      cacheKey("v1.36.6", { go: "go1.26.8", binaries: [{ name: "kubelet", tags: ["a"] }] }),
    ).to.not.equal(base);
    expect(cacheKey("registry.k8s.io/pause:3.10.2")).to.match(/^registry\.k8s\.io_pause_3\.10\.2-/);
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).to.equal(
      '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
    );
  });

  it("publishes a build only when it completes", async () => {
    const dir = join(scratch, "comp", "v1");
    const built = await buildAtomically(dir, async (tmp) => {
      expect(existsSync(dir)).to.equal(false);
      writeFileSync(join(tmp, "out"), "ok");
    });
    expect(built).to.equal(true);
    expect(readFileSync(join(dir, "out"), "utf8")).to.equal("ok");
    let ranAgain = false;
    expect(
      await buildAtomically(dir, async () => {
        ranAgain = true;
      }),
    ).to.equal(false);
    expect(ranAgain).to.equal(false);
  });

  it("leaves nothing behind when a build fails", async () => {
    const dir = join(scratch, "comp", "v2");
    let tmpSeen = "";
    const failing = buildAtomically(dir, async (tmp) => {
      tmpSeen = tmp;
      writeFileSync(join(tmp, "half"), "x");
      throw new Error("compile error");
    });
    await failing.then(
      () => expect.fail("should have thrown"),
      (e: Error) => expect(e.message).to.equal("compile error"),
    );
    expect(existsSync(dir)).to.equal(false);
    expect(existsSync(tmpSeen)).to.equal(false);
  });
});
