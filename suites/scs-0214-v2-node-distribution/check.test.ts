import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { DEFAULT_TIMEOUTS, executeCheck } from "../../runner/run-check.ts";
import {
  type FakeApiServer,
  forbidden,
  json,
  startFakeApiServer,
} from "../../runner/testdata/fake-api-server.ts";
import { nodeDistributionCheck } from "./check.ts";

function env(server: FakeApiServer) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(server.kubeconfig);
  return {
    kubeConfig,
    runId: "test",
    referenceDate: new Date("2026-11-21T12:00:00Z"),
    options: {},
    runSignal: new AbortController().signal,
    timeouts: DEFAULT_TIMEOUTS,
  };
}

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });
const zoned = (zone: string, cp = false) => ({
  "topology.kubernetes.io/zone": zone,
  "topology.kubernetes.io/region": "r1",
  ...(cp ? { "node-role.kubernetes.io/control-plane": "" } : {}),
});

describe("scs-0214-v2 node distribution check against a stand-in API server", () => {
  let server: FakeApiServer | undefined;
  afterEach(() => server?.close());

  it("scs-0214-v2: lists nodes and judges them", async () => {
    server = await startFakeApiServer([
      (_req, res, url) =>
        url.pathname === "/api/v1/nodes" &&
        json(res, 200, {
          kind: "NodeList",
          apiVersion: "v1",
          items: [node("cp-1", zoned("z1", true)), node("cp-2", zoned("z2", true)), node("w-1", {})],
        }),
    ]);
    const r = await executeCheck(nodeDistributionCheck, env(server));
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/w-1 \(no topology.kubernetes.io\/zone, no topology.kubernetes.io\/region\)/);
  });

  it("scs-0214-v2: a forbidden node list aborts and names `list nodes`", async () => {
    server = await startFakeApiServer([(_req, res) => forbidden(res, "list", "nodes")]);
    const r = await executeCheck(nodeDistributionCheck, env(server));
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(/cannot list nodes/);
  });
});
