import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  assertQualifiedRef,
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  layerTar,
  layoutEntries,
  MANIFEST_MEDIA_TYPE,
  readTar,
  tagOf,
  writeOciArchive,
} from "./oci.ts";

const sha = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const blobName = (digest: string) => `blobs/sha256/${digest.slice("sha256:".length)}`;

describe("lab/build/oci", () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "lab-oci-test-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("orders layer entries parents first and creates missing parents", () => {
    const paths = layoutEntries([
      { kind: "file", path: "/usr/local/bin/tool", content: "x" },
      { kind: "symlink", path: "bin/sh", target: "/bin/busybox" },
      { kind: "dir", path: "tmp", mode: 0o1777 },
    ]).map((e) => `${e.kind}:${e.path}`);
    expect(paths).to.deep.equal([
      "dir:bin",
      "symlink:bin/sh",
      "dir:tmp",
      "dir:usr",
      "dir:usr/local",
      "dir:usr/local/bin",
      "file:usr/local/bin/tool",
    ]);
    expect(() => layoutEntries([{ kind: "dir", path: "../etc" }])).to.throw(/bad path/);
  });

  it("writes deterministic layers with modes, owners and links preserved", async () => {
    const source = join(scratch, "prog");
    writeFileSync(source, "#!/bin/sh\necho hi\n");
    const entries = [
      { kind: "file" as const, path: "bin/prog", source, mode: 0o755 },
      { kind: "symlink" as const, path: "bin/alias", target: "prog" },
      { kind: "dir" as const, path: "tmp", mode: 0o1777 },
      { kind: "file" as const, path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n", uid: 0 },
    ];
    const layer = await layerTar(entries);
    expect(sha(await layerTar(entries))).to.equal(sha(layer));
    const files = await readTar(layer);
    expect([...files.keys()]).to.deep.equal(["bin/", "bin/alias", "bin/prog", "etc/", "etc/passwd", "tmp/"]);
    expect(files.get("bin/prog")?.header.mode).to.equal(0o755);
    expect(files.get("bin/prog")?.data.toString()).to.equal("#!/bin/sh\necho hi\n");
    expect(files.get("bin/alias")?.header.type).to.equal("symlink");
    expect(files.get("bin/alias")?.header.linkname).to.equal("prog");
    expect(files.get("tmp/")?.header.mode).to.equal(0o1777);
    expect(files.get("etc/passwd")?.header.mtime?.getTime()).to.equal(0);
  });

  it("writes an OCI layout that reads back consistently", async () => {
    const layers = [
      await layerTar([{ kind: "file", path: "bin/a", content: "a" }]),
      await layerTar([{ kind: "file", path: "bin/b", content: "b" }]),
    ];
    const out = join(scratch, "image.tar");
    const refs = [
      "registry.k8s.io/e2e-test-images/agnhost:2.66.1",
      "registry.k8s.io/e2e-test-images/agnhost:2.55",
    ];
    await writeOciArchive(out, {
      refs,
      layers,
      config: { entrypoint: ["/agnhost"], cmd: ["pause"], user: "1000" },
    });

    const files = await readTar(out);
    expect(JSON.parse(files.get("oci-layout")?.data.toString() ?? "")).to.deep.equal({
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(files.get("index.json")?.data.toString() ?? "");
    expect(index.manifests).to.have.length(2);
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations)).to.deep.equal([
      { "io.containerd.image.name": refs[0], "org.opencontainers.image.ref.name": "2.66.1" },
      { "io.containerd.image.name": refs[1], "org.opencontainers.image.ref.name": "2.55" },
    ]);
    const descriptor = index.manifests[0];
    expect(descriptor.mediaType).to.equal(MANIFEST_MEDIA_TYPE);
    expect(descriptor.platform).to.deep.equal({ architecture: "amd64", os: "linux" });

    const manifestBytes = files.get(blobName(descriptor.digest))?.data;
    if (!manifestBytes) throw new Error("manifest blob missing");
    expect(sha(manifestBytes)).to.equal(descriptor.digest);
    expect(manifestBytes.length).to.equal(descriptor.size);
    const manifest = JSON.parse(manifestBytes.toString());
    expect(manifest.config.mediaType).to.equal(CONFIG_MEDIA_TYPE);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).to.deep.equal([
      LAYER_MEDIA_TYPE,
      LAYER_MEDIA_TYPE,
    ]);
    for (const [i, layerDescriptor] of manifest.layers.entries()) {
      const blob = files.get(blobName(layerDescriptor.digest))?.data;
      expect(blob?.equals(layers[i] ?? Buffer.alloc(0))).to.equal(true);
    }
    const configBytes = files.get(blobName(manifest.config.digest))?.data;
    if (!configBytes) throw new Error("config blob missing");
    expect(sha(configBytes)).to.equal(manifest.config.digest);
    const config = JSON.parse(configBytes.toString());
    expect(config.rootfs.diff_ids).to.deep.equal(layers.map(sha));
    expect(config.config.Entrypoint).to.deep.equal(["/agnhost"]);
    expect(config.config.Cmd).to.deep.equal(["pause"]);
    expect(config.config.User).to.equal("1000");
    expect(config.config.Env[0]).to.match(/^PATH=/);
    expect(config.architecture).to.equal("amd64");
  });

  it("stores a blob shared by two layers once", async () => {
    const layer = await layerTar([{ kind: "file", path: "x", content: "x" }]);
    const out = join(scratch, "dup.tar");
    await writeOciArchive(out, { refs: ["example.org/dup:1"], layers: [layer, layer], config: {} });
    const blobs = [...(await readTar(out)).keys()].filter((name) => /^blobs\/sha256\/./.test(name));
    expect(blobs).to.have.length(3);
  });

  it("accepts only fully qualified, tagged, non-latest references", () => {
    expect(tagOf("registry.k8s.io/pause:3.10.2")).to.equal("3.10.2");
    expect(tagOf("localhost:5000/x/y:1.0")).to.equal("1.0");
    expect(() => assertQualifiedRef("registry.k8s.io/pause:3.10.2")).to.not.throw();
    expect(() => assertQualifiedRef("docker.io/library/busybox:latest")).to.throw(/latest/);
    expect(() => assertQualifiedRef("registry.k8s.io/pause")).to.throw(/without a tag/);
    expect(() => assertQualifiedRef("busybox:1.36")).to.throw(/registry/);
  });
});
