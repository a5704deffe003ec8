// The runner writes junit per common/junit-contract.ts (runner/junit.ts); this reads what it writes.
import { expect } from "chai";
import { RUNNER_CHECK_ID } from "../common/junit-contract.ts";
import { renderJunit, runnerResult } from "../runner/junit.ts";
import type { CheckResult } from "../runner/result.ts";
import { makeReport } from "./index.ts";
import { definitionJson, tarGzBuffer, writeTemp } from "./test-support/build-tarball.ts";
import { fixtureEntries } from "./test-support/fixtures.ts";

const meta = {
  suiteVersion: "0.1.0",
  clusterVersion: "v1.31.4",
  referenceDate: new Date("2026-08-01T00:00:00Z"),
  options: {},
  mode: "sonobuoy" as const,
  runId: "run-1",
  startedAt: new Date("2026-08-01T10:00:00Z"),
};

function result(o: {
  id: string;
  standard: string;
  testId?: string;
  verdict: CheckResult["verdict"];
  reason: string;
  scope?: "cluster" | "kaas";
  notSelected?: true;
}): CheckResult {
  return {
    check: {
      id: o.id,
      standard: o.standard,
      ...(o.testId ? { testId: o.testId } : {}),
      title: `title of ${o.id}`,
      labels: ["[Slow]"],
      scope: o.scope ?? "cluster",
    },
    verdict: o.verdict,
    reason: o.reason,
    details: [`details of ${o.id}`],
    warnings: [],
    output: [`log of ${o.id}`],
    durationMs: 1500,
    ...(o.notSelected ? { notSelected: true as const } : {}),
  };
}

async function reportWith(results: CheckResult[]) {
  const entries = fixtureEntries().filter((e) => !e.name.startsWith("plugins/gamma/"));
  entries.push(
    { name: "plugins/scs/definition.json", content: definitionJson({ name: "scs" }) },
    {
      name: "plugins/scs/results/global/junit-scs.xml",
      content: renderJunit(results, meta, new Date("2026-08-01T10:05:00Z")),
    },
  );
  return makeReport(await writeTemp("runner.tar.gz", await tarGzBuffer(entries)));
}

describe("reading the scs plugin's junit as runner/junit.ts writes it", () => {
  it("maps scs.test-id, scs.verdict, scs.scope, messages and system-out; deselected checks are not run", async () => {
    const r = await reportWith([
      result({
        id: "version-policy",
        standard: "scs-0210-v2",
        testId: "version-policy-check",
        verdict: "fail",
        reason: "v1.27 is past its end of life",
      }),
      result({
        id: "node-distribution",
        standard: "scs-0214-v2",
        testId: "node-distribution-check",
        verdict: "pass",
        reason: "3 zones",
        scope: "kaas",
      }),
      result({
        id: "storage-durability",
        standard: "scs-0211-v1",
        verdict: "skip",
        reason: "not selected: disruptive checks are off",
        notSelected: true,
      }),
    ]);
    const byId = Object.fromEntries(r.judgement.testIds.map((t) => [t.id, t]));
    expect(byId["version-policy-check"]?.verdict).to.equal("FAIL");
    expect(byId["version-policy-check"]?.failures[0]?.message).to.equal(
      "v1.27 is past its end of life\ndetails of version-policy",
    );
    expect(byId["version-policy-check"]?.failures[0]?.systemOut).to.include("log of version-policy");
    expect(byId["node-distribution-check"]?.verdict).to.equal("PASS");
    expect(byId["node-distribution-check"]?.scope).to.equal("kaas");
    expect(byId["storage-durability"]?.verdict).to.equal("NOT_RUN");
    expect(byId["storage-durability"]?.reasons).to.deep.equal([
      "storage-durability: not selected: disruptive checks are off",
    ]);
    expect(r.judgement.roles.find((x) => x.plugin === "scs")?.role).to.equal("scs");
    expect(r.judgement.exitCode).to.equal(1);
  });

  it("the runner's own abort case aborts the scope ids the plugin should have answered", async () => {
    const r = await reportWith([runnerResult("the run ended before any check was listed")]);
    const v = r.judgement.testIds.find((t) => t.id === "version-policy-check");
    expect(v?.verdict).to.equal("ABORT");
    expect(v?.reasons.join(" ")).to.include("the run ended before any check was listed");
    expect(r.judgement.testIds.map((t) => t.id)).not.to.include(RUNNER_CHECK_ID);
  });
});
