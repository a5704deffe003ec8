import type { CoreV1Event, V1Pod, V1VolumeAttachment } from "@kubernetes/client-node";
import { expect } from "chai";
import type { Locality } from "../scs-0211-v1-default-storage-class/evaluate.ts";
import {
  affinityEvidence,
  attachmentStuck,
  evaluateDurability,
  formatTimeline,
  multiAttachEvent,
  notRestored,
  recoverySeconds,
} from "./evaluate.ts";

const SHA = "a".repeat(64);
const written = { bytes: 64 * 1024 * 1024, sha256: SHA };
const T0 = Date.parse("2026-12-02T05:00:00Z");
const timeline = {
  written: T0 - 2000,
  "action-start": T0,
  "action-done": T0 + 18_500,
  rescheduled: T0 + 3_000,
  running: T0 + 9_000,
  verified: T0 + 11_000,
};

const pinnedToB: Locality = {
  nodeLocal: true,
  pinnedTo: ["worker-b"],
  reason: "volume pvc-1 (hostPath /x) is pinned by node affinity to node worker-b",
  warnings: [],
};
const zonal: Locality = { nodeLocal: false, pinnedTo: [], reason: "volume pvc-2: csi, zone", warnings: [] };

// The scheduler's condition as kube-scheduler 1.36 writes it for the lab's node-local claim during a drain.
const pendingPod: V1Pod = {
  metadata: { name: "scs-storage-7c9-x2" },
  status: {
    phase: "Pending",
    conditions: [
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message:
          "0/6 nodes are available: 1 node(s) were unschedulable, 2 node(s) had volume node affinity conflict, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.",
      },
    ],
  },
};

