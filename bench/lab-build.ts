// Times the lab build: `node bench/lab-build.ts [--kubernetes vX.Y.Z]`. Runs buildAll (cold for whatever is
// missing), then buildAll again (must be warm: no go, seconds at most), and prints the per-binary cold build
// times that each component recorded in its build.json when it was built.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildAll, labCacheDir } from "../lab/build/artifacts.ts";
import { goComponents } from "../lab/build/components.ts";
import { goComponentDir } from "../lab/build/go-component.ts";
import { KUBERNETES_VERSION } from "../lab/versions.ts";

const flag = process.argv.indexOf("--kubernetes");
const kubernetesVersion = flag >= 0 ? (process.argv[flag + 1] ?? KUBERNETES_VERSION) : KUBERNETES_VERSION;
const stamp = () => new Date().toISOString().slice(11, 19);

const first = Date.now();
await buildAll({ kubernetesVersion, log: (line) => console.log(`${stamp()} ${line}`) });
const firstSeconds = (Date.now() - first) / 1000;

const warm = process.hrtime.bigint();
await buildAll({ kubernetesVersion, log: () => {} });
const warmMs = Number(process.hrtime.bigint() - warm) / 1e6;

console.log(`\nlab build benchmark (Kubernetes ${kubernetesVersion}, cache ${labCacheDir()})`);
console.log(`first buildAll: ${firstSeconds.toFixed(1)} s; second (warm) buildAll: ${warmMs.toFixed(0)} ms`);
console.log("cold build time per binary, as recorded when each component was built:");
for (const spec of goComponents(kubernetesVersion)) {
  const file = join(goComponentDir(spec), "build.json");
  if (!existsSync(file)) continue;
  const record = JSON.parse(readFileSync(file, "utf8")) as { seconds: Record<string, number>; go: string };
  const total = Object.values(record.seconds).reduce((a, b) => a + b, 0);
  console.log(`  ${spec.component} ${spec.version} (${record.go}): ${total.toFixed(0)} s`);
  for (const [name, seconds] of Object.entries(record.seconds))
    console.log(`    ${name.padEnd(28)} ${seconds} s`);
}
const imagesDir = join(labCacheDir(), "images");
if (existsSync(imagesDir)) console.log(`images cached: ${readdirSync(imagesDir).length}`);
