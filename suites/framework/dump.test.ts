import { expect } from "chai";
import { dumpNamespace } from "./dump.ts";
import { harness } from "./testdata/harness.ts";

describe("framework: failure dumps (fake API server)", () => {
  it("dumpNamespace lists the namespace's pods with their state and its events oldest first", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces", { metadata: { name: "ns" } });
      h.store.put("/api/v1/namespaces/ns/pods", {
        metadata: { name: "writer" },
        spec: { nodeName: "node-b" },
        status: {
          phase: "Pending",
          conditions: [{ type: "PodScheduled", status: "True" }],
          containerStatuses: [
            { name: "main", restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } },
          ],
        },
      });
      const event = (name: string, at: string, reason: string, message: string) => ({
        metadata: { name },
        involvedObject: { kind: "Pod", name: "writer" },
        lastTimestamp: at,
        type: "Warning",
        reason,
        message,
      });
      h.store.put(
        "/api/v1/namespaces/ns/events",
        event("e2", "2026-12-01T10:00:05Z", "Failed", "pull failed"),
      );
      h.store.put(
        "/api/v1/namespaces/ns/events",
        event("e1", "2026-12-01T10:00:01Z", "Scheduled", "assigned"),
      );
      const text = await dumpNamespace(h.ctx, "ns");
      expect(text.split("\n")).to.deep.equal([
        "pods in ns:",
        "  writer phase=Pending node=node-b PodScheduled=True main:waiting(ImagePullBackOff),restarts=0",
        "events in ns:",
        "  2026-12-01T10:00:01.000Z Warning Scheduled Pod/writer: assigned",
        "  2026-12-01T10:00:05.000Z Warning Failed Pod/writer: pull failed",
      ]);
    } finally {
      await h.close();
    }
  });
});
