import { randomBytes } from "node:crypto";
import { request } from "node:http";
import type { EchoReply } from "./echo-server.ts";

/** One new TCP connection carrying one HTTP request to an lb-echo backend, and what came back. */
export interface ProbeAttempt {
  ok: boolean;
  /** The prober's own address on that connection (its side of the socket). */
  localAddress?: string;
  reply?: EchoReply;
  /** HTTP status when the backend answered (400: it refused, e.g. no PROXY header). */
  status?: number;
  error?: string;
  ms: number;
}

export interface ProbeTarget {
  host: string;
  port: number;
}

export interface ProbePlan extends ProbeTarget {
  /** New connections to make. */
  count: number;
  /** Per connection (connect + answer). */
  connectionTimeoutMs: number;
  /** Connections in flight at once. */
  parallel?: number;
}

/** Bounds a prober keeps whoever asks (the probe-server enforces them on every request). */
export const PROBE_LIMITS = { maxCount: 100, maxConnectionTimeoutMs: 10_000, maxParallel: 10 } as const;
const MAX_BODY = 16 * 1024;

export function validatePlan(p: Partial<ProbePlan>): ProbePlan {
  const int = (v: unknown, name: string, min: number, max: number) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw new Error(`${name} must be an integer from ${min} to ${max}`);
    }
    return v;
  };
  if (typeof p.host !== "string" || !/^[0-9a-fA-F.:]+$/.test(p.host)) {
    throw new Error("host must be an IP address");
  }
  return {
    host: p.host,
    port: int(p.port, "port", 1, 65535),
    count: int(p.count, "count", 1, PROBE_LIMITS.maxCount),
    connectionTimeoutMs: int(
      p.connectionTimeoutMs,
      "connectionTimeoutMs",
      100,
      PROBE_LIMITS.maxConnectionTimeoutMs,
    ),
    parallel: int(p.parallel ?? 1, "parallel", 1, PROBE_LIMITS.maxParallel),
  };
}

/** One connection: GET /?nonce=<random> with `Connection: close`, no agent (never reused). */
export function probeOnce(
  target: ProbeTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeAttempt> {
  const started = Date.now();
  const nonce = randomBytes(8).toString("hex");
  return new Promise((resolve) => {
    let localAddress: string | undefined;
    const done = (a: Omit<ProbeAttempt, "ms">) =>
      resolve({ ...a, ...(localAddress ? { localAddress } : {}), ms: Date.now() - started });
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: `/?nonce=${nonce}`,
        agent: false,
        headers: { connection: "close" },
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new Error(`answer longer than ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on("end", () => {
          let reply: EchoReply;
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString("utf8")) as EchoReply;
          } catch {
            return done({ ok: false, status: res.statusCode, error: "the answer is not an lb-echo reply" });
          }
          if (reply.kind !== "lb-echo" || reply.nonce !== nonce) {
            return done({
              ok: false,
              status: res.statusCode,
              error: "the answer is not for this request (nonce)",
            });
          }
          done({ ok: res.statusCode === 200, status: res.statusCode, reply });
        });
        res.on("error", (err) => done({ ok: false, error: err.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("socket", (s) => s.on("connect", () => (localAddress = s.localAddress)));
    req.on("timeout", () => req.destroy(new Error(`idle for ${timeoutMs} ms`)));
    req.on("error", (err) => done({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.on("close", () => clearTimeout(timer));
    req.end();
  });
}

/** `count` new connections, at most `parallel` at once; every attempt is reported, failures included. */
export async function probeMany(plan: ProbePlan, signal?: AbortSignal): Promise<ProbeAttempt[]> {
  const out: ProbeAttempt[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.count && !signal?.aborted) {
      next++;
      out.push(await probeOnce(plan, plan.connectionTimeoutMs, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.parallel ?? 1, plan.count) }, worker));
  return out;
}
