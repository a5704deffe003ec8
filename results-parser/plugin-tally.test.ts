import { expect } from "chai";
import { LIMITS } from "./limits.ts";
import { PluginTally } from "./plugin-tally.ts";
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
  it("counts every case but keeps detail only for failures (bounded), and names of the rest", () => {
    const t = new PluginTally();
    const n = LIMITS.keptCases + 10;
    for (let i = 0; i < n; i++) t.add(tc(`fail ${i}`, "failed"));
    for (let i = 0; i < 50_000; i++) t.add(tc(`pass ${i}`, "passed", i % 7));
    expect(t.counts).to.deep.equal({ passed: 50_000, failed: n, error: 0, skipped: 0 });
    expect(t.kept).to.have.length(LIMITS.keptCases);
    expect(t.extraFailureNames).to.deep.equal(
      Array.from({ length: 10 }, (_, i) => `fail ${LIMITS.keptCases + i}`),
    );
    expect(t.slowest).to.have.length(10);
    expect(t.slowest[0]?.time).to.equal(6);
    expect(t.durationSeconds).to.be.greaterThan(0);
  });
});
