import type { V1PersistentVolume, V1StorageClass } from "@kubernetes/client-node";
import { expect } from "chai";
import { parse } from "yaml";
import { chooseDefaultClass, judgeLocality } from "./evaluate.ts";

// PV shapes as the provisioners write them (fields trimmed to what the judgement reads plus typical extras).
const LOCAL_PATH_NODE_LOCAL = parse(`
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pvc-6f0e8b0c
  annotations: { local.path.provisioner/selected-node: worker-b, pv.kubernetes.io/provisioned-by: rancher.io/local-path }
spec:
  accessModes: [ReadWriteOnce]
  capacity: { storage: 1Gi }
  hostPath: { path: /var/lib/scs-kaas-lab/nodes/worker-b/local-path/pvc-6f0e8b0c_ns_scs-data, type: DirectoryOrCreate }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [worker-b] }]
  persistentVolumeReclaimPolicy: Delete
  storageClassName: local-path
  volumeMode: Filesystem
`) as V1PersistentVolume;

const LOCAL_PATH_SHARED = parse(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: pvc-11aa, annotations: { pv.kubernetes.io/provisioned-by: rancher.io/local-path } }
spec:
  accessModes: [ReadWriteOnce]
  capacity: { storage: 1Gi }
  hostPath: { path: /var/lib/scs-kaas-lab/shared-storage/pvc-11aa_ns_scs-data, type: DirectoryOrCreate }
  persistentVolumeReclaimPolicy: Delete
  storageClassName: local-path
`) as V1PersistentVolume;

const CINDER_ZONAL = parse(`
apiVersion: v1
kind: PersistentVolume
metadata: { name: pvc-c1nd3r, annotations: { pv.kubernetes.io/provisioned-by: cinder.csi.openstack.org } }
spec:
  accessModes: [ReadWriteOnce]
  capacity: { storage: 1Gi }
  csi: { driver: cinder.csi.openstack.org, volumeHandle: 3e6a6c1f-1c4e-4a52-9d1c-6d4b1f2e0a11, fsType: ext4 }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: topology.cinder.csi.openstack.org/zone, operator: In, values: [nova] }]
  storageClassName: csi-cinder-sc-delete
`) as V1PersistentVolume;

const STANDARD_ZONE = parse(`
metadata: { name: pvc-zone }
spec:
  csi: { driver: ebs.csi.aws.com, volumeHandle: vol-0abc }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: topology.kubernetes.io/zone, operator: In, values: [eu-central-1a] }]
`) as V1PersistentVolume;

const LOCAL_STATIC = parse(`
metadata: { name: local-pv-1 }
spec:
  local: { path: /mnt/disks/ssd1 }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [node-7] }]
  storageClassName: local-storage
`) as V1PersistentVolume;

const TOPOLVM_BY_NAME = parse(`
metadata: { name: pvc-lvm }
spec:
  csi: { driver: topolvm.io, volumeHandle: abc }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchFields: [{ key: metadata.name, operator: In, values: [worker-1] }]
`) as V1PersistentVolume;

const EITHER_HOST_OR_ZONE = parse(`
metadata: { name: pvc-mixed }
spec:
  csi: { driver: x.example, volumeHandle: h }
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{ key: kubernetes.io/hostname, operator: In, values: [worker-1] }]
        - matchExpressions: [{ key: topology.kubernetes.io/zone, operator: In, values: [zone-b] }]
