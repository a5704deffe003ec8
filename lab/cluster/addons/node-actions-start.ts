// Starts the lab's node-action webhook (node-actions-daemon.ts) during `up`: a fresh token in the state
// directory and in a Secret of the lab cluster, the daemon under the lab's restart loop, then waits until
// it answers. `down` stops it with every other lab process and removes the token with the state.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../exec.ts";
import { apply } from "../kube.ts";
import { STATE_DIR } from "../paths.ts";
import { assertAlive, startDaemon } from "../processes.ts";
import { type LabRecord, updateLab } from "../state.ts";
import { NODE_ACTIONS_PORT, NODE_NETWORK } from "../topology.ts";
import { NODE_ACTIONS_PATH, NODE_ACTIONS_SECRET, NODE_ACTIONS_URL } from "./node-actions.ts";

export const nodeActionsTokenFile = () => join(STATE_DIR, "node-actions", "token");

/** A lab token as a Secret, for checks that take `*-token-secret=<namespace>/<name>[/key]`. */
export function tokenSecretYaml(s: { namespace: string; name: string; key: string }, token: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${s.name}
  namespace: ${s.namespace}
  labels:
    app.kubernetes.io/part-of: scs-kaas-lab
type: Opaque
stringData:
  ${s.key}: ${token}
`;
}

export async function startNodeActions(lab: LabRecord): Promise<void> {
  const token = randomBytes(32).toString("hex");
  const tokenFile = nodeActionsTokenFile();
  mkdirSync(join(STATE_DIR, "node-actions"), { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  await apply(tokenSecretYaml(NODE_ACTIONS_SECRET, token), lab.kubernetesVersion);
  startDaemon({
    owner: "infra",
    name: "node-actions",
    command: process.execPath,
    args: [
      fileURLToPath(new URL("./node-actions-daemon.ts", import.meta.url)),
      NODE_NETWORK.hostIp,
      String(NODE_ACTIONS_PORT),
      tokenFile,
    ],
    restart: true,
  });
  const secret = `${NODE_ACTIONS_SECRET.namespace}/${NODE_ACTIONS_SECRET.name}/${NODE_ACTIONS_SECRET.key}`;
  updateLab((current) => {
    current.nodeActions = { url: NODE_ACTIONS_URL, tokenFile, secret };
  });
  await waitFor("the node-action webhook", 60_000, async () => {
    assertAlive("infra", "node-actions");
    const r = await fetch(NODE_ACTIONS_URL.replace(NODE_ACTIONS_PATH, "/healthz"), {
      signal: AbortSignal.timeout(2000),
    });
    return r.ok ? true : undefined;
  });
}
