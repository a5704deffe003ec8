import type { CheckDefinition } from "./framework/check.ts";
import { lbClientIpCheck } from "./lb-client-ip/check.ts";
import { versionPolicyCheck } from "./scs-0210-v2-version-policy/check.ts";
import { nodeDistributionCheck } from "./scs-0214-v2-node-distribution/check.ts";

/**
 * Every check of the suite, in the order they run and are listed. Add one line per check:
 *   import { versionPolicy } from "./scs-0210-v2-version-policy/check.ts";
 *   export const checks = [versionPolicy, ...];
 * Ids must be unique (runner/registry.ts verifies it, and so does suites/index.test.ts).
 */
export const checks: readonly CheckDefinition[] = [
  versionPolicyCheck,
  nodeDistributionCheck,
  lbClientIpCheck,
];
