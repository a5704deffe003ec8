import { expect } from "chai";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { planRun, selectChecks } from "./select.ts";

const check = (id: string, disruptive = false): CheckDefinition => ({
  id,
  standard: "scs-9999-v1",
  title: id,
  labels: disruptive ? ["[Disruptive]"] : [],
  scope: "cluster",
  rbac: [],
  timeout: { name: id, ms: 1000 },
  run: async () => ({ verdict: "pass", reason: "" }),
});

describe("runner: selection order", () => {
  it("runs [Disruptive] checks last and alone, keeping the registry's order otherwise; the junit keeps the registry's order", () => {
    const checks = [check("a/kill", true), check("b/plain"), check("c/roll", true), check("d/plain")];
    const selected = selectChecks(checks, { enableDisruptive: true });
    expect(selected.map((s) => s.check.id)).to.deep.equal(["a/kill", "b/plain", "c/roll", "d/plain"]);
    const phases = planRun(
      selected.map((s) => s.check),
      8,
    ).map((p) => ({ ids: p.checks.map((c) => c.id), concurrency: p.concurrency }));
    expect(phases).to.deep.equal([
      { ids: ["b/plain", "d/plain"], concurrency: 8 },
      { ids: ["a/kill", "c/roll"], concurrency: 1 },
    ]);
  });
});
