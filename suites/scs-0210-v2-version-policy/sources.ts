import { parse as parseYaml } from "yaml";
import { parseDay } from "./days.ts";
import type { CveRecord, MinorRelease, PatchRelease } from "./release-data.ts";
import { parseKubeVersion, parseMinor, upstreamOf } from "./version.ts";

/**
 * Parsers for the upstream sources, one per format. Each takes the already-fetched body so that it can be
 * tested on recorded samples; fetching lives in live.ts.
 */

/** GitHub releases API (`/repos/kubernetes/kubernetes/releases`): published releases only. */
export function parseGithubReleases(json: unknown): PatchRelease[] {
  if (!Array.isArray(json)) throw new Error("GitHub releases: expected a JSON array");
  const out: PatchRelease[] = [];
  for (const r of json) {
    if (typeof r !== "object" || r === null) continue;
    const { tag_name, published_at, draft, prerelease } = r as Record<string, unknown>;
    if (draft === true || prerelease === true) continue;
    if (typeof tag_name !== "string" || typeof published_at !== "string") continue;
    const v = tryRelease(tag_name);
    if (v) out.push({ version: v, released: published_at, source: "github-releases published_at" });
  }
  return out;
}

/** `data/releases/schedule.yaml` of kubernetes/website: per-minor dates and patch target dates. */
export function parseReleaseSchedule(text: string): { minors: MinorRelease[]; patches: PatchRelease[] } {
  const doc = parseYaml(text) as { schedules?: unknown };
  if (!doc || !Array.isArray(doc.schedules)) throw new Error("release schedule: no `schedules` list");
  const minors: MinorRelease[] = [];
  const patches: PatchRelease[] = [];
  for (const s of doc.schedules as Record<string, unknown>[]) {
    const minor = String(s.release ?? "");
    try {
      parseMinor(minor);
    } catch {
      continue;
    }
    const releaseDate = dateField(s.releaseDate);
    const endOfLife = dateField(s.endOfLifeDate);
    if (releaseDate && endOfLife) {
      minors.push({ minor, releaseDate, endOfLife, source: "release schedule" });
    }
    const prev = Array.isArray(s.previousPatches) ? (s.previousPatches as Record<string, unknown>[]) : [];
    for (const p of prev) {
      const v = tryRelease(String(p.release ?? ""));
      const day = dateField(p.targetDate);
      if (v && day) patches.push({ version: v, released: day, source: "release schedule targetDate" });
    }
  }
  return { minors, patches };
}

