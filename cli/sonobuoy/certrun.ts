import { mkdirSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Report } from "../../results-parser/index.ts";
import { execSonobuoy, sonobuoyOk, sonobuoyVersion } from "./binary.ts";
import {
  type CertRunPlan,
  checkGeneratedE2e,
  conformanceGenArgs,
  kubeArgs,
  NETPOL_PLUGIN,
  netpolGenArgs,
  type PluginFiles,
  runArgs,
  scsPluginYaml,
} from "./plan.ts";
import { parseStatus, progressLines, type RunStatus } from "./status.ts";

export interface CertRunIo {
  /** Progress and what the command does (stderr in the CLI, so that stdout carries only the verdict). */
  say(line: string): void;
  /** The verdict lines (stdout). */
  out(text: string): void;
}

export interface CertRunResult {
  /** 0 all PASS, 1 any FAIL, 2 ABORT / NOT_RUN / the run could not be judged (as `scs-kaas report`). */
  exitCode: number;
  tarball?: string;
  html?: string;
  scsReport?: string;
  report?: Report;
}

/** Hooks around the run: set up before `sonobuoy run`, torn down after `sonobuoy delete` (least privilege). */
export interface RunHooks {
  before?(): Promise<void>;
  after?(): Promise<void>;
  /** What is left in the cluster if `after` cannot run (said on a second Ctrl-C). */
  leftovers?: string;
}

/** How often `sonobuoy status` is asked; SCS_KAAS_SONOBUOY_POLL_MS lets the process tests poll faster. */
const POLL_MS = Number(process.env.SCS_KAAS_SONOBUOY_POLL_MS ?? 10_000);

/**
 * One Sonobuoy run with the plugins SCS certification needs: waits with live progress, retrieves the
 * tarball, deletes everything Sonobuoy made (also on Ctrl-C / SIGTERM: a second one leaves at once and
 * says what is left), and judges the tarball like `scs-kaas report`.
 */
