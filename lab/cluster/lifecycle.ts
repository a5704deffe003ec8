import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildAll } from "../build/artifacts.ts";
import { findScenario, isAmphora, type LoadBalancerKind } from "../scenarios/scenarios.ts";
import { applyPodAddons, podAddonsReady } from "./addons/deploy.ts";
import { prepareStorage } from "./addons/local-path.ts";
import { NODE_ACTIONS_URL } from "./addons/node-actions.ts";
import { startNodeActions, tokenSecretYaml } from "./addons/node-actions-start.ts";
import { ADDON_RBAC } from "./addons/rbac.ts";
import { startApiLb } from "./api-lb.ts";
import { devMode } from "./artifacts.ts";
import { killCgroup, nodeCgroup, removeCgroups } from "./cgroups.ts";
import { leftovers, removeEverything, unmountAll } from "./cleanup.ts";
import { startControllers } from "./control-plane.ts";
import { drainNode } from "./drain.ts";
import { addEtcdMember, removeEtcdMember, waitEtcdMemberHealthy } from "./etcd-members.ts";
import { run, waitFor } from "./exec.ts";
import { ensureHostPackages } from "./host-packages.ts";
import { apply, kubectl, waitApiHealthy, waitNodesReady } from "./kube.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { createLbProber, LB_PROBER_SECRET } from "./lb-prober.ts";
import {
  createFabric,
  createLbProxyNetwork,
  createNodeNetwork,
  removeNodeNetwork,
  setNodeLink,
} from "./network.ts";
import { registerNode, startControlPlaneDaemons, startNodeAgents, startRuntime } from "./node-daemons.ts";
import { adminKubeconfig, nodeRunDir, nodeStateDir } from "./paths.ts";
import { createPki, issue, nodeCertRequests } from "./pki.ts";
import { assertAlive, forgetDaemons, startDaemon } from "./processes.ts";
import { type LabRecord, readLab, requireLab, updateLab, writeLab } from "./state.ts";
import { buildTopology, controlPlanes, findNode, type LabNode, NODE_NETWORK } from "./topology.ts";

export type Log = (line: string) => void;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function up(scenarioName: string, log: Log, opts: { build?: boolean } = {}): Promise<LabRecord> {
  const scenario = findScenario(scenarioName);
  const started = Date.now();
  if (opts.build !== false && !devMode())
    await buildAll({ kubernetesVersion: scenario.kubernetesVersion, include: scenario.artifacts, log });
  await ensureHostPackages(log);
  if (readLab()) log("lab up: removing the previous lab first");
  await removeEverything(log);
  // Mounts made by kubelet and containerd must propagate between them (both run in this mount namespace).
  await run("mount", ["--make-rshared", "/"]);

  const lab: LabRecord = {
    scenario: scenario.name,
    kubernetesVersion: scenario.kubernetesVersion,
    artifacts: scenario.artifacts,
    nodes: buildTopology(scenario.topology),
    killed: [],
    startedAt: new Date().toISOString(),
  };
  writeLab(lab);
  await createPki(lab.nodes);
  writeKubeconfig("admin");
  writeKubeconfig("addons");
  log(`lab up: PKI ready (${seconds(started)})`);

  await createFabric();
  for (const node of lab.nodes) await createNodeNetwork(node, lab.nodes);
  if (isAmphora(scenario.loadBalancer)) await createLbProxyNetwork();
  startApiLb(lab.nodes);
  log(`lab up: network ready (${seconds(started)})`);

  for (const node of controlPlanes(lab.nodes)) startControlPlaneDaemons(node, lab, "new", false);
  // Container runtimes and image imports do not need the API: run them while the control plane boots.
  const runtimes = Promise.all(lab.nodes.map((node) => startRuntime(node, lab, true)));
  runtimes.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  await waitApiHealthy(180_000, () => {
    for (const cp of controlPlanes(lab.nodes))
      for (const d of ["etcd", "kube-apiserver"]) assertAlive(cp.name, d);
  });
  log(`lab up: API server ready (${seconds(started)})`);
  for (const node of controlPlanes(lab.nodes)) startControllers(node, lab.kubernetesVersion);
  await apply(ADDON_RBAC, lab.kubernetesVersion);
  await startNodeActions(lab);
  log(`lab up: node-action webhook at ${NODE_ACTIONS_URL} (${seconds(started)})`);
  for (const node of lab.nodes) await registerNode(node, lab);
  await runtimes;
  log(`lab up: containerd running and images imported on ${lab.nodes.length} nodes (${seconds(started)})`);

  for (const node of lab.nodes) startNodeAgents(node, lab);
  if (scenario.networkPolicy !== "none")
    startHostAddon(lab, "netpol", "./addons/netpol/daemon.ts", { NETPOL_MODE: scenario.networkPolicy });
  await applyPodAddons(lab, scenario);
  if (isAmphora(scenario.loadBalancer)) startAmphora(scenario.loadBalancer);
  await startProbeServer(lab);
  await waitNodesReady(
    lab.nodes.map((n) => n.name),
    240_000,
    () => {
      for (const n of lab.nodes) for (const d of ["containerd", "kubelet"]) assertAlive(n.name, d);
    },
  );
  await podAddonsReady(lab, scenario);
  assertAlive("infra", "node-actions");
  log(
    `lab up: scenario ${scenario.name}, Kubernetes ${lab.kubernetesVersion}, ${lab.nodes.length} nodes Ready in ${seconds(started)}`,
  );
  log(`lab up: export KUBECONFIG=${adminKubeconfig()}`);
  return lab;
}

