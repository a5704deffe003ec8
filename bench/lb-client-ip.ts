// Times the lb-client-ip check against the cluster of $KUBECONFIG (the lab: `npm run lab -- up` first):
// `node bench/lb-client-ip.ts [runs] [-- extra scs-kaas run arguments]`. Runs `scs-kaas run --focus
// lb-client-ip` `runs` times (default 3) and prints per run: verdict, wall time of the CLI, the check's own
// figures line (connections from outside, Service creation to first successful probe, check body time).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const sep = process.argv.indexOf("--");
const runs = Number(process.argv[2] && process.argv[2] !== "--" ? process.argv[2] : 3);
const extra = sep >= 0 ? process.argv.slice(sep + 1) : [];
const cli = fileURLToPath(new URL("../bin/scs-kaas.js", import.meta.url));
const walls: number[] = [];
for (let i = 1; i <= runs; i++) {
  const out = mkdtempSync(join(tmpdir(), "bench-lb-"));
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [cli, "run", "--focus", "lb-client-ip", "--progress", "plain", "-o", out, ...extra],
    { encoding: "utf8" },
  );
  const wall = (Date.now() - started) / 1000;
  walls.push(wall);
  const junit = readFileSync(join(out, "junit-scs.xml"), "utf8");
  const verdict = /name="scs\.verdict" value="(\w+)"/.exec(junit)?.[1] ?? `exit ${r.status}`;
  const figures = /figures: [^\n<]*/.exec(junit)?.[0] ?? "(no figures line)";
  console.log(`run ${i}: ${verdict}, CLI wall time ${wall.toFixed(1)} s; ${figures}`);
  rmSync(out, { recursive: true, force: true });
}
const sorted = [...walls].sort((a, b) => a - b);
console.log(`median CLI wall time over ${runs} runs: ${sorted[Math.floor(runs / 2)]?.toFixed(1)} s`);
