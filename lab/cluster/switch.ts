// `lab switch --scenario NAME`: moves the running lab to another scenario without a reboot when the two
// differ only in add-ons or Node labels (lab/cluster/switch-plan.ts decides); otherwise a full `up`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  findScenario,
  type IngressClassKind,
  type LoadBalancerKind,
  type Scenario,
  type StorageKind,
} from "../scenarios/scenarios.ts";
import {
  LOCAL_PATH_DEPLOYMENT,
  LOCAL_PATH_NAMESPACE,
  localPathImages,
  localPathManifests,
  prepareStorage,
  provisionerConfig,
} from "./addons/local-path.ts";
import { applyMetallbPool, METALLB_NAMESPACE, METALLB_WORKLOADS, metallbManifest } from "./addons/metallb.ts";
import { NETPOL_TABLE } from "./addons/netpol/compile.ts";
import { LAB_INGRESS_CLASS, labIngressClassManifest } from "./addons/network-policy-api.ts";
import { exec, waitFor } from "./exec.ts";
import { coreApi, kubectl, waitNodesReady } from "./kube.ts";
import { startAmphora, startHostAddon, up } from "./lifecycle.ts";
import { createLbProxyNetwork, removeNodeNetwork } from "./network.ts";
import { BRIDGE, netnsName, netnsPath, nodeRunDir } from "./paths.ts";
import { assertAlive, stopDaemon } from "./processes.ts";
import { type LabRecord, readLab, writeLab } from "./state.ts";
import { describePlan, nodeLabelPatch, planSwitch, type SwitchPlan, type SwitchStep } from "./switch-plan.ts";
import { nodeLabels } from "./topology.ts";

type Log = (line: string) => void;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const ROLLOUT_TIMEOUT = "180s";
const ENFORCER_TABLES_TIMEOUT_MS = 60_000;
const AMPHORA_VIPS_TIMEOUT_MS = 60_000;
const POOL_ACCEPTED_TIMEOUT_MS = 120_000;
const HEALTHY_TIMEOUT_MS = 30_000;

export function currentPlan(targetName: string): SwitchPlan {
  const target = findScenario(targetName);
  const lab = readLab();
  let current: Scenario | undefined;
  try {
    current = lab ? findScenario(lab.scenario) : undefined;
  } catch {
    current = undefined;
  }
  return planSwitch(lab, current, target);
}

export async function switchScenario(
  targetName: string,
  log: Log,
  opts: { build?: boolean; fallback?: boolean } = {},
): Promise<{ plan: SwitchPlan; lab: LabRecord }> {
  const started = Date.now();
  let plan = currentPlan(targetName);
  if (plan.mode === "in-place") {
    try {
      await waitNodesReady(
        (readLab()?.nodes ?? []).map((n) => n.name),
        HEALTHY_TIMEOUT_MS,
      );
    } catch (error) {
      plan = {
        mode: "full-up",
        to: targetName,
        reasons: [
          `the running lab is not healthy: ${error instanceof Error ? error.message.split("\n")[0] : error}`,
        ],
      };
    }
  }
  for (const line of describePlan(plan)) log(`lab switch: ${line}`);
  if (plan.mode === "full-up") {
    if (opts.fallback === false)
      throw new Error(`lab switch: cannot switch in place (${plan.reasons.join("; ")})`);
    const lab = await up(targetName, log, { build: opts.build });
    log(`lab switch: full up of ${targetName} done in ${seconds(started)}`);
    return { plan, lab };
  }
  const lab = readLab() as LabRecord;
  const target = findScenario(plan.to);
  // While steps run the lab is neither scenario: a failure leaves a record that forces the next switch to boot afresh.
  writeLab({ ...lab, scenario: `switching ${plan.from} -> ${plan.to}` });
  for (const step of plan.steps) {
    const stepStarted = Date.now();
    await runStep(step, lab, plan, target, log);
    log(`lab switch: ${step.kind} done (${seconds(stepStarted)})`);
  }
  const switched: LabRecord = { ...lab, scenario: target.name, nodes: plan.nodes };
  writeLab(switched);
  log(`lab switch: ${plan.from} → ${plan.to} in place in ${seconds(started)}`);
  return { plan, lab: switched };
}

async function runStep(
  step: SwitchStep,
  lab: LabRecord,
  plan: Extract<SwitchPlan, { mode: "in-place" }>,
  target: Scenario,
  log: Log,
): Promise<void> {
  switch (step.kind) {
    case "netpol":
      return switchNetpol(step.to, lab, log);
    case "node-labels":
      return relabelNodes(plan, target, lab.kubernetesVersion);
    case "ingress-class":
      return switchIngressClass(step.to, lab);
    case "storage":
      return switchStorage(step.to, lab);
    case "load-balancer":
      return switchLoadBalancer(step.from, step.to, lab, log);
  }
}

