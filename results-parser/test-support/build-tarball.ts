import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";

export interface TarEntrySpec {
  name: string;
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link";
  linkname?: string;
}

/** Builds an uncompressed tar archive in memory (test fixtures are generated, never committed). */
export async function tarBuffer(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? "file";
    if (type === "file") {
      const body = typeof e.content === "string" ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
      await new Promise<void>((res, rej) =>
        pack.entry({ name: e.name, size: body.length }, body, (err) => (err ? rej(err) : res())),
      );
    } else {
      await new Promise<void>((res, rej) =>
        pack.entry({ name: e.name, type, ...(e.linkname ? { linkname: e.linkname } : {}) }, (err) =>
          err ? rej(err) : res(),
        ),
      );
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function tarGzBuffer(entries: TarEntrySpec[]): Promise<Buffer> {
  return gzipSync(await tarBuffer(entries));
}

let dir: string | undefined;
/** A fresh temp folder per test process. */
export async function scratch(): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), "scs-kaas-rp-"));
  return dir;
}

let n = 0;
export async function writeTemp(name: string, data: Buffer | string): Promise<string> {
  const p = join(await scratch(), `${n++}-${name}`);
  await writeFile(p, data);
  return p;
}

/** A plugin definition as Sonobuoy dumps it (definition.json). */
export function definitionJson(o: {
  name: string;
  format?: string;
  driver?: string;
  focus?: string;
  resultFiles?: string[];
  dryRun?: boolean;
  image?: string;
  env?: Record<string, string>;
}): string {
  const env = [
    ...(o.focus ? [{ name: "E2E_FOCUS", value: o.focus }] : []),
    ...(o.dryRun ? [{ name: "E2E_DRYRUN", value: "true" }] : []),
    ...Object.entries(o.env ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return JSON.stringify({
    Definition: {
      "sonobuoy-config": {
        driver: o.driver ?? "Job",
        "plugin-name": o.name,
        "result-format": o.format ?? "junit",
        ...(o.resultFiles ? { "result-files": o.resultFiles } : {}),
      },
      spec: { name: "plugin", image: o.image ?? "example/image:1", env },
    },
  });
}

export interface CaseSpec {
  name: string;
  status?: "passed" | "failed" | "error" | "skipped";
  message?: string;
  props?: Record<string, string>;
  time?: number;
  systemOut?: string;
}

const x = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

export function junitXml(
  cases: CaseSpec[],
  suiteName = "suite",
  suiteProps?: Record<string, string>,
): string {
  const body = cases
    .map((c) => {
      const props = c.props
        ? `<properties>${Object.entries(c.props)
            .map(([k, v]) => `<property name="${x(k)}" value="${x(v)}"/>`)
            .join("")}</properties>`
        : "";
      const mark =
        c.status === "failed"
          ? `<failure type="fail" message="${x(c.message ?? "boom")}">details</failure>`
          : c.status === "error"
            ? `<error type="abort" message="${x(c.message ?? "broken")}">details</error>`
            : c.status === "skipped"
              ? `<skipped message="${x(c.message ?? "skip")}"/>`
              : "";
      const out = c.systemOut ? `<system-out>${x(c.systemOut)}</system-out>` : "";
      return `<testcase name="${x(c.name)}" classname="k" time="${c.time ?? 1}">${props}${mark}${out}</testcase>`;
    })
    .join("\n");
  const sp = suiteProps
    ? `<properties>${Object.entries(suiteProps)
        .map(([k, v]) => `<property name="${x(k)}" value="${x(v)}"></property>`)
        .join("")}</properties>\n`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="${x(suiteName)}" tests="${cases.length}">\n${sp}${body}\n</testsuite></testsuites>\n`;
}

export function e2eLog(t: {
  ran: number;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  flaked?: number;
  outcome?: "SUCCESS!" | "FAIL!";
}): string {
  const flaked = t.flaked !== undefined ? ` | ${t.flaked} Flaked` : "";
  return `some output\nRan ${t.ran} of ${t.total} Specs in 12.3 seconds\n${t.outcome ?? (t.failed ? "FAIL!" : "SUCCESS!")} -- ${t.passed} Passed | ${t.failed} Failed${flaked} | 0 Pending | ${t.skipped} Skipped\n`;
}
