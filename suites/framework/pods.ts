import { CoreV1Api, type V1Container, type V1Pod } from "@kubernetes/client-node";
import type { CheckContext } from "./check.ts";
import { suiteLabels } from "./labels.ts";
import { deleteIgnoringNotFound } from "./namespace.ts";

/** The user id pods run as unless a check says otherwise (`nobody`-like, not root). */
export const DEFAULT_UID = 65532;

export interface PodRequest {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  labels?: Record<string, string>;
  ports?: V1Container["ports"];
  env?: V1Container["env"];
  nodeName?: string;
  runAsUser?: number;
  /** Extra fields merged into the container (probes, volumeMounts, ...); security fields stay restricted. */
  container?: Partial<V1Container>;
  /** Extra fields merged into the pod spec (volumes, affinity, ...). */
  spec?: Partial<NonNullable<V1Pod["spec"]>>;
}

/**
 * A pod spec that satisfies Pod Security `restricted`: non-root, RuntimeDefault seccomp, no privilege
 * escalation, all capabilities dropped, no service-account token, small requests.
 */
export function restrictedPod(req: PodRequest): V1Pod {
  const uid = req.runAsUser ?? DEFAULT_UID;
  const container: V1Container = {
    ...req.container,
    name: "main",
    image: req.image,
    ...(req.command ? { command: req.command } : {}),
    ...(req.args ? { args: req.args } : {}),
    ...(req.ports ? { ports: req.ports } : {}),
    ...(req.env ? { env: req.env } : {}),
    resources: req.container?.resources ?? {
      requests: { cpu: "10m", memory: "32Mi" },
      limits: { memory: "128Mi" },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      runAsUser: uid,
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: req.name, labels: { ...req.labels } },
    spec: {
      ...req.spec,
      ...(req.nodeName ? { nodeName: req.nodeName } : {}),
      restartPolicy: req.spec?.restartPolicy ?? "Never",
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [container],
    },
  };
}

/** Creates the pod with the suite's labels and registers its deletion right away. */
export async function createPod(ctx: CheckContext, namespace: string, pod: V1Pod): Promise<V1Pod> {
  const core = ctx.api(CoreV1Api);
  const body: V1Pod = {
    ...pod,
    metadata: {
      ...pod.metadata,
      labels: { ...pod.metadata?.labels, ...suiteLabels(ctx.runId, ctx.checkId) },
    },
  };
  const created = await core.createNamespacedPod({ namespace, body });
  const name = created.metadata?.name ?? pod.metadata?.name ?? "?";
  ctx.log(`created pod ${namespace}/${name}`);
  ctx.defer(`delete pod ${namespace}/${name}`, () =>
    deleteIgnoringNotFound(() => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 })),
  );
  return created;
}
