import { CoreV1Api, type V1Pod, type V1Taint } from "@kubernetes/client-node";
import type { CheckContext, CheckDefinition, CheckOutcome } from "../framework/check.ts";
import { CheckAborted, CheckFailed } from "../framework/errors.ts";
import { NODE_ACTION_RBAC, nodeActionConfigured, withNodeAction } from "../framework/node-actions/index.ts";
import { RBAC } from "../framework/rbac.ts";
import { scaledTimeout } from "../framework/timeouts.ts";
import { waitForNodeNotReady, waitForNodeReady } from "../framework/wait.ts";
import { STORAGE_RBAC } from "../scs-0211-v1-default-storage-class/check.ts";
import { type DurabilityObservation, evaluateDurability, OUT_OF_SERVICE_TAINT } from "./evaluate.ts";
import { awaitMoved, durabilityTimeout, type Prepared, prepare, readBack, restoredProblems } from "./run.ts";

/** Option: `false` waits for the cluster's own timeouts (toleration, force detach) instead of the taint. */
export const OUT_OF_SERVICE_OPTION = "storage-out-of-service-taint";

const DURABILITY_RBAC = [
  ...STORAGE_RBAC,
  ...NODE_ACTION_RBAC,
  ...RBAC.nodesRead,
  ...RBAC.disruptiveNodes,
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete", "get"] },
];

const STANDARD = "scs-0211-v1";
const TEST_ID = "storage-durability-check";

/** Verdict from the observation; a cluster left unlike before turns a pass into an abort and adds a warning otherwise. */
async function conclude(ctx: CheckContext, p: Prepared, o: DurabilityObservation): Promise<CheckOutcome> {
  const v = evaluateDurability(o);
  const details = [...p.details, ...v.details];
  const problems = await restoredProblems(ctx, p);
  const warnings = [...p.locality.warnings];
  if (problems.length) {
    const line = `the cluster is not as before the check: ${problems.join("; ")}`;
    if (v.verdict === "pass")
      return { verdict: "abort", reason: `${v.reason}; but ${line}`, details, warnings };
    warnings.push(line);
  } else {
    details.push("afterwards: every node Ready, node count unchanged, no out-of-service taint");
  }
  return { verdict: v.verdict, reason: v.reason, details, warnings };
}

/** Fails (with the timeline) on evidence thrown while waiting; the caller's finally still restores. */
function evidenceOutcome(
  err: unknown,
  p: Prepared,
  action: DurabilityObservation["action"],
): DurabilityObservation {
  if (!(err instanceof CheckFailed)) throw err;
  return { action, node: p.nodeName, written: p.written, cannotFollow: err.message, timeline: p.timeline };
}

/** What both durability checks share: the standard, the test id, the labels, the rules, the node-action precondition. */
const DURABILITY_CHECK = {
  standard: STANDARD,
  testId: TEST_ID,
  labels: ["[Disruptive]", "[Slow]"],
  scope: "cluster",
  rbac: DURABILITY_RBAC,
  preconditions: [nodeActionConfigured],
} as const satisfies Partial<CheckDefinition>;

export const durabilityNodeRollCheck: CheckDefinition = {
  id: "scs-0211-v1/durability-node-roll",
  ...DURABILITY_CHECK,
  title:
    "data on a ReadWriteOnce volume of the default class survives rolling the node its workload runs on (the workload comes back on a Ready node with identical data)",
  timeout: { name: "durability-node-roll", ms: 25 * 60_000 },
  async run(ctx) {
    const p = await prepare(ctx);
    p.timeline["action-start"] = Date.now();
    // The roll (drain, delete, replace, Ready again) and the workload's move are watched at once: evidence
    // that the volume cannot follow fails the check while the roll is still under way.
    const roll = withNodeAction(ctx, p.node, "roll").then((r) => {
      p.timeline["action-done"] = Date.now();
      return r;
    });
    roll.catch(() => {});
    let observation: DurabilityObservation;
    try {
      const pod = await awaitMoved(ctx, p, {
        offNode: false,
        timeout: durabilityTimeout(ctx, "workload-back-after-roll", 15 * 60_000),
        goneSince: () => p.timeline["action-done"],
      });
      // Read as soon as the workload is back; then the node must be back too, else ABORT: the
      // infrastructure did not do its part.
      const verified = await readBack(ctx, p, pod);
      await roll;
      observation = observed(p, "rolled", pod, verified);
    } catch (err) {
      observation = evidenceOutcome(err, p, "rolled");
      await roll.catch((e: unknown) => ctx.log(`the roll also ended badly: ${(e as Error).message}`));
    }
    return conclude(ctx, p, observation);
  },
};

