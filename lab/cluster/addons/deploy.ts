// The cluster add-ons that run as pods, as a provider deploys them: CoreDNS, the storage provisioner and,
// unless the scenario replaces it, MetalLB; and the network-policy-api CRD (and the scenario's IngressClass). Applied before the nodes are Ready; ready once rolled out.
import type { Scenario } from "../../scenarios/scenarios.ts";
import { labImageRef } from "../artifacts.ts";
import { apply, kubectl } from "../kube.ts";
import type { LabRecord } from "../state.ts";
import { COREDNS_DEPLOYMENT, COREDNS_NAMESPACE, dnsManifests } from "./coredns.ts";
import {
  LOCAL_PATH_DEPLOYMENT,
  LOCAL_PATH_NAMESPACE,
  localPathImages,
  localPathManifests,
  prepareStorage,
} from "./local-path.ts";
import { applyMetallbPool, METALLB_WORKLOADS, metallbManifest } from "./metallb.ts";
import {
  CLUSTER_NETWORK_POLICY_CRD,
  labIngressClassManifest,
  networkPolicyApiCrds,
} from "./network-policy-api.ts";

const ROLLOUT_TIMEOUT = "180s";
const POOL_ACCEPTED_TIMEOUT_MS = 120_000;

export async function applyPodAddons(lab: LabRecord, scenario: Scenario): Promise<void> {
  const version = lab.kubernetesVersion;
  const coredns = labImageRef(/\/coredns:/, { kubernetesVersion: version, include: lab.artifacts });
  await apply(dnsManifests(coredns), version);
  prepareStorage(lab.nodes);
  await apply(localPathManifests(scenario.storage, lab.nodes, localPathImages(version)), version);
  if (scenario.loadBalancer === "l2") await apply(metallbManifest(version), version);
  await apply(networkPolicyApiCrds(version), version);
  if (scenario.ingressClass === "default-without-controller") await apply(labIngressClassManifest(), version);
}

/** Waits for every add-on workload to roll out, then gives MetalLB its address pool. */
export async function podAddonsReady(lab: LabRecord, scenario: Scenario): Promise<void> {
  const workloads: (readonly [string, string])[] = [
    [COREDNS_NAMESPACE, `deployment/${COREDNS_DEPLOYMENT}`],
    [LOCAL_PATH_NAMESPACE, `deployment/${LOCAL_PATH_DEPLOYMENT}`],
    ...(scenario.loadBalancer === "l2" ? METALLB_WORKLOADS : []),
  ];
  for (const [namespace, workload] of workloads)
    await kubectl(
      ["-n", namespace, "rollout", "status", workload, `--timeout=${ROLLOUT_TIMEOUT}`],
      undefined,
      lab.kubernetesVersion,
    );
  if (scenario.loadBalancer === "l2") await applyMetallbPool(lab.kubernetesVersion, POOL_ACCEPTED_TIMEOUT_MS);
  await kubectl(
    [
      "wait",
      "--for=condition=Established",
      `crd/${CLUSTER_NETWORK_POLICY_CRD}`,
      `--timeout=${ROLLOUT_TIMEOUT}`,
    ],
    undefined,
    lab.kubernetesVersion,
  );
}
