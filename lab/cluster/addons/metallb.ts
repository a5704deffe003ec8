import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { componentFilePath } from "../../build/binaries.ts";
import { waitFor } from "../exec.ts";
import { apply } from "../kube.ts";
import { LB_POOL } from "../topology.ts";

export const METALLB_NAMESPACE = "metallb-system";
const EXCLUDE_FROM_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";
/** The Deployment and DaemonSet metallb-native.yaml creates. */
export const METALLB_WORKLOADS: readonly [string, string][] = [
  [METALLB_NAMESPACE, "deployment/controller"],
  [METALLB_NAMESPACE, "daemonset/speaker"],
];

/** MetalLB as its own manifest deploys it (CRDs, RBAC, webhook, controller, speaker DaemonSet). */
export const metallbManifest = (kubernetesVersion: string) =>
  readFileSync(componentFilePath("metallb-native.yaml", { kubernetesVersion }), "utf8");

/** Layer-2 mode over the lab's LoadBalancer pool: each address answered (ARP) by one node's speaker. */
export function metallbPoolManifests(): string {
  return [
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "IPAddressPool",
      metadata: { name: "lab-pool", namespace: METALLB_NAMESPACE },
      spec: { addresses: [`${LB_POOL.first}-${LB_POOL.last}`] },
    },
    {
      apiVersion: "metallb.io/v1beta1",
      kind: "L2Advertisement",
      metadata: { name: "lab-l2", namespace: METALLB_NAMESPACE },
      spec: {
        ipAddressPools: ["lab-pool"],
        // MetalLB v0.13.5 predates honouring this well-known label; the advertisement's selector does it.
        nodeSelectors: [{ matchExpressions: [{ key: EXCLUDE_FROM_LB_LABEL, operator: "DoesNotExist" }] }],
      },
    },
  ]
    .map((o) => stringify(o))
    .join("---\n");
}

/** The pool, once MetalLB's validating webhook (served by its controller) accepts it. */
export async function applyMetallbPool(kubernetesVersion: string, timeoutMs: number): Promise<void> {
  await waitFor(
    "MetalLB's webhook to accept the address pool",
    timeoutMs,
    async () => {
      await apply(metallbPoolManifests(), kubernetesVersion);
      return true;
    },
    2000,
  );
}
