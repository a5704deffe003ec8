import { killCgroup, nodeCgroup } from "./cgroups.ts";
import { setNodeLink } from "./network.ts";
import { forgetDaemons } from "./processes.ts";
import { requireLab, updateLab } from "./state.ts";
import { findNode } from "./topology.ts";

// Kept apart from lifecycle.ts so that `node kill` loads no Kubernetes client: it must act at once.

/** Stops every process of the node at the same instant and cuts its link: a VM that dies. */
export async function killNode(name: string, log: (line: string) => void): Promise<void> {
  const lab = requireLab();
  const node = findNode(lab.nodes, name);
  const killed = await killCgroup(nodeCgroup(node.name));
  await setNodeLink(node.name, false);
  forgetDaemons(node.name);
  updateLab((current) => {
    if (!current.killed.includes(node.name)) current.killed.push(node.name);
  });
  log(`node ${node.name}: ${killed} processes killed, link down`);
}
