import { expect } from "chai";
import { addMonths, daysBetween, parseDay } from "./days.ts";

describe("scs-0210-v2 day arithmetic", () => {
  it("scs-0210-v2: one calendar month, clamped at month end", () => {
    expect(addMonths("2026-01-15", 1)).to.equal("2026-02-15");
    expect(addMonths("2026-01-31", 1)).to.equal("2026-02-28");
    expect(addMonths("2028-01-31", 1)).to.equal("2028-02-29");
    expect(addMonths("2026-12-10", 1)).to.equal("2027-01-10");
    expect(addMonths("2026-08-26", 4)).to.equal("2026-12-26");
  });
  it("scs-0210-v2: timestamps count on their UTC day", () => {
    expect(parseDay("2026-08-20T23:59:59Z")).to.equal("2026-08-20");
    expect(daysBetween("2026-11-07", "2026-11-21")).to.equal(14);
    expect(() => parseDay("2026-02-30")).to.throw(/not a calendar date/);
  });
});
