import {
  CoreV1Api,
  type CoreV1Event,
  DiscoveryV1Api,
  StorageV1Api,
  type V1Node,
  type V1PersistentVolume,
  type V1Pod,
} from "@kubernetes/client-node";
import { translateError } from "./api-errors.ts";
import type { CheckContext } from "./check.ts";
import { rejectWhenAborted } from "./timeouts.ts";

/** How much one namespace dump may hold: a dump explains a failure, it never floods a result. */
export const DUMP_LIMITS = {
  /** Pods whose container logs are read (the rest are named as left out). */
  logPods: 10,
  /** The last lines of each container's log... */
  logTailLines: 50,
  /** ...and at most this many bytes of them. */
  logBytes: 8 * 1024,
  /** Nodes whose conditions are listed. */
  nodes: 50,
  /** The whole dump's text, in characters; beyond it the text is cut with a note. */
  chars: 128 * 1024,
} as const;

/** The parts of a namespace dump, in the order they are printed; each is collected on its own. */
export const DUMP_PARTS = [
  "pods",
  "events",
  "container logs",
  "persistentvolumeclaims",
  "persistentvolumes",
  "volumeattachments",
  "services",
  "endpointslices",
  "node conditions",
] as const;
type PartName = (typeof DUMP_PARTS)[number];

/**
 * The state of one namespace, as text for the testcase's system-out: its pods, events, the last lines of
 * their containers' logs, its PVCs, the PVs claimed from it and their VolumeAttachments, its Services and
 * EndpointSlices, and the nodes' conditions. Every part is collected concurrently and on its own: a part
 * that fails (forbidden, an API error) or is still running when `signal` aborts says so in its place,
 * and the others are kept. Never rejects; returns at once when `signal` aborts.
 */
export async function dumpNamespace(
  ctx: CheckContext,
  namespace: string,
  signal?: AbortSignal,
): Promise<string> {
  const core = ctx.api(CoreV1Api);
  const pods = core.listNamespacedPod({ namespace }).then((l) => l.items);
  const claimedPvs = core
    .listPersistentVolume()
    .then((l) => l.items.filter((pv) => pv.spec?.claimRef?.namespace === namespace));
  const parts: Record<PartName, () => Promise<string[]>> = {
    pods: async () => (await pods).map(formatPod),
    events: async () => sortEvents((await core.listNamespacedEvent({ namespace })).items).map(formatEvent),
    "container logs": async () => containerLogLines(ctx, namespace, await pods),
    persistentvolumeclaims: async () =>
      (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.map(
        (c) =>
          `  ${c.metadata?.name} phase=${c.status?.phase ?? "?"} class=${c.spec?.storageClassName ?? "-"} volume=${c.spec?.volumeName ?? "-"} capacity=${c.status?.capacity?.storage ?? "-"}${finalizers(c.metadata?.finalizers)}`,
      ),
    persistentvolumes: async () => (await claimedPvs).map(formatPv),
    volumeattachments: async () => {
      const names = new Set((await claimedPvs).map((pv) => pv.metadata?.name));
      return (await ctx.api(StorageV1Api).listVolumeAttachment()).items
        .filter((va) => names.has(va.spec?.source?.persistentVolumeName))
        .map((va) => {
          const error = va.status?.attachError?.message ?? va.status?.detachError?.message;
          return `  ${va.metadata?.name} pv=${va.spec?.source?.persistentVolumeName} node=${va.spec?.nodeName} attacher=${va.spec?.attacher} attached=${va.status?.attached ?? false}${error ? ` error: ${error}` : ""}`;
        });
    },
    services: async () =>
      (await core.listNamespacedService({ namespace })).items.map((s) => {
        const ports = (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(",");
        const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).join(",");
        return `  ${s.metadata?.name} type=${s.spec?.type ?? "?"} clusterIP=${s.spec?.clusterIP ?? "-"} ports=${ports || "-"}${s.spec?.type === "LoadBalancer" ? ` ingress=${ingress || "(none)"}` : ""}${finalizers(s.metadata?.finalizers)}`;
      }),
    endpointslices: async () =>
      (await ctx.api(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace })).items.map((s) => {
        const endpoints = (s.endpoints ?? []).map(
          (e) =>
            `${e.addresses.join("/")}${e.conditions?.ready === false ? "(not ready)" : ""}@${e.nodeName ?? "?"}`,
        );
        return `  ${s.metadata?.name} service=${s.metadata?.labels?.["kubernetes.io/service-name"] ?? "-"} endpoints=${endpoints.join(" ") || "(none)"}`;
      }),
    "node conditions": async () => {
      const nodes = (await core.listNode()).items;
      const shown = nodes.slice(0, DUMP_LIMITS.nodes).map(formatNodeConditions);
      if (nodes.length > shown.length) shown.push(`  (${nodes.length - shown.length} more nodes left out)`);
      return shown;
    },
  };
  const stopped = signal ? rejectWhenAborted(signal) : undefined;
  const sections = await Promise.all(
    DUMP_PARTS.map(async (name) => {
      const title = name === "node conditions" ? "node conditions:" : `${name} in ${namespace}:`;
      try {
        const run = parts[name]();
        const lines = await (stopped ? Promise.race([run, stopped]) : run);
        return [title, ...(lines.length ? lines : ["  (none)"])];
      } catch (err) {
        const why =
          signal?.aborted && err === signal.reason ? "the dump's time ran out" : translateError(err).reason;
        return [title, `  (not collected: ${why})`];
      }
    }),
  );
  return bounded(sections.flat().join("\n"), DUMP_LIMITS.chars);
}

