import { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { cleanupRuns, parseAge, sweepEarlierRuns } from "./sweep.ts";
import { startFakeApiServer } from "./testdata/fake-api-server.ts";
import { FakeStore } from "./testdata/fake-store.ts";

const NS = "/api/v1/namespaces";
const HOUR = 3600_000;

function suiteNs(name: string, runId: string, ageMs: number, now: Date) {
  return {
    metadata: {
      name,
      creationTimestamp: new Date(now.getTime() - ageMs).toISOString(),
      labels: { "app.kubernetes.io/managed-by": "scs-kaas", "scs-kaas.scs.community/run-id": runId },
    },
  };
}

async function cluster(opts: { namespaceDeletionMs?: number } = {}) {
  const store = new FakeStore(opts);
  const api = await startFakeApiServer([store.route]);
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig);
  const now = new Date();
  // older than 6 h, from another run: swept
  store.put(NS, suiteNs("scs-kaas-old-a", "run-old", 7 * HOUR, now));
  // young, maybe a run still going on elsewhere: kept
  store.put(NS, suiteNs("scs-kaas-young-b", "run-young", 1 * HOUR, now));
  // the current run's (however old): kept
  store.put(NS, suiteNs("scs-kaas-current-c", "run-now", 9 * HOUR, now));
  // someone else's, and the suite's own RBAC namespace (managed-by but no run id): never touched
  store.put(NS, {
    metadata: {
      name: "team-x",
      creationTimestamp: "2020-01-01T00:00:00Z",
      labels: { "app.kubernetes.io/managed-by": "helm" },
    },
  });
  store.put(NS, {
    metadata: {
      name: "scs-kaas",
      creationTimestamp: "2020-01-01T00:00:00Z",
      labels: { "app.kubernetes.io/managed-by": "scs-kaas" },
    },
  });
  return {
    store,
    kc,
    now,
    close: async () => {
      store.stop();
      await api.close();
    },
  };
}

describe("runner: sweeping what earlier runs left behind", () => {
  it("deletes only the suite's namespaces of other runs older than the limit; never others' or the RBAC namespace", async () => {
    const c = await cluster();
    try {
      const lines: string[] = [];
      const r = await sweepEarlierRuns(c.kc, {
        currentRunId: "run-now",
        olderThanMs: 6 * HOUR,
        now: c.now,
        log: (l) => lines.push(l),
      });
      expect(r).to.deep.equal({ deleted: ["scs-kaas-old-a"], failed: [] });
      expect(lines[0]).to.match(/^sweep: deleted namespace scs-kaas-old-a left by run run-old \(created /);
      const left = c.store
        .list(NS)
        .filter((n) => !n.metadata?.deletionTimestamp)
        .map((n) => n.metadata?.name);
      expect(left.sort()).to.deep.equal(["scs-kaas", "scs-kaas-current-c", "scs-kaas-young-b", "team-x"]);
    } finally {
      await c.close();
    }
  });

  it("parseAge reads 6h/90m/1d, off disables, nonsense throws", () => {
    expect(parseAge("6h")).to.equal(6 * HOUR);
    expect(parseAge("90m")).to.equal(90 * 60_000);
    expect(parseAge("1d")).to.equal(24 * HOUR);
    expect(parseAge("off")).to.equal(undefined);
    expect(() => parseAge("six hours")).to.throw(
      "sweep-older-than=six hours: expected a duration like 6h, 90m, 1d, or off",
    );
  });

  it("cleanupRuns deletes one run's namespaces and waits until they are gone; a dry run deletes nothing", async () => {
    const c = await cluster({ namespaceDeletionMs: 300 });
    try {
      const said: string[] = [];
      const dry = await cleanupRuns(c.kc, {
        runId: "run-young",
        dryRun: true,
        timeout: { name: "w", ms: 5000 },
        say: (l) => said.push(l),
      });
      expect(dry.removed).to.deep.equal(["scs-kaas-young-b"]);
      expect(said[0]).to.match(/^would delete namespace scs-kaas-young-b \(run run-young created /);
      expect(c.store.get(NS, "scs-kaas-young-b")?.metadata?.deletionTimestamp).to.equal(undefined);

      // Generous: the namespaces go in 300 ms, but a loaded machine (CI beside a lab) once took over 5 s.
      const all = await cleanupRuns(c.kc, {
        dryRun: false,
        timeout: { name: "w", ms: 60_000 },
        say: () => {},
      });
      expect(all.removed.sort()).to.deep.equal(["scs-kaas-current-c", "scs-kaas-old-a", "scs-kaas-young-b"]);
      expect(all.left).to.deep.equal([]);
      expect(
        c.store
          .list(NS)
          .map((n) => n.metadata?.name)
          .sort(),
      ).to.deep.equal(["scs-kaas", "team-x"]);
    } finally {
      await c.close();
    }
  });
});
