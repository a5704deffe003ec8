// Measures the scs-0211 checks on the running lab (take the lab lock first; the lab must be up):
//   node bench/storage-durability.ts [--out DIR] [-- extra scs-kaas run args]
//   node bench/storage-durability.ts --junit FILE     only reads the figures out of an earlier run's junit
// Runs `scs-kaas run --focus scs-0211 --enable-disruptive` with the lab's node actions through the command
// driver, then prints each check's wall time, verdict, timeline, the cluster's own recovery (action start to
// the workload Ready again) and how long after that the check had its verdict (goal: within 10 s).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const argv = process.argv.slice(2);
const outFlag = argv.indexOf("--out");
const out = outFlag >= 0 ? (argv[outFlag + 1] ?? "") : join("/tmp", `scs-kaas-storage-bench-${Date.now()}`);
const dash = argv.indexOf("--");
const extra = dash >= 0 ? argv.slice(dash + 1) : [];

const junitFlag = argv.indexOf("--junit");
const existing = junitFlag >= 0 ? argv[junitFlag + 1] : undefined;
if (existing) {
  report(readFileSync(existing, "utf8"));
  process.exit(0);
}

const kubeconfig = execFileSync(process.execPath, [join(root, "lab/cli.ts"), "kubeconfig"], {
  encoding: "utf8",
}).trim();
const nodeAction = `cd ${root} && ${process.execPath} lab/cli.ts node $ACTION $NODE`;
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    join(root, "bin/scs-kaas.js"),
    "run",
    "--kubeconfig",
    kubeconfig,
    "--focus",
    "scs-0211",
    "--enable-disruptive",
    "--progress",
    "plain",
    "--option",
    "node-action=command",
    "--option",
    `node-action-command=${nodeAction}`,
    "-o",
    out,
    ...extra,
  ],
  { encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] },
);
const wall = (Date.now() - started) / 1000;

console.log(`\nscs-0211 on the lab: run exit ${run.status}, wall ${wall.toFixed(1)} s, results in ${out}`);
report(readFileSync(join(out, "junit-scs.xml"), "utf8"));

function report(junit: string): void {
  for (const m of junit.matchAll(/<testcase\b([^>]*)>([\s\S]*?)<\/testcase>/g)) {
    const attrs = m[1] ?? "";
    const body = m[2] ?? "";
    const name = /name="([^"]*)"/.exec(attrs)?.[1] ?? "?";
    if (!name.includes("scs-0211")) continue;
    const time = Number(/time="([^"]*)"/.exec(attrs)?.[1] ?? "NaN");
    const verdict = /<failure/.test(body)
      ? "FAIL"
      : /<error/.test(body)
        ? "ABORT"
        : /<skipped/.test(body)
          ? "SKIP"
          : "PASS";
    console.log(`\n${name}\n  verdict ${verdict}, wall ${time.toFixed(1)} s`);
    const timeline = /timeline: ([^\n<]*)/.exec(body)?.[1];
    if (timeline) {
      console.log(`  timeline: ${timeline}`);
      const at = (step: string) => {
        const v = new RegExp(`${step} ([+-][0-9.]+) s`).exec(timeline)?.[1];
        return v === undefined ? undefined : Number(v);
      };
      const running = at("running");
      const verified = at("verified");
      if (running !== undefined)
        console.log(`  cluster recovery (action start to workload Ready): ${running.toFixed(1)} s`);
      if (running !== undefined && verified !== undefined)
        console.log(`  verdict after recovery: ${(verified - running).toFixed(1)} s (goal: within 10 s)`);
    }
  }
}
