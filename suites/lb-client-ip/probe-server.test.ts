import { type AddressInfo, createServer, type Server } from "node:net";
import { expect } from "chai";
import { startEchoServer } from "./echo-server.ts";
import { askProber, createProbeServer, parseAllowList } from "./probe-server.ts";

const TOKEN = "0123456789abcdef-test-token";

describe("lb-client-ip probe-server (SCS issues #227/#250/#251)", () => {
  let echo: Server;
  let server: Server;
  let url: string;
  const port = (s: Server) => (s.address() as AddressInfo).port;
  before(async () => {
    echo = await startEchoServer({ port: 0, requireProxy: false, pod: "p", node: "n" });
    server = createProbeServer({ token: TOKEN, allow: parseAllowList("127.0.0.0/8"), requestBudgetMs: 5000 });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${port(server)}/`;
  });
  after(() => {
    echo.close();
    server.close();
  });
  const plan = () => ({ host: "127.0.0.1", port: port(echo), count: 3, connectionTimeoutMs: 2000 });

  it("probes for a request with the token: every connection answered, the prober's address seen", async () => {
    const r = await askProber({ url, token: TOKEN }, plan());
    expect(r.cutShort).to.equal(false);
    expect(r.attempts).to.have.length(3);
    for (const a of r.attempts) expect(a).to.include({ ok: true, localAddress: "127.0.0.1" });
  });

  it("rejects a request without its token or with a wrong one (401) and probes nothing", async () => {
    const res = await fetch(`${url}v1/probe`, { method: "POST", body: JSON.stringify(plan()) });
    expect(res.status).to.equal(401);
    let err: unknown;
    await askProber({ url, token: "wrong-token-of-some-length" }, plan()).catch((e) => (err = e));
    expect(String(err)).to.match(/answered 401/);
  });

  it("bounds what a request may ask: count, timeout, target networks, body size", async () => {
    const ask = (body: unknown) => askProber({ url, token: TOKEN }, body as never).catch((e) => String(e));
    expect(await ask({ ...plan(), count: 1000 })).to.match(/400.*count must be an integer from 1 to 100/);
    expect(await ask({ ...plan(), connectionTimeoutMs: 600_000 })).to.match(/400.*connectionTimeoutMs/);
    expect(await ask({ ...plan(), host: "198.51.100.1" })).to.match(/403.*outside the allowed networks/);
    expect(await ask({ ...plan(), host: "example.org" })).to.match(/400.*host must be an IP address/);
    const big = await fetch(`${url}v1/probe`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "x".repeat(10_000),
    }).catch((e) => e);
    expect(big instanceof Error || big.status === 400).to.equal(true);
  });

  it("stops a request at its time budget and says it was cut short", async () => {
    const silent = createServer(() => {}); // accepts, never answers: each attempt waits its full timeout
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const tight = createProbeServer({
      token: TOKEN,
      allow: parseAllowList("127.0.0.1"),
      requestBudgetMs: 500,
    });
    await new Promise<void>((r) => tight.listen(0, "127.0.0.1", () => r()));
    try {
      const started = Date.now();
      const r = await askProber(
        { url: `http://127.0.0.1:${port(tight)}/`, token: TOKEN },
        { host: "127.0.0.1", port: port(silent), count: 100, connectionTimeoutMs: 200 },
      );
      expect(Date.now() - started).to.be.below(2000);
      expect(r.cutShort).to.equal(true);
      expect(r.attempts.length).to.be.below(10);
      expect(r.attempts.every((a) => !a.ok)).to.equal(true);
    } finally {
      tight.close();
      silent.close();
    }
  });
});
