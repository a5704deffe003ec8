import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { findingsFor } from "./findings.ts";
import { makeReport } from "./index.ts";
import { readResults } from "./read-results.ts";
import {
  definitionJson,
  junitXml,
  scratch,
  tarBuffer,
  tarGzBuffer,
  writeTemp,
} from "./test-support/build-tarball.ts";

const REAL = fileURLToPath(new URL("../../shared/data/sonobuoy/testResultsOutput.tar.gz", import.meta.url));

const counts = async (file: string) =>
  Object.fromEntries(
    (await readResults(file)).plugins.map((p) => [p.name, { format: p.format, ...p.tally.counts }]),
  );

describe("readResults", () => {
  it("reads every format per its definition: junit, gojson, raw, manual", async () => {
    const gojson = [
      { Action: "run", Test: "TestA" },
      { Action: "output", Test: "TestB", Output: "b.go:12: want 1 got 2\n" },
      { Action: "pass", Test: "TestA", Elapsed: 0.5 },
      { Action: "fail", Test: "TestB", Elapsed: 0.1 },
      { Action: "skip", Test: "TestC" },
      { Action: "pass", Package: "pkg" },
    ]
      .map((e) => JSON.stringify(e))
      .join("\n");
    const manual =
      "name: m\nstatus: failed\nitems:\n- name: check-1\n  status: passed\n- name: check-2\n  status: failed\n- name: check-3\n  status: timeout\n";
    const file = await writeTemp(
      "formats.tar.gz",
      await tarGzBuffer([
        { name: "plugins/j/definition.json", content: definitionJson({ name: "j" }) },
        {
          name: "plugins/j/results/global/a.xml",
          content: junitXml([{ name: "x" }, { name: "y", status: "error" }]),
        },
        { name: "plugins/j/results/global/notes.txt", content: "not a result" },
        { name: "plugins/g/definition.json", content: definitionJson({ name: "g", format: "gojson" }) },
        { name: "plugins/g/results/global/out.json", content: gojson },
        {
          name: "plugins/r/definition.json",
          content: definitionJson({ name: "r", format: "raw", driver: "DaemonSet" }),
        },
        { name: "plugins/r/results/node-1/a.log", content: "a" },
        { name: "plugins/r/results/node-2/b.log", content: "b" },
        { name: "plugins/m/definition.json", content: definitionJson({ name: "m", format: "manual" }) },
        { name: "plugins/m/results/global/manual.yaml", content: manual },
        {
          name: "plugins/u/definition.json",
          content: definitionJson({ name: "u", format: "result-type-typo" }),
        },
        { name: "plugins/u/results/global/x.xml", content: "<testsuite/>" },
      ]),
    );
    const r = await readResults(file);
    expect(
      Object.fromEntries(r.plugins.map((p) => [p.name, { format: p.format, ...p.tally.counts }])),
    ).to.deep.equal({
      g: { format: "gojson", passed: 1, failed: 1, error: 0, skipped: 1 },
      j: { format: "junit", passed: 1, failed: 0, error: 1, skipped: 0 },
      m: { format: "manual", passed: 1, failed: 1, error: 1, skipped: 0 },
      r: { format: "raw", passed: 2, failed: 0, error: 0, skipped: 0 },
      u: { format: "raw", passed: 1, failed: 0, error: 0, skipped: 0 },
    });
    const g = r.plugins.find((p) => p.name === "g");
    expect(g?.tally.kept.find((c) => c.name === "TestB")?.message).to.equal("b.go:12: want 1 got 2\n");
    expect(r.plugins.find((p) => p.name === "r")?.nodes).to.deep.equal(["node-1", "node-2"]);
    expect(r.plugins.find((p) => p.name === "u")?.notes[0]).to.match(/unknown; Sonobuoy treats it as raw/);
  });

  it("reads results that come before the definition in a second pass; reads the old defintion.json; guesses without one", async () => {
    const file = await writeTemp(
      "order.tar",
      await tarBuffer([
        {
          name: "plugins/late/results/global/junit.xml",
          content: junitXml([{ name: "a" }, { name: "b", status: "failed" }]),
        },
        { name: "plugins/late/defintion.json", content: definitionJson({ name: "late" }) },
        { name: "plugins/nodef/results/global/junit.xml", content: junitXml([{ name: "c" }]) },
      ]),
    );
    const r = await readResults(file);
    expect(
      r.plugins.map((p) => [p.name, p.format, p.tally.counts.passed, p.tally.counts.failed]),
    ).to.deep.equal([
      ["late", "junit", 1, 1],
      ["nodef", "junit", 1, 0],
    ]);
    expect(r.plugins[1]?.notes).to.deep.equal([
      "no definition.json: results read as junit (guessed from the files)",
    ]);
  });

  it("honours result-files (by basename, any depth) over the extension", async () => {
    const file = await writeTemp(
      "rf.tar.gz",
      await tarGzBuffer([
        {
          name: "plugins/p/definition.json",
          content: definitionJson({ name: "p", resultFiles: ["report.junit"] }),
        },
        {
          name: "plugins/p/results/global/deep/report.junit",
          content: junitXml([{ name: "a" }, { name: "b" }]),
        },
        { name: "plugins/p/results/global/other.xml", content: "<not-read/>" },
      ]),
    );
    expect((await counts(file)).p).to.deep.equal({
      format: "junit",
      passed: 2,
      failed: 0,
      error: 0,
      skipped: 0,
    });
  });

  it("plugin errors (plugins/<name>/errors) make the run's verdict ABORT", async () => {
    const file = await writeTemp(
      "errors.tar.gz",
      await tarGzBuffer([
        {
          name: "plugins/e2e/definition.json",
          content: definitionJson({ name: "e2e", focus: "\\[Conformance\\]" }),
        },
        {
          name: "plugins/e2e/errors/global/error.json",
          content: JSON.stringify({ error: "container e2e terminated without results" }),
        },
      ]),
    );
    const report = await makeReport(file);
    const conf = report.judgement.testIds.find((t) => t.id === "cncf-k8s-conformance");
    expect(conf?.verdict).to.equal("ABORT");
    expect(conf?.reasons.join(" ")).to.include("container e2e terminated without results");
  });

  it("accepts a tarball of an extracted folder (one wrapper folder) and an extracted directory, with the same counts", async function () {
    if (!existsSync(REAL)) this.skip();
    const dir = join(await scratch(), "extracted");
    await mkdir(dir, { recursive: true });
    execFileSync("tar", ["xzf", REAL, "-C", dir]);
    const fromDir = await counts(dir);
    expect(fromDir).to.deep.equal(await counts(REAL));
    const wrapped = await writeTemp(
      "wrapped.tar.gz",
      await tarGzBuffer([
        { name: "run-1/plugins/e2e/definition.json", content: definitionJson({ name: "e2e" }) },
        {
          name: "run-1/plugins/e2e/results/global/junit_01.xml",
          content: junitXml([{ name: "a [Conformance]" }]),
        },
      ]),
    );
    expect((await counts(wrapped)).e2e?.passed).to.equal(1);
  });

  it("explains why Sonobuoy would count differently", async () => {
    const file = await writeTemp(
      "quirks.tar.gz",
      await tarGzBuffer([
        { name: "plugins/q/definition.json", content: definitionJson({ name: "q" }) },
        {
          name: "plugins/q/results/global/junit.xml",
          content:
            "<testsuites><testsuite name='describe'><testsuite name='it'><testcase name='t1'/></testsuite></testsuite><testsuite name='empty'/></testsuites>",
        },
      ]),
    );
    const [p] = (await readResults(file)).plugins;
    if (!p) throw new Error("no plugin");
    const f = findingsFor(p).find((x) => x.code === "sonobuoy-differs");
    expect(f?.message).to.equal(
      "Sonobuoy would count 2 passed, 0 failed, 0 skipped; this parser counts 1 passed, 0 failed, 0 error, 0 skipped (1 empty suite(s) Sonobuoy counts as passed tests; 1 case(s) in nested suites Sonobuoy does not read)",
    );
  });
});
