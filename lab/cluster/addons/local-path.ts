import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { StorageKind } from "../../scenarios/scenarios.ts";
import { bin, labImageRef } from "../artifacts.ts";
import { writeKubeconfig } from "../kubeconfig.ts";
import { nodeStateDir, sharedStorageDir } from "../paths.ts";
import { startDaemon } from "../processes.ts";
import type { LabNode } from "../topology.ts";

const NAMESPACE = "local-path-storage";
const PROVISIONER = "rancher.io/local-path";

export const nodeLocalPath = (node: string) => join(nodeStateDir(node), "local-path");

/**
 * shared: every "node" of the lab sees the machine's filesystem, so one directory outside all node disks is
 * a shared filesystem: volumes have no node affinity and outlive any node. node-local: each node's volumes
 * live on that node's own disk (its state directory) and are gone when the node is rolled.
 */
export function provisionerConfig(kind: StorageKind, nodes: readonly LabNode[]): Record<string, unknown> {
  if (kind === "shared") return { sharedFileSystemPath: sharedStorageDir() };
  return { nodePathMap: nodes.map((n) => ({ node: n.name, paths: [nodeLocalPath(n.name)] })) };
}

const helperImage = (kubernetesVersion: string) =>
  labImageRef(/\/busybox:/, { kubernetesVersion, include: "cluster" });

const SETUP = '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n';
const TEARDOWN = '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n';

function helperPod(image: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "helper-pod" },
    spec: {
      priorityClassName: "system-node-critical",
      tolerations: [{ operator: "Exists" }],
      containers: [{ name: "helper-pod", image, imagePullPolicy: "Never" }],
    },
  });
}

export function localPathManifests(
  kind: StorageKind,
  nodes: readonly LabNode[],
  kubernetesVersion: string,
): string {
  const config = JSON.stringify(provisionerConfig(kind, nodes), null, 2);
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "local-path-provisioner-service-account", namespace: NAMESPACE },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "local-path-config", namespace: NAMESPACE },
      data: {
        "config.json": config,
        setup: SETUP,
        teardown: TEARDOWN,
        "helperPod.yaml": helperPod(helperImage(kubernetesVersion)),
      },
    },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: "local-path",
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
      },
      provisioner: PROVISIONER,
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Delete",
    },
  ]
    .map((o) => stringify(o))
    .join("---\n");
}

export function startLocalPath(
  node: LabNode,
  kind: StorageKind,
  nodes: readonly LabNode[],
  kubernetesVersion: string,
): void {
  const dir = join(nodeStateDir(node.name), "local-path-provisioner");
  mkdirSync(dir, { recursive: true });
  mkdirSync(sharedStorageDir(), { recursive: true });
  for (const n of nodes) mkdirSync(nodeLocalPath(n.name), { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(provisionerConfig(kind, nodes), null, 2));
  writeFileSync(join(dir, "helperPod.yaml"), helperPod(helperImage(kubernetesVersion)));
  startDaemon({
    owner: node.name,
    name: "local-path-provisioner",
    command: bin("local-path-provisioner"),
    args: [
      "start",
      `--config=${join(dir, "config.json")}`,
      `--helper-pod-file=${join(dir, "helperPod.yaml")}`,
      `--namespace=${NAMESPACE}`,
      `--provisioner-name=${PROVISIONER}`,
      `--kubeconfig=${writeKubeconfig("addons")}`,
    ],
    netns: node.name,
    restart: true,
  });
}
