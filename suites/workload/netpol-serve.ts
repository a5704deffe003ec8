import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/**
 * `netpol-serve <identity> <tcp-port,...> <udp-port,...>`: the NetworkPolicy check's server. Every TCP
 * connection is answered with `<identity>\n` and closed; every UDP datagram is answered with
 * `<identity>` to its sender. One process serves every port, so a pod needs no second container.
 * Runs until killed; a port that cannot be bound exits 1 with the reason.
 */
export async function run(args: string[]): Promise<number> {
  const [identity, tcpList = "", udpList = ""] = args;
  if (!identity) {
    process.stderr.write("usage: netpol-serve <identity> <tcp-port,...> <udp-port,...>\n");
    return 2;
  }
  const ports = (list: string) => list.split(",").filter(Boolean).map(Number);
  const bad = [...ports(tcpList), ...ports(udpList)].filter(
    (p) => !Number.isInteger(p) || p < 1 || p > 65535,
  );
  if (bad.length) {
    process.stderr.write(`netpol-serve: invalid port(s): ${bad.join(", ")}\n`);
    return 2;
  }
  const listening: Promise<void>[] = [];
  for (const port of ports(tcpList)) {
    const server = createServer((socket) => {
      socket.on("error", () => socket.destroy());
      socket.end(`${identity}\n`);
    });
    listening.push(
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port, host: "::", ipv6Only: false }, () => resolve());
      }),
    );
  }
  for (const port of ports(udpList)) {
    for (const type of ["udp4", "udp6"] as const) {
      const socket = createSocket({ type, ipv6Only: type === "udp6" });
      socket.on("message", (_msg, peer) => socket.send(identity, peer.port, peer.address));
      listening.push(
        new Promise((resolve, reject) => {
          socket.once("error", (err: NodeJS.ErrnoException) =>
            // A node without IPv6 cannot bind udp6; IPv4 still serves.
            type === "udp6" && err.code === "EAFNOSUPPORT" ? resolve() : reject(err),
          );
          socket.bind(port, type === "udp4" ? "0.0.0.0" : "::", () => resolve());
        }),
      );
    }
  }
  try {
    await Promise.all(listening);
  } catch (err) {
    process.stderr.write(`netpol-serve: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `netpol-serve: ${identity} listening on tcp ${tcpList || "-"} udp ${udpList || "-"}\n`,
  );
  // The open sockets keep the process alive; a signal ends it at once (PID 1 in the pod gets no default handler).
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  process.exit(0);
}
