import { expect } from "chai";
import { kubernetesBinaries, kubernetesTestBinaries, kubernetesVersionLdflags } from "./kubernetes.ts";

describe("lab/build/kubernetes", () => {
  it("stamps the version into both places kubectl version and /version read", () => {
    const flags = kubernetesVersionLdflags("v1.36.5");
    for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
      expect(flags).to.include(`-X ${pkg}.gitVersion=v1.36.5`);
      expect(flags).to.include(`-X ${pkg}.gitMajor=1`);
      expect(flags).to.include(`-X ${pkg}.gitMinor=36`);
    }
    expect(() => kubernetesVersionLdflags("master")).to.throw();
  });

  it("builds e2e.test as a test binary and every server binary with the version stamp", () => {
    const binaries = [...kubernetesBinaries("v1.34.5"), ...kubernetesTestBinaries("v1.34.5")];
    expect(binaries.find((b) => b.name === "e2e.test")).to.include({
      pkg: "k8s.io/kubernetes/test/e2e",
      testBinary: true,
    });
    for (const name of ["kube-apiserver", "kubelet", "kubectl", "kube-proxy"])
      expect(binaries.find((b) => b.name === name)?.ldflags).to.include(
        "-X k8s.io/component-base/version.gitVersion=v1.34.5",
      );
    expect(binaries.map((b) => b.name)).to.include.members(["agnhost", "ginkgo", "go-runner"]);
  });
});
