import { CoreV1Api } from "@kubernetes/client-node";
import { isNotFound } from "./api-errors.ts";
import type { CheckContext } from "./check.ts";
import { dumpNamespace } from "./dump.ts";
import { labelValue, suiteLabels } from "./labels.ts";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * Creates a namespace for this check, labelled with the run id, enforcing Pod Security `restricted`
 * unless the check needs less. Its deletion and a dump of its events and pods (on failure) are
 * registered right away, so both happen whatever the verdict.
 */
export async function createTestNamespace(
  ctx: CheckContext,
  opts: { podSecurity?: PodSecurityLevel; labels?: Record<string, string> } = {},
): Promise<string> {
  const core = ctx.api(CoreV1Api);
  const level = opts.podSecurity ?? "restricted";
  const created = await core.createNamespace({
    body: {
      metadata: {
        generateName: `scs-kaas-${labelValue(ctx.checkId.split("/").pop() ?? "check")
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, "-")
          .slice(0, 30)}-`,
        labels: {
          ...opts.labels,
          ...suiteLabels(ctx.runId, ctx.checkId),
          "pod-security.kubernetes.io/enforce": level,
          "pod-security.kubernetes.io/warn": level,
        },
      },
    },
  });
  const name = created.metadata?.name;
  if (!name) throw new Error("the API server returned a namespace without a name");
  ctx.log(`created namespace ${name} (pod security: ${level})`);
  ctx.defer(`delete namespace ${name}`, () => deleteIgnoringNotFound(() => core.deleteNamespace({ name })));
  ctx.onFailureDump(`namespace ${name}`, () => dumpNamespace(ctx, name));
  return name;
}

/** Runs a delete; an object that is already gone counts as deleted. */
export async function deleteIgnoringNotFound(del: () => Promise<unknown>): Promise<void> {
  try {
    await del();
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
}
