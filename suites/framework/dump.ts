import { CoreV1Api, type CoreV1Event, type V1Pod } from "@kubernetes/client-node";
import type { CheckContext } from "./check.ts";

/** Events and pod states of one namespace, as text for the testcase's system-out. */
export async function dumpNamespace(ctx: CheckContext, namespace: string): Promise<string> {
  const core = ctx.api(CoreV1Api);
  const [pods, events] = await Promise.all([
    core.listNamespacedPod({ namespace }),
    core.listNamespacedEvent({ namespace }),
  ]);
  return [
    `pods in ${namespace}:`,
    ...(pods.items.length ? pods.items.map(formatPod) : ["  (none)"]),
    `events in ${namespace}:`,
    ...(events.items.length ? sortEvents(events.items).map(formatEvent) : ["  (none)"]),
  ].join("\n");
}

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