async function nodeHasEnforcerTable(node: string): Promise<boolean> {
  const r = await exec("nsenter", [`--net=${netnsPath(node)}`, "--", "nft", "list", "tables"]);
  return r.code === 0 && r.stdout.includes(`inet ${NETPOL_TABLE}`);
}

/** Stops the enforcer and removes its table from every node (nothing stays enforced), then starts the new mode. */
async function switchNetpol(to: string | undefined, lab: LabRecord, log: Log): Promise<void> {
  await stopDaemon("infra", "netpol");
  for (const n of lab.nodes) {
    await exec("nsenter", [
      `--net=${netnsPath(n.name)}`,
      "--",
      "nft",
      "delete",
      "table",
      "inet",
      NETPOL_TABLE,
    ]);
    if (await nodeHasEnforcerTable(n.name))
      throw new Error(`netpol table still present in ${n.name} after flush`);
  }
  log(`lab switch: enforcer stopped, table inet ${NETPOL_TABLE} gone from ${lab.nodes.length} nodes`);
  if (!to) return;
  startHostAddon(lab, "netpol", "./addons/netpol/daemon.ts", { NETPOL_MODE: to });
  await waitFor(
    `the enforcer (${to}) to program every node`,
    ENFORCER_TABLES_TIMEOUT_MS,
    async () => {
      assertAlive("infra", "netpol");
      for (const n of lab.nodes) if (!(await nodeHasEnforcerTable(n.name))) return undefined;
      return true;
    },
    500,
  );
}

/** Sets the zone/region/host-id labels on every Node as the provider would for the target topology. */
async function relabelNodes(
  plan: Extract<SwitchPlan, { mode: "in-place" }>,
  target: Scenario,
  version: string,
): Promise<void> {
  for (const node of plan.nodes) {
    const patch = nodeLabelPatch(nodeLabels(node, target.topology));
    await kubectl(
      ["patch", "node", node.name, "--type=merge", "-p", JSON.stringify(patch)],
      undefined,
      version,
    );
  }
  const api = coreApi();
  for (const node of plan.nodes) {
    const got = (await api.readNode({ name: node.name })).metadata?.labels ?? {};
    const wanted = nodeLabelPatch(nodeLabels(node, target.topology)).metadata.labels;
    for (const [k, v] of Object.entries(wanted))
      if ((got[k] ?? null) !== v) throw new Error(`node ${node.name}: label ${k} is ${got[k]}, wanted ${v}`);
  }
}

/** Creates or deletes the lab's default IngressClass (no controller behind it), then checks the result. */
async function switchIngressClass(to: IngressClassKind, lab: LabRecord): Promise<void> {
  const v = lab.kubernetesVersion;
  if (to === "default-without-controller")
    await kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=scs-kaas-lab", "-f", "-"],
      labIngressClassManifest(),
      v,
    );
  else await kubectl(["delete", "ingressclass", LAB_INGRESS_CLASS.name, "--ignore-not-found"], undefined, v);
  const got = await kubectl(
    ["get", "ingressclass", LAB_INGRESS_CLASS.name, "--ignore-not-found", "-o", "name"],
    undefined,
    v,
  );
  if (!!got.trim() !== (to === "default-without-controller"))
    throw new Error(
      `IngressClass ${LAB_INGRESS_CLASS.name} is ${got.trim() ? "present" : "absent"} after the switch to ${to}`,
    );
}

/** New provisioner config, then a restarted provisioner that has read it. Existing PVs keep their place. */
async function switchStorage(to: StorageKind, lab: LabRecord): Promise<void> {
  const v = lab.kubernetesVersion;
  prepareStorage(lab.nodes);
  await kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=scs-kaas-lab", "-f", "-"],
    localPathManifests(to, lab.nodes, localPathImages(v)),
    v,
  );
  const config = await kubectl(
    [
      "-n",
      LOCAL_PATH_NAMESPACE,
      "get",
      "configmap",
      "local-path-config",
      "-o",
      "jsonpath={.data.config\\.json}",
    ],
    undefined,
    v,
  );
  if (JSON.stringify(JSON.parse(config)) !== JSON.stringify(provisionerConfig(to, lab.nodes)))
    throw new Error(`local-path-config was not updated to ${to}`);
  await kubectl(
    ["-n", LOCAL_PATH_NAMESPACE, "rollout", "restart", `deployment/${LOCAL_PATH_DEPLOYMENT}`],
    undefined,
    v,
  );
  await kubectl(
    [
      "-n",
      LOCAL_PATH_NAMESPACE,
      "rollout",
      "status",
      `deployment/${LOCAL_PATH_DEPLOYMENT}`,
      `--timeout=${ROLLOUT_TIMEOUT}`,
    ],
    undefined,
    v,
  );
}

