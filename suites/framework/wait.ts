import {
  CoreV1Api,
  type KubernetesObject,
  type V1Node,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Service,
  Watch,
} from "@kubernetes/client-node";
import { apiStatusOf, translateError } from "./api-errors.ts";
import type { CheckContext, Timeout } from "./check.ts";
import { CheckAborted, TimeoutExpired } from "./errors.ts";
import {
  describeNode,
  describePod,
  describePvc,
  loadBalancerAddress,
  nodeReadyStatus,
  podHopeless,
  podReady,
} from "./pod-state.ts";
import { sleep, withTimeout } from "./timeouts.ts";

export type WatchEvent = "LISTED" | "ADDED" | "MODIFIED" | "DELETED";

export interface WatchWait<T extends KubernetesObject> {
  /** Completes "timeout ... expired while waiting for <what>". */
  what: string;
  /** Collection path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  /** Lists the same collection with the same selectors (a typed client call); its resourceVersion starts the watch. */
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  fieldSelector?: string;
  labelSelector?: string;
  timeout: Timeout;
  /** True when the object is in the state waited for. */
  until: (obj: T, event: WatchEvent) => boolean;
  /**
   * A reason when the object can never get there by itself (image pull failed, pod Failed, scheduled on
   * the wrong node): the wait stops at once with a HopelessWait (an abort). The check decides whether
   * that state is its subject and hence a FAIL: catch HopelessWait and throw CheckFailed.
   */
  hopeless?: (obj: T) => string | undefined;
  /** One line on the object's state; the timeout's abort quotes the last one seen. */
  describe?: (obj: T) => string;
}

/** A wait stopped because the object reached a state it cannot leave by itself; an abort unless the check says otherwise. */
export class HopelessWait extends CheckAborted {
  /** The state, without the "waiting for" prefix, e.g. `image pull failed: ErrImagePull ... for image x`. */
  readonly state: string;
  constructor(what: string, state: string) {
    super(`${what}: ${state}`);
    this.state = state;
  }
}

type WatchEnd = { kind: "found"; obj: unknown } | { kind: "expired" } | { kind: "ended"; err?: unknown };

/** Consecutive failures to (re)start a watch before the wait gives up with the last error. */
const MAX_WATCH_FAILURES = 5;

/**
 * Waits until an object of the collection satisfies `until`: lists once, then watches from the listed
 * resourceVersion. A watch that ends (server timeout, client-node's 30 s inactivity abort, a proxy) is
 * resumed from the last resourceVersion seen; a 410 Gone relists. Bounded by a named timeout and the
 * check's signal; the timeout's abort quotes the last state seen (`describe`).
 */
export async function waitForWatch<T extends KubernetesObject>(
  ctx: CheckContext,
  w: WatchWait<T>,
): Promise<T> {
  const found = await watchUntil(ctx, w, false);
  if (!found) throw new Error(`waitForWatch(${w.what}) ended without an object`);
  return found;
}

/**
 * Waits until no object of the collection (usually one object, by fieldSelector `metadata.name=`) is
 * left: the list is empty, or the watch reports it DELETED.
 */
export async function waitForAbsent<T extends KubernetesObject>(
  ctx: CheckContext,
  w: Omit<WatchWait<T>, "until">,
): Promise<void> {
  await watchUntil(ctx, { ...w, until: (_obj, event) => event === "DELETED" }, true);
}

