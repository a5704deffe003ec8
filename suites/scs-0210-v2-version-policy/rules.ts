import { addDays, addMonths, type Day, daysBetween, parseDay } from "./days.ts";
import { CRITICAL_CVSS, MAX_SNAPSHOT_AGE_DAYS, type ReleaseData, snapshotAge } from "./release-data.ts";
import {
  compareMinors,
  compareVersions,
  type KubeVersion,
  minorOf,
  parseKubeVersion,
  upstreamOf,
  VersionParseError,
} from "./version.ts";

/**
 * scs-0210-v2 as implemented (boundaries in whole UTC days, see days.ts):
 * - end of life: a minor is supported through its EOL day; referenceDay > EOL fails.
 * - newest patch "no later than 1 month after release": deadline = release day + 1 calendar month
 *   (clamped to month end); referenceDay > deadline fails. The official script uses 31 days; a calendar
 *   month is what the standard's text says, and is at most 3 days stricter.
 * - critical CVE (base score >= 8 in the CNA record's CVSS version): the clock starts at the later of the
 *   fixing patch's release and the CVE's publication (nobody can react to an undisclosed CVE); more than
 *   14 days fails ("MUST not be longer than 2 weeks"), more than 2 days warns ("RECOMMENDED within 2 days").
 * - newest minor "no later than 4 months after release" and "supported as long as upstream supports
 *   them" (KaaS level): every minor that is not EOL and was released more than 4 calendar months before
 *   the reference day must be offered; a younger minor not yet offered is a warning with its deadline.
 */
export const PATCH_WINDOW_MONTHS = 1;
export const CVE_FAIL_DAYS = 14;
export const CVE_WARN_DAYS = 2;
export const NEW_MINOR_WINDOW_MONTHS = 4;
export const EOL_SOON_DAYS = 30;

export type Severity = "fail" | "warning" | "info";
export type RuleId = "eol" | "patch" | "cve" | "minor-offered" | "data";

export interface Finding {
  severity: Severity;
  rule: RuleId;
  /** The version the finding is about, where it is about one. */
  version?: string;
  message: string;
}

export interface PolicyResult {
  verdict: "pass" | "fail" | "abort";
  reason: string;
  findings: Finding[];
  /** Snapshot date, origin and known gaps of the data used: always shown. */
  dataNotes: string[];
}

export class PolicyAbort extends Error {
  override readonly name = "PolicyAbort";
}

/** Rejects stale or unusable data before any rule runs: stale data must not pass a cluster. */
function checkData(data: ReleaseData, ref: Day): void {
  const age = snapshotAge(data, ref);
  if (age > MAX_SNAPSHOT_AGE_DAYS) {
    throw new PolicyAbort(
      `release data is from ${data.snapshotDate}, ${age} days before the reference date ${ref} ` +
        `(more than ${MAX_SNAPSHOT_AGE_DAYS}): refresh it (scripts/update-release-data.ts) or pass --release-data`,
    );
  }
}

export function dataNotes(data: ReleaseData, origin: string): string[] {
  return [
    `release data: ${origin}, collected ${data.snapshotDate}`,
    ...data.gaps.map((g) => `data gap: ${g}`),
  ];
}

interface Patch {
  v: KubeVersion;
  day: Day;
}

function releasedPatches(data: ReleaseData, minor: string, ref: Day): Patch[] {
  return data.patches
    .map((p) => ({ v: parseKubeVersion(p.version), day: parseDay(p.released) }))
    .filter((p) => minorOf(p.v) === minor && daysBetween(p.day, ref) >= 0)
    .sort((a, b) => compareVersions(a.v, b.v));
}

