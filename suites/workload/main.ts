/**
 * The workload entrypoint: pods that checks create run the suite's own image with
 * `node /app/suites/workload/main.ts <verb> [args...]`, so that one image serves the whole cluster
 * (plugin, storage writer, NetworkPolicy server, load-balancer echo backend).
 *
 * Each verb lives in its own module next to this file and is loaded only when it runs.
 */
type VerbModule = { run(args: string[]): Promise<number> };

export const VERBS: Readonly<Record<string, { summary: string; load: () => Promise<VerbModule> }>> = {
  "storage-write": {
    summary: "--dir D [--size 64Mi] [--seed S]: seeded data, fsynced; prints its sha256 (JSON)",
    load: async () => (await import("./storage.ts")).storageWrite,
  },
  "storage-verify": {
    summary: "--dir D: recomputes the data's sha256 (JSON)",
    load: async () => (await import("./storage.ts")).storageVerify,
  },
  "storage-hold": {
    summary: "--dir D: keeps the volume mounted until SIGTERM",
    load: async () => (await import("./storage.ts")).storageHold,
  },
  "netpol-serve": {
    summary:
      "<identity> <tcp-ports> <udp-ports>: answer every TCP connection and UDP datagram with the identity",
    load: () => import("./netpol-serve.ts"),
  },
  "netpol-probe": {
    summary: "<json>: probe many TCP/UDP/DNS targets concurrently, print the results as JSON",
    load: () => import("./netpol-probe.ts"),
  },
  "lb-echo": {
    summary:
      "[--port N] [--proxy-port N]: echo what each connection showed (peer, PROXY header, X-Forwarded-For)",
    load: () => import("./lb-echo.ts"),
  },
  "lb-probe": {
    summary: "COUNT HOST:PORT...: connect to lb-echo backends COUNT times each, print the attempts as JSON",
    load: () => import("./lb-probe.ts"),
  },
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  const entry = verb === undefined ? undefined : VERBS[verb];
  if (!entry) {
    const known = Object.entries(VERBS).map(([name, v]) => `  ${name}  ${v.summary}`);
    process.stderr.write(
      `usage: workload <verb> [args...]\n${known.join("\n") || "  (no verbs)"}\n${verb ? `unknown verb: ${verb}\n` : ""}`,
    );
    return 2;
  }
  return (await entry.load()).run(args);
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`workload: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
