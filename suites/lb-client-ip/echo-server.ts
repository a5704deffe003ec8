import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { type ProxyHeader, scanProxyHeader } from "./proxy-header.ts";

/** What the echo backend answers for each request: what it saw of the connection that carried it. */
export interface EchoReply {
  kind: "lb-echo";
  /** The nonce from the request (`?nonce=`), so that a prober knows the answer is for its request. */
  nonce: string | null;
  /** The TCP peer the backend saw (after kube-proxy and the load balancer). */
  peer: string;
  peerPort: number;
  proxy: ProxyHeader | null;
  xForwardedFor: string | null;
  forwarded: string | null;
  pod: string;
  node: string;
  /** Set when the backend refused the request (require-proxy mode without a PROXY header). */
  rejected?: string;
}

export interface EchoOptions {
  port: number;
  /** Connections without a PROXY header are refused, as nginx with `proxy_protocol on` does. */
  requireProxy: boolean;
  pod: string;
  node: string;
  log?: (line: string) => void;
}

/** Bytes and time a connection gets to show (or not) its PROXY header. */
const HEADER_LIMIT = { bytes: 4096, ms: 5000 };
const proxyOf = new WeakMap<Socket, ProxyHeader | null>();

/**
 * The load-balancer echo backend: a TCP server that takes an optional PROXY v1/v2 header off each
 * connection and hands the rest to an HTTP server, which answers every request with an EchoReply.
 */
export function startEchoServer(opts: EchoOptions): Promise<Server> {
  const log = opts.log ?? (() => {});
  const http = createHttpServer((req, res) => answer(req, res, opts));
  http.keepAliveTimeout = 1000;
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), HEADER_LIMIT.ms);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const scan = scanProxyHeader(buf);
      if (scan.kind === "incomplete" && buf.length < HEADER_LIMIT.bytes) return;
      clearTimeout(timer);
      socket.removeListener("data", onData);
      socket.pause();
      if (scan.kind === "invalid" || scan.kind === "incomplete") {
        log(`${socket.remoteAddress}: ${scan.kind === "invalid" ? scan.reason : "no complete header"}`);
        socket.destroy();
        return;
      }
      const header = scan.kind === "header" ? scan.header : null;
      proxyOf.set(socket, header);
      socket.unshift(scan.kind === "header" ? buf.subarray(scan.length) : buf);
      http.emit("connection", socket);
      // The HTTP server reads the handle directly; the bytes put back above flow only once resumed.
      socket.resume();
    };
    socket.on("data", onData);
    socket.on("error", () => {});
    socket.on("close", () => clearTimeout(timer));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, () => {
      server.off("error", reject);
      log(`lb-echo listening on ${opts.port}${opts.requireProxy ? " (PROXY header required)" : ""}`);
      resolve(server);
    });
  });
}

/** `::ffff:198.19.0.2` (a dual-stack socket's view of an IPv4 peer) → `198.19.0.2`. */
export const plainAddress = (a: string) => a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");

function answer(req: IncomingMessage, res: ServerResponse, opts: EchoOptions): void {
  const socket = req.socket;
  const url = new URL(req.url ?? "/", "http://echo");
  const header = (name: string) => {
    const v = req.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  };
  const proxy = proxyOf.get(socket) ?? null;
  const reply: EchoReply = {
    kind: "lb-echo",
    nonce: url.searchParams.get("nonce"),
    peer: plainAddress(socket.remoteAddress ?? ""),
    peerPort: socket.remotePort ?? 0,
    proxy,
    xForwardedFor: header("x-forwarded-for"),
    forwarded: header("forwarded"),
    pod: opts.pod,
    node: opts.node,
  };
  let status = 200;
  if (opts.requireProxy && !proxy) {
    status = 400;
    reply.rejected = "no PROXY protocol header on the connection";
  }
  const body = `${JSON.stringify(reply)}\n`;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  res.end(body);
}
