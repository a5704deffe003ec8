import { coreApi, nodeReady } from "./kube.ts";
import { daemons } from "./processes.ts";
import { readLab } from "./state.ts";

export async function status(): Promise<string> {
  const lab = readLab();
  if (!lab) return "no lab is up";
  const lines = [`scenario ${lab.scenario}, Kubernetes ${lab.kubernetesVersion}, up since ${lab.startedAt}`];
  if (lab.nodeActions)
    lines.push(`node-action webhook ${lab.nodeActions.url} (token ${lab.nodeActions.tokenFile})`);
  const ready = new Map<string, string>();
  try {
    for (const n of (await coreApi().listNode()).items) {
      ready.set(n.metadata?.name ?? "", nodeReady(n) ? "Ready" : "NotReady");
    }
  } catch (error) {
    lines.push(`API not reachable: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
  }
  for (const owner of ["infra", ...lab.nodes.map((n) => n.name)]) {
    const node = lab.nodes.find((n) => n.name === owner);
    const head = node
      ? `${node.name} (${node.role}, ${node.ip}, ${node.zone}, ${node.hostId})${lab.killed.includes(node.name) ? " KILLED" : ""} ${ready.get(node.name) ?? "not registered"}`
      : "infra";
    const ds = daemons(owner).map((d) => `${d.name}${d.alive ? "" : "(dead)"}`);
    lines.push(`${head}: ${ds.join(" ") || "no processes"}`);
  }
  return lines.join("\n");
}
