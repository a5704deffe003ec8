import { type V1Pod, Watch } from "@kubernetes/client-node";
import { expect } from "chai";
import { translateError } from "./api-errors.ts";
import { harness } from "./testdata/harness.ts";
import {
  HopelessWait,
  waitForLoadBalancerIngress,
  waitForNodeGone,
  waitForNodeNotReady,
  waitForNodeReady,
  waitForPodReady,
  waitForPodRunning,
  waitForPvcBound,
} from "./wait.ts";

const PODS = "/api/v1/namespaces/ns/pods";
const T = { name: "pod-start", ms: 5000 };

function pod(status: V1Pod["status"], spec: Partial<NonNullable<V1Pod["spec"]>> = {}) {
  return { metadata: { name: "p" }, spec: { containers: [{ name: "main", image: "img" }], ...spec }, status };
}
const running = (ready: boolean, nodeName = "node-a") =>
  pod(
    {
      phase: "Running",
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [
        { name: "main", image: "img", imageID: "", ready, restartCount: 0, state: { running: {} } },
      ],
    },
    { nodeName },
  );
const later = (ms: number, fn: () => void) => setTimeout(fn, ms);

describe("framework: waits on watches (fake API server)", () => {
  it("waitForPodRunning / waitForPodReady return once the watched pod gets there, across watch restarts", async () => {
    const h = await harness({ watchHoldMs: 150 });
    try {
      h.store.put(PODS, pod({ phase: "Pending" }));
      later(400, () => h.store.put(PODS, running(false)));
      later(700, () => h.store.put(PODS, running(true)));
      const r = await waitForPodRunning(h.ctx, "ns", "p", T);
      expect(r.status?.phase).to.equal("Running");
      const ready = await waitForPodReady(h.ctx, "ns", "p", T, { onNode: "node-a" });
      expect(ready.status?.conditions?.[0]?.status).to.equal("True");
      expect(h.api.requests.filter((r) => r.includes("watch=true")).length).to.be.greaterThan(2);
    } finally {
      await h.close();
    }
  });

  it("an image that cannot be pulled ends the wait at once with an abort naming the image", async () => {
    const h = await harness();
    try {
      h.store.put(PODS, pod({ phase: "Pending" }));
      later(100, () =>
        h.store.put(
          PODS,
          pod({
            phase: "Pending",
            containerStatuses: [
              {
                name: "main",
                image: "scs-kaas:9.9.9",
                imageID: "",
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: "ErrImagePull", message: "not found" } },
              },
            ],
          }),
        ),
      );
      const started = Date.now();
      const err = await waitForPodRunning(h.ctx, "ns", "p", T).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(HopelessWait);
      expect(translateError(err)).to.include({
        verdict: "abort",
        reason:
          "pod ns/p to be Running: image pull failed: ErrImagePull (not found) for image scs-kaas:9.9.9 (container main)",
      });
      expect(Date.now() - started).to.be.below(2000);
    } finally {
      await h.close();
    }
  });

  it("a pod scheduled on the wrong node is hopeless; a pod that never gets there times out quoting its last state", async () => {
    const h = await harness();
    try {
      h.store.put(PODS, running(true, "node-b"));
      const wrong = await waitForPodRunning(h.ctx, "ns", "p", T, { notOnNode: "node-b" }).catch(
        (e: unknown) => e,
      );
      expect((wrong as HopelessWait).state).to.equal("scheduled on node node-b, which it had to avoid");
      h.store.put(
        PODS,
        pod({
          phase: "Pending",
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message: "0/3 nodes are available",
            },
          ],
        }),
      );
      const stuck = await waitForPodRunning(h.ctx, "ns", "p", { name: "pod-start", ms: 300 }).catch(
        (e: unknown) => e,
      );
      expect(translateError(stuck).reason).to.equal(
        'timeout "pod-start" (300ms) expired while waiting for pod ns/p to be Running; last state: phase Pending, not scheduled, PodScheduled=False(Unschedulable: 0/3 nodes are available)',
      );
    } finally {
      await h.close();
    }
  });

  it("waitForPvcBound, waitForLoadBalancerIngress", async () => {
    const h = await harness();
    try {
      const PVCS = "/api/v1/namespaces/ns/persistentvolumeclaims";
      h.store.put(PVCS, { metadata: { name: "data" }, spec: {}, status: { phase: "Pending" } });
      later(100, () =>
        h.store.put(PVCS, {
          metadata: { name: "data" },
          spec: { volumeName: "pv-1" },
          status: { phase: "Bound" },
        }),
      );
      expect((await waitForPvcBound(h.ctx, "ns", "data", T)).spec?.volumeName).to.equal("pv-1");

      const SVCS = "/api/v1/namespaces/ns/services";
      h.store.put(SVCS, { metadata: { name: "lb" }, spec: { type: "LoadBalancer" }, status: {} });
      later(100, () =>
        h.store.put(SVCS, {
          metadata: { name: "lb" },
          spec: { type: "LoadBalancer" },
          status: { loadBalancer: { ingress: [{ ip: "198.18.0.50" }] } },
        }),
      );
      expect((await waitForLoadBalancerIngress(h.ctx, "ns", "lb", T)).address).to.equal("198.18.0.50");
      h.store.put(SVCS, { metadata: { name: "cip" }, spec: { type: "ClusterIP" }, status: {} });
      const err = await waitForLoadBalancerIngress(h.ctx, "ns", "cip", T).catch((e: unknown) => e);
      expect((err as HopelessWait).state).to.equal("the Service is of type ClusterIP, not LoadBalancer");
    } finally {
      await h.close();
    }
  });

  it("waitForNodeNotReady, waitForNodeReady, waitForNodeGone", async () => {
    const h = await harness();
    try {
      const node = (status: string) => ({
        metadata: { name: "n1" },
        status: { conditions: [{ type: "Ready", status }] },
      });
      h.store.put("/api/v1/nodes", node("True"));
      h.store.put("/api/v1/nodes", {
        metadata: { name: "n2" },
        status: { conditions: [{ type: "Ready", status: "False" }] },
      });
      later(100, () => h.store.put("/api/v1/nodes", node("Unknown")));
      await waitForNodeNotReady(h.ctx, "n1", T);
      later(100, () => h.store.put("/api/v1/nodes", node("True")));
      await waitForNodeReady(h.ctx, "n1", T);
      later(100, () => h.store.remove("/api/v1/nodes", "n1"));
      await waitForNodeGone(h.ctx, "n1", T);
      expect(h.store.get("/api/v1/nodes", "n2")).to.not.equal(undefined);
      await waitForNodeGone(h.ctx, "n1", T); // already gone: returns at once
      const err = await waitForNodeGone(h.ctx, "n2", { name: "node-gone", ms: 300 }).catch((e: unknown) => e);
      expect(translateError(err).reason).to.equal(
        'timeout "node-gone" (300ms) expired while waiting for node n2 to be gone; last state: Ready=False',
      );
    } finally {
      await h.close();
    }
  });

  it("a quiet collection is no failure: client-node's inactivity TimeoutError resumes the watch (seen on the lab: waits gave up after 5 x 30 s)", async function () {
    this.timeout(40_000);
    // client-node aborts a watch that received nothing for requestTimeoutMs (30 s) with a TimeoutError;
    // shortened here so that 5 of them (the wait's failure limit) happen within seconds.
    const original = Watch.prototype.watch;
    Watch.prototype.watch = function (this: Watch, ...args: Parameters<Watch["watch"]>) {
      (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 150; // private in the typings
      return original.apply(this, args);
    };
    const h = await harness({ watchHoldMs: 60_000 });
    try {
      h.store.put("/api/v1/nodes", {
        metadata: { name: "n1" },
        status: { conditions: [{ type: "Ready", status: "False" }] },
      });
      // Without the fix the 5th consecutive timeout (after 1+2+4+5 s of back-off) ends the wait at ~13 s.
      later(14_000, () =>
        h.store.put("/api/v1/nodes", {
          metadata: { name: "n1" },
          status: { conditions: [{ type: "Ready", status: "True" }] },
        }),
      );
      const node = await waitForNodeReady(h.ctx, "n1", { name: "node-ready", ms: 30_000 });
      expect(node.metadata?.name).to.equal("n1");
    } finally {
      Watch.prototype.watch = original;
      await h.close();
    }
  });
});
