import { type KubeConfig, VersionApi } from "@kubernetes/client-node";
import { translateError } from "../suites/framework/api-errors.ts";
import { withTimeout } from "../suites/framework/timeouts.ts";

export type Probe = { ok: true; gitVersion: string } | { ok: false; unreachable: boolean; reason: string };

export const PROBE_TIMEOUT = { name: "api-server-probe", ms: 15_000 };

/**
 * Asks the API server for its version before the run. A network error or rejected credentials mean no
 * check can decide anything (`unreachable`); other errors (e.g. /version forbidden) leave it to the checks.
 */
export async function probeCluster(kubeConfig: KubeConfig, signal?: AbortSignal): Promise<Probe> {
  try {
    const info = await withTimeout(PROBE_TIMEOUT, signal, "asking the API server for its version", () =>
      kubeConfig.makeApiClient(VersionApi).getCode(),
    );
    return { ok: true, gitVersion: info.gitVersion };
  } catch (err) {
    const t = translateError(err);
    const answered = t.reason.startsWith("API error") || t.reason.startsWith("forbidden");
    return { ok: false, unreachable: !answered, reason: t.reason.replace(/^the check crashed: /, "") };
  }
}
