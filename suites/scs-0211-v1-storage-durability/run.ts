/**
 * What both durability checks do around the node action: set up the claim and the 1-replica workload on a
 * node the suite may act on, write seeded data, watch the workload come back elsewhere (failing on the first
 * evidence that the volume cannot follow), read the data back, and check that the cluster is as before.
 */
import {
  CoreV1Api,
  StorageV1Api,
  type V1Node,
  type V1PersistentVolume,
  type V1Pod,
} from "@kubernetes/client-node";
import type { CheckContext, Timeout } from "../framework/check.ts";
import { CheckAborted, CheckFailed, CheckSkipped } from "../framework/errors.ts";
import { createTestNamespace } from "../framework/namespace.ts";
import { nodesToActOn } from "../framework/node-actions/index.ts";
import { describePod, nodeReadyStatus, podHopeless, podReady } from "../framework/pod-state.ts";
import { scaledTimeout, sleep, timeoutScale } from "../framework/timeouts.ts";
import { HopelessWait, waitForPvcBound, waitForWatch } from "../framework/wait.ts";
import { judgeLocality, type Locality } from "../scs-0211-v1-default-storage-class/evaluate.ts";
import {
  createClaim,
  createDeployment,
  DATA_SIZE_OPTION,
  DEFAULT_DATA_SIZE,
  runSeed,
  type Verified,
  verifyData,
  WORKLOAD_LABEL,
  WORKLOAD_NAME,
  type Written,
  writeData,
} from "../scs-0211-v1-default-storage-class/volume-workload.ts";
import { parseSize } from "../workload/storage.ts";
import {
  affinityEvidence,
  attachmentStuck,
  multiAttachEvent,
  type NodeSnapshot,
  notRestored,
  type Timeline,
} from "./evaluate.ts";

export interface Prepared {
  namespace: string;
  node: V1Node;
  nodeName: string;
  pod: V1Pod;
  pv: V1PersistentVolume;
  locality: Locality;
  written: Written;
  nodesBefore: NodeSnapshot[];
  timeline: Timeline;
  details: string[];
}

export function dataSize(ctx: CheckContext): number {
  const raw = ctx.options[DATA_SIZE_OPTION] ?? DEFAULT_DATA_SIZE;
  try {
    return parseSize(raw);
  } catch (err) {
    throw new CheckAborted(`option ${DATA_SIZE_OPTION}: ${(err as Error).message}`);
  }
}

/** A named budget of the durability checks, scaled by timeout-scale. */
export function durabilityTimeout(ctx: CheckContext, name: string, ms: number): Timeout {
  return { name, ms: Math.round(ms * timeoutScale(ctx.options)) };
}

export async function snapshotNodes(ctx: CheckContext): Promise<NodeSnapshot[]> {
  return (await ctx.api(CoreV1Api).listNode()).items.map((n) => ({
    name: n.metadata?.name ?? "",
    ready: nodeReadyStatus(n) === "True",
    taints: (n.spec?.taints ?? []).map((t) => t.key),
  }));
}

const workloadSelector = `${WORKLOAD_LABEL}=${WORKLOAD_NAME}`;

/** Namespace, claim, workload on a node the suite may act on, data written and fsynced. */
export async function prepare(ctx: CheckContext): Promise<Prepared> {
  const bytes = dataSize(ctx);
  const nodesBefore = await snapshotNodes(ctx);
  const candidates = await nodesToActOn(ctx);
  const preferred = candidates[0];
  if (!preferred) {
    throw new CheckSkipped(
      "no node the suite may act on (Ready, schedulable, not its own, no Sonobuoy pod on it, not control plane)",
    );
  }
  const classes = (await ctx.api(StorageV1Api).listStorageClass()).items;
  const details: string[] = [`storage classes: ${classes.map((c) => c.metadata?.name).join(", ") || "none"}`];
  const namespace = await createTestNamespace(ctx);
  const claim = await createClaim(ctx, namespace);
  await createDeployment(ctx, namespace, preferred.metadata?.name);
  const pod = await waitForWatch<V1Pod>(ctx, {
    what: `the workload's pod in ${namespace} to be Ready`,
    path: `/api/v1/namespaces/${namespace}/pods`,
    list: () => ctx.api(CoreV1Api).listNamespacedPod({ namespace, labelSelector: workloadSelector }),
    labelSelector: workloadSelector,
    timeout: scaledTimeout(ctx, "pod-ready"),
    until: (p, event) => event !== "DELETED" && !p.metadata?.deletionTimestamp && podReady(p),
    hopeless: podHopeless,
    describe: describePod,
  });
  const nodeName = pod.spec?.nodeName ?? "";
  const node = candidates.find((n) => n.metadata?.name === nodeName);
  if (!node) {
    throw new CheckAborted(
      `the workload landed on node ${nodeName}, which the suite may not act on (may: ${candidates.map((n) => n.metadata?.name).join(", ")})`,
    );
  }
  const bound = await waitForPvcBound(
    ctx,
    namespace,
    claim.metadata?.name ?? "",
    scaledTimeout(ctx, "pvc-bound"),
  );
  const pv = await ctx.api(CoreV1Api).readPersistentVolume({ name: bound.spec?.volumeName ?? "" });
  const locality = judgeLocality(pv);
  details.push(`claim bound to PV ${pv.metadata?.name}: ${locality.reason}`);
  const written = await writeData(ctx, namespace, pod.metadata?.name ?? "", bytes, runSeed(ctx));
  const timeline: Timeline = { written: Date.now() };
  details.push(
    `pod ${pod.metadata?.name} on node ${nodeName} wrote ${written.bytes} bytes (sha256 ${written.sha256}), fsynced, in ${written.ms} ms`,
  );
  ctx.log(`wrote ${written.bytes} bytes on node ${nodeName}, sha256 ${written.sha256}`);
  return { namespace, node, nodeName, pod, pv, locality, written, nodesBefore, timeline, details };
}

