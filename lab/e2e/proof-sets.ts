/**
 * The upstream e2e tests that prove the lab is a real cluster (issue: Services, DNS, Pods exec, a PVC on
 * the default class, NetworkPolicy enforcement). A set names its specs (each a spec's text without its
 * trailing labels, whose rendering varies between Kubernetes versions) or gives a focus/skip expression
 * with the number of specs it must select; the runner checks that exactly that many ran.
 */
export interface ProofSet {
  description: string;
  /** Named specs, matched literally. */
  tests?: readonly string[];
  /** Instead of tests: a ginkgo focus and skip, and how many specs they select on the lab's version. */
  focus?: string;
  skip?: string;
  specs?: number;
}

/** Skipped in every set: the lab is one machine (no disruption), and its kernel has no SCTP. */
export const ALWAYS_SKIP = "\\[Disruptive\\]|\\[Serial\\]";

export const PROOF_SETS: Readonly<Record<string, ProofSet>> = {
  conformance: {
    description:
      "Services, cluster DNS (also /etc/hosts entries), Pods exec and a PersistentVolumeClaim on the default class",
    tests: [
      "[sig-network] Services should serve a basic endpoint from pods",
      "[sig-network] DNS should provide DNS for services",
      // Hung in the full conformance run until the glibc-dns-testing stand-in got getent.
      "[sig-network] DNS should provide /etc/hosts entries for the cluster",
      "[sig-node] Pods should support remote command execution over websockets",
      "[sig-storage] PVC Protection Verify that PVC in active use by a pod is not removed immediately",
    ],
  },
  netpol: {
    description:
      "every [Feature:NetworkPolicy] spec the lab can run (TCP and UDP; not SCTPConnectivity: no SCTP in the lab's kernel); the certification's NetworkPolicy run",
    focus: "\\[Feature:NetworkPolicy\\]",
    skip: "\\[Feature:SCTPConnectivity\\]",
    specs: 45,
  },
  "netpol-default-deny": {
    description: "NetworkPolicy default-deny-ingress (TCP), one spec; fails on the no-netpol scenario",
    tests: [
      "[sig-network] Netpol NetworkPolicy between server and client should support a 'default-deny-ingress' policy",
    ],
  },
};

/** A ginkgo focus matching specs whose text contains one of these, literally. */
export function focusFor(tests: readonly string[]): string {
  return tests.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/** The ginkgo focus and skip of a set, and how many specs must run. */
export function selectionOf(set: ProofSet): { focus: string; skip: string; specs: number } {
  if (set.tests) return { focus: focusFor(set.tests), skip: ALWAYS_SKIP, specs: set.tests.length };
  if (!set.focus || set.specs === undefined) throw new Error("a proof set needs tests, or focus and specs");
  return { focus: set.focus, skip: set.skip ? `${ALWAYS_SKIP}|${set.skip}` : ALWAYS_SKIP, specs: set.specs };
}