`) as V1PersistentVolume;

function sc(
  name: string,
  provisioner: string,
  isDefault?: "true" | "false" | "beta",
  created = "2026-11-01T00:00:00Z",
): V1StorageClass {
  const annotations: Record<string, string> = {};
  if (isDefault === "beta") annotations["storageclass.beta.kubernetes.io/is-default-class"] = "true";
  else if (isDefault) annotations["storageclass.kubernetes.io/is-default-class"] = isDefault;
  return { metadata: { name, annotations, creationTimestamp: new Date(created) }, provisioner };
}

describe("scs-0211-v1 default storage class: evaluation", () => {
  describe("choosing the default class", () => {
    it("scs-0211-v1: exactly one default class is chosen, with its binding mode", () => {
      const r = chooseDefaultClass([
        sc("slow", "x", "false"),
        sc("local-path", "rancher.io/local-path", "true"),
      ]);
      expect(r.ok).to.equal(true);
      if (r.ok) expect(r.storageClass.metadata?.name).to.equal("local-path");
      expect(r.details.join("\n")).to.match(/volumeBindingMode Immediate/);
    });
    it("scs-0211-v1: the beta annotation still makes a class the default", () => {
      const r = chooseDefaultClass([sc("old", "kubernetes.io/cinder", "beta")]);
      expect(r.ok).to.equal(true);
    });
    it("scs-0211-v1: no default class fails (the annotation set to false does not count)", () => {
      const r = chooseDefaultClass([sc("a", "x", "false"), sc("b", "y")]);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.match(/no default StorageClass: none of the 2 classes/);
    });
    it("scs-0211-v1: no class at all fails", () => {
      const r = chooseDefaultClass([]);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.match(/no default StorageClass/);
    });
    it("scs-0211-v1: two default classes fail naming both", () => {
      const r = chooseDefaultClass([
        sc("csi-cinder", "cinder.csi.openstack.org", "true", "2026-01-01T00:00:00Z"),
        sc("local-path", "rancher.io/local-path", "true", "2026-02-01T00:00:00Z"),
      ]);
      expect(r.ok).to.equal(false);
      if (!r.ok) {
        expect(r.reason).to.match(
          /2 default StorageClasses: csi-cinder \(cinder.csi.openstack.org.*local-path \(rancher.io\/local-path/,
        );
        expect(r.reason).to.match(/accident of creation time/);
      }
    });
  });

  describe("node-locality of the bound volume", () => {
    it("scs-0211-v1: local-path node-local (hostPath + hostname affinity) is node-local, pinned to worker-b", () => {
      const l = judgeLocality(LOCAL_PATH_NODE_LOCAL);
      expect(l).to.include({ nodeLocal: true });
      expect(l.pinnedTo).to.deep.equal(["worker-b"]);
      expect(l.reason).to.match(/pinned by node affinity to node worker-b/);
    });
    it("scs-0211-v1: local-path on a shared filesystem (hostPath, no affinity) passes with a warning", () => {
      const l = judgeLocality(LOCAL_PATH_SHARED);
      expect(l.nodeLocal).to.equal(false);
      expect(l.warnings.join("\n")).to.match(/hostPath volume .* without node affinity: durable only if/);
    });
    it("scs-0211-v1: a Cinder CSI volume with zone affinity is not node-local", () => {
      const l = judgeLocality(CINDER_ZONAL);
      expect(l.nodeLocal).to.equal(false);
      expect(l.warnings).to.deep.equal([]);
      expect(l.reason).to.match(
        /csi \(driver cinder.csi.openstack.org.*node affinity on topology.cinder.csi.openstack.org\/zone/,
      );
    });
    it("scs-0211-v1: topology.kubernetes.io/zone affinity is named fine", () => {
      expect(judgeLocality(STANDARD_ZONE).reason).to.match(/zone\/region: fine/);
    });
    it("scs-0211-v1: a local PV is node-local", () => {
      const l = judgeLocality(LOCAL_STATIC);
      expect(l.nodeLocal).to.equal(true);
      expect(l.pinnedTo).to.deep.equal(["node-7"]);
    });
    it("scs-0211-v1: a CSI volume pinned by metadata.name (TopoLVM) is node-local", () => {
      expect(judgeLocality(TOPOLVM_BY_NAME)).to.include({ nodeLocal: true });
    });
    it("scs-0211-v1: a hostname term OR a zone term admits other nodes: not pinned", () => {
      expect(judgeLocality(EITHER_HOST_OR_ZONE).nodeLocal).to.equal(false);
    });
    it("scs-0211-v1: a local PV without affinity (invalid, but seen) is still node-local", () => {
      const pv: V1PersistentVolume = { metadata: { name: "l" }, spec: { local: { path: "/mnt" } } };
      expect(judgeLocality(pv)).to.include({ nodeLocal: true });
    });
  });
});
