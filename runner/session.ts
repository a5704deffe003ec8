import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { JUNIT_FILE_NAME } from "../common/junit-contract.ts";
import { describe } from "../suites/framework/api-errors.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";
import { CheckAborted, RunInterrupted } from "../suites/framework/errors.ts";
import { runSelector } from "../suites/framework/labels.ts";
import { withTimeout } from "../suites/framework/timeouts.ts";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.ts";
import { probeCluster } from "./cluster-probe.ts";
import { writeDoneFile, writeDoneFileSync } from "./done-file.ts";
import { HumanLog } from "./human-log.ts";
import { type RunMeta, renderJunit, runnerResult } from "./junit.ts";
import { type ProgressReporter, progressUpdate } from "./progress.ts";
import { type CheckResult, tally } from "./result.ts";
import { DEFAULT_TIMEOUTS, type RunnerTimeouts } from "./run-check.ts";
import { type SuiteEvent, SuiteRun } from "./run-suite.ts";
import { type Selection, selectChecks } from "./select.ts";
import { DEFAULT_SWEEP_AGE_MS, parseAge, SWEEP_OPTION, SWEEP_TIMEOUT, sweepEarlierRuns } from "./sweep.ts";
import { writeTarGz } from "./tarball.ts";

export const LOG_FILE_NAME = "scs-kaas.log";
export const TARBALL_NAME = "scs-kaas-results.tar.gz";

export interface SessionConfig {
  checks: readonly CheckDefinition[];
  selection: Selection;
  kubeConfig: KubeConfig;
  outputDir: string;
  runId: string;
  referenceDate: Date;
  /** Options handed to the checks (ctx.options). */
  checkOptions: Readonly<Record<string, string>>;
  mode: "sonobuoy" | "cli";
  suiteVersion: string;
  /** Used when the API server cannot tell (Sonobuoy's SONOBUOY_K8S_VERSION). */
  clusterVersionHint?: string;
  writeDoneFile: boolean;
  /** How many ordinary checks run at once (run-suite.ts DEFAULT_PARALLEL when absent). */
  parallel?: number;
  progress?: ProgressReporter;
  timeouts?: RunnerTimeouts;
  onEvent?: (e: SuiteEvent) => void;
  /** Sees every log line (stdout in the plugin, the plain CLI view). */
  echo?: (line: string) => void;
  /** How an emergency ends the process (process.exit in the entrypoints), told whether results were written. */
  exit?: (resultsWritten: boolean) => void;
}

export interface SessionResult {
  results: CheckResult[];
  junitPath: string;
  logPath: string;
  tarballPath: string;
  /** Set when the done file was written. */
  donePath?: string;
  /** Why the run ended early, if it did. */
  interrupted?: string;
}

/**
 * One run: probe, select, run, write. Whatever ends it (normal end, SIGTERM, a crash) it leaves a valid
 * junit, the log, the tarball and, in Sonobuoy, the done file. The junit is also rewritten after every
 * check, so even a SIGKILL leaves one that says which checks had not finished.
 */
export class Session {
  readonly #cfg: SessionConfig;
  readonly #interrupt = new AbortController();
  readonly #log: HumanLog;
  readonly #runnerErrors: string[] = [];
  readonly #startedAt = new Date();
  #suite: SuiteRun | undefined;
  #preflightFailure: string | undefined;
  #clusterVersion = "unknown";
  #finished: Promise<SessionResult> | undefined;
  #signals = 0;

  constructor(cfg: SessionConfig) {
    this.#cfg = cfg;
    mkdirSync(cfg.outputDir, { recursive: true });
    this.#log = new HumanLog(join(cfg.outputDir, LOG_FILE_NAME), cfg.echo);
  }

  get paths() {
    const dir = this.#cfg.outputDir;
    return {
      junit: join(dir, JUNIT_FILE_NAME),
      log: join(dir, LOG_FILE_NAME),
      tarball: join(dir, TARBALL_NAME),
    };
  }

  async run(): Promise<SessionResult> {
    const cfg = this.#cfg;
    this.#log.line(
      `scs-kaas ${cfg.suiteVersion} run ${cfg.runId} (${cfg.mode}), reference date ${isoDate(cfg.referenceDate)}`,
    );
    const suite = new SuiteRun(
      selectChecks(cfg.checks, cfg.selection),
      {
        kubeConfig: cfg.kubeConfig,
        runId: cfg.runId,
        referenceDate: cfg.referenceDate,
        options: cfg.checkOptions,
        runSignal: this.#interrupt.signal,
        timeouts: cfg.timeouts ?? DEFAULT_TIMEOUTS,
        onLog: (id, line) => this.#log.line(`  [${id}] ${line}`),
      },
      cfg.parallel,
    );
    this.#suite = suite;
    this.#writeJunitSync();

