/**
 * The scs-0211 checks' workload: a ReadWriteOnce claim on the default class (no storageClassName, so the
 * DefaultStorageClass admission picks it, as for any user's claim), and restricted pods of the suite's own
 * image that mount it and run the storage verbs (suites/workload/storage.ts) by exec.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type V1Deployment,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from "@kubernetes/client-node";
import type { CheckContext, Timeout } from "../framework/check.ts";
import { CheckAborted } from "../framework/errors.ts";
import { execInPod } from "../framework/exec.ts";
import { suiteImage, workloadCommand } from "../framework/images.ts";
import { suiteLabels } from "../framework/labels.ts";
import { deleteIgnoringNotFound } from "../framework/namespace.ts";
import { restrictedPod } from "../framework/pods.ts";
import { timeoutScale } from "../framework/timeouts.ts";

export const MOUNT_DIR = "/data";
export const CLAIM_NAME = "scs-data";
const VOLUME = "data";

/** Option: how much seeded data the durability checks write (default 64Mi). */
export const DATA_SIZE_OPTION = "storage-data-size";
export const DEFAULT_DATA_SIZE = "64Mi";

export interface Written {
  bytes: number;
  seed: string;
  sha256: string;
  ms: number;
}
export interface Verified {
  exists: boolean;
  bytes: number;
  sha256?: string;
  ms: number;
}

/** Creates the RWO claim without a class (the default class applies) and registers its deletion. */
export async function createClaim(
  ctx: CheckContext,
  namespace: string,
  size = "1Gi",
): Promise<V1PersistentVolumeClaim> {
  const core = ctx.api(CoreV1Api);
  const created = await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: CLAIM_NAME, labels: suiteLabels(ctx.runId, ctx.checkId) },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
    },
  });
  ctx.log(`created PVC ${namespace}/${CLAIM_NAME} (ReadWriteOnce, ${size}, no class: the default applies)`);
  ctx.defer(`delete PVC ${namespace}/${CLAIM_NAME}`, () =>
    deleteIgnoringNotFound(() => core.deleteNamespacedPersistentVolumeClaim({ name: CLAIM_NAME, namespace })),
  );
  return created;
}

/** A restricted pod that keeps the claim mounted at /data (fsGroup makes it writable for the non-root user). */
export function holderPod(ctx: CheckContext, name: string, labels: Record<string, string> = {}): V1Pod {
  return restrictedPod({
    name,
    image: suiteImage(ctx),
    command: workloadCommand("storage-hold", "--dir", MOUNT_DIR),
    labels,
    container: {
      volumeMounts: [{ name: VOLUME, mountPath: MOUNT_DIR }],
      resources: { requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "160Mi" } },
    },
    spec: {
      volumes: [{ name: VOLUME, persistentVolumeClaim: { claimName: CLAIM_NAME } }],
      terminationGracePeriodSeconds: 5,
    },
  });
}

export const WORKLOAD_NAME = "scs-storage";
export const WORKLOAD_LABEL = "scs-kaas.scs.community/storage-workload";

/**
 * The 1-replica workload of the durability checks: a Deployment, because its ReplicaSet replaces a pod as
 * soon as the old one is terminating (a StatefulSet waits until the old pod is gone, which on a dead node
 * takes the out-of-service taint or a force delete). Recreate: never two pods on the RWO claim by design.
 */
export function holderDeployment(ctx: CheckContext, preferNode?: string): V1Deployment {
  const selector = { [WORKLOAD_LABEL]: WORKLOAD_NAME };
  const pod = holderPod(ctx, WORKLOAD_NAME, { ...selector, ...suiteLabels(ctx.runId, ctx.checkId) });
  // Preferred, never required: the replacement pod must be free to go anywhere the volume can follow.
  const affinity = preferNode
    ? {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              preference: { matchFields: [{ key: "metadata.name", operator: "In", values: [preferNode] }] },
            },
          ],
        },
      }
    : undefined;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: WORKLOAD_NAME, labels: { ...selector, ...suiteLabels(ctx.runId, ctx.checkId) } },
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: pod.metadata?.labels ?? {} },
        spec: {
          ...(pod.spec as NonNullable<V1Pod["spec"]>),
          ...(affinity ? { affinity } : {}),
          restartPolicy: "Always",
        },
      },
    },
  };
}

export async function createDeployment(
  ctx: CheckContext,
  namespace: string,
  preferNode?: string,
): Promise<void> {
  const apps = ctx.api(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace, body: holderDeployment(ctx, preferNode) });
  ctx.log(`created Deployment ${namespace}/${WORKLOAD_NAME} (1 replica on claim ${CLAIM_NAME})`);
  ctx.defer(`delete Deployment ${namespace}/${WORKLOAD_NAME}`, () =>
    deleteIgnoringNotFound(() =>
      apps.deleteNamespacedDeployment({ name: WORKLOAD_NAME, namespace, propagationPolicy: "Background" }),
    ),
  );
}

/** The budget for one storage verb: a minute plus a second per MiB (slow disks), scaled by timeout-scale. */
export function ioTimeout(ctx: Pick<CheckContext, "options">, bytes: number): Timeout {
  const ms = (60_000 + Math.ceil(bytes / 1024 ** 2) * 1000) * timeoutScale(ctx.options);
  return { name: "storage-io", ms: Math.round(ms) };
}

async function runVerb(
  ctx: CheckContext,
  namespace: string,
  pod: string,
  args: string[],
  timeout: Timeout,
): Promise<Record<string, unknown>> {
  const r = await execInPod(ctx, {
    namespace,
    pod,
    command: workloadCommand(...(args as [string])),
    timeout,
  });
  if (r.exitCode !== 0) {
    throw new CheckAborted(
      `${args[0]} in pod ${namespace}/${pod} exited ${r.exitCode}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  }
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new CheckAborted(`${args[0]} in pod ${namespace}/${pod} printed no JSON: ${line.slice(0, 200)}`);
  }
}

export async function writeData(
  ctx: CheckContext,
  namespace: string,
  pod: string,
  bytes: number,
  seed: string,
): Promise<Written> {
  const out = await runVerb(
    ctx,
    namespace,
    pod,
    ["storage-write", "--dir", MOUNT_DIR, "--size", String(bytes), "--seed", seed],
    ioTimeout(ctx, bytes),
  );
  return { bytes: Number(out.bytes), seed, sha256: String(out.sha256), ms: Number(out.ms) };
}

export async function verifyData(
  ctx: CheckContext,
  namespace: string,
  pod: string,
  bytes: number,
): Promise<Verified> {
  const out = await runVerb(
    ctx,
    namespace,
    pod,
    ["storage-verify", "--dir", MOUNT_DIR],
    ioTimeout(ctx, bytes),
  );
  return {
    exists: out.exists === true,
    bytes: Number(out.bytes),
    ...(typeof out.sha256 === "string" ? { sha256: out.sha256 } : {}),
    ms: Number(out.ms),
  };
}

/** A seed unique to the run, so that data left from an earlier run can never pass for this run's. */
export function runSeed(ctx: CheckContext): string {
  return `${ctx.runId}/${ctx.checkId}`;
}
