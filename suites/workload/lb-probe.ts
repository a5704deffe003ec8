import { probeMany, validatePlan } from "../lb-client-ip/probe.ts";

/**
 * `lb-probe COUNT HOST:PORT...`: the in-cluster client of the load-balancer check. Makes COUNT new
 * connections to each target and prints `{ "<host:port>": ProbeAttempt[] }` as one JSON line (the check
 * reads it from the exec's output); exits 0 whatever the attempts showed.
 */
export async function run(args: string[]): Promise<number> {
  const [count, ...targets] = args;
  if (targets.length === 0) throw new Error("usage: lb-probe COUNT HOST:PORT...");
  const out: Record<string, unknown> = {};
  for (const t of targets) {
    const m = /^(.*):(\d+)$/.exec(t);
    if (!m) throw new Error(`not HOST:PORT: ${t}`);
    const plan = validatePlan({
      host: (m[1] as string).replace(/^\[|\]$/g, ""),
      port: Number(m[2]),
      count: Number(count),
      connectionTimeoutMs: 3000,
      parallel: 1,
    });
    out[t] = await probeMany(plan);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return 0;
}
