// Measures `lab switch` against a full `up` on this machine (root, lab lock held; builds first if needed):
//   scripts/node22 node bench/lab-switch.ts [--sequence compliant,no-netpol,compliant,...] [--skip-up]
// Boots the first scenario with `up` (timed, unless --skip-up and the lab already runs it), then switches
// through the rest in place (each timed; a switch that would need a full up fails the bench). Prints one JSON
// object: seconds per step, and the load average before and after.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { up } from "../lab/cluster/lifecycle.ts";
import { readLab } from "../lab/cluster/state.ts";
import { switchScenario } from "../lab/cluster/switch.ts";

const CI_SEQUENCE = [
  "compliant",
  "no-netpol",
  "compliant",
  "no-zone-labels",
  "compliant",
  "lb-snat",
  "node-local-storage",
  "compliant",
];

const { values } = parseArgs({
  options: { sequence: { type: "string" }, "skip-up": { type: "boolean" } },
});
const sequence = values.sequence ? values.sequence.split(",") : CI_SEQUENCE;
const [first, ...rest] = sequence;
if (!first) throw new Error("--sequence needs at least one scenario");
const log = (line: string) => console.error(line);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const results: { loadBefore: string; steps: { step: string; seconds: number }[]; loadAfter?: string } = {
  loadBefore: load(),
  steps: [],
};
const time = async (step: string, fn: () => Promise<unknown>) => {
  const started = Date.now();
  await fn();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  results.steps.push({ step, seconds });
  log(`bench: ${step} = ${seconds} s`);
};

if (values["skip-up"] && readLab()?.scenario === first) log(`bench: ${first} already up`);
else await time(`up ${first}`, () => up(first, log));
let previous = first;
for (const name of rest) {
  await time(`switch ${previous} → ${name}`, () => switchScenario(name, log, { fallback: false }));
  previous = name;
}
results.loadAfter = load();
console.log(JSON.stringify(results, null, 2));
