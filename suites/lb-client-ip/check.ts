import { CoreV1Api, type V1Node, type V1Service } from "@kubernetes/client-node";
import type { CheckContext, CheckDefinition, Timeout } from "../framework/check.ts";
import { execInPod } from "../framework/exec.ts";
import { suiteImage, workloadCommand } from "../framework/images.ts";
import { suiteLabels } from "../framework/labels.ts";
import { createTestNamespace, deleteIgnoringNotFound } from "../framework/namespace.ts";
import { createPod, restrictedPod } from "../framework/pods.ts";
import { RBAC } from "../framework/rbac.ts";
import { readSecretValue } from "../framework/secret-ref.ts";
import { scaledTimeout, sleep, timeoutScale, withTimeout } from "../framework/timeouts.ts";
import { waitForLoadBalancerIngress, waitForPodReady } from "../framework/wait.ts";
import { type ClusterAddresses, judge, type ServiceProbe } from "./evaluate.ts";
import { readOptions, type Variant } from "./options.ts";
import { type ProbeAttempt, type ProbePlan, probeMany, probeOnce } from "./probe.ts";
import { askProber } from "./probe-server.ts";

const ECHO_PORT = 8080;
const PROXY_PORT = 8081;
const APP = { "app.kubernetes.io/name": "lb-echo" };
/** New connections at once while measuring, and each one's limit. */
const PARALLEL = 3;
const CONNECTION_TIMEOUT_MS = 3000;
/** Answers in a row that end the warm-up (the load balancer's health checks have settled). */
const WARM_STREAK = 5;

const timeout = (ctx: CheckContext, name: string, ms: number): Timeout => ({
  name,
  ms: Math.round(ms * timeoutScale(ctx.options)),
});

/** Where the connections come from: this process (outside the cluster), or an outside probe-server. */
type Vantage = { kind: "local" } | { kind: "remote"; url: string; token: string };

export const inCluster = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.KUBERNETES_SERVICE_HOST);

