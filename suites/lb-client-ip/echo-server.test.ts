import type { AddressInfo, Server } from "node:net";
import { connect } from "node:net";
import { expect } from "chai";
import {
  Command,
  IPv4Address,
  IPv4ProxyAddress,
  TransportProtocol,
  V2ProxyProtocol,
} from "proxy-protocol-js";
import { startEchoServer } from "./echo-server.ts";
import { probeOnce } from "./probe.ts";
import { scanProxyHeader } from "./proxy-header.ts";

/** Sends raw bytes on a fresh connection and returns everything the server wrote back. */
function raw(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => s.write(bytes));
    const chunks: Buffer[] = [];
    s.on("data", (c) => chunks.push(c));
    s.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    s.on("error", reject);
  });
}
const body = (http: string) => JSON.parse(http.slice(http.indexOf("\r\n\r\n") + 4));
const GET =
  "GET /?nonce=n1 HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.19.0.2, 10.0.0.1\r\nConnection: close\r\n\r\n";

describe("lb-client-ip echo backend (SCS issues #227/#250/#251)", () => {
  let open: Server;
  let strict: Server;
  const port = (s: Server) => (s.address() as AddressInfo).port;
  before(async () => {
    open = await startEchoServer({ port: 0, requireProxy: false, pod: "p", node: "n" });
    strict = await startEchoServer({ port: 0, requireProxy: true, pod: "p", node: "n" });
  });
  after(() => {
    open.close();
    strict.close();
  });

  it("answers a plain request with the peer, the headers and the nonce", async () => {
    const r = body(await raw(port(open), GET));
    expect(r).to.include({ kind: "lb-echo", nonce: "n1", peer: "127.0.0.1", pod: "p", node: "n" });
    expect(r.proxy).to.equal(null);
    expect(r.xForwardedFor).to.equal("198.19.0.2, 10.0.0.1");
  });

  it("takes a PROXY v1 header off the connection and reports its source", async () => {
    const r = body(await raw(port(open), `PROXY TCP4 198.19.0.2 198.18.0.200 40000 80\r\n${GET}`));
    expect(r.proxy).to.deep.equal({
      version: 1,
      source: "198.19.0.2",
      sourcePort: 40000,
      destination: "198.18.0.200",
      destinationPort: 80,
    });
  });

  it("takes a PROXY v2 header off the connection and reports its source", async () => {
    const v2 = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new IPv4ProxyAddress(
        IPv4Address.createFrom([198, 19, 0, 2]),
        40001,
        IPv4Address.createFrom([198, 18, 0, 201]),
        80,
      ),
    ).build();
    const r = body(await raw(port(open), Buffer.concat([Buffer.from(v2), Buffer.from(GET)])));
    expect(r.proxy).to.include({ version: 2, source: "198.19.0.2", sourcePort: 40001 });
  });

  it("in require-proxy mode refuses a request without a PROXY header (400, says why)", async () => {
    const answer = await raw(port(strict), GET);
    expect(answer).to.match(/^HTTP\/1.1 400/);
    expect(body(answer).rejected).to.match(/no PROXY protocol header/);
    const ok = body(await raw(port(strict), `PROXY TCP4 198.19.0.2 198.18.0.200 40000 80\r\n${GET}`));
    expect(ok.rejected).to.equal(undefined);
  });

  it("closes a connection whose PROXY header is malformed", async () => {
    expect(await raw(port(open), "PROXY TCP4 not-an-address\r\nGET / HTTP/1.1\r\n\r\n")).to.equal("");
  });

  it("the prober sees its own address, the reply and a refusal", async () => {
    const a = await probeOnce({ host: "127.0.0.1", port: port(open) }, 2000);
    expect(a).to.include({ ok: true, localAddress: "127.0.0.1", status: 200 });
    expect(a.reply?.peer).to.equal("127.0.0.1");
    const refused = await probeOnce({ host: "127.0.0.1", port: port(strict) }, 2000);
    expect(refused).to.include({ ok: false, status: 400 });
    expect(refused.reply?.rejected).to.match(/PROXY/);
  });

  it("scanProxyHeader waits for more bytes, then frames v1 exactly", () => {
    expect(scanProxyHeader(Buffer.from("PRO")).kind).to.equal("incomplete");
    expect(scanProxyHeader(Buffer.from("GET / HTTP/1.1")).kind).to.equal("none");
    const s = scanProxyHeader(Buffer.from("PROXY UNKNOWN\r\nrest"));
    expect(s).to.deep.equal({ kind: "header", header: { version: 1 }, length: 15 });
  });
});