export async function certRun(
  bin: string,
  plan: CertRunPlan,
  outputDir: string,
  io: CertRunIo,
  hooks: RunHooks = {},
): Promise<CertRunResult> {
  const out = resolve(outputDir);
  const pluginsDir = join(out, "plugins");
  mkdirSync(pluginsDir, { recursive: true });
  const { version, note } = await sonobuoyVersion(bin);
  io.say(`sonobuoy ${version} (${bin})${note ? `: ${note}` : ""}`);

  // Plugin definitions first: a bad option fails here, before anything is created in the cluster.
  const files: PluginFiles = {};
  if (plan.scs) {
    files.scsPlugin = join(pluginsDir, "scs.yaml");
    writeFileSync(files.scsPlugin, scsPluginYaml(plan.scsConfig, plan.scsServiceAccount));
  }
  if (plan.e2e) {
    files.netpolPlugin = join(pluginsDir, `${NETPOL_PLUGIN}.yaml`);
    writeFileSync(
      files.netpolPlugin,
      checkGeneratedE2e(await sonobuoyOk(bin, netpolGenArgs(plan)), plan.e2eServiceAccount),
    );
    if (plan.e2eServiceAccount) {
      files.conformancePlugin = join(pluginsDir, "e2e.yaml");
      writeFileSync(
        files.conformancePlugin,
        checkGeneratedE2e(await sonobuoyOk(bin, conformanceGenArgs(plan)), plan.e2eServiceAccount),
      );
    }
  }
  const args = runArgs(plan, files);

  const stop = new AbortController();
  let signals = 0;
  const leftovers = [
    `Sonobuoy's namespace ${plan.namespace} and its ClusterRole/ClusterRoleBinding (label component=sonobuoy)`,
    ...(hooks.leftovers ? [hooks.leftovers] : []),
  ].join("; ");
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      io.say(
        `${name}: stopping; deleting what Sonobuoy made (${name === "SIGINT" ? "Ctrl-C" : name} again leaves at once)`,
      );
      stop.abort(new Error(`interrupted by ${name}`));
      return;
    }
    io.say(`${name} again: leaving now. Left in the cluster: ${leftovers}.`);
    io.say(
      `remove it with: sonobuoy delete ${plan.e2e ? "--all " : ""}--wait ${[...kubeArgs(plan), `--namespace=${plan.namespace}`].join(" ")}`,
    );
    process.exit(2);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);

  let tarball: string | undefined;
  let failure: string | undefined;
  try {
    await hooks.before?.();
    io.say(`sonobuoy ${args.join(" ")}`);
    await sonobuoyOk(bin, args);
    const status = await waitForRun(bin, plan, io, stop.signal);
    if (status.status !== "complete") failure = `the Sonobuoy run ended ${status.status}`;
    if (!stop.signal.aborted) {
      tarball = (
        await sonobuoyOk(bin, ["retrieve", out, ...kubeArgs(plan), `--namespace=${plan.namespace}`])
      ).trim();
      io.say(`retrieved ${tarball}`);
    }
  } catch (err) {
    failure = stop.signal.aborted ? (stop.signal.reason as Error).message : (err as Error).message;
  } finally {
    // An e2e run stopped halfway leaves its test namespaces (labels e2e-framework, e2e-run): --all takes them.
    const all = stop.signal.aborted && plan.e2e ? ["--all"] : [];
    io.say(
      `sonobuoy delete ${all.length ? "--all " : ""}--wait: removing the namespace, RBAC and plugin pods${all.length ? ", and the e2e namespaces the interrupted conformance run left" : ""}`,
    );
    const del = await execSonobuoy(bin, [
      "delete",
      ...all,
      "--wait",
      ...kubeArgs(plan),
      `--namespace=${plan.namespace}`,
    ]);
    if (del.code !== 0)
      io.say(`sonobuoy delete failed (exit ${del.code}): ${del.stderr.trim()}; left: ${leftovers}`);
    try {
      await hooks.after?.();
    } catch (err) {
      io.say(`cleanup failed: ${(err as Error).message}; left: ${hooks.leftovers ?? "nothing else"}`);
    }
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }

  if (!tarball) {
    io.say(`no results: ${failure ?? "unknown reason"}`);
    return { exitCode: 2 };
  }
  if (failure) io.say(`warning: ${failure}; judging what was retrieved`);
  const { makeReport, render } = await import("../../results-parser/index.ts");
  const report = await makeReport(tarball, { argv: ["sonobuoy", ...process.argv.slice(3)] });
  const base = tarball.replace(/\.tar\.gz$/, "");
  const html = `${base}.html`;
  const scsReport = `${base}.scs-report.yaml`;
  await writeFile(html, await render(report, "html"));
  await writeFile(scsReport, await render(report, "scs-report"));
  if (plan.quick || plan.conformanceFocus)
    io.out(
      `info: ${plan.quick ? "--quick" : "--e2e-focus"}: a smoke run with a narrowed conformance focus; it never certifies\n`,
    );
  io.out(await render(report, "lines"));
  io.say(`report: ${html}, ${scsReport}`);
  return { exitCode: report.judgement.exitCode, tarball, html, scsReport, report };
}

/** Polls `sonobuoy status --json` until the run completes or fails, saying each change of progress. */
async function waitForRun(
  bin: string,
  plan: CertRunPlan,
  io: CertRunIo,
  signal: AbortSignal,
): Promise<RunStatus> {
  const deadline = Date.now() + (plan.timeoutSeconds + 300) * 1000;
  let last = "";
  let lastError = "";
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const r = await execSonobuoy(bin, [
      "status",
      "--json",
      ...kubeArgs(plan),
      `--namespace=${plan.namespace}`,
    ]);
    // While the aggregator pod is Pending, `status --json` exits 0 with a sentence instead of JSON.
    const status = r.code === 0 ? tryParseStatus(r.stdout) : undefined;
    if (status) {
      const text = progressLines(status).join("\n");
      if (text !== last) {
        io.say(`status ${status.status}:`);
        for (const line of progressLines(status)) io.say(`  ${line}`);
        last = text;
      }
      if (status.finished) return status;
    } else {
      // Before the aggregator is up, status fails or says it is Pending: say it once, keep waiting.
      const err = (r.stderr.trim() || r.stdout.trim()).split("\n").at(-1) ?? "";
      if (err !== lastError) io.say(`waiting for the aggregator: ${err}`);
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`the Sonobuoy run did not finish within ${plan.timeoutSeconds + 300}s`);
    await new Promise<void>((res) => {
      const t = setTimeout(res, POLL_MS);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          res();
        },
        { once: true },
      );
    });
  }
}

function tryParseStatus(text: string): RunStatus | undefined {
  try {
    return parseStatus(text);
  } catch {
    return undefined;
  }
}
