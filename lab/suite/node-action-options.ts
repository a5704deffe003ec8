// The suite's node-action options that point at the lab's webhook (lab/cluster/addons/node-actions.ts).
import { NODE_ACTION_OPTIONS } from "../../suites/framework/node-actions/options.ts";
import type { LabRecord } from "../cluster/state.ts";

/** From this machine: the token file in the lab's state directory. */
export function labNodeActionOptions(lab: LabRecord): Record<string, string> {
  const na = requireWebhook(lab);
  return {
    [NODE_ACTION_OPTIONS.driver]: "webhook",
    [NODE_ACTION_OPTIONS.url]: na.url,
    [NODE_ACTION_OPTIONS.tokenFile]: na.tokenFile,
  };
}

/** In the cluster (the `scs` plugin): the token from the lab's Secret. */
export function labNodeActionPluginEnv(lab: LabRecord): Record<string, string> {
  const na = requireWebhook(lab);
  return {
    SCS_KAAS_NODE_ACTION: "webhook",
    SCS_KAAS_NODE_ACTION_URL: na.url,
    SCS_KAAS_NODE_ACTION_TOKEN_SECRET: na.secret,
  };
}

function requireWebhook(lab: LabRecord): NonNullable<LabRecord["nodeActions"]> {
  if (!lab.nodeActions)
    throw new Error("this lab has no node-action webhook (booted before it existed): run `lab up` again");
  return lab.nodeActions;
}

/** The same as config-map keys of the `scs` plugin (`scs-kaas sonobuoy` writes them into sonobuoy.yaml). */
export function labNodeActionPluginOptions(lab: LabRecord): Record<string, string> {
  const na = requireWebhook(lab);
  return {
    [NODE_ACTION_OPTIONS.driver]: "webhook",
    [NODE_ACTION_OPTIONS.url]: na.url,
    [NODE_ACTION_OPTIONS.tokenSecret]: na.secret,
  };
}
