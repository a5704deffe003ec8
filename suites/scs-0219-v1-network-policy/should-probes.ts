import { CustomObjectsApi, NetworkingV1Api } from "@kubernetes/client-node";
import { translateError } from "../framework/api-errors.ts";
import type { CheckContext } from "../framework/check.ts";
import { RUN_ID_LABEL, suiteLabels } from "../framework/labels.ts";
import { deleteIgnoringNotFound } from "../framework/namespace.ts";
import { scaledTimeout, sleep } from "../framework/timeouts.ts";
import {
  ADMIN_DENY_PACING,
  type AdminDenyProbePacing,
  adminDenyCells,
  adminDenyPolicy,
  assertRunScoped,
  chooseAdminPolicyApi,
  judgeAdminDeny,
  POLICY_API_GROUP,
  probeAdminDeny,
} from "./cluster-policy.ts";
import { defaultIngressClass, ingressAddress, judgeIngress, probeIngress } from "./ingress-probe.ts";
import type { Cell, Matrix } from "./matrix.ts";
import type { NetworkingFacts, Overview } from "./shoulds.ts";

/**
 * The I/O of the SHOULD probes (cluster-scoped policy enforced, Ingress controller answering). A SHOULD
 * never changes the verdict: every failure here (forbidden, API error, probe error) becomes a warning that
 * says what could not be done; only the check's own stop (timeout, SIGTERM) is passed on.
 */
function asWarning(ctx: CheckContext, what: string, err: unknown): Overview {
  if (ctx.signal.aborted) throw err;
  return {
    details: [],
    warnings: [`scs-0219-v1 SHOULD not probed: could not ${what}: ${translateError(err).reason}`],
  };
}

/** Where the check's namespaces are: the run-scoped selector of one logical namespace. */
export type NamespaceSelectorOf = (logical: "x" | "y") => { matchLabels: Record<string, string> };

export async function probeClusterPolicy(
  ctx: CheckContext,
  facts: NetworkingFacts,
  nsSelector: NamespaceSelectorOf,
  probe: (cells: readonly Cell[], timeoutMs: number) => Promise<Matrix>,
  baseline: Matrix,
  pacing: AdminDenyProbePacing = ADMIN_DENY_PACING,
): Promise<Overview> {
  const api = chooseAdminPolicyApi(facts.resources);
  if (!api) {
    const served = facts.resources
      .filter((r) => r.group === POLICY_API_GROUP)
      .map((r) => `${r.kind} ${r.version}`);
    return {
      details: served.length
        ? [
            `cluster-scoped policy enforcement not probed: no kind this check writes is served (${served.join(", ")})`,
          ]
        : [],
      warnings: [],
    };
  }
  const name = `scs-kaas-${ctx.runId}-deny-y-to-x`;
  const subject = nsSelector("x");
  const from = nsSelector("y");
  assertRunScoped(subject, RUN_ID_LABEL, ctx.runId);
  assertRunScoped(from, RUN_ID_LABEL, ctx.runId);
  const body = adminDenyPolicy(api, { name, labels: suiteLabels(ctx.runId, ctx.checkId), subject, from });
  const custom = ctx.api(CustomObjectsApi);
  const ref = { group: POLICY_API_GROUP, version: api.version, plural: api.plural };
  const remove = () => deleteIgnoringNotFound(() => custom.deleteClusterCustomObject({ ...ref, name }));
  try {
    await custom.createClusterCustomObject({ ...ref, body });
  } catch (err) {
    return asWarning(ctx, `create ${api.kind} ${name}`, err);
  }
  ctx.defer(`delete ${api.kind} ${name}`, remove);
  ctx.log(`created ${api.kind} ${name} (${POLICY_API_GROUP}/${api.version}, tier Admin, Deny y → x)`);
  const started = Date.now();
  const cells = adminDenyCells();
  let judged: Overview;
  try {
    const r = await probeAdminDeny(probe, (ms) => sleep(ms, ctx.signal), cells, baseline, pacing);
    ctx.log(`${api.kind} probe: ${r.probes} probes in ${r.rounds} round(s), ${Date.now() - started} ms`);
    judged = judgeAdminDeny({ api, policy: name, ...cells, baseline, observed: r.observed });
  } catch (err) {
    judged = asWarning(ctx, `probe ${api.kind} ${name}`, err);
  }
  try {
    await remove();
    ctx.log(`deleted ${api.kind} ${name}`);
  } catch (err) {
    judged.warnings.push(...asWarning(ctx, `delete ${api.kind} ${name}`, err).warnings);
  }
  return {
    details: [
      ...judged.details,
      `cluster-scoped policy probe took ${((Date.now() - started) / 1000).toFixed(1)} s`,
    ],
    warnings: judged.warnings,
  };
}

export interface PendingIngressProbe {
  /** Waits out the rest of the timeout for an address, deletes the Ingress, judges. */
  finish(): Promise<Overview>;
}

/**
 * Creates the Ingress of the default class now, so that the wait for a controller runs alongside the
 * NetworkPolicy cases; finish() collects the answer. Undefined when there is no default class (the
 * overview warns about that).
 */
export async function startIngressProbe(
  ctx: CheckContext,
  facts: NetworkingFacts,
  namespace: string,
  service: { name: string; port: number },
): Promise<PendingIngressProbe | undefined> {
  const cls = defaultIngressClass(facts.ingressClasses);
  if (!cls) return undefined;
  const net = ctx.api(NetworkingV1Api);
  const name = "scs-kaas-ingress-probe";
  const timeout = scaledTimeout(ctx, "ingress-address");
  const body = probeIngress({
    name,
    className: cls.name,
    service: service.name,
    port: service.port,
    labels: suiteLabels(ctx.runId, ctx.checkId),
  });
  const remove = () => deleteIgnoringNotFound(() => net.deleteNamespacedIngress({ namespace, name }));
  try {
    await net.createNamespacedIngress({ namespace, body });
  } catch (err) {
    const w = asWarning(ctx, `create Ingress ${namespace}/${name}`, err);
    return { finish: async () => w };
  }
  ctx.defer(`delete Ingress ${namespace}/${name}`, remove);
  const created = Date.now();
  ctx.log(
    `created Ingress ${namespace}/${name} of class ${cls.name}; waiting up to ${timeout.ms} ms for an address`,
  );
  return {
    async finish() {
      let address: string | undefined;
      let judged: Overview;
      try {
        for (;;) {
          address = ingressAddress(await net.readNamespacedIngress({ namespace, name }));
          if (address || Date.now() - created >= timeout.ms) break;
          await sleep(Math.min(2000, timeout.ms - (Date.now() - created)), ctx.signal);
        }
        judged = judgeIngress({ cls, address, waitedMs: Date.now() - created, timeoutMs: timeout.ms });
      } catch (err) {
        judged = asWarning(ctx, `read Ingress ${namespace}/${name}`, err);
      }
      try {
        await remove();
        ctx.log(`deleted Ingress ${namespace}/${name}`);
      } catch (err) {
        judged.warnings.push(...asWarning(ctx, `delete Ingress ${namespace}/${name}`, err).warnings);
      }
      return judged;
    },
  };
}
