import { CoreV1Api, type V1Namespace } from "@kubernetes/client-node";
import { apiStatusOf, isNotFound, translateError } from "./api-errors.ts";
import type { CheckContext, Timeout } from "./check.ts";
import { dumpNamespace } from "./dump.ts";
import { labelValue, suiteLabels } from "./labels.ts";
import { scaledTimeout, withTimeout } from "./timeouts.ts";
import { waitForAbsent } from "./wait.ts";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * Creates a namespace for this check, labelled with the run id, enforcing Pod Security `restricted`
 * unless the check needs less. Its deletion and a dump of its state (dump.ts, on failure) are
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
  ctx.defer(`delete namespace ${name}`, (signal) =>
    deleteNamespaceAndWait(ctx, name, { timeout: scaledTimeout(ctx, "namespace-gone"), signal }),
  );
  ctx.onFailureDump(`namespace ${name}`, (signal) => dumpNamespace(ctx, name, signal));
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

/**
 * For a namespace deletion: a 404, or the 409 some API server versions answer for a namespace already
 * terminating ("the system is ensuring all content is removed"); either way there is nothing to delete.
 */
export function isNotFoundOrGone(err: unknown): boolean {
  const status = apiStatusOf(err);
  return status === 404 || status === 409;
}

/** A namespace that did not go away in time; `leftovers` says what holds it. */
export class NamespaceNotGone extends Error {
  override readonly name = "NamespaceNotGone";
  readonly namespace: string;
  readonly leftovers: string[];
  constructor(namespace: string, why: string, leftovers: string[], options?: ErrorOptions) {
    super(
      `namespace ${namespace} is not gone (${why}); left: ${leftovers.join("; ") || "nothing listed"}`,
      options,
    );
    this.namespace = namespace;
    this.leftovers = leftovers;
  }
}

/** How long listing the leftovers may take once the wait gave up. */
const LEFTOVER_LISTING: Timeout = { name: "list-leftovers", ms: 5_000 };

/**
 * Deletes the namespace and waits until it is gone (bounded by `timeout` and `signal`): a namespace
 * whose deletion returned is not gone yet; finalizers (LoadBalancer Services, PVCs and their volumes)
 * can keep it for minutes or for ever. When the wait ends first, rejects with NamespaceNotGone listing
 * what is left. A namespace already gone counts as deleted.
 */
export async function deleteNamespaceAndWait(
  ctx: CheckContext,
  name: string,
  opts: { timeout: Timeout; signal?: AbortSignal },
): Promise<void> {
  const core = ctx.api(CoreV1Api);
  const waitCtx: CheckContext = { ...ctx, signal: opts.signal ?? new AbortController().signal };
  const fieldSelector = `metadata.name=${name}`;
  try {
    await core.deleteNamespace({ name }).catch((e: unknown) => {
      if (!isNotFoundOrGone(e)) throw e;
    });
    await waitForAbsent<V1Namespace>(waitCtx, {
      what: `namespace ${name} to be gone`,
      path: "/api/v1/namespaces",
      list: () => core.listNamespace({ fieldSelector }),
      fieldSelector,
      timeout: opts.timeout,
    });
  } catch (err) {
    const leftovers = await withTimeout(LEFTOVER_LISTING, undefined, `listing what is left in ${name}`, () =>
      namespaceLeftovers(ctx, name),
    ).catch((e: unknown) => [`(could not list what is left: ${translateError(e).reason})`]);
    throw new NamespaceNotGone(name, translateError(err).reason, leftovers, { cause: err });
  }
}

/**
 * What is left of a namespace and holds it: its own state and conditions, objects in it (with their
 * finalizers; LoadBalancer Services), and PersistentVolumes still claimed from it. Lists that fail are
 * reported as such, never thrown.
 */
export async function namespaceLeftovers(ctx: CheckContext, namespace: string): Promise<string[]> {
  const core = ctx.api(CoreV1Api);
  const out: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (!isNotFound(err)) out.push(`(could not list ${what}: ${translateError(err).reason})`);
    }
  };
  await attempt("the namespace", async () => {
    const ns = await core.readNamespace({ name: namespace });
    const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === "True");
    out.push(
      `namespace ${namespace} phase ${ns.status?.phase ?? "?"}${conditions.map((c) => `, ${c.type}: ${c.message ?? c.reason ?? ""}`).join("")}`,
    );
  });
  const finalizers = (f: string[] | undefined) => (f?.length ? `, finalizers ${f.join(" ")}` : "");
  await attempt("pods", async () => {
    for (const p of (await core.listNamespacedPod({ namespace })).items) {
      out.push(
        `pod/${p.metadata?.name} (phase ${p.status?.phase ?? "?"}${finalizers(p.metadata?.finalizers)})`,
      );
    }
  });
  await attempt("persistentvolumeclaims", async () => {
    for (const c of (await core.listNamespacedPersistentVolumeClaim({ namespace })).items) {
      out.push(
        `persistentvolumeclaim/${c.metadata?.name} (phase ${c.status?.phase ?? "?"}${finalizers(c.metadata?.finalizers)})`,
      );
    }
  });
  await attempt("services", async () => {
    for (const svc of (await core.listNamespacedService({ namespace })).items) {
      out.push(
        `service/${svc.metadata?.name} (type ${svc.spec?.type ?? "?"}${finalizers(svc.metadata?.finalizers)})`,
      );
    }
  });
  await attempt("persistentvolumes", async () => {
    for (const pv of (await core.listPersistentVolume()).items) {
      if (pv.spec?.claimRef?.namespace !== namespace) continue;
      out.push(
        `persistentvolume/${pv.metadata?.name} (claim ${namespace}/${pv.spec.claimRef.name}, phase ${pv.status?.phase ?? "?"}, reclaim ${pv.spec.persistentVolumeReclaimPolicy ?? "?"}${finalizers(pv.metadata?.finalizers)})`,
      );
    }
  });
  return out;
}
