import type { CheckDefinition } from "./framework/check.ts";
import { lbClientIpCheck } from "./lb-client-ip/check.ts";
import { versionPolicyCheck } from "./scs-0210-v2-version-policy/check.ts";
import { defaultStorageClassCheck } from "./scs-0211-v1-default-storage-class/check.ts";
import { durabilityNodeRollCheck, durabilityVmKillCheck } from "./scs-0211-v1-storage-durability/check.ts";
import { nodeDistributionCheck } from "./scs-0214-v2-node-distribution/check.ts";
import { networkPolicyCheck } from "./scs-0219-v1-network-policy/check.ts";

/**
 * Every check of the suite, in the order they run and are listed: import the check's definition from its
 * folder's check.ts and add it to the array. Ids must be unique: runner/registry.ts loadChecks refuses
 * duplicates (runner/registry.test.ts).
 */
export const checks: readonly CheckDefinition[] = [
  versionPolicyCheck,
  defaultStorageClassCheck,
  nodeDistributionCheck,
  networkPolicyCheck,
  durabilityNodeRollCheck,
  durabilityVmKillCheck,
  lbClientIpCheck,
];
