import { toDay } from "./days.ts";
import type { CveRecord, PatchRelease, ReleaseData, SourceNote } from "./release-data.ts";
import {
  mergePatches,
  parseCveFeed,
  parseCveRecord,
  parseGithubReleases,
  parseReleaseSchedule,
} from "./sources.ts";

export const LIVE_URLS = {
  githubReleases: "https://api.github.com/repos/kubernetes/kubernetes/releases?per_page=100&page=",
  schedule: "https://raw.githubusercontent.com/kubernetes/website/main/data/releases/schedule.yaml",
  cveFeed: "https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json",
  cveRecord: "https://cveawg.mitre.org/api/cve/",
} as const;

export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; headers?: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

export interface LiveOptions {
  fetch?: FetchLike;
  /** Per request. */
  timeoutMs?: number;
  /** Only CVEs published within this many days are looked up record by record. */
  cveLookbackDays?: number;
  now?: Date;
}

async function get(f: FetchLike, url: string, timeoutMs: number): Promise<string> {
  const res = await f(url, { signal: AbortSignal.timeout(timeoutMs), headers: { "user-agent": "scs-kaas" } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/**
 * Fetches release data from upstream. Releases and the calendar are required (else this throws and the
 * caller falls back to the bundled snapshot); the CVE feed is best effort and its absence is a stated gap.
 */
export async function fetchLiveReleaseData(opts: LiveOptions = {}): Promise<ReleaseData> {
  const f = opts.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const t = opts.timeoutMs ?? 5000;
  const now = opts.now ?? new Date();
  const gaps: string[] = [];
  const sources: SourceNote[] = [];

  const [schedText, ...pages] = await Promise.all([
    get(f, LIVE_URLS.schedule, t),
    ...[1, 2, 3].map((p) => get(f, LIVE_URLS.githubReleases + p, t)),
  ]);
  const schedule = parseReleaseSchedule(schedText);
  const gh: PatchRelease[] = pages.flatMap((p) => parseGithubReleases(JSON.parse(p)));
  sources.push(
    { datum: "minors (release and end-of-life dates)", from: LIVE_URLS.schedule },
    { datum: "patch release times", from: "GitHub releases API for kubernetes/kubernetes (published_at)" },
  );

  let cves: CveRecord[] = [];
  try {
    const feed = parseCveFeed(JSON.parse(await get(f, LIVE_URLS.cveFeed, t)));
    const since = now.getTime() - (opts.cveLookbackDays ?? 730) * 86_400_000;
    const recent = feed.filter((e) => Date.parse(e.published) >= since);
    const records = await Promise.allSettled(
      recent.map(async (e) => parseCveRecord(JSON.parse(await get(f, LIVE_URLS.cveRecord + e.id, t)))),
    );
    cves = records.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
    const missing = records.filter((r) => r.status === "rejected").length;
    if (missing) gaps.push(`${missing} of ${recent.length} CVE records could not be fetched`);
    sources.push({
      datum: "CVEs",
      from: `${LIVE_URLS.cveFeed} + CVE JSON 5 records from ${LIVE_URLS.cveRecord}`,
    });
  } catch (e) {
    gaps.push(`CVE feed not reachable (${(e as Error).message}): no CVE data`);
  }
  return {
    snapshotDate: toDay(now),
    sources,
    gaps,
    minors: schedule.minors,
    patches: mergePatches(gh, schedule.patches),
    cves,
  };
}