    if (suite.selectedCount > 0) {
      const probe = await probeCluster(cfg.kubeConfig, this.#interrupt.signal);
      if (probe.ok) this.#clusterVersion = probe.gitVersion;
      else {
        this.#clusterVersion = cfg.clusterVersionHint
          ? `${cfg.clusterVersionHint} (from Sonobuoy)`
          : "unknown";
        this.#log.line(`API server probe: ${probe.reason}`);
        if (probe.unreachable && !this.#interrupt.signal.aborted) {
          this.#preflightFailure = probe.reason;
          this.#interrupt.abort(new RunInterrupted(probe.reason));
        }
      }
      this.#log.line(
        `cluster version ${this.#clusterVersion}; ${suite.selectedCount} of ${cfg.checks.length} checks selected`,
      );
      this.#post(`running ${suite.selectedCount} checks`, []);
      if (!this.#interrupt.signal.aborted) await this.#sweep();
    }

    await suite.run((e) => {
      if (e.type === "start") {
        this.#log.line(`START ${e.check.id} (${e.index + 1}/${e.total}): ${e.check.title}`);
        this.#writeJunitSync();
      } else {
        this.#log.line(`${e.result.verdict.toUpperCase()} ${e.result.check.id}: ${e.result.reason}`);
        for (const w of e.result.warnings) this.#log.line(`  warning: ${w}`);
        this.#writeJunitSync();
        this.#post(`${e.result.check.id}: ${e.result.verdict}`, e.results);
      }
      cfg.onEvent?.(e);
    });
    const why = this.#interrupt.signal.aborted ? reasonOf(this.#interrupt.signal.reason) : undefined;
    return this.finish(why);
  }

  /** Deletes namespaces earlier runs left behind (runner/sweep.ts); `--option sweep-older-than=off` disables. */
  async #sweep(): Promise<void> {
    const cfg = this.#cfg;
    const raw = cfg.checkOptions[SWEEP_OPTION]?.trim();
    let olderThanMs: number | undefined = DEFAULT_SWEEP_AGE_MS;
    try {
      if (raw) olderThanMs = parseAge(raw);
    } catch (err) {
      this.#log.line(`sweep skipped: ${(err as Error).message}`);
      return;
    }
    if (olderThanMs === undefined) return;
    // bounded: an API server that stops answering must not hold the run before its first check
    await withTimeout(SWEEP_TIMEOUT, this.#interrupt.signal, "sweeping earlier runs' namespaces", () =>
      sweepEarlierRuns(cfg.kubeConfig, {
        currentRunId: cfg.runId,
        olderThanMs,
        log: (line) => this.#log.line(line),
      }),
    ).catch((err: unknown) => this.#log.line(`sweep stopped: ${describe(err)}`));
  }

