import { CoreV1Api, NetworkingV1Api, type V1NetworkPolicy } from "@kubernetes/client-node";
import type { CheckContext, CheckDefinition } from "../framework/check.ts";
import { suiteImage, workloadCommand } from "../framework/images.ts";
import { RUN_ID_LABEL, suiteLabels } from "../framework/labels.ts";
import { createTestNamespace, deleteIgnoringNotFound } from "../framework/namespace.ts";
import { createPod, restrictedPod } from "../framework/pods.ts";
import { RBAC } from "../framework/rbac.ts";
import { sleep, timeoutScale } from "../framework/timeouts.ts";
import { waitForPodReady } from "../framework/wait.ts";
import { CASES } from "./cases.ts";
import { judgeCases } from "./judge.ts";
import { allCells, type LogicalNs, NAMESPACES, PODS, SERVE_PORTS, type TestPods } from "./matrix.ts";
import { type ProbeStats, type ProbeTargets, probeCells } from "./probe.ts";
import { DEFAULT_PACING, type PolicyCluster, runCases } from "./run-cases.ts";
import { probeClusterPolicy, startIngressProbe } from "./should-probes.ts";
import { gatherNetworkingFacts, networkingOverview, SHOULD_RBAC } from "./shoulds.ts";

const NS_LABEL = "scs-kaas.scs.community/netpol-ns";
const POD_LABEL = "scs-kaas.scs.community/netpol-pod";

export const networkPolicyCheck: CheckDefinition = {
  id: "scs-0219-v1/network-policy",
  standard: "scs-0219-v1",
  testId: "network-policy-check",
  title: "NetworkPolicy (ingress and egress) enforced as specified: a probed truth table against a model",
  labels: ["[Feature:NetworkPolicy]"],
  scope: "cluster",
  rbac: [
    ...RBAC.testNamespace,
    ...RBAC.pods,
    ...RBAC.exec,
    ...RBAC.networkPolicies,
    { apiGroups: [""], resources: ["services"], verbs: ["create", "delete"] },
    ...SHOULD_RBAC,
  ],
  timeout: { name: "network-policy", ms: 240_000 },
  async run(ctx) {
    const started = Date.now();
    const image = suiteImage(ctx);
    const namespaces = {} as Record<LogicalNs, string>;
    for (const ns of NAMESPACES)
      namespaces[ns] = await createTestNamespace(ctx, { labels: { [NS_LABEL]: ns } });
    ctx.log(`namespaces: ${NAMESPACES.map((n) => `${n}=${namespaces[n]}`).join(" ")}`);

    const core = ctx.api(CoreV1Api);
    const podNames: Record<string, string> = {};
    const serviceIps: Record<string, string> = {};
    await Promise.all(
      NAMESPACES.flatMap((ns) =>
        PODS.map(async (p) => {
          const id = `${ns}/${p}`;
          podNames[id] = p;
          await createPod(
            ctx,
            namespaces[ns],
            restrictedPod({
              name: p,
              image,
              command: workloadCommand(
                "netpol-serve",
                id,
                SERVE_PORTS.filter((s) => s.protocol === "TCP")
                  .map((s) => s.port)
                  .join(","),
                SERVE_PORTS.filter((s) => s.protocol === "UDP")
                  .map((s) => s.port)
                  .join(","),
              ),
              labels: { [POD_LABEL]: p },
              ports: SERVE_PORTS.map((s) => ({ name: s.name, containerPort: s.port, protocol: s.protocol })),
              spec: { terminationGracePeriodSeconds: 1 },
            }),
          );
          const svc = await core.createNamespacedService({
            namespace: namespaces[ns],
            body: {
              metadata: { name: `s-${p}`, labels: suiteLabels(ctx.runId, ctx.checkId) },
              spec: {
                selector: { [POD_LABEL]: p },
                ports: SERVE_PORTS.map((s) => ({
                  name: s.name,
                  port: s.port,
                  targetPort: s.port as unknown as never,
                  protocol: s.protocol,
                })),
              },
            },
          });
          serviceIps[id] = svc.spec?.clusterIP ?? "";
        }),
      ),
    );
    const podIps: Record<string, string> = {};
    await Promise.all(
      NAMESPACES.flatMap((ns) =>
        PODS.map(async (p) => {
          const pod = await waitForPodReady(ctx, namespaces[ns], p, {
            name: "netpol-pods-ready",
            ms: Math.round(120_000 * timeoutScale(ctx.options)),
          });
          podIps[`${ns}/${p}`] = pod.status?.podIP ?? "";
        }),
      ),
    );
    ctx.log(`9 pods ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const targets: ProbeTargets = {
      namespaces,
      podNames,
      podIps,
      serviceIps,
      dnsName: `s-a.${namespaces.x}`,
    };
    const env: TestPods = { namespaces, nsLabel: NS_LABEL, podLabel: POD_LABEL, ips: podIps };
    const stats: ProbeStats = { execs: 0, probes: 0 };
    const cluster = policyCluster(ctx, targets, stats);
    const gathered = await gatherNetworkingFacts(ctx);
    // Created before the cases: the wait for an Ingress controller runs alongside them.
    const ingress = await startIngressProbe(ctx, gathered.facts, namespaces.x, { name: "s-a", port: 8080 });
    const probingStarted = Date.now();
    const result = await runCases(cluster, env, CASES, DEFAULT_PACING);
    const outcome = judgeCases(result, CASES);
    const casesMs = Date.now() - probingStarted;
    const shouldsStarted = Date.now();
    const runScoped = (ns: LogicalNs) => ({ matchLabels: { [RUN_ID_LABEL]: ctx.runId, [NS_LABEL]: ns } });
    const clusterPolicy = await probeClusterPolicy(
      ctx,
      gathered.facts,
      runScoped,
      (cells, timeoutMs) => probeCells(ctx, targets, cells, timeoutMs, stats),
      result.baseline,
    );
    const ingressResult = (await ingress?.finish()) ?? { details: [], warnings: [] };
    const overview = networkingOverview(gathered);
    return {
      ...outcome,
      details: [
        ...(outcome.details ?? []),
        `probing the cases took ${(casesMs / 1000).toFixed(1)} s; the SHOULD probes after them ${((Date.now() - shouldsStarted) / 1000).toFixed(1)} s (${stats.execs} execs, ${stats.probes} probes in all, ${allCells().length} cells per matrix); whole check ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...overview.details,
        ...clusterPolicy.details,
        ...ingressResult.details,
      ],
      warnings: [
        ...(outcome.warnings ?? []),
        ...overview.warnings,
        ...clusterPolicy.warnings,
        ...ingressResult.warnings,
      ],
    };
  },
};