/**
 * A lab-wide addon written for the lab, as a host process in the root namespace with the node names as
 * arguments: the NetworkPolicy enforcer (kube-router and kube-network-policies are refused by the Go module
 * proxy).
 */
export function startHostAddon(
  lab: LabRecord,
  name: string,
  script: string,
  env: Record<string, string> = {},
): void {
  startDaemon({
    owner: "infra",
    name,
    command: process.execPath,
    args: [fileURLToPath(new URL(script, import.meta.url)), ...lab.nodes.map((n) => n.name)],
    env: { KUBECONFIG: writeKubeconfig("addons"), ...env },
    restart: true,
  });
}

/** The amphora of the lb-snat scenarios; `kind` selects its options (lab switch restarts it with another). */
export function startAmphora(kind: LoadBalancerKind): void {
  const daemon = fileURLToPath(new URL("./addons/amphora-daemon.ts", import.meta.url));
  const dir = nodeRunDir("lb");
  const flags =
    kind === "snat-proxy"
      ? []
      : ["--honour-annotations", "--proxy-ip-mode", kind === "snat-proxy-annotations-vip" ? "VIP" : "Proxy"];
  startDaemon({
    owner: "infra",
    name: "amphora",
    command: process.execPath,
    args: [daemon, dir, ...flags],
    netns: "lb",
    restart: true,
    env: { KUBECONFIG: writeKubeconfig("addons") },
  });
}

/**
 * The outside vantage point of the lb-client-ip check: `scs-kaas probe-server` in the outside client's
 * namespace (198.19.0.2), allowed to probe the node network only. Its URL and token: lab/cluster/lb-prober.ts.
 */
async function startProbeServer(lab: LabRecord): Promise<void> {
  const prober = createLbProber(lab);
  await apply(tokenSecretYaml(LB_PROBER_SECRET, prober.token), lab.kubernetesVersion);
  startDaemon({
    owner: "infra",
    name: "probe-server",
    command: process.execPath,
    args: [
      fileURLToPath(new URL("../../bin/scs-kaas.js", import.meta.url)),
      "probe-server",
      "--listen",
      prober.listen,
      "--token-file",
      prober.tokenFile,
      "--allow",
      NODE_NETWORK.cidr,
    ],
    netns: "client",
    restart: true,
  });
}

