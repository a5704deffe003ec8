import { expect } from "chai";
import { imageKey, imageSpecs, imageTarball } from "./images.ts";
import { assertQualifiedRef } from "./oci.ts";

describe("lab/build/images", () => {
  it("names every image exactly as the v1.36 manifests expect", () => {
    const refs = imageSpecs("v1.36.5").flatMap((s) => s.refs);
    expect(refs).to.include.members([
      "registry.k8s.io/pause:3.10.2",
      "registry.k8s.io/e2e-test-images/busybox:1.37.0-1",
      "registry.k8s.io/e2e-test-images/agnhost:2.66.1",
      "registry.k8s.io/e2e-test-images/agnhost:2.55",
      "registry.k8s.io/e2e-test-images/nginx:1.15-4",
      "registry.k8s.io/conformance:v1.36.5",
      "docker.io/sonobuoy/sonobuoy:v0.57.5",
    ]);
    for (const ref of refs) expect(() => assertQualifiedRef(ref), ref).to.not.throw();
    expect(new Set(refs).size).to.equal(refs.length);
  });

  it("follows the e2e tags of the Kubernetes minor", () => {
    const refs = imageSpecs("v1.34.5").flatMap((s) => s.refs);
    expect(refs).to.include.members([
      "registry.k8s.io/pause:3.10.1",
      "registry.k8s.io/e2e-test-images/agnhost:2.56",
      "registry.k8s.io/conformance:v1.34.5",
    ]);
    expect(() => imageSpecs("v1.29.0")).to.throw(/no E2E_IMAGE_TAGS for Kubernetes v1\.29\.0/);
  });

  it("keys an image by its inputs, so images built from other binaries do not collide", () => {
    const conformance = (v: string) => imageSpecs(v).find((s) => s.name === "conformance");
    const a = conformance("v1.36.5");
    const b = conformance("v1.34.5");
    if (!a || !b) throw new Error("no conformance image spec");
    expect(imageKey(a)).to.not.equal(imageKey(b));
    expect(imageTarball(a)).to.match(/\/images\/conformance-[^/]+\/image\.oci\.tar$/);
    expect(imageKey({ ...a, inputs: { ...a.inputs, busybox: "other" } })).to.not.equal(imageKey(a));
  });
});
