import { ApiException, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { sleep } from "./exec.ts";
import { adminConfig } from "./kube.ts";

/** Pods a drain leaves alone, as `kubectl drain --ignore-daemonsets` does: DaemonSet pods and mirror pods. */
export function evictable(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"]) return false;
  if ((pod.metadata?.ownerReferences ?? []).some((o) => o.kind === "DaemonSet")) return false;
  return !["Succeeded", "Failed"].includes(pod.status?.phase ?? "");
}

/** Cordons the node and evicts its pods through the eviction API (honouring PodDisruptionBudgets). */
export async function drainNode(
  node: string,
  log: (line: string) => void,
  timeoutMs = 300_000,
): Promise<void> {
  const api = adminConfig().makeApiClient(CoreV1Api);
  await api.patchNode({ name: node, body: [{ op: "add", path: "/spec/unschedulable", value: true }] });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = (await api.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items.filter(
      evictable,
    );
    if (pods.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`drain of ${node} timed out; left: ${pods.map((p) => p.metadata?.name).join(", ")}`);
    // A pod already terminating is waited for, not evicted again.
    for (const pod of pods.filter((p) => !p.metadata?.deletionTimestamp)) {
      const name = pod.metadata?.name ?? "";
      const namespace = pod.metadata?.namespace ?? "";
      try {
        await api.createNamespacedPodEviction({
          name,
          namespace,
          body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
        });
        log(`drain ${node}: evicted ${namespace}/${name}`);
      } catch (error) {
        // 429: a PodDisruptionBudget forbids it now; 404: already gone. Retry on the next round.
        if (!(error instanceof ApiException && (error.code === 429 || error.code === 404))) throw error;
      }
    }
    await sleep(2000);
  }
}