/** The last lines of each container's log (the previous instance's too when it restarted). */
async function containerLogLines(ctx: CheckContext, namespace: string, pods: V1Pod[]): Promise<string[]> {
  const core = ctx.api(CoreV1Api);
  const reads: { label: string; read: () => Promise<string> }[] = [];
  for (const pod of pods.slice(0, DUMP_LIMITS.logPods)) {
    const name = pod.metadata?.name ?? "";
    for (const c of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      if (!c.state?.running && !c.state?.terminated && !c.lastState?.terminated) continue; // never started
      const read = (previous: boolean) => () =>
        core.readNamespacedPodLog({
          namespace,
          name,
          container: c.name,
          tailLines: DUMP_LIMITS.logTailLines,
          limitBytes: DUMP_LIMITS.logBytes,
          ...(previous ? { previous } : {}),
        });
      if (c.state?.running || c.state?.terminated)
        reads.push({ label: `${name}/${c.name}`, read: read(false) });
      if (c.restartCount > 0) reads.push({ label: `${name}/${c.name} (previous)`, read: read(true) });
    }
  }
  const texts = await Promise.all(
    reads.map(({ label, read }) =>
      read().then(
        (text) => [
          `  ${label}:`,
          ...(text.trimEnd() ? text.trimEnd().split("\n") : ["(empty)"]).map((l) => `    ${l}`),
        ],
        (err: unknown) => [`  ${label}: (not collected: ${translateError(err).reason})`],
      ),
    ),
  );
  const out = texts.flat();
  if (pods.length > DUMP_LIMITS.logPods)
    out.push(`  (logs of ${pods.length - DUMP_LIMITS.logPods} more pods left out)`);
  return out;
}

function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n(dump cut at ${max} characters of ${text.length})`;
}

const finalizers = (f: string[] | undefined) => (f?.length ? ` finalizers=${f.join(",")}` : "");

export function formatPod(pod: V1Pod): string {
  const conditions = (pod.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(",");
  const containers = (pod.status?.containerStatuses ?? []).map((c) => {
    const state = c.state?.waiting
      ? `waiting(${c.state.waiting.reason ?? ""})`
      : c.state?.terminated
        ? `terminated(${c.state.terminated.reason ?? ""},exit=${c.state.terminated.exitCode})`
        : "running";
    return `${c.name}:${state},restarts=${c.restartCount}`;
  });
  return `  ${pod.metadata?.name} phase=${pod.status?.phase ?? "?"} node=${pod.spec?.nodeName ?? "-"} ${conditions} ${containers.join(" ")}`.trimEnd();
}

function formatPv(pv: V1PersistentVolume): string {
  const source = pv.spec?.csi
    ? `csi:${pv.spec.csi.driver}`
    : pv.spec?.local
      ? `local:${pv.spec.local.path}`
      : pv.spec?.hostPath
        ? `hostPath:${pv.spec.hostPath.path}`
        : "other";
  const nodes = (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [])
    .flatMap((t) => t.matchExpressions ?? [])
    .filter((e) => e.key === "kubernetes.io/hostname")
    .flatMap((e) => e.values ?? []);
  return `  ${pv.metadata?.name} claim=${pv.spec?.claimRef?.namespace}/${pv.spec?.claimRef?.name} phase=${pv.status?.phase ?? "?"} class=${pv.spec?.storageClassName ?? "-"} reclaim=${pv.spec?.persistentVolumeReclaimPolicy ?? "?"} source=${source}${nodes.length ? ` node=${nodes.join(",")}` : ""}${finalizers(pv.metadata?.finalizers)}`;
}

/** Ready, and any other condition that is not False (pressure, NetworkUnavailable); cordon and taints. */
export function formatNodeConditions(node: V1Node): string {
  const conditions = (node.status?.conditions ?? [])
    .filter((c) => c.type === "Ready" || c.status !== "False")
    .map(
      (c) =>
        `${c.type}=${c.status}${c.type === "Ready" && c.status !== "True" && c.reason ? `(${c.reason})` : ""}`,
    );
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  return `  ${node.metadata?.name} ${conditions.join(" ") || "no conditions"}${node.spec?.unschedulable ? " unschedulable" : ""}${taints.length ? ` taints=${taints.join(",")}` : ""}`;
}

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

export function sortEvents(events: readonly CoreV1Event[]): CoreV1Event[] {
  return [...events].sort((a, b) => eventTime(a) - eventTime(b));
}

export function formatEvent(e: CoreV1Event): string {
  const when = eventTime(e) ? new Date(eventTime(e)).toISOString() : "?";
  const obj = `${e.involvedObject?.kind ?? "?"}/${e.involvedObject?.name ?? "?"}`;
  const count = e.count && e.count > 1 ? ` (x${e.count})` : "";
  return `  ${when} ${e.type ?? ""} ${e.reason ?? ""} ${obj}: ${e.message ?? ""}${count}`;
}