  /**
   * SIGTERM / SIGINT: the first stops the run (the running checks are aborted, their cleanups run, pending
   * checks are reported as not run); a second one writes the results at once and exits.
   */
  interrupt(signalName: string): void {
    this.#signals++;
    if (this.#signals === 1) {
      this.#log.line(`received ${signalName}: stopping; cleanups of the running checks still run`);
      this.#stop(new RunInterrupted(`the run was interrupted by ${signalName}`));
      return;
    }
    this.#log.line(`received ${signalName} again: writing results now, cleanups may be cut short`);
    this.#log.line(
      `to remove what may be left: kubectl delete namespaces -l ${runSelector(this.#cfg.runId)}`,
    );
    this.emergencyExit(
      `the run was interrupted by ${signalName} twice; results written without waiting for cleanups`,
    );
  }

  /**
   * A promise rejected with nobody listening: it belongs to the check whose code created it (its async
   * context). Without one: to the only running check; when several run, nobody can tell which one it
   * came from, so each of them ends with an abort saying so (none keeps a verdict it may not deserve);
   * when none runs, it is a runner error.
   */
  strayRejection(err: unknown): void {
    const text = `unhandled promise rejection: ${describe(err)}`;
    const suite = this.#suite;
    const owner = suite?.checkInContext();
    if (owner && suite?.abortCheck(owner, new CheckAborted(text))) {
      this.#log.line(`${text} (from ${owner})`);
      return;
    }
    const running = suite?.runningCheckIds ?? [];
    if (running.length === 1 && suite?.abortRunning(new CheckAborted(text)).length) {
      this.#log.line(`${text} (attributed to ${running[0]}, the only running check)`);
      return;
    }
    if (running.length > 1) {
      const why = `${text} (outside any check's context while ${running.length} checks ran; it may come from any of them)`;
      const ended = suite?.abortRunning(new CheckAborted(why)) ?? [];
      this.#log.line(`${why}: ended ${ended.join(", ")}`);
      return;
    }
    this.#log.line(`${text} (outside any check)`);
    this.#runnerErrors.push(text);
  }

  /**
   * An exception nobody caught: the process may be in a bad state, so the run stops (the running checks
   * are aborted with it and their cleanups run, pending checks are not run); the watchdog bounds the rest.
   */
  uncaughtException(err: unknown): void {
    const text = `the runner stopped after an uncaught exception: ${describe(err)}`;
    this.#log.line(text);
    if (err instanceof Error && err.stack) this.#log.line(err.stack);
    const owner = this.#suite?.checkInContext();
    if (owner) this.#log.line(`(thrown by code of ${owner})`);
    this.#suite?.abortRunning(new CheckAborted(text));
    this.#stop(new RunInterrupted(text));
  }

  #stop(reason: Error): void {
    if (this.#interrupt.signal.aborted) return;
    this.#interrupt.abort(reason);
    const timeouts = this.#cfg.timeouts ?? DEFAULT_TIMEOUTS;
    const graceMs = timeouts.cleanupAfterInterrupt.ms + timeouts.dump.ms + 5_000;
    setTimeout(() => {
      this.emergencyExit(
        `the runner did not finish within ${Math.round(graceMs / 1000)}s after: ${reason.message}`,
      );
    }, graceMs).unref();
  }

  /**
   * Last words (a second signal, or the watchdog after a stop): synchronously write the junit with the
   * running and pending checks as errors and the done file pointing at it (no tarball: nothing awaited),
   * then exit through cfg.exit.
   */
  emergencyExit(why: string): void {
    this.#runnerErrors.push(why);
    this.#log.line(`emergency stop: ${why}`);
    const results = this.#results(why);
    let written = false;
    try {
      writeFileAtomicSync(this.paths.junit, this.#render(results));
      if (this.#cfg.writeDoneFile) writeDoneFileSync(this.#cfg.outputDir, this.paths.junit);
      written = true;
    } catch (err) {
      this.#log.line(`could not write results: ${describe(err)}`);
    }
    this.#cfg.exit?.(written);
  }

  /** Writes everything and the done file; idempotent. */
  finish(why?: string): Promise<SessionResult> {
    this.#finished ??= this.#finish(why);
    return this.#finished;
  }

  async #finish(why: string | undefined): Promise<SessionResult> {
    const cfg = this.#cfg;
    const results = this.#results(why ?? "the runner stopped before this check finished");
    const t = tally(results.filter((r) => !r.notSelected));
    this.#log.line(
      `summary: ${t.pass} passed, ${t.fail} failed, ${t.abort} aborted, ${t.skip} skipped${why ? ` (stopped: ${why})` : ""}`,
    );
    const out: SessionResult = {
      results,
      junitPath: this.paths.junit,
      logPath: this.paths.log,
      tarballPath: this.paths.tarball,
      ...(why ? { interrupted: why } : {}),
    };
    await writeFileAtomic(out.junitPath, this.#render(results));
    let handOver = out.junitPath;
    try {
      await writeTarGz(out.tarballPath, [
        { name: JUNIT_FILE_NAME, source: out.junitPath },
        { name: LOG_FILE_NAME, source: out.logPath },
      ]);
      handOver = out.tarballPath;
    } catch (err) {
      // The junit alone still carries every verdict; hand that over rather than nothing.
      this.#log.line(`could not write ${TARBALL_NAME}: ${describe(err)}; handing over the junit alone`);
    }
    if (cfg.writeDoneFile) {
      await writeDoneFile(cfg.outputDir, handOver);
      out.donePath = join(cfg.outputDir, "done");
    }
    this.#post(why ? `stopped: ${why}` : "done", results);
    await cfg.progress?.flush();
    return out;
  }

  #results(why: string): CheckResult[] {
    if (!this.#suite) return [runnerResult(`the runner stopped before any check was listed: ${why}`)];
    const results = this.#suite.snapshot(why);
    if (this.#suite.selectedCount === 0) {
      const { focus, skip } = this.#cfg.selection;
      results.push(
        runnerResult(
          `no check was selected (focus ${JSON.stringify(focus ?? "")}, skip ${JSON.stringify(skip ?? "")}, ${this.#cfg.checks.length} checks registered)`,
        ),
      );
    }
    for (const e of this.#runnerErrors) results.push(runnerResult(e));
    if (this.#preflightFailure) {
      for (const r of results)
        if (r.reason.startsWith("not run: ") && !r.details.length)
          r.details.push("the API server probe before the run failed");
    }
    return results;
  }

  #writeJunitSync(): void {
    try {
      writeFileAtomicSync(
        this.paths.junit,
        this.#render(
          this.#results(
            "the runner ended before this check finished (killed, or crashed without writing results)",
          ),
        ),
      );
    } catch (err) {
      this.#log.line(`could not write the interim junit: ${describe(err)}`);
    }
  }

  #render(results: readonly CheckResult[]): string {
    const cfg = this.#cfg;
    const meta: RunMeta = {
      suiteVersion: cfg.suiteVersion,
      clusterVersion: this.#clusterVersion,
      referenceDate: cfg.referenceDate,
      options: {
        ...cfg.checkOptions,
        ...(cfg.selection.focus ? { focus: cfg.selection.focus } : {}),
        ...(cfg.selection.skip ? { skip: cfg.selection.skip } : {}),
        "enable-disruptive": String(cfg.selection.enableDisruptive),
      },
      mode: cfg.mode,
      runId: cfg.runId,
      startedAt: this.#startedAt,
    };
    return renderJunit(results, meta);
  }

  #post(msg: string, results: readonly CheckResult[]): void {
    this.#cfg.progress?.post(
      progressUpdate(msg, this.#suite?.selectedCount ?? 0, results, this.#runnerErrors),
    );
  }
}

