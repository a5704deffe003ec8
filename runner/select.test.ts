import { expect } from "chai";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { selectChecks } from "./select.ts";

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
  it("runs [Disruptive] checks last, keeping the registry's order otherwise", () => {
    const checks = [check("a/kill", true), check("b/plain"), check("c/roll", true), check("d/plain")];
    const order = selectChecks(checks, { enableDisruptive: true }).map((s) => s.check.id);
    expect(order).to.deep.equal(["b/plain", "d/plain", "a/kill", "c/roll"]);
  });
});