/** The kubernetes.io official CVE feed (JSON Feed 1.1): ids and publication dates. */
export function parseCveFeed(
  json: unknown,
): { id: string; published: string; url?: string; summary?: string }[] {
  const items = (json as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new Error("CVE feed: no `items` list");
  const out: { id: string; published: string; url?: string; summary?: string }[] = [];
  for (const it of items as Record<string, unknown>[]) {
    if (typeof it.id !== "string" || !/^CVE-\d{4}-\d+$/.test(it.id)) continue;
    if (typeof it.date_published !== "string") continue;
    const e: { id: string; published: string; url?: string; summary?: string } = {
      id: it.id,
      published: it.date_published,
    };
    if (typeof it.external_url === "string") e.url = it.external_url;
    if (typeof it.summary === "string") e.summary = it.summary;
    out.push(e);
  }
  return out;
}

const CVSS_KEYS: [string, string][] = [
  ["cvssV4_0", "4.0"],
  ["cvssV3_1", "3.1"],
  ["cvssV3_0", "3.0"],
  ["cvssV2_0", "2.0"],
];
const CORE_PRODUCT = /^(kubernetes|kube-[a-z-]+|kubelet|kubectl)$/i;

/**
 * A CVE JSON 5 record. The score is the CNA's (the "original record"): the first metric the CNA lists.
 * Fixed versions come from core-Kubernetes `affected` entries: `lessThan: X` (fixed in X), an explicit
 * `unaffected` version, or `lessThanOrEqual: X` (fixed in the next patch, X+1: Kubernetes patches are
 * consecutive). Components released on their own (ingress-nginx, ...) are not Kubernetes versions and are
 * left out.
 */
interface CveJson5 {
  cveMetadata?: { cveId?: unknown; datePublished?: unknown };
  containers?: {
    cna?: {
      title?: unknown;
      descriptions?: { value?: unknown }[];
      metrics?: Record<string, { baseScore?: unknown } | undefined>[];
      affected?: {
        product?: unknown;
        packageName?: unknown;
        repo?: unknown;
        collectionURL?: unknown;
        versions?: { version?: unknown; status?: unknown; lessThan?: unknown; lessThanOrEqual?: unknown }[];
      }[];
    };
  };
}

export function parseCveRecord(json: unknown): CveRecord | undefined {
  const j = json as CveJson5 | null;
  const id = j?.cveMetadata?.cveId;
  const published = j?.cveMetadata?.datePublished;
  const cna = j?.containers?.cna;
  if (typeof id !== "string" || typeof published !== "string" || !cna) return undefined;
  let cvss: number | undefined;
  let cvssVersion: string | undefined;
  for (const m of Array.isArray(cna.metrics) ? cna.metrics : []) {
    for (const [key, ver] of CVSS_KEYS) {
      const score = m?.[key]?.baseScore;
      if (cvss === undefined && typeof score === "number") {
        cvss = score;
        cvssVersion = ver;
      }
    }
  }
  if (cvss === undefined || cvssVersion === undefined) return undefined;
  const fixed = new Set<string>();
  for (const a of Array.isArray(cna.affected) ? cna.affected : []) {
    const product = String(a?.product ?? a?.packageName ?? "");
    const repo = String(a?.repo ?? a?.collectionURL ?? "");
    if (!CORE_PRODUCT.test(product) && !/kubernetes\/kubernetes/.test(repo)) continue;
    for (const r of Array.isArray(a.versions) ? a.versions : []) {
      if (r?.status === "affected" && typeof r.lessThan === "string") add(fixed, r.lessThan, 0);
      else if (r?.status === "affected" && typeof r.lessThanOrEqual === "string")
        add(fixed, r.lessThanOrEqual, 1);
      else if (r?.status === "unaffected" && typeof r.version === "string" && !r.lessThan)
        add(fixed, r.version, 0);
    }
  }
  const rec: CveRecord = {
    id,
    cvss,
    cvssVersion,
    fixedIn: [...fixed],
    published,
    source: "CVE JSON 5 record (CNA)",
  };
  const title = cna.title ?? cna.descriptions?.[0]?.value;
  if (typeof title === "string") rec.summary = title.slice(0, 200);
  return rec;
}

function add(set: Set<string>, version: string, bump: number): void {
  try {
    const v = parseKubeVersion(version.replace(/^[<=>\s]+/, ""));
    if (v.preRelease || v.patch + bump < 0) return;
    set.add(`${v.major}.${v.minor}.${v.patch + bump}`);
  } catch {
    // a range bound that is not a version (`*`, a commit) says nothing about a fixed release
  }
}

/** The Go module proxy's `/@v/<version>.info` for k8s.io/kubernetes: the tagged commit's time. */
export function parseGoProxyInfo(json: unknown): PatchRelease | undefined {
  const { Version, Time } = (json ?? {}) as Record<string, unknown>;
  if (typeof Version !== "string" || typeof Time !== "string") return undefined;
  const v = tryRelease(Version);
  return v ? { version: v, released: Time, source: "Go module proxy tag time" } : undefined;
}

/** The Go module proxy's `/@v/list`: one version a line, releases only. */
export function parseGoProxyList(text: string): string[] {
  return text
    .split("\n")
    .map((l) => tryRelease(l.trim()))
    .filter((v): v is string => v !== undefined);
}

function tryRelease(tag: string): string | undefined {
  try {
    const v = parseKubeVersion(tag);
    if (v.preRelease || v.vendorSuffix || v.major !== 1) return undefined;
    return upstreamOf(v);
  } catch {
    return undefined;
  }
}

function dateField(x: unknown): string | undefined {
  if (x instanceof Date) return x.toISOString().slice(0, 10);
  if (typeof x !== "string" || x === "") return undefined;
  try {
    return parseDay(x);
  } catch {
    return undefined;
  }
}

/**
 * Picks one release time per version. A GitHub release's published_at is the publication itself and wins.
 * Otherwise the latest candidate is kept: a tag's commit time is a lower bound of the release and a
 * target date is a plan, so the later one never starts a deadline before the release really happened.
 */
export function mergePatches(...lists: PatchRelease[][]): PatchRelease[] {
  const by = new Map<string, PatchRelease[]>();
  for (const p of lists.flat()) by.set(p.version, [...(by.get(p.version) ?? []), p]);
  const out: PatchRelease[] = [];
  for (const [version, cands] of by) {
    const gh = cands.find((c) => c.source?.startsWith("github"));
    if (gh) {
      out.push(gh);
      continue;
    }
    const latest = cands.reduce((a, b) => (parseDay(b.released) > parseDay(a.released) ? b : a));
    const others = cands.filter((c) => c !== latest && parseDay(c.released) !== parseDay(latest.released));
    const src = others.length
      ? `${latest.source} (later than ${others.map((o) => `${o.source} ${parseDay(o.released)}`).join(", ")})`
      : cands.map((c) => c.source).join(" = ");
    out.push({ version, released: latest.released, source: src });
  }
  return out.sort((a, b) => {
    const x = parseKubeVersion(a.version);
    const y = parseKubeVersion(b.version);
    return x.minor - y.minor || x.patch - y.patch;
  });
}
