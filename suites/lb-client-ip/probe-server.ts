import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BlockList, isIP } from "node:net";
import { type ProbeAttempt, type ProbePlan, probeMany, validatePlan } from "./probe.ts";

/** What the probe-server answers to POST /v1/probe. */
export interface ProbeResponse {
  attempts: ProbeAttempt[];
  /** True when the request's time budget ended before every connection was made. */
  cutShort: boolean;
}

export interface ProbeServerOptions {
  token: string;
  /** Targets the server will connect to; a request for any other address is refused (403). */
  allow: BlockList;
  /** Upper bound of one request's work, whatever it asks for. */
  requestBudgetMs?: number;
  log?: (line: string) => void;
}

const MAX_REQUEST_BODY = 4096;
const DEFAULT_BUDGET_MS = 60_000;

/**
 * The outside prober for the in-cluster `scs` plugin: an HTTP server that, for a request carrying its
 * bearer token, opens `count` new TCP connections to an lb-echo backend behind a load balancer and
 * returns what each one showed. Bounded per request: count, per-connection timeout and parallelism
 * (PROBE_LIMITS), a total time budget, allowed target addresses, one request at a time, 4 KiB bodies.
 */
export function createProbeServer(opts: ProbeServerOptions): Server {
  const log = opts.log ?? (() => {});
  const expected = digest(opts.token);
  let busy = false;
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://probe");
    if (req.method === "GET" && url.pathname === "/v1/healthz") return send(res, 200, { ok: true });
    if (url.pathname !== "/v1/probe") return send(res, 404, { error: "not found" });
    if (req.method !== "POST") return send(res, 405, { error: "POST only" });
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      log(`refused a request from ${req.socket.remoteAddress}: no valid token`);
      return send(res, 401, { error: "missing or wrong bearer token" });
    }
    if (busy) return send(res, 429, { error: "busy with another probe; one at a time" });
    busy = true;
    try {
      let plan: ProbePlan;
      try {
        plan = validatePlan(JSON.parse(await readBody(req)) as Partial<ProbePlan>);
      } catch (err) {
        return send(res, 400, { error: (err as Error).message });
      }
      const family = isIP(plan.host) === 6 ? "ipv6" : "ipv4";
      if (!opts.allow.check(plan.host, family)) {
        return send(res, 403, { error: `target ${plan.host} is outside the allowed networks` });
      }
      const budget = AbortSignal.timeout(opts.requestBudgetMs ?? DEFAULT_BUDGET_MS);
      const attempts = await probeMany(plan, budget);
      const ok = attempts.filter((a) => a.ok).length;
      log(
        `probed ${plan.host}:${plan.port} for ${req.socket.remoteAddress}: ${ok}/${attempts.length} answered`,
      );
      send(res, 200, { attempts, cutShort: attempts.length < plan.count } satisfies ProbeResponse);
    } finally {
      busy = false;
    }
  });
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BODY) {
        reject(new Error(`request body larger than ${MAX_REQUEST_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** `198.18.0.0/24,10.0.0.0/8` → a BlockList of those networks (plain addresses are /32 or /128). */
export function parseAllowList(spec: string): BlockList {
  const list = new BlockList();
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address, bits] = part.split("/");
    const family = isIP(address ?? "");
    if (!address || family === 0) throw new Error(`not a network: ${part}`);
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`not a network: ${part}`);
    list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

/** The client side: asks a probe-server to run `plan`; errors name the server and what it said. */
export async function askProber(
  prober: { url: string; token: string },
  plan: ProbePlan,
  signal?: AbortSignal,
): Promise<ProbeResponse> {
  const endpoint = new URL("v1/probe", prober.url.endsWith("/") ? prober.url : `${prober.url}/`);
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { authorization: `Bearer ${prober.token}`, "content-type": "application/json" },
    body: JSON.stringify(plan),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`the outside prober ${endpoint.origin} answered ${res.status}: ${text.trim()}`);
  return JSON.parse(text) as ProbeResponse;
}