async function watchUntil<T extends KubernetesObject>(
  ctx: CheckContext,
  w: WatchWait<T>,
  absentIsDone: boolean,
): Promise<T | undefined> {
  const watch = new Watch(ctx.kubeConfig);
  let last: T | undefined;
  const decide = (obj: T, event: WatchEvent): T | undefined => {
    if (event !== "DELETED") last = obj;
    if (w.until(obj, event)) return obj;
    const why = event === "DELETED" ? undefined : w.hopeless?.(obj);
    if (why) throw new HopelessWait(w.what, why);
    return undefined;
  };
  try {
    return await withTimeout(w.timeout, ctx.signal, `waiting for ${w.what}`, async (signal) => {
      let resourceVersion: string | undefined;
      let failures = 0;
      for (;;) {
        if (resourceVersion === undefined) {
          const listed = await w.list();
          if (absentIsDone && listed.items.length === 0) return undefined;
          for (const item of listed.items) {
            const hit = decide(item, "LISTED");
            if (hit) return hit;
          }
          resourceVersion = listed.metadata?.resourceVersion ?? "0";
        }
        const end = await watchOnce(
          watch,
          w.path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            fieldSelector: w.fieldSelector,
            labelSelector: w.labelSelector,
          },
          signal,
          (phase, obj) => {
            const rv = (obj as KubernetesObject).metadata?.resourceVersion;
            if (rv) resourceVersion = rv;
            if (phase === "BOOKMARK") return undefined;
            return decide(obj as T, phase as WatchEvent);
          },
        );
        if (end.kind === "found") return end.obj as T;
        if (end.kind === "expired") {
          ctx.log(`watch of ${w.path}: resourceVersion ${resourceVersion} expired, relisting`);
          resourceVersion = undefined;
          continue;
        }
        if (end.err === undefined || isInactivityTimeout(end.err)) {
          failures = 0;
          ctx.log(
            `watch of ${w.path} ${end.err ? "was quiet for client-node's inactivity timeout" : "ended"}, resuming from resourceVersion ${resourceVersion}`,
          );
          continue;
        }
        const status = apiStatusOf(end.err);
        if (status === 403 || status === 401 || ++failures >= MAX_WATCH_FAILURES) throw end.err;
        ctx.log(`watch of ${w.path} failed (${translateError(end.err).reason}), retrying`);
        await sleep(Math.min(500 * 2 ** failures, 5000), signal);
      }
    });
  } catch (err) {
    if (err instanceof TimeoutExpired && last !== undefined && w.describe) {
      throw new CheckAborted(`${err.message}; last state: ${w.describe(last)}`, [], { cause: err });
    }
    throw err;
  }
}

/**
 * client-node's Watch aborts a watch that received nothing for 30 s with a TimeoutError (the check's own
 * signal is not aborted then: that case settles before). A quiet collection is no failure: resume, as after
 * a normal end. Counting it as one made every wait on a quiet collection give up after 5 x 30 s.
 */
function isInactivityTimeout(err: unknown): boolean {
  return (err as { name?: unknown } | undefined)?.name === "TimeoutError";
}

function watchOnce(
  watch: Watch,
  path: string,
  query: Record<string, string | boolean | undefined>,
  signal: AbortSignal,
  onObject: (phase: string, obj: unknown) => unknown,
): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    const settle = (end: WatchEnd | { error: unknown }) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      controller?.abort();
      if ("error" in end) reject(end.error);
      else resolve(end);
    };
    const onAbort = () => settle({ error: signal.reason });
    signal.addEventListener("abort", onAbort, { once: true });
    watch
      .watch(
        path,
        query,
        (phase, obj) => {
          if (settled) return;
          if (phase === "ERROR") {
            const code = (obj as { code?: number })?.code;
            if (code === 410) return settle({ kind: "expired" });
            return settle({
              kind: "ended",
              err: Object.assign(new Error(String((obj as { message?: string })?.message)), {
                statusCode: code,
              }),
            });
          }
          try {
            const hit = onObject(phase, obj);
            if (hit) settle({ kind: "found", obj: hit });
          } catch (err) {
            settle({ error: err });
          }
        },
        (err) => {
          if (signal.aborted) return settle({ error: signal.reason });
          settle({ kind: "ended", ...(err ? { err } : {}) });
        },
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (err) => settle({ kind: "ended", err }),
      );
  });
}

export interface PodPlacement {
  /** The pod must run on this node; scheduled elsewhere is hopeless. */
  onNode?: string;
  /** The pod must not run on this node; scheduled there is hopeless. */
  notOnNode?: string;
}

