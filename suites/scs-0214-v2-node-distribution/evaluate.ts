/**
 * scs-0214-v2 node distribution, judged from node objects alone (pure; the check lists the nodes).
 * See README.md in this folder for the rules and where they differ from the retired official script.
 */
export const ZONE = "topology.kubernetes.io/zone";
export const REGION = "topology.kubernetes.io/region";
export const HOST_ID = "topology.scs.community/host-id";
const CONTROL_PLANE_LABELS = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  providerID?: string;
}

export type Confidence = "certain" | "high" | "medium" | "none";

export interface DistributionResult {
  verdict: "pass" | "fail" | "abort" | "skip";
  reason: string;
  /** How sure the control-plane spread finding is, and from what. */
  controlPlaneEvidence: { confidence: Confidence; basis: string };
  details: string[];
  warnings: string[];
}

export function isControlPlane(n: NodeInfo): boolean {
  return CONTROL_PLANE_LABELS.some((l) => l in n.labels);
}

function distinct(nodes: NodeInfo[], label: string): string[] {
  return [...new Set(nodes.map((n) => n.labels[label]).filter((v): v is string => !!v))].sort();
}

export function evaluateNodeDistribution(nodes: NodeInfo[]): DistributionResult {
  const details: string[] = [];
  const warnings: string[] = [];
  const fails: string[] = [];
  if (nodes.length === 0) {
    return {
      verdict: "abort",
      reason: "the API lists no nodes: nothing to judge",
      controlPlaneEvidence: { confidence: "none", basis: "no nodes" },
      details,
      warnings,
    };
  }

  const missing = nodes
    .map((n) => ({ n, lacks: [ZONE, REGION].filter((l) => !n.labels[l]) }))
    .filter((x) => x.lacks.length > 0);
  if (missing.length) {
    fails.push(
      `${missing.length} of ${nodes.length} nodes lack topology labels: ${missing
        .map((x) => `${x.n.name} (no ${x.lacks.join(", no ")})`)
        .join("; ")}`,
    );
  } else {
    details.push(`all ${nodes.length} nodes carry ${ZONE} and ${REGION}`);
  }

  const cp = nodes.filter(isControlPlane);
  const workers = nodes.filter((n) => !isControlPlane(n));
  details.push(
    `control-plane nodes: ${cp.map((n) => n.name).join(", ") || "none visible"}; workers: ${workers.map((n) => n.name).join(", ") || "none"}`,
  );

  let evidence: DistributionResult["controlPlaneEvidence"];
  let unknown: string | undefined;
  let invisible = false;
  if (cp.length === 0) {
    invisible = true;
    evidence = { confidence: "none", basis: "no node carries a control-plane role label" };
  } else {
    const zones = distinct(cp, ZONE);
    const withHost = cp.filter((n) => n.labels[HOST_ID]);
    const hosts = distinct(withHost, HOST_ID);
    if (cp.length === 1) {
      evidence = { confidence: "certain", basis: "a single control-plane node is a single machine" };
      fails.push(`only one control-plane node (${cp[0]?.name}): the control plane runs on one machine`);
    } else if (zones.length > 1) {
      evidence = {
        confidence: "high",
        basis: `control-plane nodes are in ${zones.length} zones (${zones.join(", ")}); distinct zones cannot share a machine`,
      };
      if (withHost.length === cp.length && hosts.length === 1) {
        warnings.push(
          `all control-plane nodes carry ${HOST_ID}=${hosts[0]} although they are in ${zones.length} zones; the host-id labels contradict the zones (stale after live migration?) and were not trusted`,
        );
      }
    } else if (hosts.length > 1) {
      evidence = {
        confidence: "medium",
        basis: `${HOST_ID} labels name ${hosts.length} hosts (${hosts.join(", ")}); provider-declared, may be stale after live migration`,
      };
    } else if (withHost.length === cp.length) {
      evidence = { confidence: "high", basis: `every control-plane node carries ${HOST_ID}=${hosts[0]}` };
      fails.push(
        `all ${cp.length} control-plane nodes run on one machine (${HOST_ID}=${hosts[0]}) in one zone`,
      );
    } else {
      evidence = { confidence: "none", basis: "one zone and no (or only one distinct) host-id label" };
      unknown =
        `cannot tell whether the ${cp.length} control-plane nodes run on more than one physical machine: ` +
        `all are in zone ${zones[0] ?? "(none)"}, and ${cp.length - withHost.length} of them carry no ${HOST_ID}` +
        `${hosts.length ? ` (the others: ${hosts[0]})` : ""}; distinct node names or provider IDs do not show ` +
        `distinct hardware. Spread them over zones, or label them with ${HOST_ID}`;
    }
    if (zones.length < 2) {
      warnings.push(
        `control-plane nodes SHOULD span more than one zone; they are all in ${zones[0] ?? "no labelled zone"}`,
      );
    } else {
      details.push(`control-plane zones: ${zones.join(", ")}`);
    }
  }
  details.push(`control-plane spread over machines: confidence ${evidence.confidence}: ${evidence.basis}`);

  if (workers.length > 0) {
    const wz = distinct(workers, ZONE);
    if (wz.length < 2) {
      warnings.push(
        `workers are RECOMMENDED to span zones; all ${workers.length} are in ${wz[0] ?? "no labelled zone"}`,
      );
    } else {
      details.push(`worker zones: ${wz.join(", ")}`);
    }
  }
  const regions = distinct(nodes, REGION);
  if (regions.length) details.push(`regions: ${regions.join(", ")}`);

  const base = { controlPlaneEvidence: evidence, details, warnings };
  if (fails.length) return { verdict: "fail", reason: fails.join("; "), ...base };
  if (invisible) {
    return {
      verdict: "skip",
      reason:
        "no control-plane nodes are visible (a managed control plane?): the spread of the control plane over machines cannot be judged from inside the cluster; node labels were checked",
      ...base,
    };
  }
  if (unknown) return { verdict: "abort", reason: unknown, ...base };
  return {
    verdict: "pass",
    reason: `every node is labelled with zone and region; ${cp.length} control-plane nodes on more than one machine (confidence ${evidence.confidence})`,
    ...base,
  };
}
