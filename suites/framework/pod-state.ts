import type { V1Node, V1PersistentVolumeClaim, V1Pod, V1Service } from "@kubernetes/client-node";

/** Waiting reasons a container does not leave by itself within a check's time. */
const STUCK_WAITING = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
]);

/**
 * Why a pod can no longer become Running/Ready by itself, or undefined while it still can: an image that
 * cannot be pulled, a container config error, the pod ended (Failed/Succeeded), a container that
 * terminated in a pod that never restarts it, or the pod was deleted.
 */
export function podHopeless(pod: V1Pod): string | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && STUCK_WAITING.has(waiting.reason)) {
      const pull = waiting.reason.includes("Image");
      return `${pull ? "image pull failed" : "container cannot start"}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""} for image ${c.image} (container ${c.name})`;
    }
  }
  const phase = pod.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") {
    return `the pod ended (phase ${phase}${pod.status?.reason ? `, ${pod.status.reason}` : ""})${terminated(pod)}`;
  }
  if (pod.spec?.restartPolicy === "Never") {
    const ended = (pod.status?.containerStatuses ?? []).find((c) => c.state?.terminated);
    if (ended) return `container ${ended.name} terminated and is never restarted${terminated(pod)}`;
  }
  if (pod.metadata?.deletionTimestamp) return "the pod is being deleted";
  return undefined;
}

function terminated(pod: V1Pod): string {
  const parts = (pod.status?.containerStatuses ?? []).flatMap((c) => {
    const t = c.state?.terminated;
    return t
      ? [
          `${c.name}: ${t.reason ?? "terminated"}, exit code ${t.exitCode}${t.message ? `, ${t.message}` : ""}`,
        ]
      : [];
  });
  return parts.length ? `; ${parts.join("; ")}` : "";
}

/** A pod's state in one line, for timeouts and logs. */
export function describePod(pod: V1Pod): string {
  const conditions = (pod.status?.conditions ?? [])
    .filter((c) => c.status !== "True")
    .map(
      (c) => `${c.type}=${c.status}${c.reason ? `(${c.reason}${c.message ? `: ${c.message}` : ""})` : ""}`,
    );
  const containers = (pod.status?.containerStatuses ?? []).map((c) => {
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    const state = w
      ? `waiting ${w.reason ?? ""}`
      : t
        ? `terminated ${t.reason ?? ""} exit ${t.exitCode}`
        : "running";
    return `${c.name} ${state}${c.ready ? " ready" : ""}`;
  });
  return [
    `phase ${pod.status?.phase ?? "unknown"}`,
    pod.spec?.nodeName ? `on ${pod.spec.nodeName}` : "not scheduled",
    ...conditions,
    ...containers,
  ].join(", ");
}

export function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function nodeReadyStatus(node: V1Node): "True" | "False" | "Unknown" {
  const s = node.status?.conditions?.find((c) => c.type === "Ready")?.status;
  return s === "True" || s === "False" ? s : "Unknown";
}

export function describeNode(node: V1Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
  return `Ready=${ready?.status ?? "Unknown"}${ready?.reason ? ` (${ready.reason})` : ""}${node.spec?.unschedulable ? ", cordoned" : ""}${taints.length ? `, taints ${taints.join(" ")}` : ""}`;
}

export function describePvc(pvc: V1PersistentVolumeClaim): string {
  return `phase ${pvc.status?.phase ?? "unknown"}, class ${pvc.spec?.storageClassName ?? "(default)"}${pvc.spec?.volumeName ? `, volume ${pvc.spec.volumeName}` : ""}`;
}

export function loadBalancerAddress(svc: V1Service): string | undefined {
  const ingress = svc.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname ?? undefined;
}