export interface MoveOptions {
  /** The replacement must run on another node (kill); after a roll the node's name may come back. */
  offNode: boolean;
  timeout: Timeout;
  /** When the cluster was told the node is gone (Node deleted, out-of-service taint): starts the detach grace. */
  goneSince: () => number | undefined;
  /** How long a CSI attachment may stay on that node afterwards (default DETACH_GRACE_MS). */
  detachGraceMs?: number;
}

/** How long a CSI attachment may stay on a node declared gone before it counts as stuck. */
export const DETACH_GRACE_MS = 120_000;
const POLL_MS = 2000;

/**
 * Waits (a watch) until a replacement pod of the workload is Ready. Fails at once when the pod cannot be
 * scheduled because its volume is pinned to the node acted on, or when a CSI volume stays attached to that
 * node after the cluster was told it is gone. Records rescheduled/running (and attached for CSI) in the timeline.
 */
export async function awaitMoved(ctx: CheckContext, p: Prepared, opts: MoveOptions): Promise<V1Pod> {
  const originalUid = p.pod.metadata?.uid;
  const stop = new AbortController();
  const sub: CheckContext = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) };
  const pvName = p.pv.metadata?.name ?? "";
  const csi = p.pv.spec?.csi !== undefined;
  let newPod: string | undefined;
  let multiAttachSeen = false;
  const poller = (async () => {
    while (!stop.signal.aborted) {
      try {
        const events = (await ctx.api(CoreV1Api).listNamespacedEvent({ namespace: p.namespace })).items;
        const ma = multiAttachEvent(events, newPod);
        if (ma && !multiAttachSeen) {
          multiAttachSeen = true;
          ctx.log(`Multi-Attach error seen: ${ma.message}`);
        }
        if (csi) {
          const vas = (await ctx.api(StorageV1Api).listVolumeAttachment()).items;
          const stuck = attachmentStuck(
            vas,
            pvName,
            p.nodeName,
            opts.goneSince(),
            Date.now(),
            opts.detachGraceMs ?? DETACH_GRACE_MS,
          );
          if (stuck) stop.abort(new CheckFailed(stuck));
          const attached = vas.find(
            (va) =>
              va.spec?.source?.persistentVolumeName === pvName &&
              va.spec?.nodeName !== p.nodeName &&
              va.status?.attached,
          );
          if (attached && p.timeline.attached === undefined) p.timeline.attached = Date.now();
        }
      } catch (err) {
        ctx.log(`watching events/attachments: ${(err as Error).message}`);
      }
      await sleep(POLL_MS, stop.signal).catch(() => {});
    }
  })();
  try {
    return await waitForWatch<V1Pod>(sub, {
      what: `the workload's replacement pod to be Ready${opts.offNode ? ` off node ${p.nodeName}` : ""}`,
      path: `/api/v1/namespaces/${p.namespace}/pods`,
      list: () =>
        ctx.api(CoreV1Api).listNamespacedPod({ namespace: p.namespace, labelSelector: workloadSelector }),
      labelSelector: workloadSelector,
      timeout: opts.timeout,
      until: (pod, event) => {
        if (event === "DELETED" || pod.metadata?.uid === originalUid || pod.metadata?.deletionTimestamp)
          return false;
        newPod = pod.metadata?.name;
        const node = pod.spec?.nodeName;
        if (node && p.timeline.rescheduled === undefined) {
          p.timeline.rescheduled = Date.now();
          ctx.log(`replacement pod ${pod.metadata?.name} scheduled on node ${node}`);
        }
        if (opts.offNode && node === p.nodeName) return false;
        const ready = pod.status?.phase === "Running" && podReady(pod);
        if (ready && p.timeline.running === undefined) p.timeline.running = Date.now();
        return ready;
      },
      hopeless: (pod) =>
        pod.metadata?.uid === originalUid ? undefined : affinityEvidence(pod, p.locality, p.nodeName),
      describe: describePod,
    });
  } catch (err) {
    if (err instanceof HopelessWait) throw new CheckFailed(err.state);
    throw err;
  } finally {
    stop.abort(new Error("done"));
    await poller;
  }
}

export async function readBack(ctx: CheckContext, p: Prepared, pod: V1Pod): Promise<Verified> {
  const v = await verifyData(ctx, p.namespace, pod.metadata?.name ?? "", p.written.bytes);
  p.timeline.verified = Date.now();
  ctx.log(
    `read back on node ${pod.spec?.nodeName}: exists=${v.exists} bytes=${v.bytes} sha256=${v.sha256 ?? "-"}`,
  );
  return v;
}

/** Problems with the cluster's state against before the check (node count, Ready, taints). */
export async function restoredProblems(ctx: CheckContext, p: Prepared): Promise<string[]> {
  return notRestored(p.nodesBefore, await snapshotNodes(ctx));
}
