// A real check of the image archives: import them with `ctr` into a throwaway containerd built by the lab,
// list them, and run commands in them with runc. Skipped (with the reason) when not root or when the
// containerd binaries and images have not been built (`npm run lab -- build`).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { KUBERNETES_VERSION } from "../versions.ts";
import type { ImageArtifact } from "./artifacts.ts";
import { binaryPaths } from "./artifacts.ts";
import { imageSpecs, imageTarball } from "./images.ts";
import { suiteImage } from "./suite-image.ts";

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to run containerd";
  const bin = binaryPaths();
  for (const name of ["containerd", "ctr", "containerd-shim-runc-v2"])
    if (!existsSync(bin.get(name) ?? "")) return `${name} is not built (npm run lab -- build)`;
  if (!existsSync("/usr/sbin/runc") && !existsSync("/usr/bin/runc")) return "runc is not installed";
  return undefined;
}

/** The images built so far (all of them after a full build), as `images()` would list them. */
function builtImages(): ImageArtifact[] {
  return [
    ...imageSpecs(KUBERNETES_VERSION).map((spec) => ({
      ref: spec.refs[0] ?? spec.name,
      refs: [...spec.refs],
      tarball: imageTarball(spec),
    })),
    suiteImage(),
  ].filter((image) => existsSync(image.tarball));
}

describe("lab/build images in a real containerd (lab)", function () {
  this.timeout(180_000);
  const reason = skipReason();
  let dir = "";
  let daemon: ChildProcess | undefined;
  let socket = "";
  let ctr = "";
  const log: string[] = [];

  const runCtr = (...args: string[]) => {
    const result = spawnSync(ctr, ["--address", socket, "--namespace", "k8s.io", ...args], {
      encoding: "utf8",
      timeout: 120_000,
    });
    if (result.status !== 0)
      throw new Error(`ctr ${args.join(" ")} failed (${result.status}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  before(async function () {
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    const bin = binaryPaths();
    ctr = bin.get("ctr") ?? "";
    dir = mkdtempSync("/tmp/lab-ctrd-");
    socket = join(dir, "containerd.sock");
    writeFileSync(
      join(dir, "config.toml"),
      [
        "version = 3",
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images", "io.containerd.cri.v1.runtime", "io.containerd.nri.v1.nri"]',
        "[grpc]",
        `  address = "${socket}"`,
        "[ttrpc]",
        `  address = "${socket}.ttrpc"`,
        "",
      ].join("\n"),
    );
    const containerd = bin.get("containerd") ?? "";
    daemon = spawn(containerd, ["--config", join(dir, "config.toml")], {
      env: { ...process.env, PATH: `${dirname(containerd)}:${process.env.PATH}` },
      stdio: ["ignore", "ignore", "pipe"],
    });
    daemon.stderr?.on("data", (b: Buffer) => log.push(b.toString()));
    for (let i = 0; i < 100; i++) {
      if (spawnSync(ctr, ["--address", socket, "version"]).status === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`containerd did not come up:\n${log.join("").slice(-2000)}`);
  });

  after(async () => {
    const running = daemon;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (running.exitCode === null && running.signalCode === null) running.kill("SIGKILL");
    }
    if (!dir) return;
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "")
      .filter((m) => m.startsWith(dir))
      .sort()
      .reverse();
    for (const mount of mounts) spawnSync("umount", ["-l", mount]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports every built image archive under its names and lists them", function () {
    const built = builtImages();
    if (built.length === 0) this.skip();
    for (const image of built) runCtr("images", "import", "--platform", "linux/amd64", image.tarball);
    const listed = runCtr("images", "ls", "-q").split("\n");
    console.log(`      ctr images ls -q:\n${listed.map((l) => `        ${l}`).join("\n")}`);
    for (const image of built) expect(listed).to.include.members(image.refs);
  });

  it("runs busybox from its image", function () {
    const busybox = builtImages().find((i) => i.ref.includes("/busybox:"));
    if (!busybox) this.skip();
    const out = runCtr(
      "run",
      "--rm",
      busybox.ref,
      `lab-test-${process.pid}`,
      "/bin/sh",
      "-c",
      "echo hello from $(uname -s)",
    );
    expect(out.trim()).to.equal("hello from Linux");
  });

  it("runs curl and dig from the agnhost image (their libraries came along)", function () {
    const agnhost = builtImages().find((i) => i.ref.includes("/agnhost:"));
    if (!agnhost) this.skip();
    const out = runCtr(
      "run",
      "--rm",
      agnhost.ref,
      `lab-test-a-${process.pid}`,
      "/bin/sh",
      "-c",
      "curl --version; dig -v 2>&1; /agnhost --help 2>&1 | grep -E '^ +(netexec|pause) '",
    );
    console.log(
      out
        .split("\n")
        .map((l) => `        ${l}`)
        .join("\n"),
    );
    expect(out).to.match(/^curl \d/m);
    expect(out).to.match(/DiG \d/);
    expect(out).to.match(/^ +netexec /m);
    expect(out).to.match(/^ +pause /m);
  });

  it("runs the suite image's entrypoint as 65532 on a read-only root: no cluster, results still handed over", function () {
    const suite = builtImages().find((i) => i.ref === suiteImage().ref);
    if (!suite) this.skip();
    const results = mkdtempSync(join(dir, "results-"));
    chownSync(results, 65532, 65532);
    const out = runCtr(
      "run",
      "--rm",
      "--read-only",
      "--env",
      "SONOBUOY_RESULTS_DIR=/results",
      "--mount",
      `type=bind,src=${results},dst=/results,options=rbind:rw`,
      suite.ref,
      `lab-test-s-${process.pid}`,
    );
    expect(out).to.match(/0 passed, 0 failed, [1-9]\d* aborted/);
    expect(out).to.match(/results handed over: \/results\/scs-kaas-results\.tar\.gz/);
    expect(readFileSync(join(results, "done"), "utf8").trim()).to.equal("/results/scs-kaas-results.tar.gz");
    expect(statSync(join(results, "junit-scs.xml")).uid).to.equal(65532);
  });

  it("checks the nginx configuration inside the nginx image", function () {
    const nginx = builtImages().find((i) => i.ref.includes("/nginx:"));
    if (!nginx) this.skip();
    const script = "nginx -t -g 'daemon off;' 2>&1";
    const out = runCtr("run", "--rm", nginx.ref, `lab-test-n-${process.pid}`, "/bin/sh", "-c", script);
    expect(out).to.match(/syntax is ok/);
    expect(out).to.match(/test is successful/);
  });
});
