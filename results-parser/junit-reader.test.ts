import { expect } from "chai";
import { readJunit } from "./junit-reader.ts";
import { LIMITS } from "./limits.ts";
import { PluginTally } from "./plugin-tally.ts";
import type { TestCase } from "./test-case.ts";

async function* chunks(s: string, size = 7): AsyncGenerator<Buffer> {
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function read(xml: string, size?: number) {
  const cases: TestCase[] = [];
  const tally = new PluginTally();
  const facts = await readJunit(chunks(xml, size), "f.xml", (c) => {
    cases.push(c);
    tally.add(c);
  });
  return { cases, tally, facts };
}

describe("readJunit", () => {
  it("keeps <error> apart from <failure>, reads skips, messages, properties and system-out", async () => {
    const { cases, tally } = await read(`<?xml version="1.0"?>
<testsuites><testsuite name="s">
  <testcase name="a" time="1.5"/>
  <testcase name="b"><failure message="expected 1" type="fail">got 2</failure><system-out>log line</system-out></testcase>
  <testcase name="c"><error message="no permission"/></testcase>
  <testcase name="d"><skipped message="no default class"/></testcase>
  <testcase name="e"><properties><property name="scs.test-id" value="version-policy-check"/></properties></testcase>
</testsuite></testsuites>`);
    expect(tally.counts).to.deep.equal({ passed: 2, failed: 1, error: 1, skipped: 1 });
    const b = cases.find((c) => c.name === "b");
    expect(b?.message).to.equal("expected 1\ngot 2");
    expect(b?.systemOut).to.equal("log line");
    expect(cases.find((c) => c.name === "c")?.status).to.equal("error");
    expect(cases.find((c) => c.name === "d")?.message).to.equal("no default class");
    expect(cases.find((c) => c.name === "e")?.properties).to.deep.equal({
      "scs.test-id": "version-policy-check",
    });
    expect(cases.find((c) => c.name === "a")?.time).to.equal(1.5);
  });

  it("reads cases in nested suites, which Sonobuoy misses, and does not count empty suites", async () => {
    const { tally, facts } = await read(`<testsuites>
  <testsuite name="outer"><testsuite name="inner"><testcase name="x"/><testcase name="y"><failure/></testcase></testsuite></testsuite>
  <testsuite name="empty-describe"></testsuite>
  <testsuite name="flat"><testcase name="z"/></testsuite>
</testsuites>`);
    expect(tally.counts).to.deep.equal({ passed: 2, failed: 1, error: 0, skipped: 0 });
    expect(facts.emptySuites).to.equal(1);
    expect(facts.nestedSuites).to.equal(1);
    expect(facts.casesSonobuoyMisses).to.equal(2);
    // Sonobuoy: outer has no direct cases -> one passed; empty -> one passed; flat -> z.
    expect(facts.sonobuoyView).to.deep.equal({ passed: 3, failed: 0, skipped: 0 });
  });

  it("recognises ginkgo pseudo-cases and strips the [It] prefix", async () => {
    const { tally, cases } = await read(`<testsuite name="Kubernetes e2e suite">
  <testcase name="[SynchronizedBeforeSuite]"/>
  <testcase name="[It] [sig-network] Netpol NetworkPolicy between server and client should enforce policy [Feature:NetworkPolicy]"/>
  <testcase name="[ReportAfterSuite] Kubernetes e2e suite report"><failure message="could not write"/></testcase>
</testsuite>`);
    expect(tally.counts).to.deep.equal({ passed: 1, failed: 0, error: 0, skipped: 0 });
    expect(tally.pseudo.passed).to.equal(1);
    expect(tally.pseudoFailures.map((c) => c.name)).to.deep.equal([
      "[ReportAfterSuite] Kubernetes e2e suite report",
    ]);
    expect(cases[1]?.name.startsWith("[sig-network]")).to.equal(true);
    expect(tally.ranNetworkPolicy).to.equal(1);
  });

  it("is independent of how the bytes are chunked (multi-byte UTF-8 across chunks)", async () => {
    const xml = `<testsuite><testcase name="ünïcødé ✓"><failure message="💥"/></testcase></testsuite>`;
    for (const size of [1, 2, 3, 5, 1000]) {
      const { cases } = await read(xml, size);
      expect(cases[0]?.name).to.equal("ünïcødé ✓");
      expect(cases[0]?.message).to.equal("💥");
    }
  });

  it("bounds kept system-out", async () => {
    const big = "x".repeat(LIMITS.keptSystemOutChars + 5000);
    const { cases } = await read(
      `<testsuite><testcase name="a"><system-out>${big}</system-out></testcase></testsuite>`,
      65536,
    );
    expect(cases[0]?.systemOut?.length).to.be.lessThan(LIMITS.keptSystemOutChars + 100);
    expect(cases[0]?.systemOut).to.match(/5000 more characters not kept/);
  });

  it("refuses DTDs, so entity-expansion attacks never expand", async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><testsuite><testcase name="&lol2;"/></testsuite>`;
    try {
      await read(laughs);
      expect.fail("accepted a DTD");
    } catch (e) {
      expect((e as Error).name).to.equal("InputError");
      expect((e as Error).message).to.match(/DTD.*refused/);
    }
  });

  it("refuses a gigantic attribute before buffering all of it", async () => {
    async function* gigantic(): AsyncGenerator<Buffer> {
      yield Buffer.from('<testsuite><testcase name="');
      const mb = Buffer.alloc(1024 * 1024, "a");
      for (let i = 0; i < 64; i++) yield mb; // 64 MiB, far beyond the 4 MiB tag bound
      yield Buffer.from('"/></testsuite>');
    }
    let yielded = 0;
    async function* counting() {
      for await (const c of gigantic()) {
        yielded += c.length;
        yield c;
      }
    }
    try {
      await readJunit(counting(), "big.xml", () => {});
      expect.fail("accepted a gigantic attribute");
    } catch (e) {
      expect((e as Error).message).to.match(/tag is larger than/);
    }
    expect(yielded).to.be.lessThan(8 * 1024 * 1024);
  });

  it("reports malformed XML and non-junit roots as input errors", async () => {
    for (const [xml, re] of [
      ["<testsuite><testcase name='a'></testsuite>", /malformed XML/],
      ["", /malformed XML/],
      ["<html><body/></html>", /not a junit file/],
      ["<testsuite><testcase name='&undefined;'/></testsuite>", /malformed XML/],
    ] as const) {
      try {
        await read(xml);
        expect.fail(`accepted ${xml}`);
      } catch (e) {
        expect((e as Error).name, xml).to.equal("InputError");
        expect((e as Error).message).to.match(re);
      }
    }
  });
});
