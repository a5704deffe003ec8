import { expect } from "chai";
import { isVerdict } from "./verdict.ts";

describe("verdict vocabulary", () => {
  it("accepts the four verdicts and nothing else", () => {
    for (const v of ["pass", "fail", "abort", "skip"]) expect(isVerdict(v), v).to.equal(true);
    for (const v of ["PASS", "error", "", undefined, 1]) expect(isVerdict(v), String(v)).to.equal(false);
  });
});
