import { expect } from "chai";
import { runCleanups } from "./cleanup.ts";

describe("framework: cleanups", () => {
  it("run newest first, go on after a failure, and stop at their named timeout", async () => {
    const order: string[] = [];
    const report = await runCleanups(
      [
        { name: "first", fn: async () => void order.push("first") },
        { name: "hangs", fn: () => new Promise(() => {}) },
        { name: "breaks", fn: async () => Promise.reject(new Error("nope")) },
        { name: "last", fn: async () => void order.push("last") },
      ],
      { name: "cleanup", ms: 300 },
    );
    expect(order).to.deep.equal(["last"]);
    expect(report.lines[0]).to.equal("ok last");
    expect(report.lines[1]).to.equal("FAILED breaks: Error: nope");
    expect(report.lines[2]).to.match(
      /^FAILED hangs: timeout "cleanup" \(\d+ms\) expired while cleaning up hangs$/,
    );
    expect(report.lines[3]).to.equal('NOT RUN first: timeout "cleanup" expired before it could start');
    expect(report.failures).to.have.length(3);
  });
});
