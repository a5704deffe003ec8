import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import { makeReport } from "./index.ts";
import {
  scratch,
  type TarEntrySpec,
  tarBuffer,
  tarGzBuffer,
  writeTemp,
} from "./test-support/build-tarball.ts";
import { fixtureEntries } from "./test-support/fixtures.ts";
import { runReportCli } from "./test-support/run-cli.ts";

const junitWith = (xml: string): TarEntrySpec[] => [
  {
    name: "plugins/e2e/definition.json",
    content: JSON.stringify({ "sonobuoy-config": { "plugin-name": "e2e", "result-format": "junit" } }),
  },
  { name: "plugins/e2e/results/global/junit_01.xml", content: xml },
];

/** The generated corpus: name -> how to make the file, and what the one-line error must say. */
const CORPUS: { name: string; make: () => Promise<Buffer | string>; error: RegExp }[] = [
  {
    name: "truncated gzip",
    make: async () => (await tarGzBuffer(fixtureEntries())).subarray(0, 700),
    error: /truncated|corrupt/,
  },
  {
    name: "gzip with a corrupted body",
    make: async () => corrupt(await tarGzBuffer(fixtureEntries())),
    error: /corrupt|truncated|not a valid tar/,
  },
  { name: "not a tarball", make: async () => "hello, I am a text file\n".repeat(40), error: /not a tarball/ },
  { name: "empty file", make: async () => "", error: /is empty/ },
  {
    name: "gzip of something that is not tar",
    make: async () => gzipSync("just text ".repeat(200)),
    error: /not a valid tar|truncated|no entries/,
  },
  {
    name: "a tarball from something else",
    make: () =>
      tarGzBuffer([
        { name: "src/main.c", content: "int main(){}" },
        { name: "README", content: "hi" },
      ]),
    error: /not Sonobuoy results/,
  },
  {
    name: "no plugins at all",
    make: () =>
      tarGzBuffer([
        { name: "meta/run.log", content: "x" },
        { name: "serverversion.json", content: "{}" },
      ]),
    error: /not Sonobuoy results/,
  },
  {
    name: "malformed junit",
    make: () => tarGzBuffer(junitWith("<testsuite><testcase name='a'></testsuite>")),
    error: /junit_01\.xml: malformed XML/,
  },
  {
    name: "billion laughs",
    make: () =>
      tarGzBuffer(
        junitWith(
          `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`).join("")}]><testsuite><testcase name="&lol9;"/></testsuite>`,
        ),
      ),
    error: /DTD.*refused/,
  },
  {
    name: "gigantic attribute",
    make: () =>
      tarGzBuffer(junitWith(`<testsuite><testcase name="${"A".repeat(6 * 1024 * 1024)}"/></testsuite>`)),
    error: /tag is larger than/,
  },
  {
    name: "path traversal (..)",
    make: () => tarGzBuffer([...fixtureEntries(), { name: "../../evil-escape.txt", content: "pwned" }]),
    error: /escapes the archive/,
  },
  {
    name: "absolute path",
    make: () => tarGzBuffer([{ name: "/tmp/evil-absolute.txt", content: "pwned" }, ...fixtureEntries()]),
    error: /absolute path/,
  },
  {
    name: "symlink out",
    make: () =>
      tarGzBuffer([
        ...fixtureEntries(),
        {
          name: "plugins/alpha/results/global/x.xml",
          type: "symlink",
          linkname: "../../../../../etc/passwd",
        },
      ]),
    error: /links outside/,
  },
  {
    name: "hard link out",
    make: () =>
      tarGzBuffer([{ name: "plugins/a/l", type: "link", linkname: "../outside" }, ...fixtureEntries()]),
    error: /links outside/,
  },
  {
    name: "invalid definition.json",
    make: () => tarGzBuffer([{ name: "plugins/e2e/definition.json", content: "{not json" }]),
    error: /definition\.json: neither JSON nor YAML|not a plugin definition/,
  },
  {
    name: "plain tar with malformed xml",
    make: () => tarBuffer(junitWith("<testsuites><testsuite>")),
    error: /malformed XML/,
  },
];

function corrupt(b: Buffer): Buffer {
  const c = Buffer.from(b);
  for (let i = 40; i < Math.min(c.length - 10, 400); i += 7) c[i] = (c[i] ?? 0) ^ 0x5a;
  return c;
}

describe("bad input (generated corpus)", () => {
  for (const item of CORPUS) {
    it(`${item.name}: a clear InputError`, async () => {
      const file = await writeTemp(`${item.name.replace(/\W+/g, "-")}.tar.gz`, await item.make());
      try {
        await makeReport(file);
        expect.fail("accepted");
      } catch (e) {
        expect((e as Error).name, String(e)).to.equal("InputError");
        expect((e as Error).message).to.match(item.error);
        expect((e as Error).message).not.to.include("\n");
      }
    });
  }

  it("nothing was written outside the output (no escaped files)", async () => {
    const dir = await scratch();
    for (const d of [dir, dirname(dir), dirname(dirname(dir))]) {
      const names = await readdir(d);
      expect(names.filter((n) => n.startsWith("evil-"))).to.deep.equal([]);
    }
  });

  it("an empty plugin (definition, no results) is reported, and the verdict is not a pass", async () => {
    const file = await writeTemp(
      "empty-plugin.tar.gz",
      await tarGzBuffer([
        {
          name: "plugins/e2e/definition.json",
          content: JSON.stringify({
            "sonobuoy-config": { "plugin-name": "e2e", "result-format": "junit" },
            spec: { env: [{ name: "E2E_FOCUS", value: "\\[Conformance\\]" }] },
          }),
        },
      ]),
    );
    const r = await makeReport(file);
    expect(r.judgement.findings.map((f) => [f.plugin, f.code])).to.deep.include(["e2e", "no-results"]);
    expect(r.judgement.testIds.find((t) => t.id === "cncf-k8s-conformance")?.verdict).to.equal("ABORT");
    expect(r.judgement.exitCode).to.equal(2);
  });

  it("a directory with a symlink pointing outside is refused", async () => {
    const dir = join(await scratch(), "extracted-with-link");
    await mkdir(join(dir, "plugins/e2e/results/global"), { recursive: true });
    await writeFile(
      join(dir, "plugins/e2e/definition.json"),
      JSON.stringify({ "sonobuoy-config": { "plugin-name": "e2e", "result-format": "junit" } }),
    );
    await symlink("/etc/passwd", join(dir, "plugins/e2e/results/global/junit.xml"));
    try {
      await makeReport(dir);
      expect.fail("accepted");
    } catch (e) {
      expect((e as Error).message).to.match(/links outside the results directory/);
    }
  });

  describe("through the real CLI (child process)", () => {
    for (const name of [
      "truncated gzip",
      "billion laughs",
      "path traversal (..)",
      "a tarball from something else",
    ]) {
      it(`${name}: one line on stderr, exit 2, no crash`, async () => {
        const item = CORPUS.find((c) => c.name === name);
        if (!item) throw new Error(name);
        const file = await writeTemp(`cli-${name.replace(/\W+/g, "-")}.tar.gz`, await item.make());
        const r = await runReportCli([file]);
        expect(r.signal).to.equal(null);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.equal("");
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(/^scs-kaas report: /);
        expect(lines[0]).to.match(item.error);
      });
    }

    it("a missing file: one line, exit 2", async () => {
      const r = await runReportCli(["/nonexistent/results.tar.gz"]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.equal("scs-kaas report: cannot read /nonexistent/results.tar.gz: ENOENT\n");
    });
  });
});
