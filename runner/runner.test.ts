import { expect } from "chai";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { renderJunit } from "./junit.ts";
import { ProgressReporter } from "./progress.ts";
import { selectChecks } from "./select.ts";
import { parseJunit } from "./testdata/inspect.ts";

const check = (id: string, more: Partial<CheckDefinition> = {}): CheckDefinition => ({
  id: `scs-0219-v1/${id}`,
  standard: "scs-0219-v1",
  testId: "kaas-networking-check",
  title: `title of ${id}`,
  labels: [],
  scope: "cluster",
  rbac: [],
  timeout: { name: id, ms: 1000 },
  run: async () => ({ verdict: "pass", reason: "" }),
  ...more,
});

describe("runner: selection", () => {
  const all = [
    check("netpol"),
    check("ingress", { labels: ["[Feature:Ingress]"] }),
    check("roll", { labels: ["[Disruptive]"] }),
  ];
  const picked = (sel: Parameters<typeof selectChecks>[1]) =>
    selectChecks(all, sel)
      .filter((s) => s.selected)
      .map((s) => s.check.id.split("/")[1]);

  it("focus and skip search id, standard, test id, title and labels", () => {
    expect(picked({ enableDisruptive: false })).to.deep.equal(["netpol", "ingress"]);
    expect(picked({ focus: "\\[Feature:Ingress\\]", enableDisruptive: false })).to.deep.equal(["ingress"]);
    expect(
      picked({ focus: "kaas-networking-check", skip: "title of net", enableDisruptive: false }),
    ).to.deep.equal(["ingress"]);
    expect(picked({ focus: "^scs-0219-v1/", enableDisruptive: false })).to.deep.equal(["netpol", "ingress"]);
  });

  it("[Disruptive] checks run only when enabled, even when focused", () => {
    expect(picked({ focus: "roll", enableDisruptive: false })).to.deep.equal([]);
    expect(picked({ focus: "roll", enableDisruptive: true })).to.deep.equal(["roll"]);
  });
});

describe("runner: junit writer", () => {
  const meta = {
    suiteVersion: "0.1.0",
    clusterVersion: "v1.31.4",
    referenceDate: new Date("2026-11-21T00:00:00Z"),
    options: { focus: "x" },
    mode: "cli" as const,
    runId: "r1",
    startedAt: new Date("2026-11-21T10:00:00Z"),
  };

  it("never writes an empty testsuite", () => {
    const j = parseJunit(renderJunit([], meta));
    expect(j.cases).to.have.length(1);
    expect(j.cases[0]).to.include({ outcome: "error", classname: "scs-kaas.runner" });
    expect(j.suite).to.include({ tests: "1", errors: "1" });
  });

  it("keeps text that XML cannot carry from breaking the file", () => {
    const xml = renderJunit(
      [
        {
          check: {
            id: "scs-0210-v2/x",
            standard: "scs-0210-v2",
            title: 't "<&>"',
            labels: ["[Slow]"],
            scope: "kaas",
          },
          verdict: "fail",
          reason: "bad \u0000\u001b[31mred\u001b[0m ]]> <tag>",
          details: ["d\u0007"],
          warnings: [],
          output: [],
          durationMs: 5,
        },
      ],
      meta,
    );
    const c = parseJunit(xml).cases[0];
    expect(c?.name).to.equal('[scs-0210-v2] scs-0210-v2/x: t "<&>" [Slow]');
    expect(c?.message).to.equal("bad red ]]> <tag>");
    expect(c?.properties).to.include({ "scs.scope": "kaas", "scs.verdict": "fail", "scs.labels": "[Slow]" });
  });
});

describe("runner: progress", () => {
  it("a missing progress endpoint is not an error", async () => {
    const reporter = new ProgressReporter(1, "127.0.0.1"); // nothing listens on port 1
    reporter.post({ msg: "x", total: 1, completed: 0, failures: [], errors: [] });
    await reporter.flush(3000);
    expect(reporter.delivered).to.equal(0);
  });
});
