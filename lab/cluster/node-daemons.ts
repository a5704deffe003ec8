import { CoreV1Api } from "@kubernetes/client-node";
import { findScenario } from "../scenarios/scenarios.ts";
import { startLocalPath } from "./addons/local-path.ts";
import { devMode } from "./artifacts.ts";
import { importImages, startContainerd } from "./containerd.ts";
import { startApiServer, startControllers, startEtcd } from "./control-plane.ts";
import { adminConfig, isNotFound } from "./kube.ts";
import { startKubelet, startKubeProxy } from "./kubelet.ts";
import type { LabRecord } from "./state.ts";
import { CLUSTER_CIDR, controlPlanes, type LabNode, nodeLabels } from "./topology.ts";

/** The first control-plane node hosts the storage provisioner. */
export const addonHost = (lab: LabRecord) => controlPlanes(lab.nodes)[0];

/**
 * etcd and the API server of a control-plane node (`etcdState` "new" only when the cluster is created);
 * with `controllers`, also the controller manager and scheduler (which need a ready API server).
 */
export function startControlPlaneDaemons(
  node: LabNode,
  lab: LabRecord,
  etcdState: "new" | "existing",
  controllers: boolean,
): void {
  if (node.role !== "control-plane") return;
  startEtcd(node, lab.nodes, etcdState);
  startApiServer(node, lab.nodes, lab.kubernetesVersion);
  if (controllers) startControllers(node, lab.kubernetesVersion);
}

/** containerd, with the lab's images imported when the node's disk is new. */
export async function startRuntime(node: LabNode, lab: LabRecord, freshDisk: boolean): Promise<void> {
  await startContainerd(node, lab.kubernetesVersion);
  if (freshDisk)
    await importImages(node.name, { kubernetesVersion: lab.kubernetesVersion, include: lab.artifacts });
}

/** In development mode (SCS_KAAS_LAB_DEV_BIN) an addon whose binary is not built yet is skipped. */
function addon(name: string, start: () => void): void {
  try {
    start();
  } catch (error) {
    if (!devMode()) throw error;
    console.error(`lab (dev mode): ${name} not started: ${error instanceof Error ? error.message : error}`);
  }
}

/** What runs on a node once the API is up: kubelet, kube-proxy, the per-node addons. */
export function startNodeAgents(node: LabNode, lab: LabRecord): void {
  const scenario = findScenario(lab.scenario);
  startKubelet(node, lab.kubernetesVersion);
  startKubeProxy(node, lab.kubernetesVersion, CLUSTER_CIDR);
  if (node.name === addonHost(lab)?.name) {
    addon("local-path-provisioner", () =>
      startLocalPath(node, scenario.storage, lab.nodes, lab.kubernetesVersion),
    );
  }
}

/**
 * What a cloud provider does when it creates a VM: the Node object with its pod subnet, its zone/region and
 * host labels and, for control-plane nodes, the NoSchedule taint. The kubelet then adopts it.
 */
export async function registerNode(node: LabNode, lab: LabRecord): Promise<void> {
  const api = adminConfig().makeApiClient(CoreV1Api);
  const scenario = findScenario(lab.scenario);
  try {
    await api.readNode({ name: node.name });
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await api.createNode({
    body: {
      metadata: { name: node.name, labels: nodeLabels(node, scenario.topology) },
      spec: {
        podCIDR: node.podCIDR,
        podCIDRs: [node.podCIDR],
        taints:
          node.role === "control-plane"
            ? [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]
            : undefined,
      },
    },
  });
}
