/** The CLI as a person runs it: bin/scs-kaas.js in a child process, fake checks, a fake API server. */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { type FakeApiServer, kubeconfigFor, startFakeApiServer } from "../runner/testdata/fake-api-server.ts";
import { parseJunit, readTarGz } from "../runner/testdata/inspect.ts";
import { type CliRun, spawnCli } from "./testdata/spawn-cli.ts";

const ROOT = resolve(import.meta.dirname, "..");

describe("scs-kaas CLI (child process)", function () {
  this.timeout(60_000);
  let api: FakeApiServer;
  let tmp: string;
  let state: string;

  before(async () => {
    api = await startFakeApiServer();
  });
  after(() => api.close());
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "scs-cli-"));
    state = join(tmp, "state");
    mkdirSync(state);
    writeFileSync(join(tmp, "kubeconfig"), api.kubeconfig);
    api.requests.length = 0;
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  function cli(
    args: string[],
    opts: { scenario?: string; env?: NodeJS.ProcessEnv; during?: (c: ChildProcess) => Promise<void> } = {},
  ): Promise<CliRun> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: tmp,
      ...opts.env,
      ...(opts.scenario
        ? {
            SCS_KAAS_TEST_REGISTRY: join(ROOT, "runner/testdata/fake-checks.ts"),
            FAKE_SCENARIO: opts.scenario,
            FAKE_STATE_DIR: state,
          }
        : {}),
    };
    const { child, done } = spawnCli(args, { cwd: tmp, env });
    void opts.during?.(child);
    return done;
  }

  it("`list` shows both SCS checks with their standard ids", async () => {
    const r = await cli(["list"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/scs-0210-v2\/version-policy\s+scs-0210-v2\s+version-policy-check/);
    expect(r.stdout).to.match(/scs-0214-v2\/node-distribution\s+scs-0214-v2\s+node-distribution-check/);
  });

  it("`version-policy --version` is the command's option, not the program's; an EOL version exits 1", async () => {
    const r = await cli([
      "version-policy",
      "--version",
      "v1.30.0",
      "--reference-date",
      "2026-11-21",
      "--offline",
    ]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.match(/end of life/);
    const own = await cli(["--version"]);
    expect(own.code).to.equal(0);
    expect(own.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });

  it("`run` with every check passing exits 0 and writes junit and tarball to --output", async () => {
    const out = join(tmp, "out");
    const r = await cli(["run", "--kubeconfig", join(tmp, "kubeconfig"), "--output", out], {
      scenario: "all-pass",
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("[1/2] PASS scs-9999-v1/passes: fine");
    expect(api.requests).to.include("GET /api/v1/nodes");
    const junit = parseJunit(readFileSync(join(out, "junit-scs.xml"), "utf8"));
    expect(junit.properties["scs-kaas.mode"]).to.equal("cli");
    expect(junit.cases.map((c) => c.outcome)).to.deep.equal(["pass", "pass"]);
    const tar = await readTarGz(join(out, "scs-kaas-results.tar.gz"));
    expect([...tar.keys()].sort()).to.deep.equal(["junit-scs.xml", "scs-kaas.log"]);
    expect(existsSync(join(out, "done")), "no done file outside Sonobuoy").to.equal(false);
  });

  it("`run` exits 1 when a check fails; KUBECONFIG and --context are honoured", async () => {
    const r = await cli(["run", "--context", "fake", "-o", "out", "--progress", "plain"], {
      scenario: "mixed",
      env: { KUBECONFIG: `${join(tmp, "missing")}:${join(tmp, "kubeconfig")}` },
    });
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.contain("2 passed, 1 failed, 1 aborted, 1 skipped");
    expect(existsSync(join(tmp, "out", "junit-scs.xml"))).to.equal(true);
  });

  it("no kubeconfig anywhere: one-line error, exit 2", async () => {
    const r = await cli(["run"], { scenario: "all-pass" });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.equal(
      "scs-kaas: no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config\n",
    );
  });

  it("--dry-run lists the selection, makes no API call and writes nothing", async () => {
    const r = await cli(
      ["run", "--dry-run", "--kubeconfig", join(tmp, "kubeconfig"), "--focus", "fails|passes"],
      {
        scenario: "mixed",
      },
    );
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain("scs-9999-v1/passes  [scs-9999-v1]  would run");
    expect(r.stdout).to.contain("scs-9999-v1/disruptive  [scs-9999-v1] [Disruptive]  excluded");
    expect(r.stdout).to.contain("2 of 6 checks would run");
    expect(api.requests).to.deep.equal([]);
    expect(existsSync(join(tmp, "results"))).to.equal(false);
  });

  it("an unreachable cluster: one-line error, exit 2, and still a valid junit", async () => {
    const gone = await startFakeApiServer();
    await gone.close();
    writeFileSync(join(tmp, "gone"), kubeconfigFor(gone.url));
    const r = await cli(["run", "--kubeconfig", join(tmp, "gone")], { scenario: "all-pass" });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^scs-kaas: cannot reach the API server: .*ECONNREFUSED.*\n/);
    const junit = parseJunit(readFileSync(join(tmp, "results", "junit-scs.xml"), "utf8"));
    expect(junit.cases.every((c) => c.outcome === "error")).to.equal(true);
  });

  it("a bad kubeconfig or unknown context: one-line error, exit 2", async () => {
    writeFileSync(join(tmp, "broken"), "this: [is not a kubeconfig");
    const broken = await cli(["run", "--kubeconfig", join(tmp, "broken")], { scenario: "all-pass" });
    expect(broken.code).to.equal(2);
    expect(broken.stderr).to.match(/^scs-kaas: cannot read the kubeconfig: [^\n]+\n$/);
    const ctx = await cli(["run", "--kubeconfig", join(tmp, "kubeconfig"), "--context", "nope"], {
      scenario: "all-pass",
    });
    expect(ctx.code).to.equal(2);
    expect(ctx.stderr).to.equal(`scs-kaas: context "nope" not found in ${join(tmp, "kubeconfig")}\n`);
  });

  it("usage errors exit 2", async () => {
    expect((await cli(["run", "--no-such-flag"])).code).to.equal(2);
    expect((await cli(["run", "--focus", "("])).code).to.equal(2);
    expect((await cli(["run", "--reference-date", "2026-13-01", "--dry-run"])).code).to.equal(2);
    expect((await cli(["run", "--parallel", "0", "--dry-run"])).code).to.equal(2);
  });

  it("Ctrl-C (SIGINT) mid-check: cleanups run, exit 2, junit says what did not finish", async () => {
    const r = await cli(["run", "--kubeconfig", join(tmp, "kubeconfig"), "--parallel", "1"], {
      scenario: "sigterm",
      during: async (child) => {
        const until = Date.now() + 15_000;
        while (!existsSync(join(state, "hanging")) && Date.now() < until)
          await new Promise((x) => setTimeout(x, 25));
        child.kill("SIGINT");
      },
    });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("the run was interrupted by SIGINT");
    expect(existsSync(join(state, "resource"))).to.equal(false);
    const junit = parseJunit(readFileSync(join(tmp, "results", "junit-scs.xml"), "utf8"));
    expect(junit.cases.map((c) => c.outcome)).to.deep.equal(["pass", "error", "error"]);
  });
});
