// The suite's own node-action path against the running lab: withNodeAction kills a worker through the lab's
// webhook (token file), the cleanup restores it and waits for the Ready node count. Prints timings.
//   scripts/node22 node bench/node-actions-proof.ts <node>
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { adminKubeconfig } from "../lab/cluster/paths.ts";
import { requireLab } from "../lab/cluster/state.ts";
import { labNodeActionOptions } from "../lab/suite/node-action-options.ts";
import { runCleanups } from "../suites/framework/cleanup.ts";
import { createCheckContext } from "../suites/framework/context.ts";
import { withNodeAction } from "../suites/framework/node-actions/index.ts";

const target = process.argv[2] ?? "worker-b";
const kc = new KubeConfig();
kc.loadFromFile(adminKubeconfig());
const { ctx, record } = createCheckContext({
  checkId: "bench/node-actions",
  runId: `bench-${Date.now()}`,
  kubeConfig: kc,
  signal: new AbortController().signal,
  referenceDate: new Date(),
  options: labNodeActionOptions(requireLab()),
  onLog: (line) => console.log(line),
});
const api = kc.makeApiClient(CoreV1Api);
const node = await api.readNode({ name: target });
const ready = async () =>
  (await api.readNode({ name: target })).status?.conditions?.find((c) => c.type === "Ready")?.status;

const t0 = Date.now();
await withNodeAction(ctx, node, "kill");
console.log(`cleanups registered: ${record.cleanups.map((c) => c.name).join(", ")}`);
while ((await ready()) === "True") await new Promise((r) => setTimeout(r, 1000));
console.log(`kill -> ${target} NotReady: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const t1 = Date.now();
const report = await runCleanups(record.cleanups, { name: "cleanup", ms: 120_000 });
console.log(report.lines.join("\n"));
console.log(`deferred restore until the Ready count is back: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
process.exitCode = report.failures.length ? 1 : 0;
