import { CoreV1Api, StorageV1Api } from "@kubernetes/client-node";
import type { CheckContext, CheckDefinition } from "../framework/check.ts";
import { CheckFailed } from "../framework/errors.ts";
import { createTestNamespace } from "../framework/namespace.ts";
import { createPod } from "../framework/pods.ts";
import { RBAC } from "../framework/rbac.ts";
import { scaledTimeout } from "../framework/timeouts.ts";
import { waitForAbsent, waitForPodReady, waitForPvcBound } from "../framework/wait.ts";
import { chooseDefaultClass, judgeLocality } from "./evaluate.ts";
import { createClaim, holderPod, verifyData, writeData } from "./volume-workload.ts";

const SMOKE_BYTES = 1024 * 1024;

export const STORAGE_RBAC = [
  ...RBAC.testNamespace,
  ...RBAC.pods,
  ...RBAC.exec,
  ...RBAC.pvc,
  ...RBAC.volumesRead,
  { apiGroups: [""], resources: ["events"], verbs: ["list"] },
];

export const defaultStorageClassCheck: CheckDefinition = {
  id: "scs-0211-v1/default-storage-class",
  standard: "scs-0211-v1",
  testId: "default-storage-class-check",
  title:
    "exactly one default StorageClass; a ReadWriteOnce claim on it binds, is written and read back by restricted pods, and its volume is not node-local",
  labels: [],
  scope: "cluster",
  rbac: STORAGE_RBAC,
  timeout: { name: "default-storage-class", ms: 10 * 60_000 },
  async run(ctx) {
    const classes = (await ctx.api(StorageV1Api).listStorageClass()).items;
    const choice = chooseDefaultClass(classes);
    if (!choice.ok) throw new CheckFailed(choice.reason, choice.details);
    const details = [...choice.details];
    const className = choice.storageClass.metadata?.name ?? "";

    const namespace = await createTestNamespace(ctx);
    const claim = await createClaim(ctx, namespace);
    if (claim.spec?.storageClassName !== className) {
      throw new CheckFailed(
        `a claim without a class got class ${claim.spec?.storageClassName ?? "(none)"}, not the default ${className}: the DefaultStorageClass admission did not apply it`,
        details,
      );
    }
    const writer = await startHolder(ctx, namespace, "writer");
    const written = await writeData(ctx, namespace, writer, SMOKE_BYTES, `${ctx.runId}/smoke`);
    details.push(
      `pod ${writer} wrote ${written.bytes} bytes (sha256 ${written.sha256.slice(0, 16)}…) in ${written.ms} ms`,
    );
    const core = ctx.api(CoreV1Api);
    await core.deleteNamespacedPod({ name: writer, namespace, gracePeriodSeconds: 0 });
    await waitForAbsent(ctx, {
      what: `pod ${namespace}/${writer} to be gone`,
      path: `/api/v1/namespaces/${namespace}/pods`,
      list: () => core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${writer}` }),
      fieldSelector: `metadata.name=${writer}`,
      timeout: scaledTimeout(ctx, "pod-ready"),
    });
    const reader = await startHolder(ctx, namespace, "reader");
    const read = await verifyData(ctx, namespace, reader, SMOKE_BYTES);
    if (!read.exists || read.sha256 !== written.sha256) {
      throw new CheckFailed(
        `data written by one pod is not what the next pod reads on the same claim: ${read.exists ? `sha256 ${read.sha256} != ${written.sha256}` : "the file is missing"}`,
        details,
      );
    }
    details.push(`pod ${reader} read the same ${read.bytes} bytes back (sha256 equal)`);

    const bound = await waitForPvcBound(
      ctx,
      namespace,
      claim.metadata?.name ?? "",
      scaledTimeout(ctx, "pvc-bound"),
    );
    const pvName = bound.spec?.volumeName ?? "";
    const pv = await core.readPersistentVolume({ name: pvName });
    details.push(`claim bound to PV ${pvName}, access modes ${(pv.spec?.accessModes ?? []).join(",")}`);
    const locality = judgeLocality(pv);
    details.push(locality.reason);
    if (locality.nodeLocal) {
      throw new CheckFailed(
        `the default class ${className} (provisioner ${choice.storageClass.provisioner}) provisions node-local volumes: ${locality.reason}`,
        details,
      );
    }
    return {
      verdict: "pass",
      reason: `one default class ${className} (${choice.storageClass.provisioner}): a ReadWriteOnce claim bound, was written and read back across pods, and its volume is not pinned to a node`,
      details,
      warnings: locality.warnings,
    };
  },
};

/** Starts a holder pod on the claim and waits until it is Ready. */
async function startHolder(ctx: CheckContext, namespace: string, name: string): Promise<string> {
  await createPod(ctx, namespace, holderPod(ctx, name));
  // A pod that never starts (claim unbound, mount failing) ends in an abort quoting its last state.
  await waitForPodReady(ctx, namespace, name, scaledTimeout(ctx, "pod-ready"));
  return name;
}
