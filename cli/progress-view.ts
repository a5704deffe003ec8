import { createLogUpdate } from "log-update";
import type { CheckResult } from "../runner/result.ts";
import type { SuiteEvent } from "../runner/run-suite.ts";
import type { CheckDefinition } from "../suites/framework/check.ts";

/** How a run is shown while it happens: a live list on a terminal, plain lines elsewhere (CI, pipes). */
export interface ProgressView {
  event(e: SuiteEvent): void;
  /** Every log line of the run (the checks' too). */
  log(line: string): void;
  stop(): void;
}

const MARK: Record<CheckResult["verdict"], string> = { pass: "✔", fail: "✘", abort: "!", skip: "-" };

export function plainView(write: (line: string) => void): ProgressView {
  return {
    event(e) {
      if (e.type === "start") write(`[${e.index + 1}/${e.total}] ${e.check.id}: ${e.check.title}`);
      else
        write(
          `[${e.index + 1}/${e.total}] ${e.result.verdict.toUpperCase()} ${e.result.check.id}: ${e.result.reason}`,
        );
    },
    log() {},
    stop() {},
  };
}

export function liveView(stream: NodeJS.WriteStream, selected: readonly CheckDefinition[]): ProgressView {
  const update = createLogUpdate(stream);
  const done = new Map<string, CheckResult>();
  // Every running check with its start and its latest log line (several run at once).
  const running = new Map<string, { since: number; lastLine: string }>();
  const render = () => {
    const rows = selected.map((c) => {
      const r = done.get(c.id);
      if (r) return `${MARK[r.verdict]} ${c.id}  ${r.reason}`;
      const now = running.get(c.id);
      if (now) {
        const s = Math.round((Date.now() - now.since) / 1000);
        return `… ${c.id}  running ${s}s${now.lastLine ? `  ${now.lastLine}` : ""}`;
      }
      return `· ${c.id}`;
    });
    update(rows.map((r) => r.slice(0, Math.max(20, (stream.columns ?? 120) - 1))).join("\n"));
  };
  const ticker = setInterval(render, 1000);
  ticker.unref();
  render();
  return {
    event(e) {
      if (e.type === "start") running.set(e.check.id, { since: Date.now(), lastLine: "" });
      else {
        done.set(e.result.check.id, e.result);
        running.delete(e.result.check.id);
      }
      render();
    },
    log(line) {
      const m = /^\S+ {3}\[([^\]]+)\] (.*)$/.exec(line); // a check's own line: `<time>   [<id>] <text>`
      const now = m?.[1] ? running.get(m[1]) : undefined;
      if (now && m?.[2]) {
        now.lastLine = m[2];
        render();
      }
    },
    stop() {
      clearInterval(ticker);
      render();
      update.done();
    },
  };
}
