import { expect } from "chai";
import { LIMITS } from "./limits.ts";
import { PluginTally } from "./plugin-tally.ts";
import type { OkToFail } from "./scope.ts";
import type { TestCase } from "./test-case.ts";

const tc = (name: string, status: TestCase["status"], time = 0): TestCase => ({
  name,
  junitName: name,
  status,
  time,
  suite: "",
  file: "f",
  properties: {},
  pseudo: false,
});

describe("PluginTally", () => {
  it("counts every case but keeps detail only for failures (bounded); the rest judged against okToFail as read", () => {
    const ok: OkToFail[] = [
      { regex: "^\\[It\\] fail 2005$", reason: "r", pattern: /^\[It\] fail 2005$/ },
      { regex: "no such test", reason: "other", pattern: /no such test/ },
    ];
    const t = new PluginTally(ok);
    const n = LIMITS.keptCases + 10;
    for (let i = 0; i < n; i++) t.add({ ...tc(`fail ${i}`, "failed"), junitName: `[It] fail ${i}` });
    for (let i = 0; i < 50_000; i++) t.add(tc(`pass ${i}`, "passed", i % 7));
    expect(t.counts).to.deep.equal({ passed: 50_000, failed: n, error: 0, skipped: 0 });
    expect(t.kept).to.have.length(LIMITS.keptCases);
    expect(t.moreFailures).to.equal(10);
    // searched in the junit name: only "[It] fail 2005" of fail 2000..2009 matches
    expect([...t.moreExcused.entries()]).to.deep.equal([[ok[0]?.regex, { reason: "r", count: 1 }]]);
    expect(t.moreUnexcused).to.equal(9);
    expect(t.slowest).to.have.length(10);
    expect(t.slowest[0]?.time).to.equal(6);
    expect(t.durationSeconds).to.be.greaterThan(0);
  });
});
