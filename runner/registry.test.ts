import { expect } from "chai";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { assertUniqueIds, loadChecks } from "./registry.ts";

describe("runner: check registry (suites/index.ts)", () => {
  it("loads every registered check; their ids are unique and name their standard", async () => {
    const checks = await loadChecks({});
    expect(checks.length).to.be.greaterThan(0);
    for (const c of checks) expect(c.id.startsWith(`${c.standard}/`), c.id).to.equal(true);
  });

  it("refuses two checks with one id", () => {
    const check = { id: "scs-0210-v2/version-policy" } as CheckDefinition;
    expect(() => assertUniqueIds([check, { ...check }])).to.throw(
      "two checks share the id scs-0210-v2/version-policy",
    );
  });
});
