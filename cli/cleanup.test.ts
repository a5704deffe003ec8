import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type FakeApiServer, startFakeApiServer } from "../runner/testdata/fake-api-server.ts";
import { FakeStore } from "../runner/testdata/fake-store.ts";
import { type CliRun, spawnCli } from "./testdata/spawn-cli.ts";

function cli(args: string[], home: string): Promise<CliRun> {
  return spawnCli(args, { cwd: home, env: { PATH: process.env.PATH, HOME: home } }).done;
}

describe("scs-kaas cleanup (child process, fake API server)", function () {
  // each case starts the CLI once (seconds on a loaded machine); the cases share one fake cluster, in order
  this.timeout(120_000);
  const store = new FakeStore();
  let api: FakeApiServer;
  let home: string;
  let kubeconfig: string;

  before(async () => {
    api = await startFakeApiServer([store.route]);
    home = mkdtempSync(join(tmpdir(), "scs-cleanup-"));
    kubeconfig = join(home, "kubeconfig");
    writeFileSync(kubeconfig, api.kubeconfig);
    const labels = (runId: string) => ({
      "app.kubernetes.io/managed-by": "scs-kaas",
      "scs-kaas.scs.community/run-id": runId,
    });
    store.put("/api/v1/namespaces", { metadata: { name: "scs-kaas-a", labels: labels("r1") } });
    store.put("/api/v1/namespaces", { metadata: { name: "scs-kaas-b", labels: labels("r2") } });
    store.put("/api/v1/namespaces/scs-kaas-b/services", {
      metadata: { name: "lb", finalizers: ["service.kubernetes.io/load-balancer-cleanup"] },
      spec: { type: "LoadBalancer" },
    });
  });
  after(async () => {
    store.stop();
    await api.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("--dry-run lists every run's namespaces and deletes nothing (exit 0)", async () => {
    const dry = await cli(["cleanup", "--kubeconfig", kubeconfig, "--dry-run"], home);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.contain("would delete namespace scs-kaas-a (run r1");
    expect(dry.stdout).to.contain("would delete namespace scs-kaas-b (run r2");
    expect(api.requests.filter((r) => r.startsWith("DELETE"))).to.deep.equal([]);
  });

  it("--run-id deletes that run's namespaces only and waits until they are gone (exit 0)", async () => {
    const one = await cli(["cleanup", "--kubeconfig", kubeconfig, "--run-id", "r1"], home);
    expect(one.code, one.stderr).to.equal(0);
    expect(one.stdout).to.contain("gone: namespace scs-kaas-a");
    expect(store.get("/api/v1/namespaces", "scs-kaas-a")).to.equal(undefined);
    expect(store.get("/api/v1/namespaces", "scs-kaas-b")?.metadata?.deletionTimestamp).to.equal(undefined);
  });

  it("a namespace that stays: exit 1 naming what holds it", async () => {
    const stuck = await cli(["cleanup", "--kubeconfig", kubeconfig, "--timeout", "1s"], home);
    expect(stuck.code).to.equal(1);
    expect(stuck.stdout).to.contain(
      "NOT GONE: namespace scs-kaas-b: namespace scs-kaas-b phase Terminating; service/lb (type LoadBalancer, finalizers service.kubernetes.io/load-balancer-cleanup)",
    );
    expect(stuck.stderr).to.contain("1 namespace(s) not gone: scs-kaas-b");
  });

  it("a malformed run id: exit 2", async () => {
    const bad = await cli(["cleanup", "--kubeconfig", kubeconfig, "--run-id", "Not A Run"], home);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("--run-id Not A Run is not a run id");
  });
});