const isAmphoraKind = (kind: LoadBalancerKind) => kind !== "l2";

/**
 * Neighbour caches still map a LoadBalancer address to the MAC of whoever answered last (a speaker's node or
 * the amphora): forget them everywhere so the new load balancer's answer is the only one used.
 */
async function flushNeighbours(lab: LabRecord): Promise<void> {
  await exec("ip", ["neigh", "flush", "dev", BRIDGE]);
  for (const owner of ["router", "client", ...lab.nodes.map((n) => n.name)])
    await exec("ip", ["-n", netnsName(owner), "neigh", "flush", "all"]);
}

async function loadBalancerAddresses(): Promise<string[]> {
  const services = (await coreApi().listServiceForAllNamespaces()).items;
  return services
    .filter((s) => s.spec?.type === "LoadBalancer" && !s.spec.loadBalancerClass)
    .map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip)
    .filter((ip): ip is string => !!ip);
}

async function removeMetallb(lab: LabRecord): Promise<void> {
  const v = lab.kubernetesVersion;
  await kubectl(
    ["delete", "--ignore-not-found", "--wait=true", "--timeout=120s", "-f", "-"],
    metallbManifest(v),
    v,
  );
  const left = await kubectl(["get", "pods", "-A", "-l", "app=metallb", "-o", "name"], undefined, v);
  if (left.trim()) throw new Error(`MetalLB pods left after delete: ${left.trim()}`);
  const ns = await kubectl(
    ["get", "namespace", METALLB_NAMESPACE, "--ignore-not-found", "-o", "name"],
    undefined,
    v,
  );
  if (ns.trim()) throw new Error(`namespace ${METALLB_NAMESPACE} still present`);
}

async function removeAmphora(): Promise<void> {
  await stopDaemon("infra", "amphora");
  await removeNodeNetwork("lb");
  if (existsSync(netnsPath("lb"))) throw new Error("the amphora's namespace is still present");
}

async function installMetallb(lab: LabRecord): Promise<void> {
  const v = lab.kubernetesVersion;
  await kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=scs-kaas-lab", "-f", "-"],
    metallbManifest(v),
    v,
  );
  for (const [namespace, workload] of METALLB_WORKLOADS)
    await kubectl(
      ["-n", namespace, "rollout", "status", workload, `--timeout=${ROLLOUT_TIMEOUT}`],
      undefined,
      v,
    );
  await applyMetallbPool(v, POOL_ACCEPTED_TIMEOUT_MS);
}

/** The amphora in its namespace, serving every existing LoadBalancer Service's address before it returns. */
async function installAmphora(kind: LoadBalancerKind): Promise<void> {
  await createLbProxyNetwork();
  startAmphora(kind);
  await waitFor(
    "the amphora to hold every LoadBalancer address",
    AMPHORA_VIPS_TIMEOUT_MS,
    async () => {
      assertAlive("infra", "amphora");
      if (!existsSync(join(nodeRunDir("lb"), "haproxy.cfg"))) return undefined;
      const have = (await exec("ip", ["-n", netnsName("lb"), "-o", "-4", "addr", "show", "dev", "eth0"]))
        .stdout;
      const wanted = await loadBalancerAddresses();
      return wanted.every((ip) => have.includes(`inet ${ip}/32`)) ? true : undefined;
    },
    1000,
  );
}

/**
 * Removes the old load balancer completely (MetalLB's objects and speakers, or the amphora's process and
 * namespace), then installs the new one. Existing LoadBalancer Services keep their address and are served
 * by the new one (the amphora keeps a Service's pool address; MetalLB re-assigns addresses it finds in its
 * pool). Amphora variants (options only) are a restart of the amphora.
 */
async function switchLoadBalancer(
  from: LoadBalancerKind,
  to: LoadBalancerKind,
  lab: LabRecord,
  log: Log,
): Promise<void> {
  if (isAmphoraKind(from)) await removeAmphora();
  else await removeMetallb(lab);
  log(`lab switch: ${from} removed`);
  await flushNeighbours(lab);
  if (isAmphoraKind(to)) await installAmphora(to);
  else await installMetallb(lab);
  await flushNeighbours(lab);
}
