// Measures the NetworkPolicy check on the running lab (root; boot the scenario first with `lab up`):
//   scripts/node22 node bench/netpol.ts [--upstream]
// runs `scs-kaas run --focus scs-0219-v1/network-policy` from outside and reports its verdict, wall time,
// peak RSS of the CLI, the probing figures the check prints; with --upstream also the upstream
// NetworkPolicy e2e set (`lab e2e netpol`, 45 specs) on the same lab. Prints one JSON object.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { adminKubeconfig } from "../lab/cluster/paths.ts";
import { readLab } from "../lab/cluster/state.ts";

const { values } = parseArgs({ options: { upstream: { type: "boolean" } } });
const log = (line: string) => console.error(line);
const lab = readLab();
if (!lab) throw new Error("no lab is up: run `npm run lab -- up --scenario <name>` first");
const out = mkdtempSync(join(tmpdir(), "bench-netpol-"));
const results: Record<string, unknown> = { scenario: lab.scenario };

function timed(
  cmd: string,
  args: string[],
): { seconds: number; status: number; maxRssMiB: number; stderr: string } {
  const started = Date.now();
  const r = spawnSync("/usr/bin/time", ["-v", cmd, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? "");
  return {
    seconds: Math.round((Date.now() - started) / 100) / 10,
    status: r.status ?? -1,
    maxRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : 0,
    stderr: r.stderr ?? "",
  };
}

const check = timed(process.execPath, [
  "bin/scs-kaas.js",
  "run",
  "--kubeconfig",
  adminKubeconfig(),
  "--focus",
  "scs-0219-v1/network-policy",
  "--progress",
  "plain",
  "-o",
  out,
]);
const junit = readFileSync(join(out, "junit-scs.xml"), "utf8");
const verdict = /name="scs.verdict" value="(\w+)"/.exec(junit)?.[1] ?? "?";
const probing = /probing took ([\d.]+) s \((\d+) execs, (\d+) probes/.exec(junit);
results.check = {
  verdict,
  exit: check.status,
  wallSeconds: check.seconds,
  cliMaxRssMiB: check.maxRssMiB,
  probingSeconds: probing ? Number(probing[1]) : undefined,
  execs: probing ? Number(probing[2]) : undefined,
  probes: probing ? Number(probing[3]) : undefined,
  junit: join(out, "junit-scs.xml"),
};
log(`bench: check ${JSON.stringify(results.check)}`);

if (values.upstream) {
  const e2e = timed(process.execPath, ["lab/cli.ts", "e2e", "netpol", "--report-dir", join(out, "e2e")]);
  const tally = /ran (\d+) of (\d+) specs: (\d+) passed, (\d+) failed/.exec(e2e.stderr);
  results.upstream = {
    exit: e2e.status,
    wallSeconds: e2e.seconds,
    ran: tally ? Number(tally[1]) : undefined,
    passed: tally ? Number(tally[3]) : undefined,
    failed: tally ? Number(tally[4]) : undefined,
  };
  log(`bench: upstream ${JSON.stringify(results.upstream)}`);
}
console.log(JSON.stringify(results));
