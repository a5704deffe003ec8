import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { DEFAULT_TIMEOUTS, executeCheck } from "../../runner/run-check.ts";
import { type FakeApiServer, json, startFakeApiServer } from "../../runner/testdata/fake-api-server.ts";
import { versionPolicyCheck } from "./check.ts";

function env(server: FakeApiServer, referenceDate: string, options: Record<string, string> = {}) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeconfig);
  return {
    kubeConfig,
    runId: "test",
    referenceDate: new Date(`${referenceDate}T00:00:00Z`),
    options: { "release-data-live": "false", ...options },
    runSignal: new AbortController().signal,
    timeouts: DEFAULT_TIMEOUTS,
  };
}

const version = (gitVersion: string) =>
  startFakeApiServer([(_req, res, url) => url.pathname === "/version" && json(res, 200, { gitVersion })]);

describe("scs-0210-v2 version policy check against a stand-in API server", () => {
  let server: FakeApiServer | undefined;
  afterEach(() => server?.close());

  it("scs-0210-v2: reads /version and judges it against the given release data", async () => {
    server = await version("v1.30.2-eks-1234");
    const r = await executeCheck(versionPolicyCheck, env(server, "2026-11-21"));
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.30 reached end of life on 2025-07-15/);
    expect(r.details.join("\n")).to.match(/release data: bundled snapshot, collected 2026-11-21/);
  });

  it("scs-0210-v2: judges as of the run's reference date: a stale snapshot aborts instead of passing", async () => {
    server = await version("v1.37.2");
    const r = await executeCheck(versionPolicyCheck, env(server, "2027-01-15"));
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(
      /release data is from 2026-11-21, 55 days before the reference date 2027-01-15/,
    );
  });

  it("scs-0210-v2: the reference date comes from the run alone, never from a check option", async () => {
    server = await version("v1.37.2");
    const r = await executeCheck(
      versionPolicyCheck,
      env(server, "2026-11-21", { "reference-date": "2027-01-15" }),
    );
    expect(r.output.join("\n")).to.contain("(reference date 2026-11-21)");
    expect(r.reason).not.to.match(/2027-01-15/);
  });
});