/** The real cluster behind the case runner: policies in the test namespaces, probes by exec. */
function policyCluster(ctx: CheckContext, targets: ProbeTargets, stats: ProbeStats): PolicyCluster {
  const net = ctx.api(NetworkingV1Api);
  const present = new Map<string, V1NetworkPolicy>();
  const keyOf = (p: V1NetworkPolicy) => `${p.metadata?.namespace}/${p.metadata?.name}`;
  return {
    async setPolicies(policies) {
      const wanted = new Map(policies.map((p) => [keyOf(p), p]));
      for (const [key, p] of present) {
        if (wanted.has(key) && JSON.stringify(wanted.get(key)?.spec) === JSON.stringify(p.spec)) continue;
        await deleteIgnoringNotFound(() =>
          net.deleteNamespacedNetworkPolicy({
            namespace: p.metadata?.namespace ?? "",
            name: p.metadata?.name ?? "",
          }),
        );
        present.delete(key);
        ctx.log(`deleted NetworkPolicy ${key}`);
      }
      for (const [key, p] of wanted) {
        if (present.has(key)) continue;
        const body: V1NetworkPolicy = {
          ...p,
          metadata: {
            ...p.metadata,
            labels: { ...p.metadata?.labels, ...suiteLabels(ctx.runId, ctx.checkId) },
          },
        };
        await net.createNamespacedNetworkPolicy({ namespace: p.metadata?.namespace ?? "", body });
        present.set(key, p);
        ctx.log(`created NetworkPolicy ${key}`);
      }
    },
    probe: (cells, timeoutMs) => probeCells(ctx, targets, cells, timeoutMs, stats),
    sleep: (ms) => sleep(ms, ctx.signal),
    log: (line) => ctx.log(line),
  };
}