export async function down(log: Log): Promise<void> {
  const started = Date.now();
  await removeEverything(log);
  const left = await leftovers();
  if (left.length > 0) throw new Error(`lab down: left behind: ${left.join(", ")}`);
  log(`lab down: done in ${seconds(started)}, nothing left`);
}

/** The node's tmpfs is gone and nothing is mounted after a reboot; its disk (state dir) stays. */
async function reboot(node: LabNode): Promise<void> {
  const runDir = nodeRunDir(node.name);
  const stateDir = nodeStateDir(node.name);
  await unmountAll((m) => m.startsWith(`${runDir}/`) || m.startsWith(`${stateDir}/`));
  rmSync(runDir, { recursive: true, force: true });
}

/** Brings a killed node back as a rebooted VM: same disk, empty /run, every daemon started again. */
export async function restoreNode(name: string, log: Log): Promise<void> {
  const lab = requireLab();
  const node = findNode(lab.nodes, name);
  const started = Date.now();
  await killCgroup(nodeCgroup(node.name));
  await reboot(node);
  await setNodeLink(node.name, true);
  startControlPlaneDaemons(node, lab, "existing", true);
  await startRuntime(node, lab, false);
  startNodeAgents(node, lab);
  updateLab((current) => {
    current.killed = current.killed.filter((n) => n !== node.name);
  });
  await waitNodesReady([node.name], 180_000);
  log(`node ${node.name}: restored and Ready in ${seconds(started)}`);
}

/**
 * A rolling upgrade of one node: cordon, drain through the eviction API, delete the Node, throw the VM
 * away (processes, mounts, disk, network) and boot a fresh one with the same name, role and zone. A
 * control-plane node also leaves etcd before its disk goes and joins again as a new, empty member.
 */
export async function rollNode(name: string, log: Log): Promise<void> {
  const lab = requireLab();
  const node = findNode(lab.nodes, name);
  const etcdPeer = controlPlanes(lab.nodes).find((n) => n.name !== node.name && !lab.killed.includes(n.name));
  if (node.role === "control-plane" && !etcdPeer)
    throw new Error(`cannot roll ${node.name}: no other running control-plane node keeps etcd's quorum`);
  const started = Date.now();
  await drainNode(node.name, log);
  await kubectl(["delete", "node", node.name, "--wait=true"]);
  log(`node ${node.name}: drained and deleted (${seconds(started)})`);
  await killCgroup(nodeCgroup(node.name));
  if (node.role === "control-plane" && etcdPeer) {
    await removeEtcdMember(node, etcdPeer);
    log(`node ${node.name}: etcd member removed (${seconds(started)})`);
  }
  await reboot(node);
  await unmountAll((m) => m.startsWith(`${nodeStateDir(node.name)}/`));
  if (existsSync(nodeStateDir(node.name))) rmSync(nodeStateDir(node.name), { recursive: true, force: true });
  await removeCgroups(nodeCgroup(node.name));
  forgetDaemons(node.name);
  await removeNodeNetwork(node.name);
  await Promise.all(nodeCertRequests(node).map(issue));
  await createNodeNetwork(node, lab.nodes);
  prepareStorage([node]);
  if (node.role === "control-plane" && etcdPeer) {
    await addEtcdMember(node, etcdPeer);
    startControlPlaneDaemons(node, lab, "existing", true);
    await waitEtcdMemberHealthy(node, 120_000);
    await waitFor(`the API server of ${node.name}`, 180_000, async () => {
      for (const d of ["etcd", "kube-apiserver"]) assertAlive(node.name, d);
      await kubectl([`--server=https://${node.ip}:6443`, "get", "--raw=/readyz"]);
      return true;
    });
    log(`node ${node.name}: etcd member added, control plane started (${seconds(started)})`);
  }
  await registerNode(node, lab);
  await startRuntime(node, lab, true);
  startNodeAgents(node, lab);
  updateLab((current) => {
    current.killed = current.killed.filter((n) => n !== node.name);
  });
  await waitNodesReady([node.name], 180_000);
  log(`node ${node.name}: rolled in ${seconds(started)}`);
}
