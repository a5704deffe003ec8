import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "./paths.ts";
import type { LabRecord } from "./state.ts";
import { CLIENT_NETWORK } from "./topology.ts";

/** Where the lab's outside prober listens and how to use it (the lb-client-ip check's options). */
export type LbProber = { listen: string; url: string; token: string; tokenFile: string };

export const PROBE_SERVER_PORT = 8199;
const dir = () => join(STATE_DIR, "lb-prober");

/** A new token for this lab (mode 0600 under the state dir, removed by `down` with the rest). */
export function createLbProber(_lab: LabRecord): LbProber {
  mkdirSync(dir(), { recursive: true, mode: 0o700 });
  const tokenFile = join(dir(), "token");
  const token = randomBytes(24).toString("hex");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return describe(token, tokenFile);
}

/** The running lab's prober, or undefined when the lab has none (booted before it existed). */
export function readLbProber(): LbProber | undefined {
  const tokenFile = join(dir(), "token");
  if (!existsSync(tokenFile)) return undefined;
  return describe(readFileSync(tokenFile, "utf8").trim(), tokenFile);
}

function describe(token: string, tokenFile: string): LbProber {
  const listen = `${CLIENT_NETWORK.clientIp}:${PROBE_SERVER_PORT}`;
  return { listen, url: `http://${listen}/`, token, tokenFile };
}

/** The prober's token in the cluster, so that no config-map or pod spec carries it. */
export const LB_PROBER_SECRET = { namespace: "kube-system", name: "scs-lab-lb-prober", key: "token" };

/** The check options that point the lb-client-ip check at the lab's outside prober and its token Secret. */
export function lbProberOptions(p: LbProber): Record<string, string> {
  const s = LB_PROBER_SECRET;
  return { "lb-prober-url": p.url, "lb-prober-token-secret": `${s.namespace}/${s.name}/${s.key}` };
}
