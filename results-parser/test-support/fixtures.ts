import { type CaseSpec, definitionJson, e2eLog, junitXml, type TarEntrySpec } from "./build-tarball.ts";

export const EXCUSABLE =
  "[sig-scheduling] SchedulerPredicates [Serial] HostPort validates that there is no conflict between pods with same hostPort but different hostIP and protocol [Conformance]";

export interface FixtureOptions {
  conformanceFailures?: CaseSpec[];
  networkingFailures?: CaseSpec[];
  scsCases?: CaseSpec[];
  omitNetworking?: boolean;
  /** Make the conformance e2e.log tally disagree with the junit. */
  badTally?: boolean;
}

/**
 * A results tarball of three plugins with names that say nothing about what they ran ("alpha", "beta",
 * "gamma"): a conformance run, a NetworkPolicy run, and this suite's own `scs` plugin.
 */
export function fixtureEntries(o: FixtureOptions = {}): TarEntrySpec[] {
  const conf: CaseSpec[] = [
    { name: "[sig-apps] Deployment should run the lifecycle of a Deployment [Conformance]", time: 12 },
    { name: "[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]", time: 3 },
    { name: EXCUSABLE, status: "failed", message: "no InternalIP" },
    { name: "[sig-storage] In-tree Volumes [Driver: gcepd] volumes should be mountable", status: "skipped" },
    ...(o.conformanceFailures ?? []),
  ];
  const net: CaseSpec[] = [
    {
      name: "[sig-network] Netpol NetworkPolicy between server and client should deny ingress access [Feature:NetworkPolicy]",
      time: 40,
    },
    {
      name: "[sig-network] Netpol NetworkPolicy between server and client should allow egress [Feature:NetworkPolicy]",
      time: 30,
    },
    { name: "[sig-network] DNS should provide DNS for services", status: "skipped" },
    ...(o.networkingFailures ?? []),
  ];
  const scs: CaseSpec[] = o.scsCases ?? [
    {
      name: "[scs-0210-v2] version-policy-check: the cluster runs a supported version",
      props: {
        "scs.check-id": "version-policy",
        "scs.test-id": "version-policy-check",
        "scs.standard": "scs-0210-v2",
        "scs.verdict": "pass",
        "scs.scope": "cluster",
      },
      time: 2,
    },
  ];
  const tally = (cases: CaseSpec[]) => {
    const failed = cases.filter((c) => c.status === "failed" || c.status === "error").length;
    const skipped = cases.filter((c) => c.status === "skipped").length;
    const passed = cases.length - failed - skipped;
    return {
      ran: passed + failed,
      total: cases.length,
      passed: o.badTally ? passed + 1 : passed,
      failed,
      skipped,
    };
  };
  const entries: TarEntrySpec[] = [
    {
      name: "serverversion.json",
      content: JSON.stringify({ gitVersion: "v1.31.4", platform: "linux/amd64" }),
    },
    {
      name: "resources/cluster/Nodes.json",
      content: JSON.stringify({
        items: ["a", "b", "c"].map((z, i) => ({
          metadata: {
            name: `node-${i}`,
            labels: {
              "topology.kubernetes.io/zone": `zone-${z}`,
              "topology.kubernetes.io/region": "r1",
              ...(i === 0 ? { "node-role.kubernetes.io/control-plane": "" } : {}),
            },
          },
          status: { nodeInfo: { kubeletVersion: "v1.31.4" } },
        })),
      }),
    },
    {
      name: "plugins/alpha/definition.json",
      content: definitionJson({ name: "alpha", focus: "\\[Conformance\\]" }),
    },
    { name: "plugins/alpha/results/global/junit_01.xml", content: junitXml(conf, "Kubernetes e2e suite") },
    { name: "plugins/alpha/results/global/e2e.log", content: e2eLog(tally(conf)) },
    { name: "plugins/gamma/definition.json", content: definitionJson({ name: "gamma" }) },
    { name: "plugins/gamma/results/global/junit-scs.xml", content: junitXml(scs, "scs-kaas") },
  ];
  if (!o.omitNetworking)
    entries.push(
      {
        name: "plugins/beta/definition.json",
        content: definitionJson({ name: "beta", focus: "NetworkPolicy" }),
      },
      { name: "plugins/beta/results/global/junit_01.xml", content: junitXml(net, "Kubernetes e2e suite") },
      { name: "plugins/beta/results/global/e2e.log", content: e2eLog(tally(net)) },
    );
  return entries;
}
