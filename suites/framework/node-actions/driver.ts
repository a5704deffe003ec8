import type { Timeout } from "../check.ts";

/** What a driver is asked to do to one node's machine. */
export type NodeAction = "roll" | "kill" | "restore";
export const NODE_ACTIONS: readonly NodeAction[] = ["roll", "kill", "restore"];

export interface NodeActionRequest {
  action: NodeAction;
  /** The Node's name. */
  node: string;
  /** The Node's spec.providerID ("" when the cluster sets none): how a provider finds the VM. */
  providerID: string;
  /** The suite's run id, for the provider's logs. */
  runId: string;
}

/**
 * Acts on a node's machine through the provider's infrastructure. `act` resolves when the provider says the
 * action is done (a synchronous protocol: the check then watches the cluster itself) and rejects with a
 * CheckAborted whose message names the driver, the action and what went wrong.
 */
export interface NodeActionDriver {
  /** For logs: `webhook https://...` or `command ./roll.sh`. Never contains a token. */
  readonly description: string;
  /** Resolves to the provider's own one-line account of what it did ("" if it said nothing). */
  act(request: NodeActionRequest, signal: AbortSignal): Promise<string>;
}

/**
 * How long one call may take: a roll drains, deletes and replaces a machine (about 20-60 s in the lab). Five
 * minutes is also how long Node's fetch waits for response headers, so a provider whose action takes longer
 * answers once the action is under way: the check waits for the cluster's Ready node count itself.
 */
export const NODE_ACTION_CALL: Timeout = { name: "node-action-call", ms: 5 * 60_000 };
