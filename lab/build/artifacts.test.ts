import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { binaryPath, binaryPaths, images, labCacheDir, selectImages } from "./artifacts.ts";
import { goComponents } from "./components.ts";
import { imageSpecs, imageTarball } from "./images.ts";
import { suiteImage } from "./suite-image.ts";

describe("lab/build/artifacts", () => {
  let scratch: string;
  let saved: string | undefined;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "lab-artifacts-test-"));
    saved = process.env.SCS_KAAS_CACHE;
    process.env.SCS_KAAS_CACHE = scratch;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SCS_KAAS_CACHE;
    else process.env.SCS_KAAS_CACHE = saved;
    rmSync(scratch, { recursive: true, force: true });
  });

  it("places every binary in the cache, per component and version", () => {
    const paths = binaryPaths();
    for (const name of [
      "kube-apiserver",
      "kubelet",
      "e2e.test",
      "etcd",
      "containerd",
      "ctr",
      "coredns",
      "sonobuoy",
    ])
      expect(paths.get(name)).to.match(
        new RegExp(`^${labCacheDir()}/[a-z-]+/v[^/]+/bin/${name.replace(".", "\\.")}$`),
      );
    expect(binaryPaths({ kubernetesVersion: "v1.34.5" }).get("kubelet")).to.not.equal(paths.get("kubelet"));
    expect(binaryPaths({ kubernetesVersion: "v1.34.5" }).get("etcd")).to.equal(paths.get("etcd"));
  });

  it("says how to build a missing binary, and names the known ones for a typo", () => {
    expect(() => binaryPath("kubelet")).to.throw(/not built .*npm run lab -- build/);
    expect(() => binaryPath("kubelett")).to.throw(/unknown lab binary "kubelett"; known: .*kubelet/);
  });

  it("returns a built binary's path", () => {
    const path = binaryPaths().get("etcd") ?? "";
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    expect(binaryPath("etcd")).to.equal(path);
  });

  it("leaves Kubernetes' test binaries and the images made from them out of the cluster set", () => {
    const v = "v1.34.5";
    const components = (include: "all" | "cluster") => goComponents(v, include).map((s) => s.component);
    expect(components("all")).to.include("kubernetes-test");
    expect(components("cluster")).to.deep.equal(components("all").filter((c) => c !== "kubernetes-test"));
    const names = (include: "all" | "cluster") => selectImages(imageSpecs(v), v, include).map((s) => s.name);
    expect(names("all")).to.deep.equal(imageSpecs(v).map((s) => s.name));
    expect(names("cluster")).to.deep.equal([
      "pause",
      "busybox",
      "coredns",
      "local-path-provisioner",
      "metallb-controller",
      "metallb-speaker",
      "nginx",
      "sonobuoy",
    ]);
  });

  it("lists the cluster set's images without needing the test images built", () => {
    const v = "v1.34.5";
    const tarballs = [...selectImages(imageSpecs(v), v, "cluster").map(imageTarball), suiteImage().tarball];
    for (const tarball of tarballs) {
      mkdirSync(dirname(tarball), { recursive: true });
      writeFileSync(tarball, "");
    }
    expect(images({ kubernetesVersion: v, include: "cluster" }).map((i) => i.ref)).to.include.members([
      "registry.k8s.io/pause:3.10.1",
      "docker.io/library/scs-kaas:0.1.0",
    ]);
    expect(() => images({ kubernetesVersion: v })).to.throw(
      /lab image registry\.k8s\.io\/e2e-test-images\/agnhost/,
    );
  });

  it("says how to build missing images", () => {
    expect(() => images()).to.throw(
      /lab image registry\.k8s\.io\/pause:3\.10\.2 is not built.*npm run lab -- build/,
    );
  });
});
