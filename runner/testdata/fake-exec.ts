import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { UpgradeRoute } from "./fake-api-server.ts";

export interface FakeExecResult {
  stdout?: string;
  stderr?: string;
  /** The status channel's object (v1 Status); omit to close without one. */
  status?: unknown;
}

/** The Status kubelet sends for a command that exited non-zero. */
export function exitStatus(code: number): unknown {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

/**
 * Answers `pods/<name>/exec` upgrades with the v5/v4 channel protocol, as kube-apiserver does: one binary
 * frame per channel (1 stdout, 2 stderr, 3 status), then a close frame. `respond` sees the query
 * (command, container) and whatever stdin the client sent before its close signal (v5: channel 255).
 */
export function fakeExec(
  respond: (url: URL, stdin: string) => FakeExecResult,
  opts: { waitForStdin?: boolean } = {},
): UpgradeRoute {
  return (req, socket, url) => {
    if (!/\/pods\/[^/]+\/exec$/.test(url.pathname)) return false;
    handshake(req, socket);
    const stdinChunks: Buffer[] = [];
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      const r = respond(url, Buffer.concat(stdinChunks).toString("utf8"));
      if (r.stdout) socket.write(frame(0x2, Buffer.concat([Buffer.from([1]), Buffer.from(r.stdout)])));
      if (r.stderr) socket.write(frame(0x2, Buffer.concat([Buffer.from([2]), Buffer.from(r.stderr)])));
      if (r.status !== undefined) {
        socket.write(frame(0x2, Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(r.status))])));
      }
      socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
      socket.end();
    };
    let pending = Buffer.alloc(0);
    socket.on("data", (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const parsed = readFrame(pending);
        if (!parsed) break;
        pending = pending.subarray(parsed.length);
        const channel = parsed.payload[0];
        if (parsed.opcode === 0x2 && channel === 0) stdinChunks.push(parsed.payload.subarray(1));
        if (parsed.opcode === 0x2 && channel === 255) answer();
        if (parsed.opcode === 0x8) answer();
      }
    });
    socket.on("error", () => {});
    if (!opts.waitForStdin) setImmediate(answer);
    return true;
  };
}

function handshake(req: IncomingMessage, socket: Socket): void {
  const key = req.headers["sec-websocket-key"] ?? "";
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(/,\s*/);
  const protocol = offered.includes("v5.channel.k8s.io") ? "v5.channel.k8s.io" : "v4.channel.k8s.io";
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = 0x80 | opcode;
            h[1] = 127;
            h.writeBigUInt64BE(BigInt(len), 2);
            return h;
          })();
  return Buffer.concat([header, payload]);
}

/** A client frame (always masked); undefined until complete. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = (buf[0] ?? 0) & 0x0f;
  let len = (buf[1] ?? 0) & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = ((buf[1] ?? 0) & 0x80) !== 0;
  const maskLen = masked ? 4 : 0;
  if (buf.length < offset + maskLen + len) return undefined;
  const mask = buf.subarray(offset, offset + maskLen);
  const payload = Buffer.from(buf.subarray(offset + maskLen, offset + maskLen + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return { opcode, payload, length: offset + maskLen + len };
}
