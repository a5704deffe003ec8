import { expect } from "chai";
import type { EchoReply } from "./echo-server.ts";
import { type ClusterAddresses, judge, type ServiceProbe } from "./evaluate.ts";
import type { ProbeAttempt } from "./probe.ts";

const CLIENT = "198.19.0.2";
const cluster: ClusterAddresses = {
  nodes: [
    { name: "worker-a", addresses: ["198.18.0.14"] },
    { name: "worker-b", addresses: ["198.18.0.15"] },
  ],
  podCidrs: ["198.18.64.0/24"],
  serviceCidrs: ["198.18.128.0/20"],
  loadBalancerAddresses: ["198.18.0.200", "198.18.0.201", "198.18.0.202"],
};
const reply = (peer: string, extra: Partial<EchoReply> = {}): EchoReply => ({
  kind: "lb-echo",
  nonce: "n",
  peer,
  peerPort: 1,
  proxy: null,
  xForwardedFor: null,
  forwarded: null,
  pod: "p",
  node: "worker-a",
  ...extra,
});
const ok = (peer: string, extra: Partial<EchoReply> = {}, local = CLIENT): ProbeAttempt => ({
  ok: true,
  status: 200,
  localAddress: local,
  reply: reply(peer, extra),
  ms: 1,
});
const dropped: ProbeAttempt = { ok: false, localAddress: CLIENT, error: "ECONNRESET", ms: 1 };
const refused: ProbeAttempt = {
  ok: false,
  status: 400,
  localAddress: CLIENT,
  reply: reply("198.18.0.14", { rejected: "no PROXY protocol header on the connection" }),
  ms: 1,
};
const times = (a: ProbeAttempt, n: number) => Array.from({ length: n }, () => a);
const svc = (variant: string, attempts: ProbeAttempt[], extra: Partial<ServiceProbe> = {}): ServiceProbe => ({
  service: `lb-${variant}`,
  variant,
  etp: variant === "etp-local" ? "Local" : "Cluster",
  proxyVariant: variant.startsWith("proxy"),
  address: "198.18.0.200",
  attempts,
  ...extra,
});

describe("lb-client-ip judgement (SCS issues #227/#250/#251)", () => {
  it("PASS, mechanism direct, when ETP Local shows the client's own address (MetalLB L2)", () => {
    const j = judge({
      services: [svc("etp-local", times(ok(CLIENT), 30)), svc("etp-cluster", times(ok("198.18.0.14"), 30))],
      cluster,
    });
    expect(j.verdict).to.equal("pass");
    expect(j.reason).to.match(/externalTrafficPolicy Local \(mechanism: direct\)/);
    expect(j.details.join("\n")).to.match(/lb-etp-cluster .*198\.18\.0\.14×30\s+no/);
  });

  it("FAIL naming the load balancer when a TCP proxy replaces the client (the lb-snat amphora)", () => {
    const j = judge({
      services: [
        svc("etp-local", times(ok("198.18.0.250"), 30)),
        svc("etp-cluster", times(ok("198.18.0.250"), 30)),
      ],
      cluster,
    });
    expect(j.verdict).to.equal("fail");
    expect(j.reason).to.match(
      /backend saw 198\.18\.0\.250 \(the load balancer.*\), not the client \(198\.19\.0\.2\)/,
    );
  });

  it("PASS through a PROXY variant, naming it; the peer it came from is the load balancer", () => {
    const pp = ok("198.18.0.250", { proxy: { version: 2, source: CLIENT, sourcePort: 4000 } });
    const j = judge({
      services: [
        svc("etp-local", times(ok("198.18.0.250"), 30)),
        svc("etp-cluster", times(ok("198.18.0.250"), 30)),
        svc("proxy", times(pp, 30), {
          ipMode: "Proxy",
          inCluster: times(ok("198.18.0.14", { proxy: { version: 2, source: "198.18.64.5" } }), 3),
        }),
      ],
      cluster,
    });
    expect(j.verdict).to.equal("pass");
    expect(j.reason).to.match(/variant proxy \(mechanism: PROXY protocol v2\)/);
    expect(j.warnings).to.deep.equal([]);
  });

  it("warns that in-cluster clients are rejected when a PROXY variant is published with ipMode VIP", () => {
    const pp = ok("198.18.0.250", { proxy: { version: 2, source: CLIENT } });
    const j = judge({
      services: [
        svc("etp-local", times(ok("198.18.0.250"), 5)),
        svc("proxy", times(pp, 5), { ipMode: "VIP", inCluster: times(refused, 3) }),
      ],
      cluster,
    });
    expect(j.verdict).to.equal("pass");
    expect(j.warnings.join()).to.match(
      /in-cluster clients of lb-proxy .* will be rejected.*ipMode VIP.*confirmed: 3 of 3/,
    );
  });

  it("a PROXY variant the load balancer ignores is reported as not honoured, not as drops", () => {
    const j = judge({
      services: [svc("etp-local", times(ok("198.18.0.250"), 5)), svc("proxy", times(refused, 5))],
      cluster,
    });
    expect(j.verdict).to.equal("fail");
    expect(j.details.join("\n")).to.match(/proxy: the load balancer sent no PROXY header/);
    expect(j.warnings).to.deep.equal([]);
  });

  it("FAIL with counts when connections are dropped (ETP Local, health check ignored)", () => {
    const attempts = [...times(ok(CLIENT), 20), ...times(dropped, 10)];
    const j = judge({ services: [svc("etp-local", attempts)], cluster });
    expect(j.verdict).to.equal("fail");
    expect(j.reason).to.match(
      /^10 of 30 connections to lb-etp-local \(198\.18\.0\.200\) failed: .*health check/,
    );
  });

  it("names node and pod addresses that replaced the client", () => {
    const j = judge({ services: [svc("etp-local", [ok("198.18.0.15"), ok("198.18.64.9")])], cluster });
    expect(j.reason).to.match(/198\.18\.0\.15 \(node worker-b\), 198\.18\.64\.9 \(a pod address\)/);
  });

  it("ABORT asking for lb-client-address when a prober with a private address may sit behind NAT", () => {
    const natted = ok("203.0.113.7", {}, "192.168.1.20");
    const j = judge({ services: [svc("etp-local", times(natted, 5))], cluster });
    expect(j.verdict).to.equal("abort");
    expect(j.reason).to.match(/lb-client-address=IP/);
    const stated = judge({
      services: [svc("etp-local", times(natted, 5))],
      cluster,
      clientAddress: "203.0.113.7",
    });
    expect(stated.verdict).to.equal("pass");
  });

  it("SKIP when no Service got a load-balancer address, naming the timeout", () => {
    const j = judge({
      services: [svc("etp-local", [], { address: undefined })],
      cluster,
      noAddressReason: 'timeout "lb-ingress" (300 s) expired',
    });
    expect(j.verdict).to.equal("skip");
    expect(j.reason).to.match(/no LoadBalancer address appeared \(timeout "lb-ingress"/);
  });

  it("X-Forwarded-For names the client for an HTTP variant", () => {
    const j = judge({
      services: [
        svc("etp-local", times(ok("198.18.0.250"), 3)),
        svc("xff", times(ok("198.18.0.250", { xForwardedFor: CLIENT }), 3)),
      ],
      cluster,
    });
    expect(j.verdict).to.equal("pass");
    expect(j.reason).to.match(/variant xff \(mechanism: X-Forwarded-For\)/);
  });
});
