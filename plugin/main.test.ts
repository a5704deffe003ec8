/**
 * The plugin's guarantees, proved on the real entrypoint in a child process with fake checks injected
 * through SCS_KAAS_TEST_REGISTRY: whatever happens, a valid junit, the log, the tarball and the done file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { expect } from "chai";
import { JUNIT_FILE_NAME } from "../common/junit-contract.ts";
import type { ProgressUpdate } from "../runner/progress.ts";
import { type FakeApiServer, kubeconfigFor, startFakeApiServer } from "../runner/testdata/fake-api-server.ts";
import { type ParsedJunit, parseJunit, readTarGz } from "../runner/testdata/inspect.ts";

const ROOT = resolve(import.meta.dirname, "..");
const FAKE_CHECKS = join(ROOT, "runner/testdata/fake-checks.ts");

interface PluginRun {
  code: number | null;
  stdout: string;
  results: string;
  state: string;
  junit: ParsedJunit;
  junitXml: string;
  done: string | undefined;
  progress: ProgressUpdate[];
}

interface RunOptions {
  config?: Record<string, string>;
  kubeconfig?: string;
  /** Runs while the plugin runs, e.g. to send it SIGTERM. */
  during?: (child: ChildProcess, state: string) => Promise<void>;
}

async function waitForFile(path: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms}ms`);
    await delay(25);
  }
}

describe("plugin entrypoint (child process, fake checks)", function () {
  this.timeout(60_000);
  let api: FakeApiServer;
  let progressServer: Server;
  let progress: ProgressUpdate[];
  let tmp: string;

  before(async () => {
    api = await startFakeApiServer();
    progressServer = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        if (req.url === "/progress" && req.method === "POST")
          progress.push(JSON.parse(body) as ProgressUpdate);
        res.end();
      });
    });
    await new Promise<void>((r) => progressServer.listen(0, "127.0.0.1", r));
  });
  after(async () => {
    await api.close();
    await new Promise((r) => progressServer.close(r));
  });
  beforeEach(() => {
    progress = [];
    tmp = mkdtempSync(join(tmpdir(), "scs-plugin-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  async function runPlugin(scenario: string, opts: RunOptions = {}): Promise<PluginRun> {
    const results = join(tmp, "results");
    const config = join(tmp, "config");
    const state = join(tmp, "state");
    for (const d of [config, state]) mkdirSync(d, { recursive: true });
    for (const [k, v] of Object.entries(opts.config ?? {})) writeFileSync(join(config, k), `${v}\n`);
    const kubeconfig = join(tmp, "kubeconfig");
    writeFileSync(kubeconfig, opts.kubeconfig ?? api.kubeconfig);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: tmp,
      SONOBUOY: "true",
      SONOBUOY_RESULTS_DIR: results,
      SONOBUOY_CONFIG_DIR: config,
      SONOBUOY_PROGRESS_PORT: String((progressServer.address() as AddressInfo).port),
      SONOBUOY_K8S_VERSION: "v1.31.4",
      KUBECONFIG: kubeconfig,
      SCS_KAAS_TEST_REGISTRY: FAKE_CHECKS,
      FAKE_SCENARIO: scenario,
      FAKE_STATE_DIR: state,
    };
    const child = spawn(process.execPath, [join(ROOT, "plugin/main.ts")], { cwd: ROOT, env });
    let stdout = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stdout += c;
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    await opts.during?.(child, state);
    const code = await exited;
    const junitXml = readFileSync(join(results, JUNIT_FILE_NAME), "utf8");
    const donePath = join(results, "done");
    return {
      code,
      stdout,
      results,
      state,
      junitXml,
      junit: parseJunit(junitXml),
      done: existsSync(donePath) ? readFileSync(donePath, "utf8").trim() : undefined,
      progress,
    };
  }

  function byCheck(run: PluginRun, slug: string) {
    const c = run.junit.cases.find((x) => x.properties["scs.check-id"] === `scs-9999-v1/${slug}`);
    if (!c) throw new Error(`no testcase for ${slug} in\n${run.junitXml}`);
    return c;
  }

  /** The hand-over Sonobuoy relies on: done names a tarball holding the same junit and the log. */
  async function expectHandedOver(run: PluginRun): Promise<void> {
    expect(run.done, `done file missing; output:\n${run.stdout}`).to.equal(
      join(run.results, "scs-kaas-results.tar.gz"),
    );
    const files = await readTarGz(run.done as string);
    expect([...files.keys()].sort()).to.deep.equal(["junit-scs.xml", "scs-kaas.log"]);
    expect(files.get("junit-scs.xml")).to.equal(run.junitXml);
    expect(run.junit.suites).to.equal(1);
    expect(run.junit.cases.length).to.be.greaterThan(0);
    expect(Number(run.junit.suite.tests)).to.equal(run.junit.cases.length);
  }

  it("runs a mixed suite: one testcase per check with its verdict, properties, progress", async () => {
    const run = await runPlugin("mixed", {
      config: { "reference-date": "2026-11-21", "release-data": "/x.json" },
    });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(run.junit.properties).to.include({
      "scs-kaas.reference-date": "2026-11-21",
      "cluster.version": "v1.31.4",
      "scs-kaas.mode": "sonobuoy",
    });
    expect(JSON.parse(run.junit.properties["scs-kaas.options"] ?? "{}")).to.include({
      "release-data": "/x.json",
    });
    expect(run.junit.suite).to.include({ tests: "6", failures: "1", errors: "1", skipped: "2" });
    for (const c of run.junit.cases) {
      expect(c.name.startsWith("[scs-9999-v1] ")).to.equal(true, c.name);
      expect(c.classname).to.equal("scs-kaas.scs-9999-v1");
    }
    expect(byCheck(run, "passes").outcome).to.equal("pass");
    const failed = byCheck(run, "fails");
    expect(failed).to.include({ outcome: "failure", type: "fail", message: "the cluster violates it" });
    expect(failed.systemOut).to.contain("node-b lacks the label").and.contain("object state dumped");
    expect(byCheck(run, "skips")).to.include({ outcome: "skipped", message: "needs three nodes" });
    const crashed = byCheck(run, "throws");
    expect(crashed).to.include({ outcome: "error", type: "abort" });
    expect(crashed.message).to.match(/^the check crashed: TypeError/);
    expect(byCheck(run, "disruptive").message).to.contain(
      "[Disruptive] checks run only when enable-disruptive",
    );
    expect(byCheck(run, "warns").systemOut).to.contain("warning: zone spread");
    const last = run.progress.at(-1);
    expect(last).to.include({ total: 5, completed: 3 });
    expect(last?.failures).to.deep.equal(["scs-9999-v1/fails"]);
    expect(last?.errors).to.have.length(1);
    expect(last?.errors[0]).to.match(/^scs-9999-v1\/throws: the check crashed/);
  });

  it("SIGTERM mid-check: the running check's cleanups run, pending checks are errors, results handed over", async () => {
    const run = await runPlugin("sigterm", {
      config: { parallel: "1" },
      during: async (child, state) => {
        await waitForFile(join(state, "hanging"));
        child.kill("SIGTERM");
      },
    });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "passes").outcome).to.equal("pass");
    expect(byCheck(run, "hangs")).to.include({
      outcome: "error",
      message: "the run was interrupted by SIGTERM",
    });
    expect(byCheck(run, "after")).to.include({
      outcome: "error",
      message: "not run: the run was interrupted by SIGTERM",
    });
    expect(existsSync(join(run.state, "resource")), "resource left behind").to.equal(false);
    expect(existsSync(join(run.state, "cleaned"))).to.equal(true);
    expect(byCheck(run, "hangs").systemOut).to.contain("ok remove resource");
  });

  it("a check over its budget aborts naming the timeout, its cleanups run, the next check runs", async () => {
    const run = await runPlugin("timeout");
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "hangs").outcome).to.equal("error");
    expect(byCheck(run, "hangs").message).to.equal(
      'timeout "fake-hang-budget" (500ms) expired while running scs-9999-v1/hangs',
    );
    expect(existsSync(join(run.state, "resource"))).to.equal(false);
    expect(byCheck(run, "passes").outcome).to.equal("pass");
  });

  it("a cleanup registered after the check's timeout fired still runs before the results are handed over", async () => {
    const run = await runPlugin("late-defer-timeout");
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "registers-late").message).to.equal(
      'timeout "fake-late-budget" (300ms) expired while running scs-9999-v1/registers-late',
    );
    expect(existsSync(join(run.state, "cleaned")), "late cleanup did not run").to.equal(true);
    expect(existsSync(join(run.state, "resource")), "resource left behind").to.equal(false);
    expect(byCheck(run, "registers-late").systemOut).to.contain("ok remove late resource");
    expect(byCheck(run, "passes").outcome).to.equal("pass");
  });

  it("a cleanup registered after SIGTERM stopped the check still runs before the results are handed over", async () => {
    const run = await runPlugin("late-defer-sigterm", {
      during: async (child, state) => {
        await waitForFile(join(state, "hanging"));
        child.kill("SIGTERM");
      },
    });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "registers-late").message).to.equal("the run was interrupted by SIGTERM");
    expect(existsSync(join(run.state, "cleaned")), "late cleanup did not run").to.equal(true);
    expect(existsSync(join(run.state, "resource")), "resource left behind").to.equal(false);
  });

  it("an unhandled rejection aborts the check it came from; the run goes on", async () => {
    const run = await runPlugin("rejection");
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "leaks-rejection")).to.include({
      outcome: "error",
      message: "unhandled promise rejection: Error: boom from a floating promise",
    });
    expect(byCheck(run, "passes").outcome).to.equal("pass");
  });

  it("an uncaught exception stops the run after the running check's cleanups; results handed over", async () => {
    const run = await runPlugin("uncaught", { config: { parallel: "1" } });
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    const c = byCheck(run, "throws-in-timer");
    expect(c.outcome).to.equal("error");
    expect(c.message).to.contain("uncaught exception: Error: kaboom in a timer");
    expect(byCheck(run, "passes").message).to.match(
      /^not run: the runner stopped after an uncaught exception/,
    );
    expect(existsSync(join(run.state, "resource"))).to.equal(false);
  });

  it("the API server goes away mid-run: later checks abort with the network cause, never fail", async () => {
    const outage = await startFakeApiServer();
    try {
      const run = await runPlugin("api-outage", {
        config: { parallel: "1" },
        kubeconfig: outage.kubeconfig,
        during: async (_child, state) => {
          await waitForFile(join(state, "listed"));
          await outage.close();
          writeFileSync(join(state, "api-down"), "");
        },
      });
      expect(run.code).to.equal(0);
      await expectHandedOver(run);
      expect(byCheck(run, "lists-nodes")).to.include({ outcome: "pass" });
      for (const slug of ["lists-after-outage", "lists-again"]) {
        const c = byCheck(run, slug);
        expect(c.outcome, slug).to.equal("error");
        expect(c.message).to.match(/^cannot reach the API server: .*ECONNREFUSED/);
      }
      expect(outage.requests).to.include("GET /api/v1/nodes");
    } finally {
      await outage.close();
    }
  });

  it("an unreachable API server at start: every selected check is an error saying so", async () => {
    const gone = await startFakeApiServer();
    await gone.close();
    const run = await runPlugin("mixed", { kubeconfig: kubeconfigFor(gone.url) });
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    const notRun = run.junit.cases.filter((c) => c.outcome === "error");
    expect(notRun).to.have.length(5);
    for (const c of notRun)
      expect(c.message).to.match(/^not run: cannot reach the API server: .*ECONNREFUSED/);
    expect(run.junit.properties["cluster.version"]).to.equal("v1.31.4 (from Sonobuoy)");
  });

  it("a broken configuration still hands over a junit whose runner testcase says why", async () => {
    const run = await runPlugin("mixed", { config: { "reference-date": "next tuesday" } });
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    expect(run.junit.cases).to.have.length(1);
    expect(run.junit.cases[0]).to.include({ outcome: "error", classname: "scs-kaas.runner" });
    expect(run.junit.cases[0]?.message).to.contain("reference-date must be a date YYYY-MM-DD");
  });

  it("a focus that selects nothing is an error, not an empty (green) suite", async () => {
    const run = await runPlugin("mixed", { config: { focus: "no-such-check" } });
    expect(run.code).to.equal(0);
    await expectHandedOver(run);
    const runner = run.junit.cases.find((c) => c.classname === "scs-kaas.runner");
    expect(runner?.outcome).to.equal("error");
    expect(runner?.message).to.match(/^no check was selected/);
    expect(run.junit.cases.filter((c) => c.outcome === "skipped")).to.have.length(6);
  });

  it("runs ordinary checks concurrently, [Serial] ones alone, [Disruptive] ones last; junit in registry order", async () => {
    const run = await runPlugin("concurrent", { config: { "enable-disruptive": "true", parallel: "3" } });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(run.junit.cases.map((c) => c.properties["scs.check-id"])).to.deep.equal(
      ["serial", "a", "disruptive", "b", "c"].map((s) => `scs-9999-v1/${s}`),
    );
    for (const slug of ["a", "b", "c", "serial", "disruptive"])
      expect(byCheck(run, slug).outcome, `${slug}: ${byCheck(run, slug).message}`).to.equal("pass");
  });

  it("parallel bounds how many run at once: of three peers, two wait for the third until a budget ends", async () => {
    const run = await runPlugin("concurrent", { config: { parallel: "2" } });
    await expectHandedOver(run);
    // c starts only when a or b ends, and that one can end only at its budget (c was not running yet).
    // The other may then see c start just before its own budget ends: both outcomes are honest.
    const timedOut = ["a", "b"].filter((slug) =>
      new RegExp(`^timeout "fake-${slug}-waits-for-peers" \\(5s\\)`).test(byCheck(run, slug).message ?? ""),
    );
    expect(timedOut.length, run.stdout).to.be.greaterThan(0);
    expect(byCheck(run, "c").outcome).to.equal("pass");
  });

  it("SIGTERM while several checks run: each is aborted, every cleanup runs, pending checks are errors", async () => {
    const run = await runPlugin("concurrent-sigterm", {
      config: { parallel: "2" },
      during: async (child, state) => {
        await waitForFile(join(state, "hanging-one"));
        await waitForFile(join(state, "hanging-two"));
        child.kill("SIGTERM");
      },
    });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    for (const slug of ["one", "two"]) {
      expect(byCheck(run, slug)).to.include({
        outcome: "error",
        message: "the run was interrupted by SIGTERM",
      });
      expect(existsSync(join(run.state, `resource-${slug}`)), `resource-${slug} left behind`).to.equal(false);
      expect(byCheck(run, slug).systemOut).to.contain(`ok remove resource-${slug}`);
    }
    expect(byCheck(run, "passes").message).to.equal("not run: the run was interrupted by SIGTERM");
  });

  it("a timeout in one of several running checks ends that one only; its cleanups run", async () => {
    const run = await runPlugin("concurrent-timeout");
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "one").message).to.equal(
      'timeout "fake-one-budget" (500ms) expired while running scs-9999-v1/one',
    );
    expect(existsSync(join(run.state, "resource-one"))).to.equal(false);
    expect(byCheck(run, "outlives-timeout").outcome).to.equal("pass");
    expect(byCheck(run, "passes").outcome).to.equal("pass");
  });

  it("an unhandled rejection while several checks run aborts the check whose code made it, no other", async () => {
    const run = await runPlugin("concurrent-rejection");
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    expect(byCheck(run, "leaks-rejection")).to.include({
      outcome: "error",
      message: "unhandled promise rejection: Error: boom from a floating promise",
    });
    expect(byCheck(run, "waits").outcome).to.equal("pass");
    expect(run.stdout).to.contain("(from scs-9999-v1/leaks-rejection)");
  });

  it("a rejection no check can own while several run: each running check aborts saying so, results honest", async () => {
    const run = await runPlugin("stray-rejection", { config: { parallel: "2" } });
    expect(run.code, run.stdout).to.equal(0);
    await expectHandedOver(run);
    for (const slug of ["one", "two"]) {
      const c = byCheck(run, slug);
      expect(c.outcome).to.equal("error");
      expect(c.message).to.equal(
        "unhandled promise rejection: Error: boom from nowhere (outside any check's context while 2 checks ran; it may come from any of them)",
      );
      expect(existsSync(join(run.state, `resource-${slug}`))).to.equal(false);
    }
    expect(byCheck(run, "passes").outcome).to.equal("pass");
  });

  it("SIGKILL (no chance to react): the junit written so far is valid and names the unfinished check", async () => {
    const run = await runPlugin("sigterm", {
      config: { parallel: "1" },
      during: async (child, state) => {
        await waitForFile(join(state, "hanging"));
        child.kill("SIGKILL");
      },
    });
    expect(run.done).to.equal(undefined);
    expect(byCheck(run, "passes").outcome).to.equal("pass");
    expect(byCheck(run, "hangs").message).to.match(
      /^did not finish: the runner ended before this check finished/,
    );
    expect(byCheck(run, "after").message).to.match(/^not run: /);
  });
});
