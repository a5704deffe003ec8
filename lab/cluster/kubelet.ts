import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { bin } from "./artifacts.ts";
import { nodeCgroup } from "./cgroups.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { containerdSocket, nodeStateDir } from "./paths.ts";
import { certFile, keyFile } from "./pki.ts";
import { startDaemon } from "./processes.ts";
import { CLUSTER_DOMAIN, DNS_SERVICE_IP, type LabNode } from "./topology.ts";

export const kubeletRoot = (node: string) => join(nodeStateDir(node), "kubelet");

/**
 * KubeletConfiguration of one node. Every kubelet sees the whole machine, so: few pods, a reservation, no
 * image GC (an image removed could not be pulled back), low eviction thresholds (the disk is shared with
 * builds), and cgroups under the node's own cgroupRoot.
 */
export function kubeletConfig(node: LabNode): Record<string, unknown> {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: certFile("ca") },
    },
    authorization: { mode: "Webhook" },
    address: node.ip,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    tlsCertFile: certFile(`kubelet-serving-${node.name}`),
    tlsPrivateKeyFile: keyFile(`kubelet-serving-${node.name}`),
    containerRuntimeEndpoint: `unix://${containerdSocket(node.name)}`,
    cgroupDriver: "cgroupfs",
    cgroupRoot: nodeCgroup(node.name),
    cgroupsPerQOS: true,
    // This machine has a cgroup v1 hierarchy that cannot be converted (see cgroups.ts).
    failCgroupV1: false,
    failSwapOn: false,
    clusterDNS: [DNS_SERVICE_IP],
    clusterDomain: CLUSTER_DOMAIN,
    // Pods with dnsPolicy Default get no nameserver: the lab has no upstream DNS.
    resolvConf: "",
    podLogsDir: join(nodeStateDir(node.name), "pod-logs"),
    maxPods: 30,
    systemReserved: { cpu: "100m", memory: "256Mi" },
    kubeReserved: { cpu: "100m", memory: "256Mi" },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    imageMinimumGCAge: "87600h",
    evictionHard: {
      "memory.available": "100Mi",
      "nodefs.available": "2%",
      "nodefs.inodesFree": "2%",
      "imagefs.available": "2%",
    },
    serializeImagePulls: false,
    // Kubelet sets these host sysctls itself (kernel.panic, vm.overcommit_memory) unless told they are fixed.
    protectKernelDefaults: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    nodeStatusReportFrequency: "10s",
    shutdownGracePeriod: "0s",
    containerLogMaxSize: "5Mi",
    containerLogMaxFiles: 2,
  };
}

export function startKubelet(node: LabNode, kubernetesVersion: string): void {
  const root = kubeletRoot(node.name);
  mkdirSync(root, { recursive: true });
  const config = join(nodeStateDir(node.name), "kubelet-config.yaml");
  writeFileSync(config, stringify(kubeletConfig(node)));
  const kubeconfig = writeKubeconfig(`kubelet-${node.name}`);
  startDaemon({
    owner: node.name,
    name: "kubelet",
    command: bin("kubelet", { kubernetesVersion }),
    args: [
      `--config=${config}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${root}`,
      `--hostname-override=${node.name}`,
      `--node-ip=${node.ip}`,
      "--v=1",
    ],
    netns: node.name,
    restart: true,
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
}

export function kubeProxyConfig(
  node: LabNode,
  kubeconfig: string,
  clusterCIDR: string,
): Record<string, unknown> {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig },
    hostnameOverride: node.name,
    bindAddress: node.ip,
    mode: "iptables",
    clusterCIDR,
    detectLocalMode: "ClusterCIDR",
    metricsBindAddress: "127.0.0.1:10249",
    // Serves LoadBalancer health checks (healthCheckNodePort) and the node's own /healthz.
    healthzBindAddress: "0.0.0.0:10256",
    // This machine withholds CAP_SYS_RESOURCE: an oom_score_adj below the current one would be refused.
    oomScoreAdj: 0,
    // Conntrack limits are machine-wide, not per namespace: leave them alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
  };
}

export function startKubeProxy(node: LabNode, kubernetesVersion: string, clusterCIDR: string): void {
  const config = join(nodeStateDir(node.name), "kube-proxy-config.yaml");
  const kubeconfig = writeKubeconfig("kube-proxy");
  writeFileSync(config, stringify(kubeProxyConfig(node, kubeconfig, clusterCIDR)));
  startDaemon({
    owner: node.name,
    name: "kube-proxy",
    command: bin("kube-proxy", { kubernetesVersion }),
    args: [`--config=${config}`, "--v=1"],
    netns: node.name,
    restart: true,
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
}
