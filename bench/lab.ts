// Measures the lab's lifecycle on this machine (root; builds first if needed):
//   scripts/node22 node bench/lab.ts [--scenario compliant] [--skip-down]
// warm `up` until every node is Ready and a pod runs on each worker, memory of the idle lab, `node kill`
// until the Node is NotReady, `node restore`, `node roll` of a worker and of a control-plane node, `down`. Prints one JSON object.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { labImageRef } from "../lab/cluster/artifacts.ts";
import { hierarchies } from "../lab/cluster/cgroups.ts";
import { labProcesses } from "../lab/cluster/cleanup.ts";
import { waitFor } from "../lab/cluster/exec.ts";
import { apply, coreApi, kubectl, nodeReady } from "../lab/cluster/kube.ts";
import { down, restoreNode, rollNode, up } from "../lab/cluster/lifecycle.ts";
import { killNode } from "../lab/cluster/node-kill.ts";
import { CGROUP_ROOT } from "../lab/cluster/paths.ts";
import { controlPlanes, workers } from "../lab/cluster/topology.ts";

const { values } = parseArgs({
  options: { scenario: { type: "string", default: "compliant" }, "skip-down": { type: "boolean" } },
});
const log = (line: string) => console.error(line);
const results: Record<string, number | string> = { scenario: values.scenario ?? "compliant" };
const time = async (name: string, fn: () => Promise<unknown>) => {
  const started = Date.now();
  await fn();
  results[name] = Math.round((Date.now() - started) / 100) / 10;
  log(`bench: ${name} = ${results[name]} s`);
};

function kib(file: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(file, "utf8"));
  return m ? Number(m[1]) : 0;
}

function memory(): { pssMiB: number; cgroupMiB: number; processes: number } {
  const pids = labProcesses();
  let pss = 0;
  for (const pid of pids) {
    try {
      pss += kib(`/proc/${pid}/smaps_rollup`, "Pss");
    } catch {}
  }
  const mem = hierarchies().find((h) => h.mount.endsWith("/memory"));
  const usage = mem ? join(mem.mount, CGROUP_ROOT, "memory.usage_in_bytes") : "";
  const cgroup = usage && existsSync(usage) ? Number(readFileSync(usage, "utf8")) / 1048576 : 0;
  return { pssMiB: Math.round(pss / 1024), cgroupMiB: Math.round(cgroup), processes: pids.length };
}

function podPerWorker(names: readonly string[], image: string): string {
  return names
    .map(
      (w) => `apiVersion: v1
kind: Pod
metadata: {name: bench-${w}, namespace: default}
spec:
  nodeSelector: {kubernetes.io/hostname: ${w}}
  terminationGracePeriodSeconds: 1
  containers: [{name: p, image: "${image}", imagePullPolicy: Never}]
`,
    )
    .join("---\n");
}

let lab = await up(results.scenario as string, log);
await down(log);
// The first `up` may have built or warmed the page cache; the measured one is warm.
const started = Date.now();
lab = await up(results.scenario as string, log);
const workerNames = workers(lab.nodes).map((n) => n.name);
const pause = labImageRef(/\/pause:/, { kubernetesVersion: lab.kubernetesVersion });
await apply(podPerWorker(workerNames, pause), lab.kubernetesVersion);
await kubectl([
  "wait",
  "--for=condition=Ready",
  "pod",
  ...workerNames.map((w) => `bench-${w}`),
  "--timeout=180s",
]);
results.warmUpToPodsRunningSeconds = Math.round((Date.now() - started) / 100) / 10;
log(`bench: warm up until Ready + a pod on each worker = ${results.warmUpToPodsRunningSeconds} s`);

await new Promise((r) => setTimeout(r, 30_000));
const idle = memory();
results.idleMemoryPssMiB = idle.pssMiB;
results.idleMemoryCgroupMiB = idle.cgroupMiB;
results.idleProcesses = idle.processes;

const victim = workerNames[workerNames.length - 1] ?? "";
await time("nodeKillToNotReadySeconds", async () => {
  await killNode(victim, log);
  await waitFor(`${victim} NotReady`, 300_000, async () => {
    const n = await coreApi().readNode({ name: victim });
    return nodeReady(n) ? undefined : true;
  });
});
await time("nodeRestoreToReadySeconds", () => restoreNode(victim, log));
await time("nodeRollSeconds", () => rollNode(workerNames[0] ?? "", log));
const secondControlPlane = controlPlanes(lab.nodes)[1]?.name;
if (secondControlPlane) await time("nodeRollControlPlaneSeconds", () => rollNode(secondControlPlane, log));
if (!values["skip-down"]) await time("downSeconds", () => down(log));
console.log(JSON.stringify(results, null, 2));
