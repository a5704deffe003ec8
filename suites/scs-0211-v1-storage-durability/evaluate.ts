/**
 * scs-0211-v1 durability, judged from what the check observed (pure): whether the volume can follow the
 * workload off the node acted on, and the verdict from the hashes and the timeline. See README.md.
 */
import type { CoreV1Event, V1Pod, V1VolumeAttachment } from "@kubernetes/client-node";
import type { Locality } from "../scs-0211-v1-default-storage-class/evaluate.ts";

/** Steps of a durability run, in the order they normally happen. */
export const STEPS = [
  "written",
  "action-start",
  "action-done",
  "not-ready",
  "tainted",
  "rescheduled",
  "attached",
  "running",
  "verified",
  "restored",
] as const;
export type Step = (typeof STEPS)[number];

export type Timeline = Partial<Record<Step, number>>;

/** `written +0.0 s, action-start +1.2 s, ...`, offsets from the action's start (or the first entry). */
export function formatTimeline(t: Timeline): string {
  const entries = STEPS.flatMap((s) => (t[s] === undefined ? [] : [[s, t[s] as number] as const]));
  const zero = t["action-start"] ?? entries[0]?.[1] ?? 0;
  return entries
    .map(([s, at]) => `${s} ${at - zero >= 0 ? "+" : ""}${((at - zero) / 1000).toFixed(1)} s`)
    .join(", ");
}

/** Seconds from the action's start to the workload running again (the cluster's own recovery). */
export function recoverySeconds(t: Timeline): number | undefined {
  const start = t["action-start"];
  const back = t.running;
  return start === undefined || back === undefined ? undefined : (back - start) / 1000;
}

/**
 * The scheduler's words for a pod that cannot go where its volume is: PodScheduled=False with "volume node
 * affinity conflict" (kube-scheduler before 1.33) or "didn't match PersistentVolume's node affinity" (seen
 * from 1.36 on the lab). Evidence that the volume cannot follow when the PV is pinned to the
 * node acted on (a zonal volume can wait for a replacement node in its zone: not evidence by itself).
 */
const VOLUME_AFFINITY_MESSAGE =
  /volume node affinity conflict|didn't match PersistentVolume's node affinity/i;

export function affinityEvidence(pod: V1Pod, locality: Locality, actedNode: string): string | undefined {
  const cond = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False");
  const message = cond?.message ?? "";
  if (!VOLUME_AFFINITY_MESSAGE.test(message)) return undefined;
  if (!locality.nodeLocal) return undefined;
  if (locality.pinnedTo.length > 0 && !locality.pinnedTo.includes(actedNode)) return undefined;
  return `the volume cannot follow the workload off node ${actedNode}: ${locality.reason}; the scheduler says: ${message}`;
}

/** A `Multi-Attach error` event for the workload's volume (RWO still attached elsewhere). */
export function multiAttachEvent(events: readonly CoreV1Event[], podName?: string): CoreV1Event | undefined {
  return events.find(
    (e) =>
      e.reason === "FailedAttachVolume" &&
      /Multi-Attach error/i.test(e.message ?? "") &&
      (podName === undefined || e.involvedObject?.name === podName),
  );
}

/**
 * Whether a CSI volume is stuck on the node acted on: a VolumeAttachment of the PV to that node still exists
 * `graceMs` after the cluster was told the node is gone (the Node deleted, or the out-of-service taint set).
 * The attach/detach controller detaches at once then; holding on is the volume not following.
 */
export function attachmentStuck(
  attachments: readonly V1VolumeAttachment[],
  pvName: string,
  actedNode: string,
  goneSince: number | undefined,
  now: number,
  graceMs: number,
): string | undefined {
  if (goneSince === undefined || now - goneSince < graceMs) return undefined;
  const stuck = attachments.find(
    (va) => va.spec?.source?.persistentVolumeName === pvName && va.spec?.nodeName === actedNode,
  );
  if (!stuck) return undefined;
  return `volume ${pvName} is still attached to node ${actedNode} (VolumeAttachment ${stuck.metadata?.name}, attached=${stuck.status?.attached ?? false}${stuck.status?.detachError?.message ? `, detach error: ${stuck.status.detachError.message}` : ""}) ${Math.round((now - goneSince) / 1000)} s after the node was declared gone`;
}

export interface DurabilityObservation {
  /** "rolled" or "killed". */
  action: "rolled" | "killed";
  node: string;
  written: { bytes: number; sha256: string };
  /** What the moved workload read; undefined when it never got to read. */
  verified?: { exists: boolean; bytes: number; sha256?: string };
  /** Evidence that the volume cannot follow, seen before a read was possible. */
  cannotFollow?: string;
  /** The node the workload runs on afterwards. */
  newNode?: string;
  timeline: Timeline;
}

export interface DurabilityVerdict {
  verdict: "pass" | "fail";
  reason: string;
  details: string[];
}

export function evaluateDurability(o: DurabilityObservation): DurabilityVerdict {
  const details = [`timeline: ${formatTimeline(o.timeline)}`];
  const rec = recoverySeconds(o.timeline);
  if (rec !== undefined)
    details.push(`cluster recovery (action start to workload running): ${rec.toFixed(1)} s`);
  const what = `after node ${o.node} was ${o.action}`;
  if (o.cannotFollow) return { verdict: "fail", reason: `${what}, ${o.cannotFollow}`, details };
  const v = o.verified;
  if (!v) throw new Error("evaluateDurability: neither a read nor evidence; the check must not judge yet");
  const where = o.newNode ? ` on node ${o.newNode}` : "";
  if (!v.exists) {
    return {
      verdict: "fail",
      reason: `data lost ${what}: the workload came back${where} and the ${o.written.bytes}-byte file written before is missing`,
      details,
    };
  }
  if (v.sha256 !== o.written.sha256 || v.bytes !== o.written.bytes) {
    return {
      verdict: "fail",
      reason: `data lost ${what}: the workload came back${where} and read ${v.bytes} bytes with sha256 ${v.sha256}, not the ${o.written.bytes} bytes with sha256 ${o.written.sha256} written (and fsynced) before`,
      details,
    };
  }
  return {
    verdict: "pass",
    reason: `the workload came back${where} ${what} and read the same ${o.written.bytes} bytes (sha256 ${o.written.sha256.slice(0, 16)}…)`,
    details,
  };
}

/** Taint the non-graceful node shutdown procedure sets on a node that is known to be down. */
export const OUT_OF_SERVICE_TAINT = {
  key: "node.kubernetes.io/out-of-service",
  value: "nodeshutdown",
  effect: "NoExecute",
};

export interface NodeSnapshot {
  name: string;
  ready: boolean;
  taints: string[];
}

/** After a disruptive check: what differs from before (node count, NotReady nodes, leftover out-of-service taints). */
export function notRestored(before: readonly NodeSnapshot[], after: readonly NodeSnapshot[]): string[] {
  const problems: string[] = [];
  if (after.length !== before.length) problems.push(`${after.length} nodes, ${before.length} before`);
  const notReady = after.filter((n) => !n.ready).map((n) => n.name);
  if (notReady.length) problems.push(`not Ready: ${notReady.join(", ")}`);
  const tainted = after.filter((n) => n.taints.includes(OUT_OF_SERVICE_TAINT.key)).map((n) => n.name);
  if (tainted.length) problems.push(`${OUT_OF_SERVICE_TAINT.key} taint left on ${tainted.join(", ")}`);
  return problems;
}
