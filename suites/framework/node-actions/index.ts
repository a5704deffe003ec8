/**
 * Node actions: how a disruptive check rolls a node or kills its VM through the provider's infrastructure
 * (the Kubernetes API cannot). Drivers: `webhook` (webhook.ts) and `command` (command.ts), chosen by option
 * (options.ts). Unconfigured: the checks skip with a reason that says how to configure one.
 *
 * A disruptive check uses:
 *   preconditions: [nodeActionConfigured]              skip (never pass) without a driver
 *   rbac: [...NODE_ACTION_RBAC, ...]                   list nodes (choice, Ready count)
 *   const [node] = await nodesToActOn(ctx)             Ready, schedulable, not the suite's own, workers first
 *   await withNodeAction(ctx, node, "kill")            announces, refuses unsafe nodes, registers the restore
 *   ... observe the cluster ...
 *   await withNodeAction(ctx, node, "restore")         restores and waits for the Ready node count
 *   await withNodeAction(ctx, node, "roll")            returns once the Ready node count is back
 */

import { readFile } from "node:fs/promises";
import { CoreV1Api, type V1Node } from "@kubernetes/client-node";
import type { CheckContext, Precondition, RbacRule, Timeout } from "../check.ts";
import { CheckAborted, CheckSkipped, TimeoutExpired } from "../errors.ts";
import { readSecretValue } from "../secret-ref.ts";
import { scaledTimeout, sleep, withTimeout } from "../timeouts.ts";
import { commandDriver } from "./command.ts";
import { NODE_ACTION_CALL, type NodeAction, type NodeActionDriver } from "./driver.ts";
import {
  HOW_TO_CONFIGURE,
  NODE_ACTION_OPTIONS,
  NodeActionConfigError,
  parseNodeActionOptions,
  type TokenSource,
} from "./options.ts";
import { eligible, isReady, nodeName, refusal, type SafetyRules, SUITE_NODE_ENV } from "./safety.ts";
import { webhookDriver } from "./webhook.ts";

export { NODE_ACTION_CALL, type NodeAction, type NodeActionDriver } from "./driver.ts";
export { HOW_TO_CONFIGURE, NODE_ACTION_OPTIONS } from "./options.ts";
export { isControlPlane, SUITE_NODE_ENV } from "./safety.ts";

/**
 * The Ready-count wait inside the deferred restore, which shares the check's cleanup budget: at most this
 * (the wait after a roll or an explicit restore is the framework's `node-ready`, scaled by timeout-scale).
 */
export const NODE_READY_IN_CLEANUP_MS = 60_000;
/** The restore call in cleanup: it must also run after a timeout or SIGTERM, so it has its own bound. */
export const NODE_RESTORE_IN_CLEANUP: Timeout = { name: "node-action-restore-in-cleanup", ms: 60_000 };
const POLL_MS = 2000;