/** The per-version rules (EOL, newest patch, critical CVEs) for one version a cluster runs or a provider offers. */
export function versionFindings(version: string, data: ReleaseData, refInput: Day): Finding[] {
  const ref = parseDay(refInput);
  checkData(data, ref);
  let v: KubeVersion;
  try {
    v = parseKubeVersion(version);
  } catch (e) {
    throw new PolicyAbort(e instanceof VersionParseError ? e.message : String(e));
  }
  const label = v.raw;
  const minor = minorOf(v);
  const findings: Finding[] = [];
  const add = (severity: Severity, rule: RuleId, message: string) =>
    findings.push({ severity, rule, version: label, message });

  const known = data.minors.filter((m) => daysBetween(m.releaseDate, ref) >= 0);
  const m = data.minors.find((x) => x.minor === minor);
  if (!m || daysBetween(m.releaseDate, ref) < 0) {
    const oldest = [...known].sort((a, b) => compareMinors(a.minor, b.minor))[0];
    if (oldest && compareMinors(minor, oldest.minor) < 0 && daysBetween(oldest.endOfLife, ref) > 0) {
      add(
        "fail",
        "eol",
        `${minor} is older than ${oldest.minor}, which reached end of life on ${oldest.endOfLife}`,
      );
      return findings;
    }
    throw new PolicyAbort(
      `minor ${minor} (from ${label}) is not a released minor in the release data collected ${data.snapshotDate}` +
        ` as of ${ref}: the data may be too old, or the version is not an upstream release`,
    );
  }

  const pastEol = daysBetween(m.endOfLife, ref);
  if (pastEol > 0) {
    add("fail", "eol", `${minor} reached end of life on ${m.endOfLife} (${pastEol} days before ${ref})`);
  } else if (-pastEol <= EOL_SOON_DAYS) {
    add("warning", "eol", `${minor} reaches end of life on ${m.endOfLife}, in ${-pastEol} days`);
  }

  const newer = releasedPatches(data, minor, ref).filter((p) => compareVersions(p.v, v) > 0);
  const overdue = newer.filter((p) => daysBetween(addMonths(p.day, PATCH_WINDOW_MONTHS), ref) > 0);
  const newestOverdue = overdue.at(-1);
  if (newestOverdue) {
    const deadline = addMonths(newestOverdue.day, PATCH_WINDOW_MONTHS);
    add(
      "fail",
      "patch",
      `newer patch ${newestOverdue.v.raw} was released ${newestOverdue.day}; the deadline to provide it ` +
        `(1 month) was ${deadline}`,
    );
  }
  for (const p of newer.filter((x) => !overdue.includes(x))) {
    add(
      "warning",
      "patch",
      `newer patch ${p.v.raw} was released ${p.day}; it must be provided by ${addMonths(p.day, PATCH_WINDOW_MONTHS)}`,
    );
  }
  if (v.preRelease) add("warning", "patch", `${label} is a pre-release, not an upstream release`);

  findings.push(...cveFindings(v, label, data, ref));
  return findings;
}

function cveFindings(v: KubeVersion, label: string, data: ReleaseData, ref: Day): Finding[] {
  const out: Finding[] = [];
  const minor = minorOf(v);
  const patchDays = new Map(data.patches.map((p) => [upstreamOf(parseKubeVersion(p.version)), p.released]));
  for (const cve of data.cves) {
    if (cve.cvss < CRITICAL_CVSS) continue;
    const published = parseDay(cve.published);
    if (daysBetween(published, ref) < 0) continue; // not yet disclosed at the reference date
    const fixes = cve.fixedIn.map((f) => parseKubeVersion(f)).filter((f) => minorOf(f) === minor);
    const fix = fixes.sort(compareVersions)[0];
    const what = `${cve.id} (CVSS ${cve.cvssVersion} ${cve.cvss})`;
    if (!fix) {
      const fixedMinors = cve.fixedIn.map((f) => minorOf(parseKubeVersion(f)));
      const lowest = [...new Set(fixedMinors)].sort(compareMinors)[0];
      if (lowest && compareMinors(minor, lowest) < 0) {
        out.push({
          severity: "warning",
          rule: "cve",
          version: label,
          message: `${what} has no fix for ${minor} (fixed in ${cve.fixedIn.join(", ")}); ${minor} may be affected`,
        });
      }
      continue;
    }
    if (compareVersions(v, fix) >= 0) continue;
    const fixRelease = patchDays.get(upstreamOf(fix));
    const fixDay = fixRelease ? parseDay(fixRelease) : published;
    if (daysBetween(fixDay, ref) < 0) continue; // fix not released yet at the reference date
    const start = daysBetween(fixDay, published) > 0 ? published : fixDay;
    const age = daysBetween(start, ref);
    const since = `${fix.raw} fixes critical ${what}, released/disclosed ${start}${fixRelease ? "" : " (fix release date unknown: CVE publication used)"}`;
    if (age > CVE_FAIL_DAYS) {
      out.push({
        severity: "fail",
        rule: "cve",
        version: label,
        message: `${since}: ${age} days, more than 2 weeks`,
      });
    } else if (age > CVE_WARN_DAYS) {
      out.push({
        severity: "warning",
        rule: "cve",
        version: label,
        message: `${since}: ${age} days, more than the RECOMMENDED 2 days; MUST be provided by ${addDays(start, CVE_FAIL_DAYS)}`,
      });
    } else {
      out.push({ severity: "info", rule: "cve", version: label, message: `${since}: within 2 days` });
    }
  }
  return out;
}

