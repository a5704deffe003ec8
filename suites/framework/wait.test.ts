import { CoreV1Api, type V1Pod, Watch } from "@kubernetes/client-node";
import { expect } from "chai";
import { json, startFakeApiServer } from "../../runner/testdata/fake-api-server.ts";
import { translateError } from "./api-errors.ts";
import { contextFor, harness } from "./testdata/harness.ts";
import {
  HopelessWait,
  waitForLoadBalancerIngress,
  waitForNodeNotReady,
  waitForNodeReady,
  waitForPodReady,
  waitForPodRunning,
  waitForPvcBound,
  waitForWatch,
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

  it("waitForNodeNotReady, waitForNodeReady", async () => {
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
      const err = await waitForNodeReady(h.ctx, "n2", { name: "node-ready", ms: 300 }).catch(
        (e: unknown) => e,
      );
      expect(translateError(err).reason).to.equal(
        'timeout "node-ready" (300ms) expired while waiting for node n2 to be Ready; last state: Ready=False',
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

describe("framework: waiting", () => {
  it("waitForWatch resumes an ended watch from the last resourceVersion and relists on 410 Gone", async () => {
    const pod = (rv: string, phase: string) => ({
      metadata: { name: "p", namespace: "ns", resourceVersion: rv },
      status: { phase },
    });
    let watches = 0;
    const api = await startFakeApiServer([
      (_req, res, url) => {
        if (url.pathname !== "/api/v1/namespaces/ns/pods") return false;
        if (url.searchParams.get("watch") !== "true") {
          return json(res, 200, {
            kind: "PodList",
            metadata: { resourceVersion: watches ? "20" : "10" },
            items: [pod("10", "Pending")],
          });
        }
        watches++;
        res.writeHead(200, { "content-type": "application/json" });
        const rv = url.searchParams.get("resourceVersion");
        if (rv === "10") res.end(`${JSON.stringify({ type: "MODIFIED", object: pod("11", "Pending") })}\n`);
        else if (rv === "11")
          res.end(`${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410 } })}\n`);
        else res.end(`${JSON.stringify({ type: "MODIFIED", object: pod("21", "Running") })}\n`);
        return true;
      },
    ]);
    try {
      const ctx = contextFor(api);
      const core = ctx.api(CoreV1Api);
      const found = await waitForWatch<V1Pod>(ctx, {
        what: "pod p to run",
        path: "/api/v1/namespaces/ns/pods",
        list: () => core.listNamespacedPod({ namespace: "ns" }),
        timeout: { name: "pod-running", ms: 10_000 },
        until: (p) => p.status?.phase === "Running",
      });
      expect(found.metadata?.resourceVersion).to.equal("21");
      const watchRvs = api.requests
        .filter((r) => r.includes("watch=true"))
        .map((r) => new URL(r.split(" ")[1] ?? "", "http://x").searchParams.get("resourceVersion"));
      expect(watchRvs).to.deep.equal(["10", "11", "20"]);
    } finally {
      await api.close();
    }
  });
});
