import type { CheckResult } from "./result.ts";

/** The body Sonobuoy's worker accepts on /progress; each update replaces the previous one. */
export interface ProgressUpdate {
  msg: string;
  total: number;
  /** Passed and skipped checks (Sonobuoy's meaning of "completed"). */
  completed: number;
  /** Names of failed checks. */
  failures: string[];
  /** Aborted checks (`<id>: <reason>`) and runner-level errors. */
  errors: string[];
}

export function progressUpdate(
  msg: string,
  total: number,
  results: readonly CheckResult[],
  runnerErrors: readonly string[] = [],
): ProgressUpdate {
  const ran = results.filter((r) => !r.notSelected);
  return {
    msg,
    total,
    completed: ran.filter((r) => r.verdict === "pass" || r.verdict === "skip").length,
    failures: ran.filter((r) => r.verdict === "fail").map((r) => r.check.id),
    errors: [
      ...ran.filter((r) => r.verdict === "abort").map((r) => `${r.check.id}: ${r.reason}`),
      ...runnerErrors,
    ],
  };
}

/**
 * Posts progress to the Sonobuoy worker, one request at a time, newest wins. A missing endpoint (run
 * outside Sonobuoy, worker gone) is not an error: the update is dropped.
 */
export class ProgressReporter {
  readonly #url: string;
  #chain: Promise<void> = Promise.resolve();
  #latest: ProgressUpdate | undefined;
  delivered = 0;

  constructor(port: string | number, host = "localhost") {
    this.#url = `http://${host}:${port}/progress`;
  }

  post(update: ProgressUpdate): void {
    this.#latest = update;
    this.#chain = this.#chain.then(() => this.#send());
  }

  /** Waits for the updates in flight, at most timeoutMs. */
  async flush(timeoutMs = 2000): Promise<void> {
    await Promise.race([this.#chain, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async #send(): Promise<void> {
    const update = this.#latest;
    if (!update) return;
    this.#latest = undefined;
    try {
      const res = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(2000),
      });
      await res.body?.cancel();
      if (res.ok) this.delivered++;
    } catch {
      // no progress endpoint: fine
    }
  }
}