export const lbClientIpCheck: CheckDefinition = {
  id: "scs-issue-227/lb-client-ip",
  standard: "scs-issue-227",
  testId: "lb-client-ip-check",
  title:
    "a LoadBalancer Service lets pods see the client's address (ETP Local or a provider variant), probed from outside",
  labels: ["[Feature:LoadBalancer]"],
  scope: "cluster",
  rbac: [
    ...RBAC.testNamespace,
    ...RBAC.dump,
    ...RBAC.pods,
    ...RBAC.exec,
    ...RBAC.services,
    ...RBAC.nodesRead,
  ],
  timeout: { name: "lb-client-ip", ms: 600_000 },
  preconditions: [
    async (ctx) => {
      const o = readOptions(ctx.options);
      if (!o.prober && inCluster()) {
        return "no outside vantage point: running inside the cluster, a probe would measure kube-proxy, not the load balancer; run `scs-kaas probe-server` outside the cluster and pass --option lb-prober-url=... with --option lb-prober-token-secret=<namespace>/<name>[/key] or lb-prober-token=... (or SCS_KAAS_LB_PROBER_URL/_TOKEN)";
      }
      return undefined;
    },
  ],
  async run(ctx) {
    const started = Date.now();
    const o = readOptions(ctx.options);
    const vantage: Vantage = o.prober
      ? {
          kind: "remote",
          url: o.prober.url,
          token:
            "token" in o.prober
              ? o.prober.token
              : await readSecretValue(ctx, o.prober.tokenSecret, "lb-prober-token-secret"),
        }
      : { kind: "local" };
    ctx.log(
      vantage.kind === "remote"
        ? `probing from the outside prober ${vantage.url}`
        : "probing from this machine (outside the cluster)",
    );
    const core = ctx.api(CoreV1Api);
    const ns = await createTestNamespace(ctx);

    const pods = ["lb-echo-0", "lb-echo-1"];
    for (const name of pods) await createPod(ctx, ns, echoPod(ctx, name));

    const specs = [
      { variant: "etp-local", etp: "Local" as const, annotations: {}, proxy: false },
      { variant: "etp-cluster", etp: "Cluster" as const, annotations: {}, proxy: false },
      ...o.variants.map((v: Variant) => ({
        variant: v.name,
        etp: "Cluster" as const,
        annotations: v.annotations,
        proxy: v.proxy,
      })),
    ];
    const created = new Map<string, number>();
    for (const s of specs) {
      const name = `lb-${s.variant}`;
      await core.createNamespacedService({ namespace: ns, body: service(ctx, name, s) });
      created.set(name, Date.now());
      ctx.log(
        `created Service ${ns}/${name} (ETP ${s.etp}${Object.keys(s.annotations).length ? `, ${JSON.stringify(s.annotations)}` : ""})`,
      );
      ctx.defer(`delete Service ${ns}/${name}`, () =>
        deleteIgnoringNotFound(() => core.deleteNamespacedService({ name, namespace: ns })),
      );
    }
    for (const name of pods) await waitForPodReady(ctx, ns, name, scaledTimeout(ctx, "pod-ready"));
    const placed = await Promise.all(pods.map((name) => core.readNamespacedPod({ name, namespace: ns })));
    ctx.log(`echo backends on ${placed.map((p) => p.spec?.nodeName).join(", ")}`);

    const ingressTimeout = scaledTimeout(ctx, "lb-ingress");
    const results: ServiceProbe[] = [];
    const addressed = await Promise.all(
      specs.map(async (s) => {
        const name = `lb-${s.variant}`;
        try {
          return await waitForLoadBalancerIngress(ctx, ns, name, ingressTimeout);
        } catch (err) {
          ctx.log(`${name}: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );
    let firstAnswerMs: number | undefined;
    let connections = 0;
    for (const [i, s] of specs.entries()) {
      const name = `lb-${s.variant}`;
      const got = addressed[i];
      const base: ServiceProbe = {
        service: name,
        variant: s.variant,
        etp: s.etp,
        proxyVariant: s.proxy,
        attempts: [],
      };
      if (!got) {
        results.push(base);
        continue;
      }
      const ingress = got.service.status?.loadBalancer?.ingress?.[0];
      const port = got.service.spec?.ports?.[0]?.port ?? 80;
      const address = ingress?.ip ?? got.address;
      if (s.etp === "Local") {
        const hc = got.service.spec?.healthCheckNodePort;
        ctx.log(`${name}: healthCheckNodePort ${hc ?? "MISSING"}`);
      }
      const warm = await warmUp(ctx, vantage, address, port);
      connections += warm.connections;
      const sinceCreate = (warm.firstAnswerAt ?? Date.now()) - (created.get(name) ?? started);
      if (s.variant === "etp-local" && warm.firstAnswerAt) firstAnswerMs = sinceCreate;
      ctx.log(
        `${name} ${address}:${port}: first answer ${warm.firstAnswerAt ? `${(sinceCreate / 1000).toFixed(1)} s after the Service was created` : "never"}, warm-up ${warm.connections} connections`,
      );
      const attempts = await probe(ctx, vantage, {
        host: address,
        port,
        count: o.connections,
        connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
        parallel: PARALLEL,
      });
      connections += attempts.length;
      results.push({ ...base, address, ...(ingress?.ipMode ? { ipMode: ingress.ipMode } : {}), attempts });
    }

    // In-cluster clients (a warning only): one of the echo pods calls every address.
    const targets = results.filter((r) => r.address).map((r) => `${r.address}:80`);
    if (targets.length > 0) {
      const res = await execInPod(ctx, {
        namespace: ns,
        pod: pods[0] as string,
        command: workloadCommand("lb-probe", "3", ...targets),
        timeout: scaledTimeout(ctx, "exec"),
      });
      try {
        const byTarget = JSON.parse(res.stdout) as Record<string, ProbeAttempt[]>;
        for (const r of results) if (r.address) r.inCluster = byTarget[`${r.address}:80`] ?? [];
      } catch {
        ctx.log(`in-cluster probe printed no result (exit ${res.exitCode}): ${res.stderr.slice(0, 500)}`);
      }
    }

    const nodes = (await core.listNode()).items;
    const judgement = judge({
      services: results,
      cluster: clusterAddresses(nodes, results),
      ...(o.clientAddress ? { clientAddress: o.clientAddress } : {}),
      noAddressReason: `timeout "${ingressTimeout.name}" (${ingressTimeout.ms / 1000} s) expired`,
    });
    const figures = `figures: ${connections} connections from outside; first successful probe of lb-etp-local ${firstAnswerMs === undefined ? "never" : `${(firstAnswerMs / 1000).toFixed(1)} s`} after its creation; check body ${((Date.now() - started) / 1000).toFixed(1)} s`;
    ctx.log(figures);
    for (const r of results) {
      if (r.inCluster?.length) {
        ctx.log(
          `in-cluster calls to ${r.service}: ${r.inCluster.filter((a) => a.ok).length} answered, ${r.inCluster.filter((a) => a.reply?.rejected).length} refused of ${r.inCluster.length}`,
        );
      }
    }
    return { ...judgement, details: [...judgement.details, figures] };
  },
};

function echoPod(ctx: CheckContext, name: string) {
  const pod = restrictedPod({
    name,
    image: suiteImage(ctx),
    command: workloadCommand("lb-echo", "--port", String(ECHO_PORT), "--proxy-port", String(PROXY_PORT)),
    labels: APP,
    ports: [
      { name: "echo", containerPort: ECHO_PORT },
      { name: "echo-proxy", containerPort: PROXY_PORT },
    ],
    env: [
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ],
    container: {
      readinessProbe: { tcpSocket: { port: ECHO_PORT }, periodSeconds: 2 },
    },
    spec: {
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 2,
      // Two backends on two different nodes: with 3+ workers at least one has no local endpoint.
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: APP }, topologyKey: "kubernetes.io/hostname" },
          ],
        },
      },
    },
  });
  return pod;
}

function service(
  ctx: CheckContext,
  name: string,
  s: { etp: "Local" | "Cluster"; annotations: Record<string, string>; proxy: boolean },
): V1Service {
  return {
    metadata: { name, labels: suiteLabels(ctx.runId, ctx.checkId), annotations: s.annotations },
    spec: {
      type: "LoadBalancer",
      externalTrafficPolicy: s.etp,
      selector: APP,
      ports: [{ name: "http", port: 80, targetPort: s.proxy ? PROXY_PORT : ECHO_PORT, protocol: "TCP" }],
    },
  };
}

async function probe(ctx: CheckContext, vantage: Vantage, plan: ProbePlan): Promise<ProbeAttempt[]> {
  if (vantage.kind === "local") return probeMany(plan, ctx.signal);
  const r = await askProber(vantage, plan, ctx.signal);
  if (r.cutShort)
    ctx.log(`the outside prober stopped at its time budget after ${r.attempts.length} connections`);
  return r.attempts;
}

/**
 * Connects until WARM_STREAK answers in a row (the load balancer has programmed the address and its
 * health checks have settled), bounded by the `lb-first-answer` timeout; a refusal (no PROXY header) is an
 * answer too. Ends quietly at the timeout: the measurement that follows shows what is wrong.
 */
async function warmUp(
  ctx: CheckContext,
  vantage: Vantage,
  host: string,
  port: number,
): Promise<{ firstAnswerAt?: number; connections: number }> {
  let firstAnswerAt: number | undefined;
  let connections = 0;
  let streak = 0;
  const limit = timeout(ctx, "lb-first-answer", 90_000);
  try {
    await withTimeout(limit, ctx.signal, "waiting for answers through the load balancer", async (signal) => {
      while (streak < WARM_STREAK) {
        const attempts =
          vantage.kind === "local"
            ? [await probeOnce({ host, port }, CONNECTION_TIMEOUT_MS, signal)]
            : (
                await askProber(
                  vantage,
                  { host, port, count: 1, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, parallel: 1 },
                  signal,
                )
              ).attempts;
        for (const a of attempts) {
          connections++;
          if (a.reply) {
            firstAnswerAt ??= Date.now();
            streak++;
          } else {
            streak = 0;
            await sleep(500, signal);
          }
        }
      }
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log(`${host}:${port}: ${(err as Error).message} (${streak} answers in a row)`);
  }
  return { ...(firstAnswerAt ? { firstAnswerAt } : {}), connections };
}

function clusterAddresses(nodes: V1Node[], results: ServiceProbe[]): ClusterAddresses {
  return {
    nodes: nodes.map((n) => ({
      name: n.metadata?.name ?? "?",
      addresses: (n.status?.addresses ?? [])
        .filter((a) => a.type === "InternalIP" || a.type === "ExternalIP")
        .map((a) => a.address),
    })),
    podCidrs: nodes.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])),
    serviceCidrs: [],
    loadBalancerAddresses: results.flatMap((r) => (r.address ? [r.address] : [])),
  };
}
