import { probeMany, validatePlan } from "../lb-client-ip/probe.ts";

/**
 * `lb-probe HOST PORT [COUNT]`: the in-cluster client of the load-balancer check. Prints the attempts as
 * one JSON line (the check reads it from the pod's output) and exits 0 whatever they showed.
 */
export async function run(args: string[]): Promise<number> {
  const [host, port, count] = args;
  const plan = validatePlan({
    host,
    port: Number(port),
    count: Number(count ?? "5"),
    connectionTimeoutMs: 3000,
    parallel: 1,
  });
  process.stdout.write(`${JSON.stringify(await probeMany(plan))}\n`);
  return 0;
}
