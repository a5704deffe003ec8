import { VersionApi } from "@kubernetes/client-node";
import type { CheckDefinition, CheckOutcome, RbacRule } from "../framework/check.ts";
import { toDay } from "./days.ts";
import { loadReleaseData } from "./load.ts";
import { evaluateClusterVersion, type Finding, type PolicyResult } from "./rules.ts";

/** One line per finding, as the CLI and the junit system-out show them. */
export function formatFinding(f: Finding): string {
  return `${f.severity.toUpperCase().padEnd(7)} ${f.rule}: ${f.version ? `${f.version}: ` : ""}${f.message}`;
}

const isDataGap = (note: string) => note.startsWith("data gap");

export function toOutcome(r: PolicyResult): CheckOutcome {
  return {
    verdict: r.verdict,
    reason: r.reason,
    details: [
      ...r.findings.filter((f) => f.severity !== "warning").map(formatFinding),
      ...r.dataNotes.filter((n) => !isDataGap(n)),
    ],
    warnings: [
      ...r.findings.filter((f) => f.severity === "warning").map(formatFinding),
      ...r.dataNotes.filter(isDataGap),
    ],
  };
}

/**
 * GET /version is a non-resource URL (a ClusterRole rule with nonResourceURLs, no apiGroups/resources).
 * Every authenticated user already may read it through the default system:public-info-viewer binding;
 * the rule documents the need.
 */
export const GET_VERSION: RbacRule = { nonResourceURLs: ["/version"], verbs: ["get"] };

export const versionPolicyCheck: CheckDefinition = {
  id: "scs-0210-v2/version-policy",
  standard: "scs-0210-v2",
  testId: "version-policy-check",
  title: "cluster version is within end of life, the 1-month patch and the 2-week critical-CVE windows",
  labels: [],
  scope: "cluster",
  rbac: [GET_VERSION],
  timeout: { name: "version-policy", ms: 60_000 },
  async run(ctx) {
    // the run's reference date (--reference-date, config-map reference-date) is ctx.referenceDate only
    const ref = toDay(ctx.referenceDate);
    const info = await ctx.api(VersionApi).getCode();
    ctx.log(`cluster version: ${info.gitVersion} (reference date ${ref})`);
    const file = ctx.options["release-data"];
    const loaded = await loadReleaseData({
      ...(file ? { file } : {}),
      live: ctx.options["release-data-live"] !== "false",
    });
    ctx.log(`release data: ${loaded.origin}, collected ${loaded.data.snapshotDate}`);
    return toOutcome(evaluateClusterVersion(info.gitVersion, loaded.data, ref, loaded.origin));
  },
};
