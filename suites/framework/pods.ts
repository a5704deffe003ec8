import {
  CoreV1Api,
  type V1Container,
  type V1ContainerPort,
  type V1Pod,
  type V1PodSpec,
  type V1Volume,
} from "@kubernetes/client-node";
import type { CheckContext } from "./check.ts";
import { suiteLabels } from "./labels.ts";
import { deleteIgnoringNotFound } from "./namespace.ts";

/** The user id pods run as unless a check says otherwise (`nobody`-like, not root). */
export const DEFAULT_UID = 65532;

/** Volume sources Pod Security `restricted` allows: no hostPath, no legacy in-tree sources. */
export type RestrictedVolume = Pick<
  V1Volume,
  | "name"
  | "configMap"
  | "csi"
  | "downwardAPI"
  | "emptyDir"
  | "ephemeral"
  | "persistentVolumeClaim"
  | "projected"
  | "secret"
>;
const VOLUME_FIELDS = [
  "name",
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const satisfies readonly (keyof RestrictedVolume)[];

/** A container port without hostPort/hostIP (baseline forbids host ports). */
export type RestrictedPort = Omit<V1ContainerPort, "hostPort" | "hostIP">;

/** Container fields a check may set; no securityContext (that is fixed), no name or image (given apart). */
export type RestrictedContainerFields = Pick<
  V1Container,
  | "env"
  | "envFrom"
  | "volumeMounts"
  | "readinessProbe"
  | "livenessProbe"
  | "startupProbe"
  | "workingDir"
  | "resources"
  | "stdin"
>;
const CONTAINER_FIELDS = [
  "env",
  "envFrom",
  "volumeMounts",
  "readinessProbe",
  "livenessProbe",
  "startupProbe",
  "workingDir",
  "resources",
  "stdin",
] as const satisfies readonly (keyof RestrictedContainerFields)[];

/** Pod spec fields a check may set: placement and lifetime, never host namespaces or privilege. */
export type RestrictedPodSpecFields = Pick<
  V1PodSpec,
  | "affinity"
  | "tolerations"
  | "nodeSelector"
  | "topologySpreadConstraints"
  | "terminationGracePeriodSeconds"
  | "activeDeadlineSeconds"
  | "restartPolicy"
  | "hostname"
  | "subdomain"
  | "enableServiceLinks"
> & { volumes?: RestrictedVolume[] };
const SPEC_FIELDS = [
  "affinity",
  "tolerations",
  "nodeSelector",
  "topologySpreadConstraints",
  "terminationGracePeriodSeconds",
  "activeDeadlineSeconds",
  "restartPolicy",
  "hostname",
  "subdomain",
  "enableServiceLinks",
] as const satisfies readonly (keyof RestrictedPodSpecFields)[];

export interface PodRequest {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  labels?: Record<string, string>;
  ports?: RestrictedPort[];
  env?: V1Container["env"];
  nodeName?: string;
  /** Not 0: restricted requires non-root. */
  runAsUser?: number;
  /** Extra container fields (probes, volumeMounts, resources); the security context stays restricted. */
  container?: RestrictedContainerFields;
  /** Extra pod spec fields (volumes of allowed kinds, affinity, tolerations, ...). */
  spec?: RestrictedPodSpecFields;
}

function pick<T extends object>(from: T | undefined, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (from?.[k] !== undefined) out[k] = from[k];
  return out;
}

/**
 * A pod that satisfies Pod Security `restricted`: non-root, RuntimeDefault seccomp, no privilege
 * escalation, all capabilities dropped, no service-account token, small requests. The request's types
 * admit nothing that would break that (hostNetwork/PID/IPC, hostPath, host ports, privilege), and the
 * fields are copied by name, so a cast cannot smuggle them in either.
 */
export function restrictedPod(req: PodRequest): V1Pod {
  const uid = req.runAsUser ?? DEFAULT_UID;
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error(`restrictedPod: runAsUser ${uid} is not a non-root uid`);
  const container: V1Container = {
    ...pick(req.container, CONTAINER_FIELDS),
    name: "main",
    image: req.image,
    ...(req.command ? { command: req.command } : {}),
    ...(req.args ? { args: req.args } : {}),
    ...(req.ports
      ? {
          ports: req.ports.map(({ containerPort, name, protocol }) => ({
            containerPort,
            ...(name ? { name } : {}),
            ...(protocol ? { protocol } : {}),
          })),
        }
      : {}),
    ...(req.env ? { env: req.env } : {}),
    resources: req.container?.resources ?? {
      requests: { cpu: "10m", memory: "32Mi" },
      limits: { memory: "128Mi" },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      runAsUser: uid,
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
  const volumes = req.spec?.volumes?.map((v) => pick(v, VOLUME_FIELDS) as V1Volume);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: req.name, labels: { ...req.labels } },
    spec: {
      ...pick(req.spec, SPEC_FIELDS),
      ...(volumes ? { volumes } : {}),
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