/** What was seen when the workload came back: where, and what it read. */
function observed(
  p: Prepared,
  action: DurabilityObservation["action"],
  pod: V1Pod,
  verified: DurabilityObservation["verified"],
): DurabilityObservation {
  return {
    action,
    node: p.nodeName,
    written: p.written,
    verified,
    timeline: p.timeline,
    ...(pod.spec?.nodeName ? { newNode: pod.spec.nodeName } : {}),
  };
}

export const durabilityVmKillCheck: CheckDefinition = {
  id: "scs-0211-v1/durability-vm-kill",
  ...DURABILITY_CHECK,
  title:
    "data on a ReadWriteOnce volume of the default class survives killing the VM of its workload's node (non-graceful shutdown: the workload moves to another node with identical data)",
  timeout: { name: "durability-vm-kill", ms: 40 * 60_000 },
  async run(ctx) {
    const useTaint = (ctx.options[OUT_OF_SERVICE_OPTION] ?? "true").trim().toLowerCase() !== "false";
    const p = await prepare(ctx);
    p.timeline["action-start"] = Date.now();
    await withNodeAction(ctx, p.node, "kill"); // registers the restore in cleanup before the call
    p.timeline["action-done"] = Date.now();
    let tainted = false;
    const untaint = async () => {
      if (!tainted) return;
      await setOutOfServiceTaint(ctx, p.nodeName, false);
      tainted = false;
    };
    let observation: DurabilityObservation;
    try {
      // Watched from the kill on: without the taint the cluster's own timeouts move the workload.
      const moved = awaitMoved(ctx, p, {
        offNode: true,
        timeout: durabilityTimeout(ctx, "workload-moved-after-kill", useTaint ? 10 * 60_000 : 25 * 60_000),
        goneSince: () => p.timeline.tainted,
      });
      moved.catch(() => {});
      await waitForNodeNotReady(ctx, p.nodeName, scaledTimeout(ctx, "node-not-ready"));
      p.timeline["not-ready"] = Date.now();
      ctx.log(`node ${p.nodeName} is NotReady`);
      if (useTaint) {
        ctx.defer(`remove the ${OUT_OF_SERVICE_TAINT.key} taint from node ${p.nodeName}`, untaint);
        await setOutOfServiceTaint(ctx, p.nodeName, true);
        tainted = true;
        p.timeline.tainted = Date.now();
      }
      const pod = await moved;
      const verified = await readBack(ctx, p, pod);
      observation = observed(p, "killed", pod, verified);
    } catch (err) {
      observation = evidenceOutcome(err, p, "killed");
    }
    // The VM comes back after the workload has moved (or could not): restore, then lift the taint.
    await withNodeAction(ctx, p.node, "restore");
    await untaint();
    await waitForNodeReady(ctx, p.nodeName, scaledTimeout(ctx, "node-ready"));
    p.timeline.restored = Date.now();
    return conclude(ctx, p, observation);
  },
};

/** Adds or removes the out-of-service taint (read, modify, replace; retried on a write conflict). */
export async function setOutOfServiceTaint(ctx: CheckContext, name: string, present: boolean): Promise<void> {
  const core = ctx.api(CoreV1Api);
  for (let attempt = 1; ; attempt++) {
    const node = await core.readNode({ name });
    const others = (node.spec?.taints ?? []).filter((t) => t.key !== OUT_OF_SERVICE_TAINT.key);
    const taints: V1Taint[] = present ? [...others, { ...OUT_OF_SERVICE_TAINT }] : others;
    try {
      await core.replaceNode({ name, body: { ...node, spec: { ...node.spec, taints } } });
      ctx.log(
        `${present ? "set" : "removed"} ${OUT_OF_SERVICE_TAINT.key}=${OUT_OF_SERVICE_TAINT.value}:${OUT_OF_SERVICE_TAINT.effect} ${present ? "on" : "from"} node ${name}`,
      );
      return;
    } catch (err) {
      const code =
        (err as { code?: unknown; cause?: { code?: unknown } }).code ??
        (err as { cause?: { code?: unknown } }).cause?.code;
      if (code !== 409 || attempt >= 5) {
        if (code === 409)
          throw new CheckAborted(`node ${name} kept changing under the taint update (5 conflicts)`);
        throw err;
      }
    }
  }
}
