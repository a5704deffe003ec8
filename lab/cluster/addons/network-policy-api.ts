// The cluster-scoped policy API as a provider installs it: network-policy-api's standard-channel CRD
// (ClusterNetworkPolicy, served as v1alpha2 and v1beta1), kept from its Go module as upstream publishes it.
// The lab's enforcer (netpol/) implements its Admin tier's ingress rules.
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { componentFilePath } from "../../build/binaries.ts";
import { NETWORK_POLICY_API_CRDS } from "../../build/components.ts";

export const CLUSTER_NETWORK_POLICY_CRD = "clusternetworkpolicies.policy.networking.k8s.io";

export const networkPolicyApiCrds = (kubernetesVersion: string) =>
  readFileSync(componentFilePath(NETWORK_POLICY_API_CRDS, { kubernetesVersion }), "utf8");

/**
 * The `ingress-no-controller` scenario's IngressClass: marked default, naming a controller that does not
 * exist, as a provider that offers a class but whose controller is not running.
 */
export const LAB_INGRESS_CLASS = { name: "lab-default", controller: "scs-lab/none" } as const;

export function labIngressClassManifest(): string {
  return stringify({
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: {
      name: LAB_INGRESS_CLASS.name,
      annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
    },
    spec: { controller: LAB_INGRESS_CLASS.controller },
  });
}
