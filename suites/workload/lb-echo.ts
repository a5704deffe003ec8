import { parseArgs } from "node:util";
import { startEchoServer } from "../lb-client-ip/echo-server.ts";

/**
 * `lb-echo [--port 8080] [--proxy-port 8081]`: the load-balancer client-IP backend. `--port` accepts
 * connections with or without a PROXY header; `--proxy-port` (optional) refuses those without one.
 * Runs until the pod is stopped.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string", default: "8080" }, "proxy-port": { type: "string" } },
  });
  const port = (s: string) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`not a port: ${s}`);
    return n;
  };
  const common = {
    pod: process.env.POD_NAME ?? process.env.HOSTNAME ?? "",
    node: process.env.NODE_NAME ?? "",
    log: (line: string) => process.stdout.write(`${line}\n`),
  };
  const servers = [await startEchoServer({ ...common, port: port(values.port), requireProxy: false })];
  if (values["proxy-port"]) {
    servers.push(await startEchoServer({ ...common, port: port(values["proxy-port"]), requireProxy: true }));
  }
  await new Promise<void>((resolve) => {
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => resolve());
  });
  for (const s of servers) s.close();
  return 0;
}
