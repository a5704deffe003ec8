import { expect } from "chai";
import { harness } from "../framework/testdata/harness.ts";
import { durabilityNodeRollCheck, durabilityVmKillCheck, setOutOfServiceTaint } from "./check.ts";

const NODES = "/api/v1/nodes";

describe("scs-0211-v1 storage durability: checks (fake API server)", () => {
  it("scs-0211-v1: both checks are [Disruptive] [Slow], share the test id, and need a node action", () => {
    for (const c of [durabilityNodeRollCheck, durabilityVmKillCheck]) {
      expect(c.labels).to.deep.equal(["[Disruptive]", "[Slow]"]);
      expect(c.testId).to.equal("storage-durability-check");
      expect(c.preconditions?.length).to.equal(1);
    }
  });

  it("scs-0211-v1: without a node action configured the precondition says how to configure one", async () => {
    const h = await harness();
    try {
      const why = await durabilityVmKillCheck.preconditions?.[0]?.(h.ctx);
      expect(why).to.match(/no node action configured: set --option node-action=webhook/);
    } finally {
      await h.close();
    }
  });

  it("scs-0211-v1: the out-of-service taint is set and removed, keeping other taints, across a write conflict", async () => {
    // A concurrent writer (the node controller) changes the node right after the check's first read.
    let reads = 0;
    const h = await harness({
      routes: [
        (req, _res, url) => {
          if (req.method === "GET" && url.pathname === "/api/v1/nodes/worker-a" && ++reads === 1) {
            setImmediate(() => {
              const n = h.store.get(NODES, "worker-a");
              if (n) h.store.put(NODES, { ...n, status: { phase: "changed" } });
            });
          }
          return false;
        },
      ],
    });
    try {
      h.store.put(NODES, {
        metadata: { name: "worker-a" },
        spec: { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] },
      });
      await setOutOfServiceTaint(h.ctx, "worker-a", true);
      expect(h.api.requests.filter((r) => r.startsWith("PUT /api/v1/nodes/worker-a"))).to.have.length(2);
      const tainted = h.store.get(NODES, "worker-a") as {
        spec: { taints: { key: string; value?: string; effect: string }[] };
      };
      expect(tainted.spec.taints).to.deep.equal([
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
        { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" },
      ]);
      await setOutOfServiceTaint(h.ctx, "worker-a", false);
      const untainted = h.store.get(NODES, "worker-a") as { spec: { taints: { key: string }[] } };
      expect(untainted.spec.taints.map((t) => t.key)).to.deep.equal(["node.kubernetes.io/unreachable"]);
    } finally {
      await h.close();
    }
  });
});