/** What node actions need from the API (a `node-action-token-secret` also needs `get` on that Secret). */
export const NODE_ACTION_RBAC: readonly RbacRule[] = [
  { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
  // Sonobuoy's pods, wherever its namespace is: their nodes are never acted on.
  { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
];

/**
 * Every pod Sonobuoy runs (its aggregator, each plugin's pods): a roll or kill of a node that runs one
 * ends the aggregator's run or breaks a plugin beside ours (seen on the lab: a roll ended the whole run;
 * a drain evicted the conformance plugin).
 */
export const SONOBUOY_POD_SELECTOR = "sonobuoy-component";

/** The driver the options ask for; undefined when none is configured. A wrong configuration aborts. */
export function nodeActionDriver(ctx: CheckContext): NodeActionDriver | undefined {
  let config: ReturnType<typeof parseNodeActionOptions>;
  try {
    config = parseNodeActionOptions(ctx.options);
  } catch (err) {
    if (err instanceof NodeActionConfigError) throw new CheckAborted(`node action: ${err.message}`);
    throw err;
  }
  if (!config) return undefined;
  if (config.driver === "command") return commandDriver(config.command);
  let token: Promise<string> | undefined;
  return webhookDriver(config.url, () => {
    token ??= readToken(ctx, config.token);
    return token;
  });
}

/** Precondition of every check that acts on nodes: skip, saying how to configure a driver, when none is. */
export const nodeActionConfigured: Precondition = async (ctx) =>
  nodeActionDriver(ctx) ? undefined : `no node action configured: ${HOW_TO_CONFIGURE}`;

/** The Ready-count waits: `node-ready` (scaled by timeout-scale), and at most a minute of it in cleanup. */
function recoveryTimeouts(ctx: CheckContext): { inCheck: Timeout; inCleanup: Timeout } {
  const inCheck = scaledTimeout(ctx, "node-ready");
  return {
    inCheck,
    inCleanup: { name: "node-ready-in-cleanup", ms: Math.min(inCheck.ms, NODE_READY_IN_CLEANUP_MS) },
  };
}

export function safetyRules(ctx: CheckContext): SafetyRules {
  const suiteNode = process.env[SUITE_NODE_ENV]?.trim();
  const config = parseNodeActionOptions(ctx.options);
  return { ...(suiteNode ? { suiteNode } : {}), allowControlPlane: config?.allowControlPlane ?? false };
}

/**
 * Nodes a check may act on: Ready, schedulable, not the suite's own, none that runs a Sonobuoy pod,
 * control plane only when allowed; workers first.
 */
export async function nodesToActOn(ctx: CheckContext): Promise<V1Node[]> {
  const nodes = (await ctx.api(CoreV1Api).listNode()).items;
  const busy = await nodesRunningSonobuoy(ctx);
  if (busy.size)
    ctx.log(`not acting on ${[...busy].sort().join(", ")}: runs a Sonobuoy pod (its aggregator or a plugin)`);
  return eligible(nodes, safetyRules(ctx)).filter((n) => !busy.has(nodeName(n)));
}

async function nodesRunningSonobuoy(ctx: CheckContext): Promise<Set<string>> {
  const pods = (await ctx.api(CoreV1Api).listPodForAllNamespaces({ labelSelector: SONOBUOY_POD_SELECTOR }))
    .items;
  return new Set(
    pods
      .filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed")
      .map((p) => p.spec?.nodeName)
      .filter((n): n is string => !!n),
  );
}

export interface NodeActionReport {
  action: NodeAction;
  node: string;
  /** What the provider said it did. */
  account: string;
  /** Duration of the call (not of the recovery). */
  seconds: number;
  /** Ready nodes before the action; after a roll or restore the cluster had at least as many again. */
  readyBefore: number;
}

// One node at a time in the whole process: the action under way, and the nodes killed and not yet restored
// (with the Ready count from before the kill).
let busy: string | undefined;
const killed = new Map<string, { readyBefore: number }>();

/**
 * Performs one node action safely: refuses the suite's own node, control-plane nodes unless allowed, and a
 * second node while one is under way or still killed; announces the node in the check's log before acting;
 * for a kill, registers the restore in cleanup before the call (it runs on failure, timeout and SIGTERM
 * too). A roll and an explicit restore return once the cluster has its Ready node count back (`node-ready`)
 * and abort saying so when it does not.
 */
export async function withNodeAction(
  ctx: CheckContext,
  node: V1Node,
  action: NodeAction,
): Promise<NodeActionReport> {
  const driver = nodeActionDriver(ctx);
  if (!driver) throw new CheckSkipped(`no node action configured: ${HOW_TO_CONFIGURE}`);
  const name = nodeName(node);
  const recovery = recoveryTimeouts(ctx);
  if (action === "restore") return restore(ctx, driver, node, recovery.inCheck, ctx.signal);
  const why = refusal(node, safetyRules(ctx));
  if (why) throw new CheckAborted(`refusing to ${action} node ${name}: ${why}`);
  const other = busy ?? [...killed.keys()][0];
  if (other)
    throw new CheckAborted(
      `refusing to ${action} node ${name}: one node at a time, and ${other} is still ${busy ? "being acted on" : "killed"}`,
    );
  const readyBefore = await readyNodeCount(ctx);
  if (action === "kill") {
    killed.set(name, { readyBefore });
    ctx.defer(`restore node ${name} (killed by this check)`, async (signal) => {
      if (!killed.has(name)) return;
      await restore(ctx, driver, node, recovery.inCleanup, signal, NODE_RESTORE_IN_CLEANUP);
    });
  }
  const report = await call(ctx, driver, node, action, readyBefore, ctx.signal, NODE_ACTION_CALL);
  if (action === "roll")
    await awaitReadyCount(ctx, name, "rolling", readyBefore, recovery.inCheck, ctx.signal);
  return report;
}

async function restore(
  ctx: CheckContext,
  driver: NodeActionDriver,
  node: V1Node,
  recovery: Timeout,
  signal: AbortSignal | undefined,
  callTimeout: Timeout = NODE_ACTION_CALL,
): Promise<NodeActionReport> {
  const name = nodeName(node);
  const readyBefore = killed.get(name)?.readyBefore ?? (await readyNodeCount(ctx));
  const report = await call(ctx, driver, node, "restore", readyBefore, signal, callTimeout);
  killed.delete(name);
  await awaitReadyCount(ctx, name, "restoring", readyBefore, recovery, signal);
  return report;
}

async function call(
  ctx: CheckContext,
  driver: NodeActionDriver,
  node: V1Node,
  action: NodeAction,
  readyBefore: number,
  signal: AbortSignal | undefined,
  timeout: Timeout,
): Promise<NodeActionReport> {
  const name = nodeName(node);
  const providerID = node.spec?.providerID ?? "";
  ctx.log(
    `node action: about to ${action} node ${name}${providerID ? ` (${providerID})` : ""} via ${driver.description} (${readyBefore} nodes Ready before the first action on it)`,
  );
  busy = name;
  const started = Date.now();
  try {
    const account = await withTimeout(
      timeout,
      signal,
      `${action} of node ${name} via ${driver.description}`,
      (s) => driver.act({ action, node: name, providerID, runId: ctx.runId }, s),
    );
    const seconds = (Date.now() - started) / 1000;
    ctx.log(`node action: ${action} ${name} done in ${seconds.toFixed(1)} s${account ? `: ${account}` : ""}`);
    return { action, node: name, account, seconds, readyBefore };
  } finally {
    busy = undefined;
  }
}

export async function readyNodeCount(ctx: CheckContext): Promise<number> {
  return (await ctx.api(CoreV1Api).listNode()).items.filter(isReady).length;
}

/** Waits until at least `count` nodes are Ready; aborts saying how many are when the timeout expires. */
async function awaitReadyCount(
  ctx: CheckContext,
  name: string,
  doing: string,
  count: number,
  timeout: Timeout,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  let seen = -1;
  try {
    await withTimeout(
      timeout,
      signal,
      `waiting for the Ready node count after ${doing} ${name}`,
      async (s) => {
        for (;;) {
          try {
            seen = await readyNodeCount(ctx);
          } catch (err) {
            ctx.log(`node action: listing nodes failed, retrying: ${(err as Error).message}`);
          }
          if (seen >= count) return;
          await sleep(POLL_MS, s);
        }
      },
    );
  } catch (err) {
    if (!(err instanceof TimeoutExpired)) throw err;
    throw new CheckAborted(
      `after ${doing} node ${name} the cluster has ${seen < 0 ? "an unknown number of" : seen} Ready nodes, ${count} before; ${err.message}`,
    );
  }
  ctx.log(
    `node action: ${count} nodes Ready again ${((Date.now() - started) / 1000).toFixed(1)} s after ${doing} ${name}`,
  );
}

async function readToken(ctx: CheckContext, source: TokenSource): Promise<string> {
  let token: string | undefined;
  if (source.kind === "file") {
    try {
      token = (await readFile(source.path, "utf8")).trim();
    } catch (err) {
      throw new CheckAborted(
        `node action: cannot read node-action-token-file ${source.path}: ${(err as Error).message}`,
      );
    }
  } else {
    token = await readSecretValue(ctx, source, NODE_ACTION_OPTIONS.tokenSecret);
  }
  if (!token) throw new CheckAborted(`node action: the bearer token (${source.kind}) is empty`);
  return token;
}

/** For tests: forget the process-wide "one node at a time" state. */
export function resetNodeActionState(): void {
  busy = undefined;
  killed.clear();
}