describe("scs-0211-v1 storage durability: evaluation", () => {
  it("scs-0211-v1: identical data after the move passes, with the timeline and the recovery time", () => {
    const r = evaluateDurability({
      action: "rolled",
      node: "worker-b",
      written,
      verified: { exists: true, bytes: written.bytes, sha256: SHA },
      newNode: "worker-c",
      timeline,
    });
    expect(r.verdict).to.equal("pass");
    expect(r.reason).to.match(/came back on node worker-c after node worker-b was rolled/);
    expect(r.details.join("\n")).to.match(
      /written -2.0 s, action-start \+0.0 s, action-done \+18.5 s, rescheduled \+3.0 s/,
    );
    expect(r.details.join("\n")).to.match(/recovery .*: 9.0 s/);
  });
  it("scs-0211-v1: a missing file is data lost", () => {
    const r = evaluateDurability({
      action: "rolled",
      node: "worker-b",
      written,
      verified: { exists: false, bytes: 0 },
      newNode: "worker-b",
      timeline,
    });
    expect(r).to.include({ verdict: "fail" });
    expect(r.reason).to.match(/^data lost after node worker-b was rolled: .* file written before is missing/);
  });
  it("scs-0211-v1: a different hash is data lost, naming both hashes", () => {
    const r = evaluateDurability({
      action: "killed",
      node: "worker-a",
      written,
      verified: { exists: true, bytes: written.bytes, sha256: "b".repeat(64) },
      timeline,
    });
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/data lost after node worker-a was killed: .*sha256 b{64}, not .*sha256 a{64}/);
  });
  it("scs-0211-v1: a truncated file with the same prefix hash is still data lost (size compared)", () => {
    const r = evaluateDurability({
      action: "killed",
      node: "worker-a",
      written,
      verified: { exists: true, bytes: 1, sha256: SHA },
      timeline,
    });
    expect(r.verdict).to.equal("fail");
  });
  it("scs-0211-v1: evidence that the volume cannot follow fails without a read", () => {
    const r = evaluateDurability({
      action: "killed",
      node: "worker-b",
      written,
      cannotFollow: "the volume cannot follow the workload off node worker-b: pinned",
      timeline,
    });
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/after node worker-b was killed, the volume cannot follow/);
  });
  it("scs-0211-v1: neither a read nor evidence is a bug in the check, not a verdict", () => {
    expect(() => evaluateDurability({ action: "killed", node: "n", written, timeline })).to.throw(
      /must not judge yet/,
    );
  });

  it("scs-0211-v1: kube-scheduler 1.36's wording (seen on the lab's node-local-storage) is evidence too", () => {
    const seen: V1Pod = {
      status: {
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message:
              "0/6 nodes are available: 2 node(s) didn't match PersistentVolume's node affinity, 4 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.",
          },
        ],
      },
    };
    expect(affinityEvidence(seen, pinnedToB, "worker-b")).to.match(
      /cannot follow the workload off node worker-b/,
    );
  });

  it("scs-0211-v1: 'volume node affinity conflict' is evidence only for a volume pinned to the node acted on", () => {
    expect(affinityEvidence(pendingPod, pinnedToB, "worker-b")).to.match(
      /cannot follow the workload off node worker-b: .*the scheduler says: 0\/6 nodes are available/,
    );
    expect(affinityEvidence(pendingPod, pinnedToB, "worker-a")).to.equal(undefined);
    // A zonal volume waits for a replacement node in its zone: no evidence by itself.
    expect(affinityEvidence(pendingPod, zonal, "worker-b")).to.equal(undefined);
    const otherReason: V1Pod = {
      status: {
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            message: "0/6 nodes are available: 6 Insufficient memory.",
          },
        ],
      },
    };
    expect(affinityEvidence(otherReason, pinnedToB, "worker-b")).to.equal(undefined);
  });

  it("scs-0211-v1: a Multi-Attach error event of the replacement pod is found", () => {
    const events: CoreV1Event[] = [
      { metadata: {}, involvedObject: { name: "scs-storage-1" }, reason: "Scheduled", message: "x" },
      {
        metadata: {},
        involvedObject: { name: "scs-storage-2" },
        reason: "FailedAttachVolume",
        message:
          'Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can\'t be attached to another',
      },
    ];
    expect(multiAttachEvent(events, "scs-storage-2")?.reason).to.equal("FailedAttachVolume");
    expect(multiAttachEvent(events, "scs-storage-1")).to.equal(undefined);
  });

  it("scs-0211-v1: a CSI attachment on the node declared gone is stuck only after the grace", () => {
    const vas: V1VolumeAttachment[] = [
      {
        metadata: { name: "csi-123" },
        spec: {
          attacher: "cinder.csi.openstack.org",
          nodeName: "worker-b",
          source: { persistentVolumeName: "pvc-1" },
        },
        status: { attached: true },
      },
    ];
    expect(attachmentStuck(vas, "pvc-1", "worker-b", undefined, T0, 120_000)).to.equal(undefined);
    expect(attachmentStuck(vas, "pvc-1", "worker-b", T0, T0 + 60_000, 120_000)).to.equal(undefined);
    expect(attachmentStuck(vas, "pvc-1", "worker-b", T0, T0 + 121_000, 120_000)).to.match(
      /volume pvc-1 is still attached to node worker-b \(VolumeAttachment csi-123, attached=true\) 121 s after/,
    );
    expect(attachmentStuck(vas, "pvc-1", "worker-a", T0, T0 + 121_000, 120_000)).to.equal(undefined);
  });

  it("scs-0211-v1: the cluster afterwards: count, Ready and leftover taints are reported", () => {
    const before = [
      { name: "a", ready: true, taints: [] },
      { name: "b", ready: true, taints: [] },
    ];
    expect(notRestored(before, before)).to.deep.equal([]);
    expect(
      notRestored(before, [
        { name: "a", ready: true, taints: [] },
        { name: "b", ready: false, taints: ["node.kubernetes.io/out-of-service"] },
        { name: "c", ready: true, taints: [] },
      ]),
    ).to.deep.equal([
      "3 nodes, 2 before",
      "not Ready: b",
      "node.kubernetes.io/out-of-service taint left on b",
    ]);
  });

  it("scs-0211-v1: the timeline is ordered by step and relative to the action", () => {
    expect(formatTimeline({ "action-start": 1000, written: 0 })).to.equal(
      "written -1.0 s, action-start +0.0 s",
    );
    expect(recoverySeconds({ "action-start": 1000 })).to.equal(undefined);
  });
});
