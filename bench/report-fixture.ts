import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import tar from "tar-stream";

/** Reads the real e2e test names (one a line, gzip). */
export async function readTestNames(file: string): Promise<string[]> {
  const names: string[] = [];
  const rl = createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of rl) if (line.trim()) names.push(line.trim());
  return names;
}

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const yq = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface Outcome {
  name: string;
  status: "passed" | "failed" | "skipped";
  time: number;
}

const PSEUDO = /^\[(SynchronizedBeforeSuite|SynchronizedAfterSuite|ReportBeforeSuite|ReportAfterSuite)\]/;

/**
 * What the bench junit holds: a certified-conformance run (`conformance`: [Conformance] specs run, every
 * 97th fails, the rest skipped), or every spec run and failed (`failed`) or passed (`passed`), the last
 * two to show that memory does not depend on the mix of results.
 */
export type Mix = "conformance" | "failed" | "passed";

/**
 * The outcomes of a run over `names` (ginkgo's junit names, `[It] ` prefix included) with every spec
 * repeated `copies` times (the first copy under its own name, so a conformance run stays complete);
 * ginkgo's suite pseudo-cases appear once and pass.
 */
export function* outcomes(names: string[], copies: number, mix: Mix = "conformance"): Generator<Outcome> {
  let i = 0;
  for (const name of names) if (PSEUDO.test(name)) yield { name, status: "passed", time: 1.5 };
  for (let k = 0; k < copies; k++) {
    for (const base of names) {
      if (PSEUDO.test(base)) continue;
      const name = k > 0 ? `${base} (copy ${k + 1})` : base;
      i++;
      const time = (i % 13) + 0.25;
      if (mix !== "conformance") yield { name, status: mix, time };
      else if (!base.includes("[Conformance]")) yield { name, status: "skipped", time: 0 };
      else yield { name, status: i % 97 === 0 ? "failed" : "passed", time };
    }
  }
}

function* junitChunks(names: string[], copies: number, mix: Mix): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="0" disabled="0" errors="0" failures="0" time="0">\n';
  yield '  <testsuite name="Kubernetes e2e suite" package="/usr/local/bin" tests="0" skipped="0" failures="0" errors="0" time="0" timestamp="2026-07-01T10:00:00">\n';
  yield `    <properties><property name="SuiteSucceeded" value="${mix === "passed"}"></property></properties>\n`;
  let buf = "";
  for (const o of outcomes(names, copies, mix)) {
    const head = `    <testcase name="${xml(o.name)}" classname="Kubernetes e2e suite" status="${o.status}" time="${o.time}">`;
    if (o.status === "skipped")
      buf += `${head}\n      <skipped message="skipped"></skipped>\n    </testcase>\n`;
    else if (o.status === "failed")
      buf += `${head}\n      <failure message="[FAILED] Timed out after 300.001s.&#xA;Expected&#xA;    &lt;bool&gt;: false&#xA;to be true" type="failed">[FAILED] Timed out after 300.001s.&#xA;In [It] at: test/e2e/framework/pod/wait.go:123</failure>\n      <system-err>STEP: Creating a kubernetes client&#xA;STEP: Building a namespace api object</system-err>\n    </testcase>\n`;
    else
      buf += `${head}\n      <system-err>STEP: Creating a kubernetes client</system-err>\n    </testcase>\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = "";
    }
  }
  yield `${buf}  </testsuite>\n</testsuites>\n`;
}

function* cachedResultsChunks(names: string[], copies: number, mix: Mix): Generator<string> {
  yield "name: e2e\nstatus: failed\nmeta:\n  type: summary\nitems:\n- name: junit_01.xml\n  status: failed\n  meta:\n    file: results/global/junit_01.xml\n    type: file\n  items:\n  - name: Kubernetes e2e suite\n    status: failed\n    items:\n";
  let buf = "";
  for (const o of outcomes(names, copies, mix)) {
    buf += `    - name: ${yq(o.name)}\n      status: ${o.status}\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = "";
    }
  }
  yield buf;
}

/** Ginkgo's closing tally counts specs, not the suite pseudo-cases. */
function tally(names: string[], copies: number, mix: Mix) {
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const o of outcomes(names, copies, mix)) if (!PSEUDO.test(o.name)) t[o.status]++;
  return t;
}

async function addStreamed(pack: tar.Pack, name: string, chunks: Iterable<string>): Promise<void> {
  // tar headers need the size first: measure, then stream the same (deterministic) chunks.
  let size = 0;
  for (const c of chunks) size += Buffer.byteLength(c);
  const sink = pack.entry({ name, size });
  for (const c of chunks) if (!sink.write(c)) await new Promise<void>((r) => sink.once("drain", () => r()));
  await new Promise<void>((res, rej) => sink.end((err?: Error | null) => (err ? rej(err) : res())));
}

function addFile(pack: tar.Pack, name: string, content: string): Promise<void> {
  return new Promise((res, rej) => pack.entry({ name }, content, (err) => (err ? rej(err) : res())));
}

/** Writes a Sonobuoy results tarball with one e2e plugin (junit, e2e.log, cached summary, run info). */
export async function writeBenchTarball(
  file: string,
  names: string[],
  copies: number,
  mix: Mix = "conformance",
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const pack = tar.pack();
  const out = pipeline(pack, createGzip({ level: 6 }), createWriteStream(file));
  const t = tally(names, copies, mix);
  const total = t.passed + t.failed + t.skipped;
  await addFile(pack, "meta/info.json", JSON.stringify({ plugins: ["e2e"] }));
  await addFile(pack, "meta/config.json", JSON.stringify({ Version: "v0.57.5", UUID: "bench" }));
  await addFile(
    pack,
    "serverversion.json",
    JSON.stringify({ major: "1", minor: "30", gitVersion: "v1.30.2", platform: "linux/amd64" }),
  );
  await addFile(
    pack,
    "resources/cluster/Nodes.json",
    JSON.stringify({
      items: [0, 1, 2].map((i) => ({
        metadata: { name: `node-${i}`, labels: { "topology.kubernetes.io/zone": `zone-${i}` } },
        status: { nodeInfo: { kubeletVersion: "v1.30.2" } },
      })),
    }),
  );
  await addFile(
    pack,
    "plugins/e2e/definition.json",
    JSON.stringify({
      Definition: {
        "sonobuoy-config": { driver: "Job", "plugin-name": "e2e", "result-format": "junit" },
        spec: {
          name: "e2e",
          image: "registry.k8s.io/conformance:v1.30.2",
          env: [{ name: "E2E_FOCUS", value: "\\[Conformance\\]" }],
        },
      },
    }),
  );
  await addStreamed(pack, "plugins/e2e/sonobuoy_results.yaml", {
    [Symbol.iterator]: () => cachedResultsChunks(names, copies, mix),
  });
  await addStreamed(pack, "plugins/e2e/results/global/junit_01.xml", {
    [Symbol.iterator]: () => junitChunks(names, copies, mix),
  });
  await addFile(
    pack,
    "plugins/e2e/results/global/e2e.log",
    `Running Suite: Kubernetes e2e suite\nRan ${t.passed + t.failed} of ${total} Specs in 3600.000 seconds\n${t.failed ? "FAIL!" : "SUCCESS!"} -- ${t.passed} Passed | ${t.failed} Failed | 0 Pending | ${t.skipped} Skipped\n`,
  );
  pack.finalize();
  await out;
}
