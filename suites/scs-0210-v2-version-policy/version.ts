/**
 * Kubernetes version strings as clusters report them (`/version` gitVersion) and as providers write them.
 *
 * Grammar: optional `v`, `MAJOR.MINOR.PATCH`, then optionally an upstream pre-release, then optionally a
 * vendor suffix. Upstream Kubernetes only ever tags pre-releases as `-alpha.N`, `-beta.N` or `-rc.N`
 * (git-describe builds append `.COUNT+SHA`), so exactly those identifiers after the first `-` are read
 * as a pre-release. Anything else after `-` or `+` is a vendor's build marker on top of the upstream
 * release it names: `v1.31.4+k3s1`, `v1.30.2-eks-1234`, `v1.29.0-gke.100` are the upstream patch
 * releases 1.31.4, 1.30.2 and 1.29.0. Semver would call `-eks-1234` a pre-release (and so "older than
 * 1.30.2"), which is wrong for Kubernetes distributions; that is why this parser is not semver.
 */
export interface KubeVersion {
  major: number;
  minor: number;
  patch: number;
  /** `alpha.1`, `beta.0`, `rc.2` (upstream pre-release), undefined for a release. */
  preRelease?: string;
  /** What a distribution appended (`+k3s1`, `-eks-1234`, `-gke.100`), undefined when none. */
  vendorSuffix?: string;
  raw: string;
}

export class VersionParseError extends Error {
  override readonly name = "VersionParseError";
}

const CORE = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(.*)$/;
const PRE = /^-(alpha|beta|rc)\.(0|[1-9]\d*)((?:\.\d+)?(?:\+[0-9a-f]{7,40})?)(.*)$/;
const SUFFIX = /^[-+][0-9A-Za-z][0-9A-Za-z.\-_+]*$/;

export function parseKubeVersion(input: string): KubeVersion {
  const raw = input.trim();
  const m = CORE.exec(raw);
  if (!m) {
    throw new VersionParseError(
      `"${input}" is not a Kubernetes version: expected MAJOR.MINOR.PATCH, e.g. v1.31.4 or v1.30.2-eks-1234`,
    );
  }
  const [, ma = "", mi = "", pa = "", rest0 = ""] = m;
  const v: KubeVersion = { major: Number(ma), minor: Number(mi), patch: Number(pa), raw };
  let rest = rest0;
  const pre = PRE.exec(rest);
  if (pre) {
    const [, kind = "", num = "", gitDescribe = "", after = ""] = pre;
    v.preRelease = `${kind}.${num}${gitDescribe}`;
    rest = after;
  }
  if (rest !== "") {
    if (!SUFFIX.test(rest)) {
      throw new VersionParseError(`"${input}": cannot read "${rest}" after ${ma}.${mi}.${pa}`);
    }
    v.vendorSuffix = rest;
  }
  return v;
}

/** `1.31` */
export function minorOf(v: Pick<KubeVersion, "major" | "minor">): string {
  return `${v.major}.${v.minor}`;
}

/** `1.31.4` (pre-release kept, vendor suffix dropped): the upstream release a version is built from. */
export function upstreamOf(v: KubeVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.preRelease ? `-${v.preRelease}` : ""}`;
}

const PRE_RANK: Record<string, number> = { alpha: 0, beta: 1, rc: 2 };

/** Orders upstream releases; vendor suffixes are ignored, a pre-release sorts before its release. */
export function compareVersions(a: KubeVersion, b: KubeVersion): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (d !== 0) return Math.sign(d);
  if (!a.preRelease && !b.preRelease) return 0;
  if (!a.preRelease) return 1;
  if (!b.preRelease) return -1;
  const [ak = "", an = "0"] = a.preRelease.split(".");
  const [bk = "", bn = "0"] = b.preRelease.split(".");
  return Math.sign((PRE_RANK[ak] ?? 0) - (PRE_RANK[bk] ?? 0) || Number(an) - Number(bn));
}

/** `1.31` → [1, 31], rejecting anything else. */
export function parseMinor(s: string): { major: number; minor: number } {
  const m = /^v?(\d+)\.(\d+)$/.exec(s.trim());
  if (!m) throw new VersionParseError(`"${s}" is not a minor version like 1.31`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function compareMinors(a: string, b: string): number {
  const x = parseMinor(a);
  const y = parseMinor(b);
  return Math.sign(x.major - y.major || x.minor - y.minor);
}
