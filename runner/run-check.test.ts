import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { RunInterrupted } from "../suites/framework/errors.ts";
import { sleep } from "../suites/framework/timeouts.ts";
import { type CheckEnv, DEFAULT_TIMEOUTS, executeCheck } from "./run-check.ts";

function env(runSignal = new AbortController().signal, bodyAfterStopMs = 2000): CheckEnv {
  return {
    kubeConfig: new KubeConfig(),
    runId: "r1",
    referenceDate: new Date(),
    options: {},
    runSignal,
    timeouts: { ...DEFAULT_TIMEOUTS, bodyAfterStop: { name: "body-after-stop", ms: bodyAfterStopMs } },
  };
}

function check(run: CheckDefinition["run"], timeoutMs = 200): CheckDefinition {
  return {
    id: "scs-9999-v1/late",
    standard: "scs-9999-v1",
    title: "late defer",
    labels: [],
    scope: "cluster",
    rbac: [],
    timeout: { name: "late-budget", ms: timeoutMs },
    run,
  };
}

describe("runner: a stopped check's late cleanups", () => {
  it("a defer the body registers after its timeout fired still runs, and the result says so", async () => {
    let cleaned = false;
    const result = await executeCheck(
      check(async (ctx) => {
        await sleep(400); // ignores ctx.signal, like a client call that cannot be cancelled
        ctx.defer("delete the thing created late", async () => {
          cleaned = true;
        });
        return { verdict: "pass", reason: "too late" };
      }),
      env(),
    );
    expect(result.verdict).to.equal("abort");
    expect(result.reason).to.equal('timeout "late-budget" (200ms) expired while running scs-9999-v1/late');
    expect(cleaned).to.equal(true);
    expect(result.output).to.include("  ok delete the thing created late");
  });

  it("the same after SIGTERM; a defer failing late is a warning", async () => {
    const run = new AbortController();
    setTimeout(() => run.abort(new RunInterrupted("the run was interrupted by SIGTERM")), 100);
    const result = await executeCheck(
      check(async (ctx) => {
        await sleep(300);
        ctx.defer("breaks late", async () => {
          throw new Error("nope");
        });
        return { verdict: "pass", reason: "too late" };
      }, 60_000),
      env(run.signal),
    );
    expect(result.reason).to.equal("the run was interrupted by SIGTERM");
    expect(result.output).to.include("  FAILED breaks late: Error: nope");
    expect(result.warnings).to.deep.equal([
      "cleanup incomplete, objects may be left behind (label run id r1): FAILED breaks late: Error: nope",
    ]);
  });

  it("a body that never returns is waited for only for body-after-stop; the cleanups run without it", async () => {
    const order: string[] = [];
    const started = Date.now();
    const result = await executeCheck(
      check(async (ctx) => {
        ctx.defer("early", async () => void order.push("early"));
        await new Promise(() => {});
        return { verdict: "pass", reason: "never" };
      }, 100),
      env(undefined, 200),
    );
    expect(Date.now() - started).to.be.below(2000);
    expect(order).to.deep.equal(["early"]);
    expect(
      result.output.some((l) =>
        l.endsWith(
          'the check did not return within "body-after-stop" (200ms) after it was stopped; cleaning up without it',
        ),
      ),
    ).to.equal(true);
  });
});
