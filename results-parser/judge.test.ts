import { expect } from "chai";
import { makeReport } from "./index.ts";
import { tarGzBuffer, writeTemp } from "./test-support/build-tarball.ts";
import { EXCUSABLE, type FixtureOptions, fixtureEntries } from "./test-support/fixtures.ts";

async function reportFor(o: FixtureOptions = {}, extra: Parameters<typeof makeReport>[1] = {}) {
  const file = await writeTemp("results.tar.gz", await tarGzBuffer(fixtureEntries(o)));
  return makeReport(file, extra);
}

const verdicts = (r: Awaited<ReturnType<typeof makeReport>>) =>
  Object.fromEntries(r.judgement.testIds.map((t) => [t.id, t.verdict]));

describe("judging", () => {
  it("tells the runs apart by what they ran, not by plugin name, and excuses okToFail failures with reasons", async () => {
    const r = await reportFor();
    expect(r.judgement.roles.map((x) => [x.plugin, x.role])).to.deep.equal([
      ["alpha", "conformance"],
      ["beta", "networking"],
      ["gamma", "scs"],
    ]);
    expect(verdicts(r)).to.deep.equal({
      "cncf-k8s-conformance": "PASS",
      "version-policy-check": "PASS",
      "node-distribution-check": "NOT_RUN",
      "kaas-networking-check": "PASS",
    });
    const conf = r.judgement.testIds.find((t) => t.id === "cncf-k8s-conformance");
    expect(conf?.excused.map((e) => [e.name, e.reason])).to.deep.equal([
      [
        EXCUSABLE,
        "Fails when a cluster has no InternalIP (only ExternalIP): https://github.com/kubernetes/kubernetes/issues/136626",
      ],
    ]);
    expect(r.judgement.overall).to.equal("PASS");
    expect(r.judgement.exitCode).to.equal(0); // node-distribution-check is preview and not run: not counted
  });

  it("an unexcused failure is FAIL (exit 1); okToFail regexes are searched, not fully matched", async () => {
    const r = await reportFor({
      networkingFailures: [
        {
          name: "[sig-network] Netpol NetworkPolicy between server and client should enforce except clause [Feature:NetworkPolicy]",
          status: "failed",
          message: "reachability differs",
        },
        // okToFail: "should.allow.egress.access.to.server.in.CIDR.block" matches inside a longer name
        {
          name: "[sig-network] Netpol NetworkPolicy between server and client should allow egress access to server in CIDR block [Feature:NetworkPolicy]",
          status: "failed",
        },
      ],
    });
    const net = r.judgement.testIds.find((t) => t.id === "kaas-networking-check");
    expect(net?.verdict).to.equal("FAIL");
    expect(net?.failures.map((f) => f.message)).to.deep.equal(["reachability differs\ndetails"]);
    expect(net?.excused).to.have.length(1);
    expect(r.judgement.exitCode).to.equal(1);
  });

  it("a conformance run that skipped a [Conformance] test is incomplete: ABORT, not PASS", async () => {
    const r = await reportFor({
      conformanceFailures: [
        {
          name: "[sig-network] Services should serve a basic endpoint from pods [Conformance]",
          status: "skipped",
        },
      ],
    });
    const conf = r.judgement.testIds.find((t) => t.id === "cncf-k8s-conformance");
    expect(conf?.verdict).to.equal("ABORT");
    expect(conf?.reasons.join("\n")).to.match(
      /incomplete conformance run: 1 \[Conformance\] test\(s\) skipped, 442 ran/,
    );
    expect(r.judgement.exitCode).to.equal(2);
  });

  it("an e2e.log tally that disagrees with the junit makes the run ABORT, not PASS", async () => {
    const r = await reportFor({ badTally: true });
    expect(verdicts(r)["cncf-k8s-conformance"]).to.equal("ABORT");
    expect(r.judgement.findings.map((f) => f.code)).to.include("tally-mismatch");
    expect(r.judgement.exitCode).to.equal(2);
  });

  it("a missing NetworkPolicy run is NOT_RUN and exits 2", async () => {
    const r = await reportFor({ omitNetworking: true });
    expect(verdicts(r)["kaas-networking-check"]).to.equal("NOT_RUN");
    expect(r.judgement.exitCode).to.equal(2);
  });

  it("scs plugin: verdict from scs.verdict/junit per test id; skip never passes; own checks outside the scope are reported", async () => {
    const r = await reportFor({
      scsCases: [
        {
          name: "[scs-0210-v2] version-policy-check: supported",
          props: { "scs.test-id": "version-policy-check", "scs.verdict": "pass" },
        },
        {
          name: "[scs-0210-v2] version-policy-check: patch age",
          status: "skipped",
          message: "release data unavailable",
          props: { "scs.test-id": "version-policy-check", "scs.verdict": "skip" },
        },
        {
          name: "[scs-0211-v1] storage-durability: survives a node kill",
          status: "failed",
          message: "data lost",
          props: { "scs.check-id": "storage-durability", "scs.scope": "kaas" },
        },
        {
          name: "[scs-0214-v2] node-distribution-check: zones",
          status: "error",
          message: "forbidden",
          props: { "scs.test-id": "node-distribution-check" },
        },
      ],
    });
    expect(verdicts(r)).to.deep.include({
      "version-policy-check": "ABORT",
      "node-distribution-check": "ABORT",
      "storage-durability": "FAIL",
    });
    const own = r.judgement.testIds.find((t) => t.id === "storage-durability");
    expect(own?.inScope).to.equal(false);
    expect(own?.scope).to.equal("kaas");
    expect(r.judgement.exitCode).to.equal(1);
  });

  it("--role overrides the decision; the test ids the roles answer are configurable", async () => {
    const r = await reportFor(
      {},
      { roleOverrides: { beta: "other" }, roleTestIds: { conformance: "my-conformance" } },
    );
    expect(verdicts(r)).to.deep.include({
      "kaas-networking-check": "NOT_RUN",
      "my-conformance": "PASS",
      "cncf-k8s-conformance": "NOT_RUN",
    });
  });
});