function verdictOf(findings: Finding[], subject: string): Pick<PolicyResult, "verdict" | "reason"> {
  const fails = findings.filter((f) => f.severity === "fail");
  if (fails.length === 0) return { verdict: "pass", reason: `${subject} meets scs-0210-v2` };
  const first = fails[0] as Finding;
  const more =
    fails.length > 1 ? ` (and ${fails.length - 1} more violation${fails.length > 2 ? "s" : ""})` : "";
  return {
    verdict: "fail",
    reason: `${first.version ? `${first.version}: ` : ""}${first.message}${more}`,
  };
}

/** Cluster level: the one version a cluster runs. */
export function evaluateClusterVersion(
  version: string,
  data: ReleaseData,
  ref: Day,
  origin: string,
): PolicyResult {
  const notes = dataNotes(data, origin);
  try {
    const findings = versionFindings(version, data, ref);
    return { ...verdictOf(findings, `cluster version ${version}`), findings, dataNotes: notes };
  } catch (e) {
    if (e instanceof PolicyAbort)
      return { verdict: "abort", reason: e.message, findings: [], dataNotes: notes };
    throw e;
  }
}

/**
 * KaaS level: the versions a provider offers. Every offered version is judged by the cluster rules (a
 * cluster created on it must be compliant), and the offer as a whole by the minor rules.
 */
export function evaluateOffering(
  versions: string[],
  data: ReleaseData,
  refInput: Day,
  origin: string,
): PolicyResult {
  const notes = dataNotes(data, origin);
  const ref = parseDay(refInput);
  const findings: Finding[] = [];
  const aborts: string[] = [];
  try {
    checkData(data, ref);
  } catch (e) {
    if (e instanceof PolicyAbort)
      return { verdict: "abort", reason: e.message, findings: [], dataNotes: notes };
    throw e;
  }
  if (versions.length === 0) {
    return { verdict: "abort", reason: "no versions given", findings: [], dataNotes: notes };
  }
  const parsed: KubeVersion[] = [];
  for (const v of versions) {
    try {
      parsed.push(parseKubeVersion(v));
      findings.push(...versionFindings(v, data, ref));
    } catch (e) {
      if (!(e instanceof PolicyAbort || e instanceof VersionParseError)) throw e;
      aborts.push(e.message);
    }
  }
  const offeredMinors = new Set(parsed.filter((v) => !v.preRelease).map(minorOf));
  const supported = data.minors
    .filter((m) => daysBetween(m.releaseDate, ref) >= 0 && daysBetween(m.endOfLife, ref) <= 0)
    .sort((a, b) => compareMinors(b.minor, a.minor));
  for (const m of supported) {
    const due = addMonths(m.releaseDate, NEW_MINOR_WINDOW_MONTHS);
    if (offeredMinors.has(m.minor)) {
      findings.push({
        severity: "info",
        rule: "minor-offered",
        message: `${m.minor} offered (released ${m.releaseDate}, end of life ${m.endOfLife})`,
      });
    } else if (daysBetween(due, ref) > 0) {
      findings.push({
        severity: "fail",
        rule: "minor-offered",
        message: `${m.minor} is supported upstream until ${m.endOfLife} but not offered (released ${m.releaseDate}; required since ${due})`,
      });
    } else {
      findings.push({
        severity: "warning",
        rule: "minor-offered",
        message: `${m.minor} (released ${m.releaseDate}) is not offered yet; required by ${due} (4 months)`,
      });
    }
  }
  const v = verdictOf(findings, `the offer (${versions.join(", ")})`);
  if (v.verdict === "pass" && aborts.length) {
    return { verdict: "abort", reason: aborts.join("; "), findings, dataNotes: notes };
  }
  for (const a of aborts) findings.push({ severity: "warning", rule: "data", message: `not judged: ${a}` });
  return { ...v, findings, dataNotes: notes };
}
