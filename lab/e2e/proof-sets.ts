/**
 * The upstream e2e tests that prove the lab is a real cluster (issue: Services, DNS, Pods exec, a PVC on
 * the default class, NetworkPolicy enforcement). Each is a spec's text without its trailing labels (their
 * rendering varies between Kubernetes versions); the runner checks that exactly this many specs ran.
 */
export interface ProofSet {
  description: string;
  tests: readonly string[];
}

export const PROOF_SETS: Readonly<Record<string, ProofSet>> = {
  conformance: {
    description: "Services, cluster DNS, Pods exec and a PersistentVolumeClaim on the default class",
    tests: [
      "[sig-network] Services should serve a basic endpoint from pods",
      "[sig-network] DNS should provide DNS for services",
      "[sig-node] Pods should support remote command execution over websockets",
      "[sig-storage] PVC Protection Verify that PVC in active use by a pod is not removed immediately",
    ],
  },
  netpol: {
    description: "NetworkPolicy enforcement (TCP); fails on the no-netpol scenario",
    tests: [
      "[sig-network] Netpol NetworkPolicy between server and client should support a 'default-deny-ingress' policy",
    ],
  },
};

/** A ginkgo focus matching specs whose text contains one of these, literally. */
export function focusFor(tests: readonly string[]): string {
  return tests.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}
