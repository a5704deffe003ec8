import type { V1PersistentVolume, V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { CheckFailed } from "../framework/errors.ts";
import { harness } from "../framework/testdata/harness.ts";
import { judgeLocality } from "../scs-0211-v1-default-storage-class/evaluate.ts";
import { WORKLOAD_LABEL, WORKLOAD_NAME } from "../scs-0211-v1-default-storage-class/volume-workload.ts";
import { awaitMoved, type Prepared } from "./run.ts";

// awaitMoved against the fake API server: the lab has no CSI volumes, so the stuck-attachment path is shown here.
const NS = "/api/v1/namespaces/ns/pods";
const VA = "/apis/storage.k8s.io/v1/volumeattachments";
const labels = { [WORKLOAD_LABEL]: WORKLOAD_NAME };

function pod(name: string, uid: string, node: string | undefined, status: V1Pod["status"]): V1Pod {
  return {
    metadata: { name, uid, namespace: "ns", labels },
    spec: { containers: [{ name: "main", image: "x" }], ...(node ? { nodeName: node } : {}) },
    status,
  };
}
const ready: V1Pod["status"] = {
  phase: "Running",
  conditions: [{ type: "Ready", status: "True" }],
};

function prepared(pv: V1PersistentVolume, original: V1Pod): Prepared {
  return {
    namespace: "ns",
    node: { metadata: { name: "worker-b" } },
    nodeName: "worker-b",
    pod: original,
    pv,
    locality: judgeLocality(pv),
    written: { bytes: 1, seed: "s", sha256: "x", ms: 1 },
    nodesBefore: [],
    timeline: { "action-start": Date.now() },
    details: [],
  };
}

const csiPv: V1PersistentVolume = {
  metadata: { name: "pvc-1" },
  spec: { csi: { driver: "cinder.csi.openstack.org", volumeHandle: "h" } },
};
const pinnedPv: V1PersistentVolume = {
  metadata: { name: "pvc-2" },
  spec: {
    hostPath: { path: "/x" },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["worker-b"] }] },
        ],
      },
    },
  },
};

describe("scs-0211-v1 storage durability: watching the workload move (fake API server)", () => {
  it("scs-0211-v1: the replacement pod Ready off the node ends the wait, recording rescheduled and running", async () => {
    const h = await harness();
    try {
      const original = pod("old", "u1", "worker-b", ready);
      h.store.put(NS, original as never);
      const p = prepared(csiPv, original);
      const moved = awaitMoved(h.ctx, p, {
        offNode: true,
        timeout: { name: "t", ms: 10_000 },
        goneSince: () => undefined,
      });
      setTimeout(() => {
        h.store.put(VA, {
          metadata: { name: "csi-new" },
          spec: { nodeName: "worker-c", source: { persistentVolumeName: "pvc-1" } },
          status: { attached: true },
        });
        h.store.put(NS, pod("new", "u2", "worker-c", ready) as never);
      }, 300);
      const got = await moved;
      expect(got.metadata?.name).to.equal("new");
      expect(p.timeline.rescheduled).to.be.a("number");
      expect(p.timeline.running).to.be.a("number");
    } finally {
      await h.close();
    }
  });

  it("scs-0211-v1: a CSI volume still attached to the node declared gone fails before the budget", async () => {
    const h = await harness();
    try {
      const original = pod("old", "u1", "worker-b", ready);
      h.store.put(NS, original as never);
      h.store.put(VA, {
        metadata: { name: "csi-old" },
        spec: { nodeName: "worker-b", source: { persistentVolumeName: "pvc-1" } },
        status: { attached: true },
      });
      h.store.put(NS, pod("new", "u2", "worker-c", { phase: "Pending" }) as never);
      const gone = Date.now();
      const started = Date.now();
      const err = await awaitMoved(h.ctx, prepared(csiPv, original), {
        offNode: true,
        timeout: { name: "workload-moved-after-kill", ms: 15_000 },
        goneSince: () => gone,
        detachGraceMs: 1000,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(CheckFailed);
      expect((err as Error).message).to.match(
        /volume pvc-1 is still attached to node worker-b \(VolumeAttachment csi-old/,
      );
      expect(Date.now() - started).to.be.below(8000);
    } finally {
      await h.close();
    }
  });

  it("scs-0211-v1: a replacement pod unschedulable because its volume is pinned to the node fails at once", async () => {
    const h = await harness();
    try {
      const original = pod("old", "u1", "worker-b", ready);
      h.store.put(NS, original as never);
      const p = prepared(pinnedPv, original);
      const moved = awaitMoved(h.ctx, p, {
        offNode: true,
        timeout: { name: "t", ms: 15_000 },
        goneSince: () => undefined,
      });
      setTimeout(
        () =>
          h.store.put(
            NS,
            pod("new", "u2", undefined, {
              phase: "Pending",
              conditions: [
                {
                  type: "PodScheduled",
                  status: "False",
                  reason: "Unschedulable",
                  message:
                    "0/6 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had volume node affinity conflict.",
                },
              ],
            }) as never,
          ),
        300,
      );
      const err = await moved.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(CheckFailed);
      expect((err as Error).message).to.match(
        /cannot follow the workload off node worker-b: .*pinned by node affinity to node worker-b.*volume node affinity conflict/,
      );
    } finally {
      await h.close();
    }
  });
});
