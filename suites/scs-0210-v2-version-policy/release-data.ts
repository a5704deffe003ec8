import { readFileSync } from "node:fs";
import { type Day, daysBetween, parseDay } from "./days.ts";
import { parseKubeVersion, parseMinor } from "./version.ts";

/** Upstream facts the version policy is judged against. Dates are UTC days or ISO timestamps. */
export interface ReleaseData {
  /** The day the data was collected; a snapshot older than MAX_SNAPSHOT_AGE_DAYS makes the check abort. */
  snapshotDate: Day;
  /** Where each kind of datum came from, in words a reader can follow up. */
  sources: SourceNote[];
  /** What is known to be missing or uncertain; repeated in every result that used the data. */
  gaps: string[];
  minors: MinorRelease[];
  patches: PatchRelease[];
  cves: CveRecord[];
}

export interface SourceNote {
  datum: string;
  from: string;
  note?: string;
}

export interface MinorRelease {
  /** `1.35` */
  minor: string;
  releaseDate: Day;
  endOfLife: Day;
  source?: string;
}

export interface PatchRelease {
  /** `1.35.4` (no `v`, releases only) */
  version: string;
  /** ISO timestamp or day */
  released: string;
  source?: string;
}

export interface CveRecord {
  id: string;
  /** Base score in the CVSS version of the original (CNA) record. */
  cvss: number;
  /** e.g. `3.1` */
  cvssVersion: string;
  /** First fixed patch per affected minor, e.g. [`1.30.3`, `1.29.7`]. */
  fixedIn: string[];
  published: string;
  summary?: string;
  source?: string;
}

export const MAX_SNAPSHOT_AGE_DAYS = 30;
/** A CVE at or above this base score is critical (scs-0210-v2). */
export const CRITICAL_CVSS = 8;

export const BUNDLED_SNAPSHOT = new URL("./release-data.snapshot.json", import.meta.url);

export class ReleaseDataError extends Error {
  override readonly name = "ReleaseDataError";
}

/** Validates untrusted JSON (a --release-data file, the bundled snapshot) into ReleaseData. */
export function validateReleaseData(x: unknown, origin: string): ReleaseData {
  const errors: string[] = [];
  const at = (path: string, msg: string) => errors.push(`${path}: ${msg}`);
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  const day = (v: unknown, path: string): string => {
    if (typeof v !== "string") {
      at(path, "missing date");
      return "";
    }
    try {
      parseDay(v);
    } catch (e) {
      at(path, (e as Error).message);
    }
    return v;
  };
  const str = (v: unknown, path: string): string => {
    if (typeof v !== "string" || v === "") at(path, "missing string");
    return typeof v === "string" ? v : "";
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v)) {
      at(path, "missing list");
      return [];
    }
    return v;
  };
  if (!obj(x)) throw new ReleaseDataError(`${origin}: not a JSON object`);

  const snapshotDate = day(x.snapshotDate, "snapshotDate");
  const sources = list(x.sources, "sources").map((s, i) => {
    const o = obj(s) ? s : {};
    const note: SourceNote = {
      datum: str(o.datum, `sources[${i}].datum`),
      from: str(o.from, `sources[${i}].from`),
    };
    if (typeof o.note === "string") note.note = o.note;
    return note;
  });
  const gaps = x.gaps === undefined ? [] : list(x.gaps, "gaps").map((g, i) => str(g, `gaps[${i}]`));
  const minors = list(x.minors, "minors").map((m, i) => {
    const o = obj(m) ? m : {};
    const minor = str(o.minor, `minors[${i}].minor`);
    try {
      parseMinor(minor);
    } catch (e) {
      at(`minors[${i}].minor`, (e as Error).message);
    }
    const r: MinorRelease = {
      minor,
      releaseDate: day(o.releaseDate, `minors[${i}].releaseDate`),
      endOfLife: day(o.endOfLife, `minors[${i}].endOfLife`),
    };
    if (typeof o.source === "string") r.source = o.source;
    return r;
  });
  const patches = list(x.patches, "patches").map((p, i) => {
    const o = obj(p) ? p : {};
    const version = str(o.version, `patches[${i}].version`);
    checkRelease(version, `patches[${i}].version`, at);
    const r: PatchRelease = { version, released: day(o.released, `patches[${i}].released`) };
    if (typeof o.source === "string") r.source = o.source;
    return r;
  });
  const cves = list(x.cves, "cves").map((c, i) => {
    const o = obj(c) ? c : {};
    if (typeof o.cvss !== "number" || o.cvss < 0 || o.cvss > 10) at(`cves[${i}].cvss`, "not a score 0..10");
    const fixedIn = list(o.fixedIn, `cves[${i}].fixedIn`).map((f, j) => {
      const v = str(f, `cves[${i}].fixedIn[${j}]`);
      checkRelease(v, `cves[${i}].fixedIn[${j}]`, at);
      return v;
    });
    const r: CveRecord = {
      id: str(o.id, `cves[${i}].id`),
      cvss: typeof o.cvss === "number" ? o.cvss : 0,
      cvssVersion: str(o.cvssVersion, `cves[${i}].cvssVersion`),
      fixedIn,
      published: day(o.published, `cves[${i}].published`),
    };
    if (typeof o.summary === "string") r.summary = o.summary;
    if (typeof o.source === "string") r.source = o.source;
    return r;
  });
  if (errors.length) {
    throw new ReleaseDataError(`${origin}: invalid release data:\n  ${errors.slice(0, 20).join("\n  ")}`);
  }
  return { snapshotDate, sources, gaps, minors, patches, cves };
}

function checkRelease(v: string, path: string, at: (p: string, m: string) => void): void {
  try {
    const k = parseKubeVersion(v);
    if (k.preRelease || k.vendorSuffix) at(path, `${v} is not an upstream release`);
  } catch (e) {
    at(path, (e as Error).message);
  }
}

export function readReleaseDataFile(path: string | URL): ReleaseData {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ReleaseDataError(`cannot read release data ${String(path)}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ReleaseDataError(`${String(path)}: not JSON: ${(e as Error).message}`);
  }
  return validateReleaseData(json, String(path));
}

/** Days from the snapshot to the reference date; more than MAX_SNAPSHOT_AGE_DAYS means stale. */
export function snapshotAge(data: ReleaseData, referenceDay: Day): number {
  return daysBetween(data.snapshotDate, referenceDay);
}
