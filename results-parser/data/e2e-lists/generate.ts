// Regenerates the bundled e2e spec lists from the Go module k8s.io/kubernetes of each listed version.
// Run: scripts/node22 node results-parser/data/e2e-lists/generate.ts v1.30.2 v1.34.12 ...
// Needs `go` (the Go module proxy); writes conformance-v<minor>.txt.gz, networkpolicy-v<minor>.txt.gz and
// sources.json beside this file. See README.md here.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const GO = process.env.GO ?? "go";

function moduleDir(version: string): string {
  const out = execFileSync(GO, ["mod", "download", "-json", `k8s.io/kubernetes@${version}`], {
    cwd: mkdtempSync(join(tmpdir(), "e2e-lists-")),
    env: { ...process.env, GOFLAGS: "-mod=mod" },
    encoding: "utf8",
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`k8s.io/kubernetes@${version}: ${info.Error ?? "no Dir"}`);
  return info.Dir;
}

/** conformance.yaml lists each spec with `codename`: the full ginkgo text, as junit names it (without `[It] `). */
export function conformanceNames(yamlText: string): string[] {
  const doc = parseYaml(yamlText) as { codename?: unknown }[];
  return doc.map((e) => String(e.codename ?? "")).filter(Boolean);
}

function labelsOf(args: string): string {
  const out: string[] = [];
  for (const a of args
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const f = /^feature\.(\w+)$/.exec(a);
    const s = /^"(\[[^"]+\])"$/.exec(a);
    if (f) out.push(`[Feature:${f[1]}]`);
    else if (s) out.push(s[1] as string);
    else throw new Error(`unknown ginkgo argument ${a}`);
  }
  return out.length ? ` ${out.join(" ")}` : "";
}

/**
 * The NetworkPolicy specs of test/e2e/network/netpol (what `--e2e-focus NetworkPolicy` selects there): the
 * ginkgo text is SIGDescribe text + labels, Context text, It text + labels. Checked against the real
 * v1.30.2 list (e2e-testlist-v1.30.2.gz) by the generator's caller and bundled-data.test.ts.
 */
export function networkPolicyNames(goSources: string[]): string[] {
  const names: string[] = [];
  for (const src of goSources) {
    let describe = "";
    let context = "";
    for (const line of src.split("\n")) {
      const d = /common\.SIGDescribe\("([^"]+)",(.*)func\(\) \{\s*$/.exec(line);
      if (d) {
        describe = `[sig-network] ${d[1]}${labelsOf(d[2] as string)}`;
        context = "";
        continue;
      }
      const c = /ginkgo\.Context\("([^"]+)",(.*)func\(\) \{\s*$/.exec(line);
      if (c) {
        context = ` ${c[1]}${labelsOf(c[2] as string)}`;
        continue;
      }
      const it = /\b(?:f|ginkgo|framework)\.It\("([^"]+)",(.*)func\(ctx context\.Context\) \{\s*$/.exec(line);
      if (it) {
        if (!describe) throw new Error(`It outside a SIGDescribe: ${line.trim()}`);
        names.push(`${describe}${context} ${it[1]}${labelsOf(it[2] as string)}`);
      } else if (/\bIt\(/.test(line)) throw new Error(`It(...) not understood: ${line.trim()}`);
    }
  }
  return names.filter((n) => n.includes("NetworkPolicy"));
}

async function main() {
  const versions = process.argv.slice(2);
  if (!versions.length) throw new Error("usage: generate.ts v1.30.2 v1.34.12 ...");
  const sources: Record<string, { module: string; conformance: number; networkPolicy: number }> = {};
  for (const v of versions) {
    const minor = /^v(\d+\.\d+)\.\d+$/.exec(v)?.[1];
    if (!minor) throw new Error(`${v}: expected vMAJOR.MINOR.PATCH`);
    const dir = moduleDir(v);
    const conf = conformanceNames(
      readFileSync(join(dir, "test/conformance/testdata/conformance.yaml"), "utf8"),
    );
    const netpolDir = join(dir, "test/e2e/network/netpol");
    const net = networkPolicyNames(
      ["network_policy.go", "network_policy_api.go"].map((f) => readFileSync(join(netpolDir, f), "utf8")),
    );
    writeFileSync(join(HERE, `conformance-v${minor}.txt.gz`), gzipSync(`${conf.join("\n")}\n`, { level: 9 }));
    writeFileSync(
      join(HERE, `networkpolicy-v${minor}.txt.gz`),
      gzipSync(`${net.join("\n")}\n`, { level: 9 }),
    );
    sources[minor] = {
      module: `k8s.io/kubernetes@${v}`,
      conformance: conf.length,
      networkPolicy: net.length,
    };
    console.log(
      `v${minor}: ${conf.length} conformance, ${net.length} NetworkPolicy specs from k8s.io/kubernetes@${v}`,
    );
  }
  writeFileSync(join(HERE, "sources.json"), `${JSON.stringify(sources, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
