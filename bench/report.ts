// Benchmark: `scs-kaas report` against `sonobuoy results` and plain `gzip -dc` on generated Sonobuoy
// tarballs whose e2e junit has the 7,201 real test names of Kubernetes v1.30.2 (small) and 20x that
// (large). Run: scripts/node22 node bench/report.ts [--runs 5] [--copies 20]
// Sonobuoy is built once from its Go module into ~/.cache/scs-kaas/bench/ (outside the repo).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTestNames, writeBenchTarball } from "./report-fixture.ts";

const SONOBUOY_VERSION = "v0.57.5";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "scs-kaas");
const BENCH = join(CACHE, "bench");
const TESTLIST = join(ROOT, "../shared/data/sonobuoy/e2e-testlist-v1.30.2.gz");

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function findFile(dir: string, name: string, depth = 4): string | undefined {
  if (depth < 0 || !existsSync(dir)) return undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const f = findFile(p, name, depth - 1);
      if (f) return f;
    }
  }
  return undefined;
}

/** The lab's sonobuoy if it built one, else ours, built once (nice'd: the 2 cores are shared). */
function sonobuoyBinary(): string {
  if (process.env.SONOBUOY_BIN) return process.env.SONOBUOY_BIN;
  const lab = findFile(join(CACHE, "lab"), "sonobuoy");
  if (lab) return lab;
  const bin = join(BENCH, `sonobuoy-${SONOBUOY_VERSION}`, "sonobuoy");
  if (existsSync(bin)) return bin;
  console.error(`building sonobuoy ${SONOBUOY_VERSION} from its Go module into ${bin} (once)`);
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", `github.com/vmware-tanzu/sonobuoy@${SONOBUOY_VERSION}`], {
      cwd: tmpdir(),
      encoding: "utf8",
    }),
  );
  // `go install pkg@version` needs the module's version list, which the proxy may refuse; building in
  // a copy of the module (its own go.mod/go.sum) does not.
  const src = join(BENCH, `src-${SONOBUOY_VERSION}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", src]);
  execFileSync("nice", ["-n", "10", "go", "build", "-p", "1", "-o", bin, "."], {
    cwd: src,
    stdio: "inherit",
  });
  return bin;
}

interface Sample {
  wall: number;
  /** user + system CPU seconds: steadier than wall time on a shared machine */
  cpu: number | undefined;
  rssKb: number | undefined;
  code: number | null;
}

const TIME = "/usr/bin/time";

function runOnce(cmd: string[], env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  const out = join(BENCH, "time.out");
  const haveTime = existsSync(TIME);
  const argv = [...(haveTime ? [TIME, "-f", "%M %U %S", "-o", out] : []), "nice", "-n", "10", ...cmd];
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ["ignore", "ignore", "ignore"],
      env: { ...process.env, ...env },
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      let rssKb: number | undefined;
      let cpu: number | undefined;
      if (haveTime) {
        const [m, u, s] = (readFileSync(out, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
        rssKb = m;
        cpu = (u ?? 0) + (s ?? 0);
      }
      resolve({ wall, cpu, rssKb, code });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main() {
  const runs = arg("runs", 5);
  const copies = arg("copies", 20);
  mkdirSync(BENCH, { recursive: true });
  const sonobuoy = sonobuoyBinary();
  const names = await readTestNames(TESTLIST);
  const variants = [
    { label: `small (${names.length} tests)`, file: join(BENCH, "data", "small.tar.gz"), copies: 1 },
    { label: `large (${copies}x)`, file: join(BENCH, "data", `large-${copies}x.tar.gz`), copies },
  ];
  for (const v of variants) await writeBenchTarball(v.file, names, v.copies);
  const node = process.execPath;
  const ncc = join(BENCH, "node-compile-cache");
  const tools = [
    { label: "gzip -dc (floor)", cmd: (f: string) => ["gzip", "-dc", f] },
    { label: "sonobuoy results", cmd: (f: string) => [sonobuoy, "results", f] },
    {
      label: "scs-kaas report",
      cmd: (f: string) => [node, join(ROOT, "bin/scs-kaas.js"), "report", f, "--output", "lines"],
    },
    {
      label: "scs-kaas report, NODE_COMPILE_CACHE",
      cmd: (f: string) => [node, join(ROOT, "bin/scs-kaas.js"), "report", f, "--output", "lines"],
      env: { NODE_COMPILE_CACHE: ncc },
    },
    // The report command alone: what `scs-kaas report` costs once cli/main.ts loads only the command it runs.
    {
      label: "report command alone, NODE_COMPILE_CACHE",
      cmd: (f: string) => [
        node,
        join(ROOT, "results-parser/test-support/report-cli.ts"),
        "report",
        f,
        "--output",
        "lines",
      ],
      env: { NODE_COMPILE_CACHE: ncc },
    },
  ];
  console.log(
    `node ${process.version}, sonobuoy ${sonobuoy}, ${runs} runs each (plus one warm-up), nice -n 10, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
  );
  interface Result {
    wall: number;
    cpu: number | undefined;
    rss: number | undefined;
    size: number;
  }
  const results: Record<string, Record<string, Result>> = {};
  for (const v of variants) {
    const byTool: Record<string, Result> = {};
    results[v.label] = byTool;
    const samples: Record<string, Sample[]> = Object.fromEntries(tools.map((t) => [t.label, []]));
    for (const t of tools) await runOnce(t.cmd(v.file), t.env); // warm-up (page cache, compile cache)
    for (let i = 0; i < runs; i++)
      for (const t of tools) {
        const s = await runOnce(t.cmd(v.file), t.env);
        samples[t.label]?.push(s);
      }
    for (const t of tools) {
      const ss = samples[t.label] ?? [];
      const rss = ss.map((s) => s.rssKb).filter((x): x is number => x !== undefined);
      const cpu = ss.map((s) => s.cpu).filter((x): x is number => x !== undefined);
      byTool[t.label] = {
        wall: median(ss.map((s) => s.wall)),
        cpu: cpu.length ? median(cpu) : undefined,
        rss: rss.length ? Math.max(...rss) : undefined,
        size: statSync(v.file).size,
      };
    }
  }
  console.log("\n| tarball | tool | median wall | median CPU (user+sys) | peak RSS |\n|---|---|---|---|---|");
  for (const [v, byTool] of Object.entries(results))
    for (const [t, r] of Object.entries(byTool))
      console.log(
        `| ${v}, ${(r.size / 1e6).toFixed(1)} MB | ${t} | ${r.wall.toFixed(3)} s | ${r.cpu !== undefined ? `${r.cpu.toFixed(2)} s` : "n/a"} | ${r.rss ? `${(r.rss / 1024).toFixed(0)} MiB` : "n/a"} |`,
      );
  console.log("\nTargets:");
  for (const scs of tools.slice(2).map((t) => t.label)) {
    for (const [v, byTool] of Object.entries(results)) {
      const s = byTool[scs] as Result;
      const sono = byTool["sonobuoy results"] as Result;
      const gz = byTool["gzip -dc (floor)"] as Result;
      const faster = sono.wall / s.wall;
      const floor = s.wall / gz.wall;
      const cpu =
        s.cpu && sono.cpu && gz.cpu
          ? ` [by CPU time: ${(sono.cpu / s.cpu).toFixed(2)}x; ${(s.cpu / gz.cpu).toFixed(1)}x the floor]`
          : "";
      console.log(
        `- ${scs}, ${v}: ${faster.toFixed(2)}x the speed of sonobuoy results (target >= 2: ${faster >= 2 ? "met" : "MISSED"}); ${floor.toFixed(1)}x the gzip floor (target <= 2: ${floor <= 2 ? "met" : "MISSED"})${cpu}`,
      );
    }
    const [small, large] = Object.values(results).map((r) => r[scs]?.rss);
    if (small && large)
      console.log(
        `- ${scs}: peak RSS large/small ${(large / small).toFixed(2)} (target <= 1.5: ${large / small <= 1.5 ? "met" : "MISSED"})`,
      );
  }
}

await main();
