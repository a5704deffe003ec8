import { IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from "proxy-protocol-js";

/** What a PROXY protocol header (v1 text or v2 binary) said about the connection it precedes. */
export interface ProxyHeader {
  version: 1 | 2;
  /** The client's address as the load balancer saw it; undefined for `PROXY UNKNOWN` / v2 LOCAL. */
  source?: string;
  sourcePort?: number;
  destination?: string;
  destinationPort?: number;
}

export type HeaderScan =
  /** More bytes are needed to decide. */
  | { kind: "incomplete" }
  | { kind: "none" }
  | { kind: "header"; header: ProxyHeader; length: number }
  | { kind: "invalid"; reason: string };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from("PROXY ");
/** The longest v1 line the specification allows, CRLF included. */
const V1_MAX = 107;

const startsLike = (buf: Buffer, prefix: Buffer) =>
  prefix.subarray(0, Math.min(buf.length, prefix.length)).equals(buf.subarray(0, prefix.length));

/**
 * Decides whether `buf` (the first bytes of a connection) starts with a PROXY header, and how long it is.
 * Framing only; the header itself is parsed by proxy-protocol-js.
 */
export function scanProxyHeader(buf: Buffer): HeaderScan {
  if (buf.length === 0) return { kind: "incomplete" };
  if (startsLike(buf, V2_SIGNATURE)) {
    if (buf.length < 16) return { kind: "incomplete" };
    const length = 16 + buf.readUInt16BE(14);
    if (buf.length < length) return { kind: "incomplete" };
    try {
      return { kind: "header", header: fromV2(V2ProxyProtocol.parse(buf.subarray(0, length))), length };
    } catch (err) {
      return { kind: "invalid", reason: `PROXY v2 header: ${(err as Error).message}` };
    }
  }
  if (startsLike(buf, V1_PREFIX)) {
    const end = buf.subarray(0, V1_MAX).indexOf("\r\n");
    if (end < 0) {
      return buf.length >= V1_MAX
        ? { kind: "invalid", reason: `PROXY v1 line longer than ${V1_MAX} bytes` }
        : { kind: "incomplete" };
    }
    const line = buf.subarray(0, end).toString("latin1");
    if (/^PROXY UNKNOWN\b/.test(line)) return { kind: "header", header: { version: 1 }, length: end + 2 };
    try {
      const p = V1ProxyProtocol.parse(`${line}\r\n`);
      return {
        kind: "header",
        header: {
          version: 1,
          source: p.source.ipAddress,
          sourcePort: p.source.port,
          destination: p.destination.ipAddress,
          destinationPort: p.destination.port,
        },
        length: end + 2,
      };
    } catch (err) {
      return { kind: "invalid", reason: `PROXY v1 header: ${(err as Error).message}` };
    }
  }
  return { kind: "none" };
}

function fromV2(p: V2ProxyProtocol): ProxyHeader {
  const a = p.proxyAddress;
  if (a instanceof IPv4ProxyAddress) {
    return {
      version: 2,
      source: a.sourceAddress.address.join("."),
      sourcePort: a.sourcePort,
      destination: a.destinationAddress.address.join("."),
      destinationPort: a.destinationPort,
    };
  }
  if (a instanceof IPv6ProxyAddress) {
    return {
      version: 2,
      source: ipv6(a.sourceAddress.address),
      sourcePort: a.sourcePort,
      destination: ipv6(a.destinationAddress.address),
      destinationPort: a.destinationPort,
    };
  }
  return { version: 2 };
}

function ipv6(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(":");
}
