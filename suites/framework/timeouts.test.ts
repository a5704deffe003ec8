import { expect } from "chai";
import { translateError } from "./api-errors.ts";
import { scaledTimeout, sleep, TIMEOUTS, withTimeout } from "./timeouts.ts";

describe("framework: timeouts", () => {
  it("scaledTimeout names the timeout and scales it by the one factor timeout-scale", () => {
    expect(scaledTimeout({ options: {} }, "pvc-bound")).to.deep.equal({
      name: "pvc-bound",
      ms: TIMEOUTS["pvc-bound"],
    });
    expect(scaledTimeout({ options: { "timeout-scale": "2" } }, "exec")).to.deep.equal({
      name: "exec",
      ms: 120_000,
    });
    expect(scaledTimeout({ options: { "timeout-scale": "0.5" } }, "exec").ms).to.equal(30_000);
    for (const bad of ["0", "-1", "fast", "Infinity"]) {
      const err = (() => {
        try {
          return scaledTimeout({ options: { "timeout-scale": bad } }, "exec");
        } catch (e) {
          return e;
        }
      })();
      expect(translateError(err)).to.include({
        verdict: "abort",
        reason: `option timeout-scale=${bad} is not a positive number`,
      });
    }
  });

  it("withTimeout settles at its deadline even when fn ignores the signal, and follows the parent's abort", async () => {
    const started = Date.now();
    const err = await withTimeout(
      { name: "t", ms: 100 },
      undefined,
      "testing",
      () => new Promise(() => {}),
    ).catch((e: unknown) => e);
    expect(translateError(err).reason).to.equal('timeout "t" (100ms) expired while testing');
    expect(Date.now() - started).to.be.below(1000);
    const parent = new AbortController();
    setTimeout(() => parent.abort(new Error("SIGTERM")), 50);
    const err2 = await withTimeout({ name: "t", ms: 10_000 }, parent.signal, undefined, (s) =>
      sleep(5000, s),
    ).catch((e: unknown) => e);
    expect((err2 as Error).message).to.equal("SIGTERM");
  });
});
