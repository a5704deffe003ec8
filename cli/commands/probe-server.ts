import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { createProbeServer, parseAllowList } from "../../suites/lb-client-ip/probe-server.ts";

interface ProbeServerCliOptions {
  listen: string;
  tokenFile?: string;
  allow: string;
}

/**
 * `scs-kaas probe-server`: the outside vantage point for the load-balancer client-IP check when the suite
 * runs inside the cluster. Run it on any machine outside the cluster; give the check its URL and token.
 */
export function register(program: Command): void {
  program
    .command("probe-server")
    .description(
      "serve load-balancer probes for the in-cluster lb-client-ip check (token-protected, bounded)",
    )
    .option("--listen <host:port>", "address to listen on", "0.0.0.0:8199")
    .option(
      "--token-file <file>",
      "file holding the bearer token (default: $SCS_KAAS_PROBE_TOKEN, else a new one)",
    )
    .option("--allow <cidrs>", "comma-separated networks the server may probe", "0.0.0.0/0,::/0")
    .action(async (opts: ProbeServerCliOptions) => {
      const m = /^(.*):(\d+)$/.exec(opts.listen);
      if (!m) throw new Error(`--listen: expected host:port, got ${opts.listen}`);
      const fromFile = opts.tokenFile ? readFileSync(opts.tokenFile, "utf8").trim() : undefined;
      const token = fromFile || process.env.SCS_KAAS_PROBE_TOKEN || randomBytes(24).toString("hex");
      if (token.length < 16) throw new Error("the token must be at least 16 characters");
      const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      const server = createProbeServer({ token, allow: parseAllowList(opts.allow), log });
      const host = (m[1] as string).replace(/^\[|\]$/g, "");
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(Number(m[2]), host, () => resolve());
      });
      log(`probe-server listening on http://${opts.listen}/ (allowed targets: ${opts.allow})`);
      if (!fromFile && !process.env.SCS_KAAS_PROBE_TOKEN) log(`token: ${token}`);
      log(
        `give the check: --option lb-prober-url=http://<this machine's address>:${m[2]}/ --option lb-prober-token=<token>`,
      );
      await new Promise<void>((resolve) => {
        for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => resolve());
      });
      server.close();
    });
}
