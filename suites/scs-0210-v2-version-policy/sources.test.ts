import { readFileSync } from "node:fs";
import { expect } from "chai";
import {
  mergePatches,
  parseCveFeed,
  parseCveRecord,
  parseGithubReleases,
  parseGoProxyInfo,
  parseGoProxyList,
  parseReleaseSchedule,
} from "./sources.ts";

// A real GitHub releases API answer, kept beside the checkout in ../shared (see its README).
const RELEASES = new URL("../../../shared/data/scs/releases.json", import.meta.url);
const local = (f: string) => readFileSync(new URL(`./testdata/${f}`, import.meta.url), "utf8");

describe("scs-0210-v2 release data sources", () => {
  it("scs-0210-v2: GitHub releases: keeps published releases, drops pre-releases", () => {
    const p = parseGithubReleases(JSON.parse(readFileSync(RELEASES, "utf8")));
    expect(p).to.have.length(16);
    expect(p.map((x) => x.version))
      .to.include("1.29.0")
      .and.not.include("1.30.0-beta.0");
    expect(p.find((x) => x.version === "1.28.8")?.released).to.equal("2024-03-15T18:53:33Z");
  });
  it("scs-0210-v2: GitHub releases: drafts and flagged pre-releases are ignored", () => {
    const p = parseGithubReleases([
      { tag_name: "v1.36.1", published_at: "2026-05-13T10:00:00Z", draft: true, prerelease: false },
      { tag_name: "v1.36.2", published_at: "2026-06-09T10:00:00Z", draft: false, prerelease: true },
      { tag_name: "v1.36.3", published_at: "2026-07-14T10:00:00Z", draft: false, prerelease: false },
    ]);
    expect(p.map((x) => x.version)).to.deep.equal(["1.36.3"]);
  });
  it("scs-0210-v2: release schedule: minors with EOL and patch target dates", () => {
    const s = parseReleaseSchedule(local("schedule.yaml"));
    expect(s.minors).to.deep.equal([
      { minor: "1.36", releaseDate: "2026-04-22", endOfLife: "2027-06-28", source: "release schedule" },
      { minor: "1.35", releaseDate: "2025-12-17", endOfLife: "2027-02-28", source: "release schedule" },
    ]);
    expect(s.patches.map((p) => `${p.version}@${p.released}`)).to.deep.equal([
      "1.36.2@2026-06-09",
      "1.36.1@2026-05-13",
      "1.36.0@2026-04-22",
      "1.35.2@2026-02-26",
    ]);
  });
  it("scs-0210-v2: CVE feed: ids and publication dates", () => {
    const f = parseCveFeed(JSON.parse(local("cve-feed.json")));
    expect(f).to.have.length(1);
    expect(f[0]).to.include({ id: "CVE-2024-10220", published: "2024-11-20T00:00:00Z" });
  });
  it("scs-0210-v2: CVE record: CNA score and version, fixed versions of core components only", () => {
    const r = parseCveRecord(JSON.parse(local("cve-record.json")));
    expect(r).to.include({ id: "CVE-2024-10220", cvss: 8.1, cvssVersion: "3.1" });
    expect(r?.fixedIn.sort()).to.deep.equal(["1.28.12", "1.29.7", "1.30.3"]);
  });
  it("scs-0210-v2: CVE record without a score is not used", () => {
    const j = JSON.parse(local("cve-record.json"));
    j.containers.cna.metrics = [];
    expect(parseCveRecord(j)).to.equal(undefined);
  });
  it("scs-0210-v2: Go module proxy: info and list", () => {
    expect(parseGoProxyInfo({ Version: "v1.34.0", Time: "2025-08-27T10:09:04Z" })).to.deep.equal({
      version: "1.34.0",
      released: "2025-08-27T10:09:04Z",
      source: "Go module proxy tag time",
    });
    expect(parseGoProxyInfo({ Version: "v1.35.0-rc.0", Time: "2025-12-01T00:00:00Z" })).to.equal(undefined);
    expect(parseGoProxyList("v1.34.0\nv1.35.0-alpha.1\nv0.0.1\nv1.36.1\n")).to.deep.equal([
      "1.34.0",
      "1.36.1",
    ]);
  });
  it("scs-0210-v2: merge: GitHub published_at wins, otherwise the later date", () => {
    const m = mergePatches(
      [{ version: "1.35.8", released: "2026-08-20T15:16:14Z", source: "Go module proxy tag time" }],
      [
        { version: "1.35.8", released: "2026-08-11", source: "kubernetes.io target date" },
        { version: "1.35.9", released: "2026-09-15", source: "kubernetes.io target date" },
        { version: "1.35.9", released: "2026-09-16T01:00:00Z", source: "github-releases published_at" },
      ],
    );
    expect(m.map((p) => `${p.version}@${p.released}`)).to.deep.equal([
      "1.35.8@2026-08-20T15:16:14Z",
      "1.35.9@2026-09-16T01:00:00Z",
    ]);
    expect(m[0]?.source).to.match(/later than kubernetes.io target date 2026-08-11/);
  });
});
