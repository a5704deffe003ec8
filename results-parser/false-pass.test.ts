// Issue #12: classes of input that were judged PASS although nothing proved compliance. Every tarball is
// built here (test-support); each test failed on the parser before the fix.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { makeReport } from "./index.ts";
import { renderLines } from "./render/lines.ts";
import {
  type CaseSpec,
  definitionJson,
  e2eLog,
  junitXml,
  scratch,
  type TarEntrySpec,
  tarBuffer,
  tarGzBuffer,
  writeTemp,
} from "./test-support/build-tarball.ts";
import { EXCUSABLE, type FixtureOptions, fixtureEntries, upstreamSpecs } from "./test-support/fixtures.ts";

type Report = Awaited<ReturnType<typeof makeReport>>;

async function reportOf(entries: TarEntrySpec[], extra: Parameters<typeof makeReport>[1] = {}) {
  return makeReport(await writeTemp("results.tar.gz", await tarGzBuffer(entries)), extra);
}
const reportFor = (o: FixtureOptions = {}, extra: Parameters<typeof makeReport>[1] = {}) =>
  reportOf(fixtureEntries(o), extra);
const id = (r: Report, testId: string) => {
  const t = r.judgement.testIds.find((x) => x.id === testId);
  if (!t) throw new Error(`no ${testId}`);
  return t;
};
const CONF = "cncf-k8s-conformance";
const NET = "kaas-networking-check";
const conf136 = upstreamSpecs("conformance", "1.36");
const net136 = upstreamSpecs("networkpolicy", "1.36");

