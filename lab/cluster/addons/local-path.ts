import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { StorageKind } from "../../scenarios/scenarios.ts";
import { labImageRef } from "../artifacts.ts";
import { nodeStateDir, sharedStorageDir } from "../paths.ts";
import type { LabNode } from "../topology.ts";

export const LOCAL_PATH_NAMESPACE = "local-path-storage";
export const LOCAL_PATH_DEPLOYMENT = "local-path-provisioner";
const NAMESPACE = LOCAL_PATH_NAMESPACE;
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

/** The lab images the provisioner and its helper pods run. */
export function localPathImages(kubernetesVersion: string): { provisioner: string; helper: string } {
  const artifacts = { kubernetesVersion, include: "cluster" as const };
  return {
    provisioner: labImageRef(/\/local-path-provisioner:/, artifacts),
    helper: labImageRef(/\/busybox:/, artifacts),
  };
}

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

const SERVICE_ACCOUNT = "local-path-provisioner-service-account";
const LABELS = { app: "local-path-provisioner" };
/** A dead node's provisioner is replaced after this long (the default 300 s would stall every new PVC). */
const GONE_NODE_TOLERATION_SECONDS = 30;

/** Upstream's deploy/local-path-storage.yaml RBAC, unchanged. */
function rbac(): Record<string, unknown>[] {
  const subjects = [{ kind: "ServiceAccount", name: SERVICE_ACCOUNT, namespace: NAMESPACE }];
  const name = "local-path-provisioner-role";
  const binding = "local-path-provisioner-bind";
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace: NAMESPACE },
      rules: [
        {
          apiGroups: [""],
          resources: ["pods"],
          verbs: ["get", "list", "watch", "create", "patch", "update", "delete"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name },
      rules: [
        {
          apiGroups: [""],
          resources: ["nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: [""],
          resources: ["persistentvolumes"],
          verbs: ["get", "list", "watch", "create", "patch", "update", "delete"],
        },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get", "list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: binding, namespace: NAMESPACE },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: binding },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects,
    },
  ];
}

/** Upstream's Deployment, with the lab's image (never pulled) and a quick move off a dead node. */
function deployment(image: string): Record<string, unknown> {
  const goneNode = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map((key) => ({
    key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: GONE_NODE_TOLERATION_SECONDS,
  }));
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: LOCAL_PATH_DEPLOYMENT, namespace: NAMESPACE },
    spec: {
      replicas: 1,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT,
          priorityClassName: "system-cluster-critical",
          tolerations: goneNode,
          containers: [
            {
              name: "local-path-provisioner",
              image,
              imagePullPolicy: "Never",
              command: [
                "local-path-provisioner",
                "start",
                "--config=/etc/config/config.json",
                `--provisioner-name=${PROVISIONER}`,
              ],
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/config/" }],
              env: [
                { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                { name: "CONFIG_MOUNT_PATH", value: "/etc/config/" },
              ],
            },
          ],
          volumes: [{ name: "config-volume", configMap: { name: "local-path-config" } }],
        },
      },
    },
  };
}

/**
 * local-path-provisioner as upstream deploys it (a Deployment of one in local-path-storage) and the lab's
 * default StorageClass. The directories it provisions into are made on the machine first (`prepareStorage`).
 */
export function localPathManifests(
  kind: StorageKind,
  nodes: readonly LabNode[],
  images: { provisioner: string; helper: string },
): string {
  const config = JSON.stringify(provisionerConfig(kind, nodes), null, 2);
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SERVICE_ACCOUNT, namespace: NAMESPACE } },
    ...rbac(),
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "local-path-config", namespace: NAMESPACE },
      data: {
        "config.json": config,
        setup: SETUP,
        teardown: TEARDOWN,
        "helperPod.yaml": helperPod(images.helper),
      },
    },
    deployment(images.provisioner),
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

/** The shared directory and every node's local directory, before the provisioner's helper pods use them. */
export function prepareStorage(nodes: readonly LabNode[]): void {
  mkdirSync(sharedStorageDir(), { recursive: true });
  for (const n of nodes) mkdirSync(nodeLocalPath(n.name), { recursive: true });
}
