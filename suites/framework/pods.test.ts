import { expect } from "chai";
import { MANAGED_BY_LABEL, RUN_ID_LABEL } from "./labels.ts";
import { createPod, restrictedPod } from "./pods.ts";
import { harness } from "./testdata/harness.ts";

describe("framework: pods (fake API server)", () => {
  it("createPod adds the suite's labels, keeps the caller's, and registers a deletion that tolerates 404", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces", { metadata: { name: "ns" } });
      const created = await createPod(
        h.ctx,
        "ns",
        restrictedPod({ name: "p", image: "img", labels: { app: "writer" } }),
      );
      expect(created.metadata?.name).to.equal("p");
      expect(h.store.get("/api/v1/namespaces/ns/pods", "p")?.metadata?.labels).to.include({
        app: "writer",
        [MANAGED_BY_LABEL]: "scs-kaas",
        [RUN_ID_LABEL]: "run1",
      });
      expect(h.record.cleanups.map((c) => c.name)).to.deep.equal(["delete pod ns/p"]);
      expect(await h.cleanup()).to.deep.equal([]);
      expect(h.store.get("/api/v1/namespaces/ns/pods", "p")).to.equal(undefined);
      expect(h.api.requests).to.include("DELETE /api/v1/namespaces/ns/pods/p?gracePeriodSeconds=0");
      // the pod is gone now: a second deletion (the namespace's cleanup racing) must not report a leftover
      expect(await h.cleanup()).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });
});