describe("issue #12: never certify what did not run", () => {
  it("the complete fixture (every spec of the cluster's minor) still passes", async () => {
    const r = await reportFor();
    expect(id(r, CONF).verdict, id(r, CONF).reasons.join("\n")).to.equal("PASS");
    expect(id(r, NET).verdict, id(r, NET).reasons.join("\n")).to.equal("PASS");
    expect(r.judgement.exitCode).to.equal(0);
  });

  describe("1. conformance completeness (scs-0201-v1: the conformance list of the cluster's minor)", () => {
    it("a junit holding a tenth of the conformance specs is ABORT, naming what is missing", async () => {
      const r = await reportFor({ conformanceSpecs: conf136.filter((_, i) => i % 10 === 0) });
      const c = id(r, CONF);
      expect(c.verdict).to.equal("ABORT");
      expect(c.reasons.join("\n")).to.match(
        /398 of the 443 \[Conformance\] specs of Kubernetes 1\.36 did not run/,
      );
      expect(c.reasons.join("\n")).to.include(conf136[1]);
      expect(r.judgement.exitCode).to.equal(2);
    });

    it("the conformance set of an older minor (image v1.30.2 on a v1.36 cluster) is ABORT", async () => {
      const r = await reportFor({
        conformanceSpecs: upstreamSpecs("conformance", "1.30"),
        e2eImage: "registry.k8s.io/conformance:v1.30.2",
      });
      const c = id(r, CONF);
      expect(c.verdict).to.equal("ABORT");
      expect(c.reasons.join("\n")).to.match(/conformance image .*1\.30.* but the cluster runs 1\.36/);
    });

    it("every spec present but a newer image minor than the cluster's is ABORT", async () => {
      const r = await reportFor({ e2eImage: "registry.k8s.io/conformance:v1.37.2" });
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(id(r, CONF).reasons.join("\n")).to.match(/1\.37.* but the cluster runs 1\.36/);
    });

    it("a cluster minor with no bundled list is ABORT saying so, never PASS", async () => {
      const r = await reportFor({
        clusterVersion: "v1.28.15",
        conformanceSpecs: upstreamSpecs("conformance", "1.30"),
        networkPolicySpecs: upstreamSpecs("networkpolicy", "1.30"),
      });
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(id(r, CONF).reasons.join("\n")).to.match(/no bundled conformance list for Kubernetes 1\.28/);
    });

    it("without serverversion.json the cluster's minor is unknown: ABORT", async () => {
      const r = await reportFor({ clusterVersion: null });
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(id(r, CONF).reasons.join("\n")).to.match(/cluster's Kubernetes version is unknown/);
    });

    it("a conformance spec that ran and failed counts as run (FAIL, not a missing spec)", async () => {
      const r = await reportFor({ conformanceFailures: [{ name: conf136[3] as string, status: "failed" }] });
      expect(id(r, CONF).verdict).to.equal("FAIL");
    });
  });

  describe("2. NetworkPolicy completeness (scs-0219-v1)", () => {
    it("a run in which most NetworkPolicy specs were skipped by E2E_SKIP is ABORT, naming them", async () => {
      const keep = new Set(net136.slice(0, 3));
      const r = await reportFor({
        networkingEnv: { E2E_SKIP: "between server and client should (enforce|support a)" },
        networkingFailures: net136.filter((n) => !keep.has(n)).map((name) => ({ name, status: "skipped" })),
      });
      const n = id(r, NET);
      expect(n.verdict).to.equal("ABORT");
      expect(n.reasons.join("\n")).to.match(/NetworkPolicy specs of Kubernetes 1\.36 did not run/);
      const notExcused = net136.find((s) => !keep.has(s) && !/SCTP/.test(s)) as string;
      expect(n.reasons.join("\n")).to.include(notExcused);
    });

    it("NetworkPolicy specs absent from the junit are ABORT", async () => {
      const r = await reportFor({ networkPolicySpecs: net136.slice(0, 5) });
      expect(id(r, NET).verdict).to.equal("ABORT");
    });

    it("specs excused by okToFail (SCTP: a documented gap) may be skipped; the rest must run", async () => {
      const sctp = net136.filter((s) => s.includes("SCTPConnectivity"));
      expect(sctp.length).to.be.greaterThan(0);
      const r = await reportFor({ networkingFailures: sctp.map((name) => ({ name, status: "skipped" })) });
      expect(id(r, NET).verdict, id(r, NET).reasons.join("\n")).to.equal("PASS");
      expect(id(r, NET).notes.join("\n")).to.match(
        new RegExp(`${sctp.length} NetworkPolicy spec\\(s\\) not run, excused`),
      );
    });
  });

  describe("3. who may answer which test id", () => {
    const scsOnly = (claim: string) =>
      fixtureEntries({
        scsCases: [
          {
            name: "[scs] pretend",
            props: { "scs.check-id": "pretend", "scs.test-id": claim, "scs.verdict": "pass" },
          },
        ],
      }).filter((e) => !/^plugins\/(alpha|beta)\//.test(e.name));

    for (const claim of [CONF, NET])
      it(`the scs plugin claiming ${claim} is ignored and reported`, async () => {
        const r = await reportOf(scsOnly(claim));
        expect(id(r, claim).verdict).to.equal("NOT_RUN");
        expect(r.judgement.findings.map((f) => `${f.plugin}: ${f.message}`).join("\n")).to.match(
          new RegExp(`gamma: .*claims test id ${claim}.*ignored`),
        );
      });

    it("a stray scs.test-id property in an e2e junit does not hide a real failure", async () => {
      const r = await reportFor({
        conformanceFailures: [
          { name: conf136[0] as string, props: { "scs.test-id": CONF, "scs.verdict": "pass" } },
          { name: conf136[5] as string, status: "failed", message: "real failure" },
        ],
      });
      expect(id(r, CONF).verdict).to.equal("FAIL");
      expect(r.judgement.roles.find((x) => x.plugin === "alpha")?.role).to.equal("conformance");
    });
  });

  describe("4. dry runs, from every signal", () => {
    const cases: [string, FixtureOptions][] = [
      ["E2E_EXTRA_GINKGO_ARGS=--dry-run", { conformanceEnv: { E2E_EXTRA_GINKGO_ARGS: "--dry-run" } }],
      ["E2E_EXTRA_GINKGO_ARGS=-dryRun", { conformanceEnv: { E2E_EXTRA_GINKGO_ARGS: "-v -dryRun" } }],
      ["E2E_EXTRA_ARGS=-ginkgo.dry-run=true", { conformanceEnv: { E2E_EXTRA_ARGS: "-ginkgo.dry-run=true" } }],
      ["E2E_EXTRA_ARGS=--ginkgo.dryRun", { conformanceEnv: { E2E_EXTRA_ARGS: "--ginkgo.dryRun --x=1" } }],
      ["E2E_DRYRUN=on", { conformanceEnv: { E2E_DRYRUN: "on" } }],
      ["E2E_DRYRUN=false (any non-empty value is on)", { conformanceEnv: { E2E_DRYRUN: "false" } }],
      [
        "junit suite property DryRun=true",
        { conformanceSuiteProps: { DryRun: "true", SuiteSucceeded: "true" } },
      ],
    ];
    for (const [what, o] of cases)
      it(`${what} is ABORT`, async () => {
        const r = await reportFor(o);
        expect(id(r, CONF).verdict).to.equal("ABORT");
        expect(id(r, CONF).reasons.join("\n")).to.match(/dry run/);
      });

    it("--ginkgo.dry-run=false and DryRun=false are not dry runs", async () => {
      const r = await reportFor({
        conformanceEnv: { E2E_EXTRA_ARGS: "--ginkgo.dry-run=false" },
        conformanceSuiteProps: { DryRun: "false" },
      });
      expect(id(r, CONF).verdict, id(r, CONF).reasons.join("\n")).to.equal("PASS");
    });
  });

  describe("5. tarball and extracted directory agree", () => {
    const failing = junitXml(
      [{ name: `[It] ${conf136[7]}`, status: "failed", message: "real" }],
      "Kubernetes e2e suite",
    );
    async function both(entries: TarEntrySpec[]) {
      const tarball = await writeTemp("links.tar", await tarBuffer(entries));
      const dir = join(await scratch(), `x-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      execFileSync("tar", ["-xf", tarball, "-C", dir]);
      return [await makeReport(tarball), await makeReport(dir)] as const;
    }
    const base = fixtureEntries();
    const cases: [string, TarEntrySpec[], RegExp][] = [
      [
        "a failing junit stored as a hard link",
        [
          ...base,
          { name: "plugins/alpha/results/global/stash.dat", content: failing },
          {
            name: "plugins/alpha/results/global/junit_02.xml",
            type: "link",
            linkname: "plugins/alpha/results/global/stash.dat",
          },
        ],
        /hard link/,
      ],
      [
        "a failing junit stored as a symbolic link",
        [
          ...base,
          { name: "plugins/alpha/results/global/stash.dat", content: failing },
          { name: "plugins/alpha/results/global/junit_02.xml", type: "symlink", linkname: "stash.dat" },
        ],
        /symbolic link/,
      ],
      [
        "a path stored twice (the last entry wins, as tar extracts it)",
        [
          ...base,
          { name: "plugins/alpha/results/global/junit_02.xml", content: junitXml([], "empty") },
          { name: "plugins/alpha/results/global/junit_02.xml", content: failing },
        ],
        /stored 2 times/,
      ],
    ];
    for (const [what, entries, warning] of cases)
      it(`${what}: equal verdicts (FAIL) both ways, with a warning`, async () => {
        const [fromTar, fromDir] = await both(entries);
        expect(id(fromTar, CONF).verdict).to.equal("FAIL");
        expect(id(fromDir, CONF).verdict).to.equal("FAIL");
        expect(fromTar.judgement.exitCode).to.equal(fromDir.judgement.exitCode);
        expect(fromTar.judgement.findings.map((f) => `${f.level}: ${f.message}`).join("\n")).to.match(
          warning,
        );
      });

    it("a path stored twice whose last copy passes reads the last copy only", async () => {
      const [fromTar, fromDir] = await both([
        ...base,
        { name: "plugins/alpha/results/global/junit_02.xml", content: failing },
        { name: "plugins/alpha/results/global/junit_02.xml", content: junitXml([], "empty") },
      ]);
      expect(id(fromTar, CONF).verdict).to.equal(id(fromDir, CONF).verdict);
      expect(id(fromTar, CONF).verdict).to.equal("PASS");
    });
  });

  describe("6. plugin errors count for every plugin", () => {
    it("an errors/ entry of the scs plugin whose junit passed is ABORT", async () => {
      const r = await reportOf([
        ...fixtureEntries(),
        {
          name: "plugins/gamma/errors/global/error.json",
          content: JSON.stringify({ error: "container exited 137" }),
        },
      ]);
      expect(id(r, "version-policy-check").verdict).to.equal("ABORT");
      expect(id(r, "version-policy-check").reasons.join("\n")).to.match(/container exited 137/);
    });

    for (const [plugin, testId] of [
      ["gamma", "version-policy-check"],
      ["beta", NET],
    ] as const)
      it(`Sonobuoy's failed status of the ${plugin} plugin whose junit passed is ABORT (${testId})`, async () => {
        const r = await reportOf([
          ...fixtureEntries(),
          {
            name: `plugins/${plugin}/sonobuoy_results.yaml`,
            content: `name: ${plugin}\nstatus: failed\nmeta:\n  type: summary\nitems:\n- name: error.json\n  status: failed\n`,
          },
        ]);
        expect(id(r, testId).verdict).to.equal("ABORT");
        expect(id(r, testId).reasons.join("\n")).to.match(/status of the plugin is failed/);
      });
  });

  describe("7. a failed suite without pseudo-cases", () => {
    const noFailure: CaseSpec = { name: EXCUSABLE, status: "passed" };
    it("SuiteSucceeded=false with no failed test is ABORT", async () => {
      const r = await reportFor({
        conformanceFailures: [noFailure],
        conformanceSuiteProps: {
          SuiteSucceeded: "false",
          SpecialSuiteFailureReason: "Interrupted by Timeout",
        },
      });
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(id(r, CONF).reasons.join("\n")).to.match(/SuiteSucceeded=false.*Interrupted by Timeout/);
    });

    it("ginkgo's FAIL! line in e2e.log with no failed test is ABORT", async () => {
      const total = conf136.length + 1;
      const r = await reportFor({
        conformanceFailures: [noFailure],
        conformanceLog: e2eLog({
          ran: total - 1,
          total,
          passed: total - 1,
          failed: 0,
          skipped: 1,
          outcome: "FAIL!",
        }),
      });
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(id(r, CONF).reasons.join("\n")).to.match(/e2e\.log.*FAIL!/);
    });
  });

  describe("8. okToFail is searched in the junit name, as the SCS driver does", () => {
    const okFile = (regex: string) =>
      writeTemp("ok.yaml", `okToFail:\n- regex: '${regex.replace(/'/g, "''")}'\n  reason: test\n`);
    it("an anchored regex that fits the spec name but not the junit name ([It] ...) excuses nothing", async () => {
      const r = await reportFor({}, { okToFailFile: await okFile("^\\[sig-network\\] HostPort validates") });
      expect(id(r, CONF).verdict).to.equal("FAIL");
    });
    it("a regex anchored on the junit name's [It] prefix excuses", async () => {
      const r = await reportFor(
        {},
        { okToFailFile: await okFile("^\\[It\\] \\[sig-network\\] HostPort validates") },
      );
      expect(id(r, CONF).verdict, id(r, CONF).reasons.join("\n")).to.equal("PASS");
    });
  });

  describe("also: flakes shown, a passing plugin's summary is no error line", () => {
    it("the e2e.log Flaked count is shown", async () => {
      const entries = fixtureEntries().map((e) =>
        e.name === "plugins/alpha/results/global/e2e.log"
          ? {
              ...e,
              content: e2eLog({
                ran: conf136.length,
                total: conf136.length + 1,
                passed: conf136.length - 1,
                failed: 1,
                skipped: 1,
                flaked: 2,
              }),
            }
          : e,
      );
      const r = await reportOf(entries);
      expect(renderLines(r)).to.match(/info: cncf-k8s-conformance: alpha: 2 spec\(s\) flaked/);
    });

    it("when another plugin aborts the id, the passing plugin's summary is an info line", async () => {
      const r = await reportOf([
        ...fixtureEntries(),
        {
          name: "plugins/delta/definition.json",
          content: definitionJson({ name: "delta", focus: "\\[Conformance\\]" }),
        },
        {
          name: "plugins/delta/results/global/junit_01.xml",
          content: junitXml([{ name: `[It] ${conf136[0]}` }], "Kubernetes e2e suite"),
        },
      ]);
      const lines = renderLines(r);
      expect(id(r, CONF).verdict).to.equal("ABORT");
      expect(lines).to.not.match(/error: cncf-k8s-conformance: alpha: \d+ passed/);
      expect(lines).to.match(/info: cncf-k8s-conformance: alpha: \d+ passed/);
    });
  });
});
