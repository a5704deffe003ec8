import { CoreV1Api } from "@kubernetes/client-node";
import { findScenario } from "../scenarios/scenarios.ts";
import { importImages, startContainerd } from "./containerd.ts";
import { startApiServer, startControllers, startEtcd } from "./control-plane.ts";
import { adminConfig, isNotFound } from "./kube.ts";
import { startKubelet, startKubeProxy } from "./kubelet.ts";
import type { LabRecord } from "./state.ts";
import { CLUSTER_CIDR, type LabNode, nodeLabels } from "./topology.ts";

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

/** What runs on a node once the API is up: kubelet and kube-proxy (the addons run as pods). */
export function startNodeAgents(node: LabNode, lab: LabRecord): void {
  startKubelet(node, lab.kubernetesVersion);
  startKubeProxy(node, lab.kubernetesVersion, CLUSTER_CIDR);
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
