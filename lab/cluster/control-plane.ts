import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { bin } from "./artifacts.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { nodeStateDir, pkiDir } from "./paths.ts";
import { certFile, keyFile } from "./pki.ts";
import { startDaemon } from "./processes.ts";
import { CLUSTER_CIDR, controlPlanes, type LabNode, SERVICE_CIDR } from "./topology.ts";

/**
 * A stacked control plane on every control-plane node, as kubeadm lays it out: etcd member, kube-apiserver
 * (talking to every etcd member), kube-controller-manager and kube-scheduler with leader election. All of it
 * runs in the node's network namespace and cgroup, so it dies with the node.
 */

export function etcdArgs(node: LabNode, all: readonly LabNode[], initialState: "new" | "existing"): string[] {
  const members = controlPlanes(all)
    .map((n) => `${n.name}=https://${n.ip}:2380`)
    .join(",");
  const cert = certFile(`etcd-${node.name}`);
  const key = keyFile(`etcd-${node.name}`);
  const ca = certFile("etcd-ca");
  return [
    `--name=${node.name}`,
    `--data-dir=${join(nodeStateDir(node.name), "etcd")}`,
    `--listen-client-urls=https://${node.ip}:2379,https://127.0.0.1:2379`,
    `--advertise-client-urls=https://${node.ip}:2379`,
    `--listen-peer-urls=https://${node.ip}:2380`,
    `--initial-advertise-peer-urls=https://${node.ip}:2380`,
    `--initial-cluster=${members}`,
    `--initial-cluster-state=${initialState}`,
    "--initial-cluster-token=scs-kaas-lab",
    "--listen-metrics-urls=http://127.0.0.1:2381",
    "--client-cert-auth",
    `--trusted-ca-file=${ca}`,
    `--cert-file=${cert}`,
    `--key-file=${key}`,
    "--peer-client-cert-auth",
    `--peer-trusted-ca-file=${ca}`,
    `--peer-cert-file=${cert}`,
    `--peer-key-file=${key}`,
    // Two shared cores: a slow fsync or a busy CPU must not trigger elections.
    "--heartbeat-interval=250",
    "--election-timeout=2500",
    "--snapshot-count=10000",
    "--auto-compaction-mode=periodic",
    "--auto-compaction-retention=1h",
    "--log-level=warn",
  ];
}

export function apiserverArgs(node: LabNode, all: readonly LabNode[]): string[] {
  const etcd = controlPlanes(all)
    .map((n) => `https://${n.ip}:2379`)
    .join(",");
  return [
    `--advertise-address=${node.ip}`,
    "--bind-address=0.0.0.0",
    "--secure-port=6443",
    `--etcd-servers=${etcd}`,
    `--etcd-cafile=${certFile("etcd-ca")}`,
    `--etcd-certfile=${certFile("apiserver-etcd-client")}`,
    `--etcd-keyfile=${keyFile("apiserver-etcd-client")}`,
    `--client-ca-file=${certFile("ca")}`,
    `--tls-cert-file=${certFile("kube-apiserver")}`,
    `--tls-private-key-file=${keyFile("kube-apiserver")}`,
    `--kubelet-client-certificate=${certFile("apiserver-kubelet-client")}`,
    `--kubelet-client-key=${keyFile("apiserver-kubelet-client")}`,
    `--kubelet-certificate-authority=${certFile("ca")}`,
    "--kubelet-preferred-address-types=InternalIP,Hostname",
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${join(pkiDir(), "service-account.pub")}`,
    `--service-account-signing-key-file=${keyFile("service-account")}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    "--anonymous-auth=false",
    "--allow-privileged=true",
    "--profiling=false",
    "--endpoint-reconciler-type=lease",
    "--v=1",
  ];
}

/** Flags the controller-manager and the scheduler share: credentials, local-only serving, leader election. */
function controlLoopArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    "--leader-elect=true",
    "--profiling=false",
    "--v=1",
  ];
}

export function controllerManagerArgs(kubeconfig: string): string[] {
  return [
    ...controlLoopArgs(kubeconfig),
    "--use-service-account-credentials=true",
    `--cluster-signing-cert-file=${certFile("ca")}`,
    `--cluster-signing-key-file=${keyFile("ca")}`,
    `--root-ca-file=${certFile("ca")}`,
    `--service-account-private-key-file=${keyFile("service-account")}`,
    `--cluster-cidr=${CLUSTER_CIDR}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // The lab (like a cloud provider) sets each Node's podCIDR itself; no allocator.
    "--allocate-node-cidrs=false",
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return controlLoopArgs(kubeconfig);
}

export function startEtcd(node: LabNode, all: readonly LabNode[], state: "new" | "existing"): void {
  mkdirSync(nodeStateDir(node.name), { recursive: true });
  startDaemon({
    owner: node.name,
    name: "etcd",
    command: bin("etcd"),
    args: etcdArgs(node, all, state),
    netns: node.name,
  });
}

export function startApiServer(node: LabNode, all: readonly LabNode[], kubernetesVersion: string): void {
  startDaemon({
    owner: node.name,
    name: "kube-apiserver",
    command: bin("kube-apiserver", { kubernetesVersion }),
    args: apiserverArgs(node, all),
    netns: node.name,
  });
}

/** Controller manager and scheduler, each talking to its own node's API server as kubeadm's do. */
export function startControllers(node: LabNode, kubernetesVersion: string): void {
  const v = { kubernetesVersion };
  const local = `https://${node.ip}:6443`;
  startDaemon({
    owner: node.name,
    name: "kube-controller-manager",
    command: bin("kube-controller-manager", v),
    args: controllerManagerArgs(
      writeKubeconfig("kube-controller-manager", local, `kube-controller-manager-${node.name}`),
    ),
    netns: node.name,
    restart: true,
  });
  startDaemon({
    owner: node.name,
    name: "kube-scheduler",
    command: bin("kube-scheduler", v),
    args: schedulerArgs(writeKubeconfig("kube-scheduler", local, `kube-scheduler-${node.name}`)),
    netns: node.name,
    restart: true,
  });
}
