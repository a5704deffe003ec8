/**
 * Refreshes the bundled scs-0210-v2 release-data snapshot.
 *   scripts/node22 node scripts/update-release-data.ts [--date YYYY-MM-DD] [--out FILE] [--dry-run]
 * 1. Live upstream (GitHub releases, release calendar, CVE feed + records). If that works, it is the snapshot.
 * 2. Otherwise the Go module proxy for k8s.io/kubernetes (tag times: a lower bound of each release), merged
 *    with the hand-read facts in curated-release-facts.json (EOL dates, patch target dates, CVEs).
 * Every datum's origin goes into `sources`, and what may be missing into `gaps`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseDay, toDay } from "../suites/scs-0210-v2-version-policy/days.ts";
import { fetchLiveReleaseData } from "../suites/scs-0210-v2-version-policy/live.ts";
import {
  BUNDLED_SNAPSHOT,
  type MinorRelease,
  type PatchRelease,
  type ReleaseData,
  validateReleaseData,
} from "../suites/scs-0210-v2-version-policy/release-data.ts";
import {
  mergePatches,
  parseGoProxyInfo,
  parseGoProxyList,
} from "../suites/scs-0210-v2-version-policy/sources.ts";

const PROXY = "https://proxy.golang.org/k8s.io/kubernetes/@v/";
const CURATED = new URL("../suites/scs-0210-v2-version-policy/curated-release-facts.json", import.meta.url);

const { values } = parseArgs({
  options: { date: { type: "string" }, out: { type: "string" }, "dry-run": { type: "boolean" } },
});
const today = values.date ? parseDay(values.date) : toDay(new Date());
const out = values.out ?? BUNDLED_SNAPSHOT;

async function get(url: string): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return { status: 0, body: String((e as Error).cause ?? e) };
  }
}

/** Probes each minor's patches upward until 3 consecutive versions are missing. */
async function goProxyPatches(minors: string[]): Promise<{ patches: PatchRelease[]; misses: string[] }> {
  const listed = new Set(parseGoProxyList((await get(`${PROXY}list`)).body));
  const patches: PatchRelease[] = [];
  const misses: string[] = [];
  for (const minor of minors) {
    let consecutive = 0;
    const pending: string[] = [];
    for (let p = 0; consecutive < 3 || listed.has(`${minor}.${p}`); p++) {
      const v = `${minor}.${p}`;
      const r = await get(`${PROXY}v${v}.info`);
      const info = r.status === 200 ? parseGoProxyInfo(JSON.parse(r.body)) : undefined;
      if (info) {
        patches.push(info);
        misses.push(...pending);
        pending.length = 0;
        consecutive = 0;
      } else {
        pending.push(`${v} (HTTP ${r.status})`);
        consecutive++;
      }
    }
  }
  return { patches, misses };
}

async function fromFallbacks(liveError: string): Promise<ReleaseData> {
  const curated = JSON.parse(readFileSync(CURATED, "utf8"));
  const minors: MinorRelease[] = curated.minors;
  const { patches: proxy, misses } = await goProxyPatches(minors.map((m) => m.minor));
  const targets: PatchRelease[] = Object.entries(
    curated.patchTargetDates.dates as Record<string, string>,
  ).map(([version, released]) => ({ version, released, source: "kubernetes.io target date" }));
  const patches = mergePatches(proxy, targets);
  const gaps: string[] = [...curated.gaps];
  if (misses.length) {
    gaps.push(
      `Go module proxy did not serve (HTTP 403 here: not cached/allowed, not proof of absence): ${misses.join(", ")}`,
    );
  }
  const newestPatchDay = patches
    .map((p) => parseDay(p.released))
    .sort()
    .at(-1);
  gaps.push(`newest patch release known to this snapshot: ${newestPatchDay}`);
  return {
    snapshotDate: today,
    sources: [
      {
        datum: "patch release times",
        from: `Go module proxy ${PROXY}<version>.info (Time = commit time of the tag) for ${proxy.length} versions`,
        note: "where kubernetes.io gives a target date too, the later of the two is used (a tag time is a lower bound of the release, a target date a plan)",
      },
      { datum: "patch target dates", from: `${curated.patchTargetDates.source}, read ${curated.retrieved}` },
      {
        datum: "minors (release day, end of life)",
        from: `per-minor sources in minors[].source, read ${curated.retrieved}`,
      },
      { datum: "CVEs", from: `hand-verified records listed in cves[].source, read ${curated.retrieved}` },
      { datum: "live upstream", from: "not used", note: `not reachable: ${liveError}` },
    ],
    gaps,
    minors,
    patches,
    cves: curated.cves,
  };
}

let data: ReleaseData;
try {
  data = await fetchLiveReleaseData({ timeoutMs: 10_000, now: new Date(`${today}T12:00:00Z`) });
  console.error("live upstream sources reached");
} catch (e) {
  const reason = `${(e as Error).message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause: { code: string } }).cause.code})` : ""}`;
  console.error(`live upstream not reachable: ${reason}; using the Go module proxy and curated facts`);
  data = await fromFallbacks(reason);
}
validateReleaseData(JSON.parse(JSON.stringify(data)), "generated snapshot");
const text = `${JSON.stringify(data, null, 2)}\n`;
if (values["dry-run"]) process.stdout.write(text);
else {
  writeFileSync(out, text);
  console.error(
    `wrote ${String(out)}: ${data.minors.length} minors, ${data.patches.length} patches, ${data.cves.length} CVEs`,
  );
}
