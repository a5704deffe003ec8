import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { DEFAULT_TIMEOUTS, executeCheck } from "../../runner/run-check.ts";
import { versionPolicyCheck } from "../scs-0210-v2-version-policy/check.ts";
import { nodeDistributionCheck } from "./check.ts";

// A stand-in API server on loopback: only the two reads these checks make.
function fakeApi(handler: (path: string) => { status: number; body: unknown }): Promise<Server> {
  const server = createServer((req, res) => {
    const { status, body } = handler(req.url?.split("?")[0] ?? "");
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function kubeConfigFor(server: Server): KubeConfig {
  const kc = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

const env = (kubeConfig: KubeConfig, options: Record<string, string> = {}) => ({
  kubeConfig,
  runId: "test",
  referenceDate: new Date("2026-11-21T12:00:00Z"),
  options,
  runSignal: new AbortController().signal,
  timeouts: DEFAULT_TIMEOUTS,
});

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });
const zoned = (zone: string, cp = false) => ({
  "topology.kubernetes.io/zone": zone,
  "topology.kubernetes.io/region": "r1",
  ...(cp ? { "node-role.kubernetes.io/control-plane": "" } : {}),
});

describe("scs-0214-v2 / scs-0210-v2 checks against a stand-in API server", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("scs-0214-v2: lists nodes and judges them", async () => {
    server = await fakeApi((p) =>
      p === "/api/v1/nodes"
        ? {
            status: 200,
            body: {
              kind: "NodeList",
              apiVersion: "v1",
              items: [node("cp-1", zoned("z1", true)), node("cp-2", zoned("z2", true)), node("w-1", {})],
            },
          }
        : { status: 404, body: {} },
    );
    const r = await executeCheck(nodeDistributionCheck, env(kubeConfigFor(server)));
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/w-1 \(no topology.kubernetes.io\/zone, no topology.kubernetes.io\/region\)/);
  });

  it("scs-0214-v2: a forbidden node list aborts and names `list nodes`", async () => {
    server = await fakeApi(() => ({
      status: 403,
      body: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "Forbidden",
        code: 403,
        message:
          'nodes is forbidden: User "system:serviceaccount:scs:scs" cannot list resource "nodes" in API group "" at the cluster scope',
      },
    }));
    const r = await executeCheck(nodeDistributionCheck, env(kubeConfigFor(server)));
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(/cannot list nodes/);
  });

  it("scs-0210-v2: reads /version and judges it against the given release data", async () => {
    server = await fakeApi((p) =>
      p === "/version"
        ? {
            status: 200,
            body: { major: "1", minor: "30", gitVersion: "v1.30.2-eks-1234", platform: "linux/amd64" },
          }
        : { status: 404, body: {} },
    );
    const r = await executeCheck(
      versionPolicyCheck,
      env(kubeConfigFor(server), { "release-data-live": "false" }),
    );
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.30 reached end of life on 2025-07-15/);
    expect(r.details.join("\n")).to.match(/release data: bundled snapshot, collected 2026-11-21/);
  });

  it("scs-0210-v2: a stale snapshot aborts instead of passing", async () => {
    server = await fakeApi(() => ({ status: 200, body: { gitVersion: "v1.37.2" } }));
    const r = await executeCheck(
      versionPolicyCheck,
      env(kubeConfigFor(server), { "release-data-live": "false", "reference-date": "2027-01-15" }),
    );
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(
      /release data is from 2026-11-21, 55 days before the reference date 2027-01-15/,
    );
  });
});
