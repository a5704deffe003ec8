import { downloadModule, readGoMod } from "./go.ts";
import type { GoBinary, GoComponentSpec } from "./go-component.ts";
import { kubernetesWrapper } from "./gomod.ts";

/** Version ldflags, as upstream's hack/lib/version.sh sets them; without them binaries say v0.0.0-master. */
export function kubernetesVersionLdflags(version: string): string[] {
  const match = /^v(\d+)\.(\d+)\.\d+$/.exec(version);
  if (!match) throw new Error(`not a Kubernetes release version: ${version}`);
  const values: Record<string, string> = {
    gitVersion: version,
    gitMajor: match[1] ?? "",
    gitMinor: match[2] ?? "",
    gitTreeState: "clean",
  };
  const flags: string[] = [];
  for (const pkg of ["k8s.io/client-go/pkg/version", "k8s.io/component-base/version"])
    for (const [key, value] of Object.entries(values)) flags.push(`-X ${pkg}.${key}=${value}`);
  return flags;
}

/** Server binaries and kubectl: what a cluster needs to run. */
export function kubernetesBinaries(version: string): GoBinary[] {
  const ldflags = kubernetesVersionLdflags(version);
  const k = (name: string, pkg: string): GoBinary => ({ name, pkg, ldflags });
  return [
    k("kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver"),
    k("kube-controller-manager", "k8s.io/kubernetes/cmd/kube-controller-manager"),
    k("kube-scheduler", "k8s.io/kubernetes/cmd/kube-scheduler"),
    k("kubelet", "k8s.io/kubernetes/cmd/kubelet"),
    k("kube-proxy", "k8s.io/kubernetes/cmd/kube-proxy"),
    k("kubectl", "k8s.io/kubernetes/cmd/kubectl"),
  ];
}

/**
 * What testing a cluster needs: e2e.test (the longest build of all), agnhost, ginkgo at the version
 * Kubernetes' go.mod pins, and the conformance image's runner. A separate component so that a cluster can
 * start before these are built, and so that a version used only for a cluster skips them.
 */
export function kubernetesTestBinaries(version: string): GoBinary[] {
  const ldflags = kubernetesVersionLdflags(version);
  return [
    { name: "agnhost", pkg: "k8s.io/kubernetes/test/images/agnhost", ldflags },
    { name: "ginkgo", pkg: "github.com/onsi/ginkgo/v2/ginkgo" },
    { name: "go-runner", pkg: "k8s.io/kubernetes/test/conformance/image/go-runner" },
    { name: "e2e.test", pkg: "k8s.io/kubernetes/test/e2e", ldflags, testBinary: true },
  ];
}

const wrapper = (version: string) => async () =>
  kubernetesWrapper(version, readGoMod(await downloadModule("k8s.io/kubernetes", version)));

export function kubernetesSpec(version: string): GoComponentSpec {
  return {
    component: "kubernetes",
    version,
    binaries: kubernetesBinaries(version),
    wrapper: wrapper(version),
  };
}

export function kubernetesTestSpec(version: string): GoComponentSpec {
  return {
    component: "kubernetes-test",
    version,
    binaries: kubernetesTestBinaries(version),
    wrapper: wrapper(version),
  };
}
