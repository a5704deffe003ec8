import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { SUITE_VERSION } from "../../runner/suite-version.ts";
import { NODE_BASE } from "../versions.ts";
import { archiveOciLayout, CONTAINERD_NAME_ANNOTATION, OCI_REF_NAME_ANNOTATION, readTar } from "./oci.ts";
import {
  BUD_FLAGS,
  budArgs,
  buildahArgv,
  buildahConfigFiles,
  buildahEnv,
  buildahPaths,
  builtinNpmrc,
  checkNodeVersion,
  contextFiles,
  hashContextFiles,
  mountsUnder,
  normalizeImageRef,
  pluginImage,
  pushArgs,
  suiteImageKey,
  suiteImageRef,
} from "./suite-image.ts";

const REPO = join(import.meta.dirname, "..", "..");

const DOCKERFILE = `ARG NODE_IMAGE=docker.io/library/node:22-alpine
FROM \${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
FROM \${NODE_IMAGE}
COPY --from=deps /app/node_modules ./node_modules
COPY src ./src
`;

/** A small project: what the Dockerfile copies, a test file .dockerignore drops, and a plugin definition. */
function fakeRepo(dir: string): void {
  const files: Record<string, string> = {
    Dockerfile: DOCKERFILE,
    ".dockerignore": "node_modules\n**/*.test.ts\n**/testdata\n",
    "package.json": '{"version":"0.1.0"}\n',
    "package-lock.json": "{}\n",
    "src/main.ts": "console.log(1);\n",
    "src/main.test.ts": "// a test\n",
    "src/testdata/x.json": "{}\n",
    "other/unrelated.ts": "// not copied\n",
    "sonobuoy.yaml": "spec:\n  image: scs-kaas:0.1.0\n",
    ".node-version": `${NODE_BASE.node}\n`,
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

describe("lab/build/suite-image", () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "lab-suite-image-test-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("names the image as containerd's CRI resolves the plugin's spec.image", () => {
    expect(normalizeImageRef("scs-kaas:0.1.0")).to.equal("docker.io/library/scs-kaas:0.1.0");
    expect(normalizeImageRef("sonobuoy/sonobuoy:v0.57.5")).to.equal("docker.io/sonobuoy/sonobuoy:v0.57.5");
    expect(normalizeImageRef("registry.k8s.io/pause:3.10.2")).to.equal("registry.k8s.io/pause:3.10.2");
    expect(normalizeImageRef("localhost/x:1")).to.equal("localhost/x:1");
    expect(normalizeImageRef("reg:5000/x/y:1")).to.equal("reg:5000/x/y:1");
    expect(normalizeImageRef("scs-kaas")).to.equal("docker.io/library/scs-kaas:latest");
    expect(() => normalizeImageRef("x@sha256:00")).to.throw(/digest/);
    expect(pluginImage(REPO)).to.equal(`scs-kaas:${SUITE_VERSION}`);
    expect(suiteImageRef(REPO)).to.equal(`docker.io/library/scs-kaas:${SUITE_VERSION}`);
  });

  it("keys exactly what the project's Dockerfile copies from the context, after its .dockerignore", () => {
    const files = contextFiles(REPO);
    expect(files).to.include.members([
      "Dockerfile",
      ".dockerignore",
      "package.json",
      "package-lock.json",
      "plugin/main.ts",
      "runner/run-suite.ts",
      "common/verdict.ts",
    ]);
    // Everything under the copied directories except tests and test data; nothing else.
    const expected = ["common", "suites", "runner", "plugin"].flatMap((dir) =>
      readdirSync(join(REPO, dir), { recursive: true, encoding: "utf8" })
        .map((rel) => `${dir}/${rel}`)
        .filter((rel) => !lstatSync(join(REPO, rel)).isDirectory())
        .filter((rel) => !rel.endsWith(".test.ts") && !rel.split("/").includes("testdata")),
    );
    expect(files).to.deep.equal(
      [".dockerignore", "Dockerfile", "package-lock.json", "package.json", ...expected].sort(),
    );
    expect(readdirSync(join(REPO, "runner", "testdata")).length).to.be.greaterThan(0);
  });

  it("reads COPY/ADD sources from the context only, and refuses sources it cannot key", () => {
    fakeRepo(scratch);
    writeFileSync(join(scratch, "my notes.txt"), "x\n");
    const withDockerfile = (text: string) => {
      writeFileSync(join(scratch, "Dockerfile"), text);
      return contextFiles(scratch);
    };
    // --from copies another stage's files (there is no node_modules here); the JSON form keeps spaces.
    expect(withDockerfile(`${DOCKERFILE}ADD ["my notes.txt", "/notes/"]\n`)).to.deep.equal([
      ".dockerignore",
      "Dockerfile",
      "my notes.txt",
      "package-lock.json",
      "package.json",
      "src/main.ts",
    ]);
    expect(() => withDockerfile("FROM x\nCOPY *.json ./\n")).to.throw(
      /Dockerfile line 2 \(COPY\): cannot key the build context source \*\.json/,
    );
    expect(() => withDockerfile("FROM x\nCOPY $SRC /x\n")).to.throw(/cannot key the build context: .*\$SRC/);
    expect(() => withDockerfile("FROM x\nADD https://example.org/f /x\n")).to.throw(/cannot key/);
    expect(() => withDockerfile("FROM x\nCOPY ../x /x\n")).to.throw(/outside the context/);
    expect(() => withDockerfile("FROM x\nCOPY missing /x\n")).to.throw(/COPY source missing does not exist/);
  });

  it("walks into directories .dockerignore excludes when a ! pattern re-includes something there", () => {
    fakeRepo(scratch);
    writeFileSync(join(scratch, "src/testdata/keep.json"), "{}\n");
    mkdirSync(join(scratch, "src/gen/a"), { recursive: true });
    writeFileSync(join(scratch, "src/gen/a/b.ts"), "\n");
    writeFileSync(
      join(scratch, ".dockerignore"),
      "**/*.test.ts\n**/testdata\nsrc/gen\n!src/testdata/keep.json\n",
    );
    expect(contextFiles(scratch)).to.deep.equal([
      ".dockerignore",
      "Dockerfile",
      "package-lock.json",
      "package.json",
      "src/main.ts",
      "src/testdata/keep.json",
    ]);
  });

  it("rebuilds when a copied file, its mode or the Dockerfile changes, not when a test or other file does", () => {
    fakeRepo(scratch);
    expect(contextFiles(scratch)).to.deep.equal([
      ".dockerignore",
      "Dockerfile",
      "package-lock.json",
      "package.json",
      "src/main.ts",
    ]);
    const key = () => suiteImageKey(scratch);
    const first = key();
    expect(first).to.match(/^docker\.io_library_scs-kaas_0\.1\.0-[0-9a-f]{10}$/);
    writeFileSync(join(scratch, "src/main.test.ts"), "// changed\n");
    writeFileSync(join(scratch, "src/testdata/x.json"), "[]\n");
    writeFileSync(join(scratch, "other/unrelated.ts"), "// changed\n");
    expect(key()).to.equal(first);
    writeFileSync(join(scratch, "src/main.ts"), "console.log(2);\n");
    const second = key();
    expect(second).to.not.equal(first);
    chmodSync(join(scratch, "src/main.ts"), 0o755);
    expect(key()).to.not.equal(second);
    const third = key();
    writeFileSync(join(scratch, "Dockerfile"), `${DOCKERFILE}ENV X=1\n`);
    expect(key()).to.not.equal(third);
    expect(hashContextFiles(scratch, ["src/main.ts"])["src/main.ts"]).to.equal(
      `755:${createHash("sha256").update("console.log(2);\n").digest("hex")}`,
    );
  });

  it("checks that the lab's Node base follows .node-version", () => {
    expect(() => checkNodeVersion(REPO)).to.not.throw();
    fakeRepo(scratch);
    writeFileSync(join(scratch, ".node-version"), "22.99.0\n");
    expect(() => checkNodeVersion(scratch)).to.throw(/\.node-version is 22\.99\.0, NODE_BASE .* pins/);
  });

  it("configures npm in the base to trust the host's CAs and use the host's registry", () => {
    expect(builtinNpmrc("https://registry.npmjs.org/")).to.equal(
      "cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n",
    );
    expect(builtinNpmrc("https://registry.npmjs.org")).to.not.include("registry=");
    expect(builtinNpmrc("https://npm.mirror.example/")).to.include("registry=https://npm.mirror.example/\n");
  });

  it("runs buildah in a private mount namespace with all of its state under one work directory", () => {
    const p = buildahPaths("/cache/lab/buildah/k.1");
    const argv = buildahArgv(p, ["rm", "--all"]);
    expect(argv.slice(0, 5)).to.deep.equal(["unshare", "--mount", "--propagation", "private", "--"]);
    const script = argv[7] ?? "";
    expect(script).to.include("mount -o remount,bind,ro /var/lib");
    expect(script).to.include('mount --bind "$1" /var/tmp');
    expect(argv.slice(8, 11)).to.deep.equal(["sh", p.tmp, "buildah"]);
    expect(argv).to.include.members([
      "--root=/cache/lab/buildah/k.1/root",
      "--runroot=/cache/lab/buildah/k.1/runroot",
      "--storage-driver=vfs",
    ]);
    expect(argv.slice(-2)).to.deep.equal(["rm", "--all"]);

    const bud = budArgs(p, "/cache/lab/images/node-base-x/image.oci.tar", "scs-kaas:0.1.0");
    expect(bud[0]).to.equal("bud");
    expect(bud).to.include.members([
      ...BUD_FLAGS,
      "--isolation=chroot",
      "--network=host",
      "--build-arg=NODE_IMAGE=oci-archive:/cache/lab/images/node-base-x/image.oci.tar",
      "--tag=scs-kaas:0.1.0",
      "--file=/cache/lab/buildah/k.1/context/Dockerfile",
    ]);
    expect(bud.at(-1)).to.equal(p.context);
    expect(pushArgs(p, "abc").slice(-2)).to.deep.equal(["abc", "oci:/cache/lab/buildah/k.1/layout"]);

    for (const [file, content] of Object.entries(buildahConfigFiles(p))) {
      expect(file.startsWith(`${p.work}/`), file).to.equal(true);
      expect(content).to.not.include("/var/lib/containers");
    }
    const env = buildahEnv(p, { PATH: "/bin", BUILDAH_ISOLATION: "oci", BUILDAH_LAYERS: "true" });
    expect(env).to.deep.equal({
      PATH: "/bin",
      TMPDIR: p.tmp,
      CONTAINERS_STORAGE_CONF: p.storageConf,
      CONTAINERS_REGISTRIES_CONF: p.registriesConf,
    });
    for (const value of Object.values(p)) expect(value.startsWith(p.work)).to.equal(true);
  });

  it("finds mounts below a work directory before removing it", () => {
    const mountinfo = [
      "22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
      "90 22 0:50 / /cache/lab/buildah/k.1/root/x rw shared:2 - tmpfs tmpfs rw",
      "91 22 0:51 / /cache/lab/buildah/k.1/with\\040space rw - tmpfs tmpfs rw",
      "92 22 0:52 / /cache/lab/buildah/k.10 rw - tmpfs tmpfs rw",
    ].join("\n");
    expect(mountsUnder(mountinfo, "/cache/lab/buildah/k.1")).to.deep.equal([
      "/cache/lab/buildah/k.1/root/x",
      "/cache/lab/buildah/k.1/with space",
    ]);
    expect(mountsUnder(mountinfo, "/elsewhere")).to.deep.equal([]);
  });

  it("archives buildah's OCI layout under the name the kubelet resolves", async () => {
    const layout = join(scratch, "layout");
    const blobs = join(layout, "blobs", "sha256");
    mkdirSync(blobs, { recursive: true });
    const put = (data: string) => {
      const hex = createHash("sha256").update(data).digest("hex");
      writeFileSync(join(blobs, hex), data);
      return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
    };
    const layer = put("layer bytes");
    const manifest = put(JSON.stringify({ schemaVersion: 2, layers: [layer] }));
    const manifestDescriptor = { mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest };
    writeFileSync(
      join(layout, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ ...manifestDescriptor, annotations: { [OCI_REF_NAME_ANNOTATION]: "scs-kaas:0.1.0" } }],
      }),
    );
    writeFileSync(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    const out = join(scratch, "image.oci.tar");
    await archiveOciLayout(layout, out, ["docker.io/library/scs-kaas:0.1.0"]);
    const files = await readTar(out);
    const index = JSON.parse(files.get("index.json")?.data.toString() ?? "{}");
    expect(index.manifests).to.have.length(1);
    expect(index.manifests[0]).to.include(manifestDescriptor);
    expect(index.manifests[0].annotations).to.deep.equal({
      [CONTAINERD_NAME_ANNOTATION]: "docker.io/library/scs-kaas:0.1.0",
      [OCI_REF_NAME_ANNOTATION]: "0.1.0",
    });
    expect(files.get(`blobs/sha256/${layer.digest.slice(7)}`)?.data.toString()).to.equal("layer bytes");
    expect(files.has("oci-layout")).to.equal(true);

    writeFileSync(
      join(layout, "index.json"),
      JSON.stringify({ schemaVersion: 2, manifests: [manifestDescriptor, manifestDescriptor] }),
    );
    let error: unknown;
    await archiveOciLayout(layout, out, ["docker.io/library/x:1"]).catch((e: unknown) => {
      error = e;
    });
    expect(String(error)).to.match(/expected one OCI image manifest in index\.json, found 2/);
  });
});
