/**
 * scs-kaas sonobuoy as a process, with a stand-in sonobuoy binary (testdata/fake-sonobuoy.sh) that
 * records its calls: the order run → status → retrieve → delete, the report files, and what Ctrl-C does.
 * The command lines themselves are tested in sonobuoy.test.ts; the real Sonobuoy run is the lab's proof.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { type CliRun, spawnCli } from "../testdata/spawn-cli.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FAKE = join(ROOT, "cli/sonobuoy/testdata/fake-sonobuoy.sh");
const TARBALL = join(ROOT, "../shared/data/sonobuoy/testResultsOutput.tar.gz");

interface Run extends CliRun {
  calls: string[];
}

describe("scs-kaas sonobuoy (child process, stand-in sonobuoy)", function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "scs-certrun-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  async function certrun(
    mode: string,
    args: string[] = [],
    during?: (child: ChildProcess, calls: () => string[]) => Promise<void>,
  ): Promise<Run> {
    const callsFile = join(tmp, "calls");
    const calls = () => (existsSync(callsFile) ? readFileSync(callsFile, "utf8").trim().split("\n") : []);
    const { child, done } = spawnCli(["sonobuoy", "--sonobuoy", FAKE, "-o", join(tmp, "out"), ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: tmp,
        FAKE_STATE: tmp,
        FAKE_MODE: mode,
        FAKE_TARBALL: TARBALL,
        SCS_KAAS_SONOBUOY_POLL_MS: "200",
      },
    });
    await during?.(child, calls);
    return { ...(await done), calls: calls() };
  }

  async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`${what} did not happen within ${ms}ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("runs, waits, retrieves, deletes, then prints the verdict and writes the HTML and SCS report beside the tarball", async () => {
    const r = await certrun("complete", ["--quick", "--focus", "scs-0214"]);
    const verbs = r.calls.map((c) => c.split(" ").slice(0, 2).join(" "));
    expect(verbs).to.deep.equal([
      "version --short",
      "gen plugin",
      "run --namespace=sonobuoy",
      "status --json",
      "status --json",
      `retrieve ${join(tmp, "out")}`,
      "delete --wait",
    ]);
    expect(r.calls[2]).to.contain("--plugin=e2e").and.contain("@e2e-netpol").and.contain("plugins/scs.yaml");
    expect(readFileSync(join(tmp, "out/plugins/scs.yaml"), "utf8")).to.contain("focus: scs-0214");
    // The stand-in tarball holds a dry-run conformance run: ABORT, exit 2 as `scs-kaas report` says.
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stdout).to.match(/^info: --quick: a smoke run .* it never certifies$/m);
    expect(r.stdout).to.match(/^cncf-k8s-conformance: ABORT$/m);
    const base = join(tmp, "out/202612020000_sonobuoy_fake");
    expect(readFileSync(`${base}.html`, "utf8")).to.match(/^<!doctype html>/i);
    expect(readFileSync(`${base}.scs-report.yaml`, "utf8")).to.contain("cncf-k8s-conformance");
    expect(r.stderr).to.contain(
      "waiting for the aggregator: The Sonobuoy aggregator is in the 'Pending' state",
    );
    expect(r.stderr).to.contain("e2e  complete (passed)  1 passed, 0 failed, 0 remaining");
  });

  it("Ctrl-C while waiting: deletes what Sonobuoy made, retrieves nothing, exits 2", async () => {
    const r = await certrun("running", [], async (child, calls) => {
      await until(
        "a status poll past Pending",
        () => calls().filter((c) => c.startsWith("status")).length >= 2,
      );
      child.kill("SIGINT");
    });
    expect(r.code).to.equal(2);
    // The e2e run stopped halfway: its test namespaces go too.
    expect(r.calls.at(-1)).to.match(/^delete --all --wait/);
    expect(r.calls.some((c) => c.startsWith("retrieve"))).to.equal(false);
    expect(r.stderr).to.contain("SIGINT: stopping; deleting what Sonobuoy made");
    expect(r.stderr).to.contain("no results: interrupted by SIGINT");
    expect(r.stderr).to.contain("scs  running  1 passed, 0 failed, 1 remaining  running 2 checks");
  });

  it("a second Ctrl-C leaves at once and says what is left and how to remove it", async () => {
    const started = Date.now();
    const r = await certrun("hang-delete", ["--kubeconfig", "/k/config"], async (child, calls) => {
      await until("a status poll", () => calls().some((c) => c.startsWith("status")));
      child.kill("SIGINT");
      await until("the delete", () => calls().some((c) => c.startsWith("delete")));
      child.kill("SIGINT");
    });
    expect(Date.now() - started).to.be.lessThan(25_000);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(
      "SIGINT again: leaving now. Left in the cluster: Sonobuoy's namespace sonobuoy",
    );
    expect(r.stderr).to.contain("sonobuoy delete --all --wait --kubeconfig=/k/config --namespace=sonobuoy");
  });
});