/** 0 all passed (or skipped), 1 any check failed, 2 any abort (incl. nothing selected, interrupted). */
export function exitCodeFor(results: readonly CheckResult[]): 0 | 1 | 2 {
  const t = tally(results.filter((r) => !r.notSelected));
  if (t.fail > 0) return 1;
  if (t.abort > 0) return 2;
  return 0;
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export interface EarlyFailure {
  outputDir: string;
  reason: string;
  details?: string[];
  mode: "sonobuoy" | "cli";
  suiteVersion: string;
  runId: string;
  referenceDate?: Date;
  clusterVersion?: string;
  writeDoneFile: boolean;
}

/**
 * The run could not even start (bad configuration, the registry failed to load): still hand over a
 * junit whose single runner testcase says why, so Sonobuoy reports an error instead of waiting.
 */
export async function failBeforeRun(f: EarlyFailure): Promise<SessionResult> {
  mkdirSync(f.outputDir, { recursive: true });
  const log = new HumanLog(join(f.outputDir, LOG_FILE_NAME));
  log.line(`scs-kaas ${f.suiteVersion} run ${f.runId} could not start: ${f.reason}`);
  const results = [runnerResult(`the run could not start: ${f.reason}`, f.details ?? [])];
  const now = new Date();
  const junit = renderJunit(results, {
    suiteVersion: f.suiteVersion,
    clusterVersion: f.clusterVersion ?? "unknown",
    referenceDate: f.referenceDate ?? now,
    options: {},
    mode: f.mode,
    runId: f.runId,
    startedAt: now,
  });
  const out: SessionResult = {
    results,
    junitPath: join(f.outputDir, JUNIT_FILE_NAME),
    logPath: log.path,
    tarballPath: join(f.outputDir, TARBALL_NAME),
    interrupted: f.reason,
  };
  await writeFileAtomic(out.junitPath, junit);
  await writeTarGz(out.tarballPath, [
    { name: JUNIT_FILE_NAME, source: out.junitPath },
    { name: LOG_FILE_NAME, source: out.logPath },
  ]);
  if (f.writeDoneFile) {
    await writeDoneFile(f.outputDir, out.tarballPath);
    out.donePath = join(f.outputDir, "done");
  }
  return out;
}