async function waitForPod(
  ctx: CheckContext,
  namespace: string,
  name: string,
  timeout: Timeout,
  state: "Running" | "Ready",
  placement: PodPlacement,
): Promise<V1Pod> {
  const core = ctx.api(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  const where = placement.onNode
    ? ` on node ${placement.onNode}`
    : placement.notOnNode
      ? ` off node ${placement.notOnNode}`
      : "";
  return waitForWatch<V1Pod>(ctx, {
    what: `pod ${namespace}/${name} to be ${state}${where}`,
    path: `/api/v1/namespaces/${namespace}/pods`,
    list: () => core.listNamespacedPod({ namespace, fieldSelector }),
    fieldSelector,
    timeout,
    until: (p, event) =>
      event !== "DELETED" &&
      p.status?.phase === "Running" &&
      (state === "Running" || podReady(p)) &&
      placementHopeless(p, placement) === undefined,
    hopeless: (p) => placementHopeless(p, placement) ?? podHopeless(p),
    describe: describePod,
  });
}

function placementHopeless(pod: V1Pod, placement: PodPlacement): string | undefined {
  const node = pod.spec?.nodeName;
  if (!node) return undefined;
  if (placement.onNode && node !== placement.onNode)
    return `scheduled on node ${node}, not on ${placement.onNode}`;
  if (placement.notOnNode && node === placement.notOnNode)
    return `scheduled on node ${node}, which it had to avoid`;
  return undefined;
}

/** Waits until the pod runs (phase Running); hopeless states (image pull failed, ended, wrong node) abort at once. */
export function waitForPodRunning(
  ctx: CheckContext,
  namespace: string,
  name: string,
  timeout: Timeout,
  placement: PodPlacement = {},
): Promise<V1Pod> {
  return waitForPod(ctx, namespace, name, timeout, "Running", placement);
}

/** Waits until the pod is Ready; as waitForPodRunning otherwise. */
export function waitForPodReady(
  ctx: CheckContext,
  namespace: string,
  name: string,
  timeout: Timeout,
  placement: PodPlacement = {},
): Promise<V1Pod> {
  return waitForPod(ctx, namespace, name, timeout, "Ready", placement);
}

/** Waits until the PVC is Bound; Lost is hopeless. */
export function waitForPvcBound(
  ctx: CheckContext,
  namespace: string,
  name: string,
  timeout: Timeout,
): Promise<V1PersistentVolumeClaim> {
  const core = ctx.api(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  return waitForWatch<V1PersistentVolumeClaim>(ctx, {
    what: `PVC ${namespace}/${name} to be Bound`,
    path: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    list: () => core.listNamespacedPersistentVolumeClaim({ namespace, fieldSelector }),
    fieldSelector,
    timeout,
    until: (p, event) => event !== "DELETED" && p.status?.phase === "Bound",
    hopeless: (p) =>
      p.status?.phase === "Lost"
        ? "the PVC lost its volume (phase Lost)"
        : p.metadata?.deletionTimestamp
          ? "the PVC is being deleted"
          : undefined,
    describe: describePvc,
  });
}

function waitForNode(
  ctx: CheckContext,
  name: string,
  timeout: Timeout,
  what: string,
  until: (n: V1Node) => boolean,
): Promise<V1Node> {
  const core = ctx.api(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  return waitForWatch<V1Node>(ctx, {
    what: `node ${name} ${what}`,
    path: "/api/v1/nodes",
    list: () => core.listNode({ fieldSelector }),
    fieldSelector,
    timeout,
    until: (n, event) => event !== "DELETED" && until(n),
    hopeless: () => undefined,
    describe: describeNode,
  });
}

/** Waits until the node's Ready condition is True. */
export function waitForNodeReady(ctx: CheckContext, name: string, timeout: Timeout): Promise<V1Node> {
  return waitForNode(ctx, name, timeout, "to be Ready", (n) => nodeReadyStatus(n) === "True");
}

/** Waits until the node's Ready condition is False or Unknown (the node controller noticed it is down). */
export function waitForNodeNotReady(ctx: CheckContext, name: string, timeout: Timeout): Promise<V1Node> {
  return waitForNode(ctx, name, timeout, "to be NotReady", (n) => nodeReadyStatus(n) !== "True");
}

/** Waits until the Service (type LoadBalancer) has an ingress IP or hostname; returns it with the Service. */
export async function waitForLoadBalancerIngress(
  ctx: CheckContext,
  namespace: string,
  name: string,
  timeout: Timeout,
): Promise<{ service: V1Service; address: string }> {
  const core = ctx.api(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  const service = await waitForWatch<V1Service>(ctx, {
    what: `Service ${namespace}/${name} to get a load-balancer address`,
    path: `/api/v1/namespaces/${namespace}/services`,
    list: () => core.listNamespacedService({ namespace, fieldSelector }),
    fieldSelector,
    timeout,
    until: (s, event) => event !== "DELETED" && loadBalancerAddress(s) !== undefined,
    hopeless: (s) =>
      s.spec?.type && s.spec.type !== "LoadBalancer"
        ? `the Service is of type ${s.spec.type}, not LoadBalancer`
        : undefined,
    describe: (s) => `type ${s.spec?.type ?? "?"}, no ingress yet`,
  });
  return { service, address: loadBalancerAddress(service) as string };
}
