import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { connect, isIPv6 } from "node:net";

/**
 * `netpol-probe <json>`: connects to many targets at once from inside a pod and prints one JSON line,
 * so that the NetworkPolicy check needs one exec per source pod instead of one per cell.
 * Input: {"timeoutMs": 1000, "concurrency": 32, "probes": [{"id": "..", "protocol": "TCP"|"UDP"|"DNS",
 * "host": "198.18.64.5", "port": 8080}]} (DNS: host is the name to resolve, port unused).
 * Output: {"results": [{"id": "..", "ok": true, "reply": "x/a", "ms": 3}|{"id": "..", "ok": false,
 * "error": "timeout", "ms": 1000}]}. Every probe ends within its timeout; the exit code is 0 whenever the
 * input was valid, whatever the probes saw.
 */
export interface ProbeRequest {
  id: string;
  protocol: "TCP" | "UDP" | "DNS";
  host: string;
  port: number;
}

export interface ProbeResult {
  id: string;
  ok: boolean;
  reply?: string;
  error?: string;
  ms: number;
}

export async function run(args: string[]): Promise<number> {
  let input: { timeoutMs?: number; concurrency?: number; probes?: ProbeRequest[] };
  try {
    input = JSON.parse(args[0] ?? "");
  } catch {
    process.stderr.write('usage: netpol-probe \'{"timeoutMs":1000,"concurrency":32,"probes":[...]}\'\n');
    return 2;
  }
  const probes = input.probes ?? [];
  const timeoutMs = input.timeoutMs ?? 1000;
  const results: ProbeResult[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const i = next++;
      const probe = probes[i] as ProbeRequest;
      results[i] = await probeOnce(probe, timeoutMs);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 32, probes.length)) }, worker),
  );
  process.stdout.write(`${JSON.stringify({ results })}\n`);
  return 0;
}

export async function probeOnce(probe: ProbeRequest, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  const done = (ok: boolean, detail: string): ProbeResult => ({
    id: probe.id,
    ok,
    ...(ok ? { reply: detail } : { error: detail }),
    ms: Date.now() - started,
  });
  try {
    if (probe.protocol === "TCP") return done(true, await tcp(probe.host, probe.port, timeoutMs));
    if (probe.protocol === "UDP") return done(true, await udp(probe.host, probe.port, timeoutMs));
    if (probe.protocol === "DNS") return done(true, await dnsLookup(probe.host, timeoutMs));
    return done(false, `unknown protocol ${String(probe.protocol)}`);
  } catch (err) {
    return done(false, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}

function withTimer<T>(
  timeoutMs: number,
  start: (settle: (err: Error | null, v?: T) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let stop: () => void = () => {};
    const timer = setTimeout(
      () => settle(Object.assign(new Error("timeout"), { code: "timeout" })),
      timeoutMs,
    );
    let settled = false;
    function settle(err: Error | null, v?: T) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      if (err) reject(err);
      else resolve(v as T);
    }
    stop = start(settle);
  });
}

function tcp(host: string, port: number, timeoutMs: number): Promise<string> {
  return withTimer(timeoutMs, (settle) => {
    const socket = connect({ host, port });
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
      if (data.includes("\n")) settle(null, data.split("\n")[0]);
    });
    socket.on("end", () => settle(null, data.trim()));
    socket.on("error", (err) => settle(err));
    return () => socket.destroy();
  });
}

function udp(host: string, port: number, timeoutMs: number): Promise<string> {
  return withTimer(timeoutMs, (settle) => {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    socket.on("message", (msg) => settle(null, msg.toString("utf8")));
    socket.on("error", (err) => settle(err));
    // Datagrams can be lost without any policy: send a few within the timeout.
    const send = () => socket.send("probe", port, host, (err) => err && settle(err));
    send();
    const resend = setInterval(send, Math.max(100, Math.floor(timeoutMs / 4)));
    return () => {
      clearInterval(resend);
      socket.close();
    };
  });
}

function dnsLookup(name: string, timeoutMs: number): Promise<string> {
  return withTimer(timeoutMs, (settle) => {
    lookup(name).then(
      (r) => settle(null, r.address),
      (err) => settle(err),
    );
    return () => {};
  });
}
