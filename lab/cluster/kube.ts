import { ApiException, CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";
import { bin } from "./artifacts.ts";
import { run, waitFor } from "./exec.ts";
import { adminKubeconfig } from "./paths.ts";

export function adminConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig());
  return kc;
}

export const coreApi = () => adminConfig().makeApiClient(CoreV1Api);

/** kubectl as the lab admin; used to apply manifests (server-side apply). */
export function kubectl(
  args: readonly string[],
  input?: string,
  kubernetesVersion?: string,
): Promise<string> {
  return run(bin("kubectl", { kubernetesVersion }), [`--kubeconfig=${adminKubeconfig()}`, ...args], input);
}

export const apply = (yaml: string, kubernetesVersion?: string) =>
  kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=scs-kaas-lab", "-f", "-"],
    yaml,
    kubernetesVersion,
  );

export const isNotFound = (error: unknown) => error instanceof ApiException && error.code === 404;

export function nodeReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Waits for /readyz through the API load balancer; fails at once when a watched daemon exits. */
export async function waitApiHealthy(timeoutMs: number, watch: () => void = () => undefined): Promise<void> {
  await waitFor(
    "the API server",
    timeoutMs,
    async () => {
      watch();
      await kubectl(["get", "--raw=/readyz"]);
      return true;
    },
    1000,
  );
}

export async function waitNodesReady(
  names: readonly string[],
  timeoutMs: number,
  watch: () => void = () => undefined,
): Promise<void> {
  const api = coreApi();
  await waitFor(
    `nodes ${names.join(", ")} Ready`,
    timeoutMs,
    async () => {
      watch();
      const list = await api.listNode();
      const ready = new Set(list.items.filter(nodeReady).map((n) => n.metadata?.name));
      return names.every((n) => ready.has(n)) ? true : undefined;
    },
    1000,
  );
}
