import { type FetchLike, fetchLiveReleaseData } from "./live.ts";
import { BUNDLED_SNAPSHOT, type ReleaseData, readReleaseDataFile } from "./release-data.ts";

export interface LoadOptions {
  /** A release-data JSON file (`--release-data` / option `release-data`): used as is, nothing fetched. */
  file?: string;
  /** Try upstream first (default true); `--offline` / option `release-data-live: "false"` turns it off. */
  live?: boolean;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: Date;
  snapshot?: string | URL;
}

export interface LoadedData {
  data: ReleaseData;
  /** Said in every result: where the data came from. */
  origin: string;
}

export async function loadReleaseData(opts: LoadOptions = {}): Promise<LoadedData> {
  if (opts.file) return { data: readReleaseDataFile(opts.file), origin: `file ${opts.file}` };
  let liveError = "";
  if (opts.live !== false) {
    try {
      const live: Parameters<typeof fetchLiveReleaseData>[0] = { timeoutMs: opts.timeoutMs ?? 5000 };
      if (opts.fetch) live.fetch = opts.fetch;
      if (opts.now) live.now = opts.now;
      return { data: await fetchLiveReleaseData(live), origin: "live upstream sources" };
    } catch (e) {
      liveError = ` (upstream not reachable: ${(e as Error).message}${causeOf(e)})`;
    }
  }
  return {
    data: readReleaseDataFile(opts.snapshot ?? BUNDLED_SNAPSHOT),
    origin: `bundled snapshot${opts.live === false ? "" : liveError}`,
  };
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c ? `: ${c.code ?? c.message}` : "";
}
