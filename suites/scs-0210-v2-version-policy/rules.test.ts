import { expect } from "chai";
import {
  BUNDLED_SNAPSHOT,
  type ReleaseData,
  readReleaseDataFile,
  validateReleaseData,
} from "./release-data.ts";
import { evaluateClusterVersion, evaluateOffering, versionFindings } from "./rules.ts";

// A small, made-up release history; the dates are chosen to sit on the rules' boundaries.
function data(over: Partial<ReleaseData> = {}): ReleaseData {
  return {
    snapshotDate: "2026-11-21",
    sources: [{ datum: "all", from: "test" }],
    gaps: [],
    minors: [
      { minor: "1.34", releaseDate: "2025-08-27", endOfLife: "2026-10-27" },
      { minor: "1.35", releaseDate: "2025-12-17", endOfLife: "2027-02-28" },
      { minor: "1.36", releaseDate: "2026-04-22", endOfLife: "2027-06-28" },
      { minor: "1.37", releaseDate: "2026-08-26", endOfLife: "2027-10-28" },
    ],
    patches: [
      { version: "1.35.7", released: "2026-07-14T10:00:00Z" },
      { version: "1.35.8", released: "2026-10-21T23:30:00Z" },
      { version: "1.35.9", released: "2026-11-15T08:00:00Z" },
      { version: "1.36.4", released: "2026-08-11" },
      { version: "1.36.5", released: "2026-10-31" },
      { version: "1.37.0", released: "2026-08-26" },
      { version: "1.37.1", released: "2026-11-07" },
    ],
    cves: [
      {
        id: "CVE-2026-0001",
        cvss: 8.0,
        cvssVersion: "3.1",
        fixedIn: ["1.37.1", "1.36.5"],
        published: "2026-11-07",
      },
    ],
    ...over,
  };
}
const fails = (version: string, ref: string, d = data()) =>
  versionFindings(version, d, ref)
    .filter((f) => f.severity === "fail")
    .map((f) => f.rule);
const warns = (version: string, ref: string, d = data()) =>
  versionFindings(version, d, ref)
    .filter((f) => f.severity === "warning")
    .map((f) => f.rule);

describe("scs-0210-v2 rules: end of life", () => {
  it("scs-0210-v2: the EOL day itself is still supported (with a warning)", () => {
    expect(fails("v1.34.9", "2026-10-27", data({ patches: [] }))).to.deep.equal([]);
    expect(warns("v1.34.9", "2026-10-27", data({ patches: [] }))).to.include("eol");
  });
  it("scs-0210-v2: the day after EOL fails, naming the EOL date", () => {
    const r = evaluateClusterVersion("v1.34.9", data({ patches: [] }), "2026-10-28", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.34 reached end of life on 2026-10-27/);
  });
  it("scs-0210-v2: a minor older than every known minor is past EOL", () => {
    expect(fails("v1.20.0", "2026-11-21")).to.deep.equal(["eol"]);
  });
  it("scs-0210-v2: a minor the data does not know (newer) aborts", () => {
    const r = evaluateClusterVersion("v1.38.0", data(), "2026-11-21", "test");
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(/minor 1\.38 .* not a released minor/);
  });
  it("scs-0210-v2: a minor released after the reference date aborts", () => {
    expect(evaluateClusterVersion("v1.37.0", data(), "2026-08-25", "test").verdict).to.equal("abort");
  });
});

describe("scs-0210-v2 rules: newest patch within 1 month", () => {
  // 1.35.8 was released 2026-10-21 (UTC): deadline 2026-11-21.
  it("scs-0210-v2: on the deadline day the older patch still passes (warning)", () => {
    expect(fails("v1.35.7", "2026-11-21")).to.deep.equal([]);
    expect(warns("v1.35.7", "2026-11-21")).to.include("patch");
  });
  it("scs-0210-v2: the day after the deadline fails, naming patch and deadline", () => {
    const r = evaluateClusterVersion("v1.35.7", data({ snapshotDate: "2026-11-22" }), "2026-11-22", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/newer patch 1\.35\.8 was released 2026-10-21; .* deadline .* was 2026-11-21/);
  });
  it("scs-0210-v2: month-end release: Jan 31 + 1 month = Feb 28", () => {
    const d = data({ patches: [{ version: "1.35.2", released: "2026-01-31" }], snapshotDate: "2026-03-01" });
    expect(fails("v1.35.1", "2026-02-28", d)).to.deep.equal([]);
    expect(fails("v1.35.1", "2026-03-01", d)).to.deep.equal(["patch"]);
  });
  it("scs-0210-v2: vendor suffixes are judged as their upstream patch", () => {
    expect(fails("v1.35.9+k3s1", "2026-11-21")).to.deep.equal([]);
    expect(fails("v1.35.7-eks-1234", "2026-11-23", data({ snapshotDate: "2026-11-23" }))).to.deep.equal([
      "patch",
    ]);
    expect(fails("v1.35.8-gke.100", "2026-11-21")).to.deep.equal([]);
  });
  it("scs-0210-v2: patches released after the reference date do not count", () => {
    expect(warns("v1.35.8", "2026-11-14")).to.not.include("patch");
    expect(warns("v1.35.8", "2026-11-15")).to.include("patch");
  });
  it("scs-0210-v2: a pre-release of a released minor is behind its .0 release", () => {
    expect(fails("v1.37.0-rc.1", "2026-11-21")).to.include("patch");
  });
});

describe("scs-0210-v2 rules: critical CVEs", () => {
  // CVE-2026-0001 (8.0) fixed in 1.36.5 (released 2026-10-31) and 1.37.1 (2026-11-07), published 2026-11-07.
  it("scs-0210-v2: within 2 days: info only", () => {
    const f = versionFindings("v1.37.0", data({ snapshotDate: "2026-11-09" }), "2026-11-09");
    expect(f.filter((x) => x.rule === "cve").map((x) => x.severity)).to.deep.equal(["info"]);
  });
  it("scs-0210-v2: more than 2 days: warning (RECOMMENDED)", () => {
    expect(warns("v1.37.0", "2026-11-10", data({ snapshotDate: "2026-11-10" }))).to.include("cve");
    expect(fails("v1.37.0", "2026-11-10", data({ snapshotDate: "2026-11-10" }))).to.not.include("cve");
  });
  it("scs-0210-v2: 14 days is still a warning, 15 days fails", () => {
    expect(fails("v1.37.0", "2026-11-21")).to.not.include("cve");
    const r = evaluateClusterVersion("v1.37.0", data({ snapshotDate: "2026-11-22" }), "2026-11-22", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.37\.1 fixes critical CVE-2026-0001 \(CVSS 3\.1 8\)/);
  });
  it("scs-0210-v2: the clock starts at disclosure when the fix was released earlier", () => {
    // 1.36.5 was out on 2026-10-31 but the CVE was published 2026-11-07: 14 days on 2026-11-21.
    expect(fails("v1.36.4", "2026-11-21")).to.not.include("cve");
    expect(warns("v1.36.4", "2026-11-21")).to.include("cve");
  });
  it("scs-0210-v2: a score below 8 is not critical; fixed versions are not affected", () => {
    const low = data({
      cves: [
        { id: "CVE-2026-0002", cvss: 7.9, cvssVersion: "3.1", fixedIn: ["1.37.1"], published: "2026-11-07" },
      ],
    });
    expect(versionFindings("v1.37.0", low, "2026-11-21").filter((f) => f.rule === "cve")).to.deep.equal([]);
    expect(versionFindings("v1.37.1", data(), "2026-11-21").filter((f) => f.rule === "cve")).to.deep.equal(
      [],
    );
  });
  it("scs-0210-v2: no fix for an older minor is a warning", () => {
    expect(warns("v1.35.9", "2026-11-21")).to.include("cve");
  });
});

describe("scs-0210-v2 rules: stale data aborts", () => {
  it("scs-0210-v2: 30 days old is usable, 31 days aborts", () => {
    const d = data({ snapshotDate: "2026-10-22", cves: [] });
    expect(evaluateClusterVersion("v1.37.1", d, "2026-11-21", "test").verdict).to.equal("pass");
    const r = evaluateClusterVersion("v1.37.1", d, "2026-11-22", "test");
    expect(r.verdict).to.equal("abort");
    expect(r.reason).to.match(/release data is from 2026-10-22, 31 days before the reference date/);
    expect(evaluateOffering(["v1.37.1"], d, "2026-11-22", "test").verdict).to.equal("abort");
  });
  it("scs-0210-v2: data gaps are always stated", () => {
    const r = evaluateClusterVersion("v1.37.1", data({ gaps: ["CVE list partial"] }), "2026-11-21", "test");
    expect(r.dataNotes).to.deep.equal([
      "release data: test, collected 2026-11-21",
      "data gap: CVE list partial",
    ]);
  });
});

describe("scs-0210-v2 rules: KaaS offering", () => {
  it("scs-0210-v2: all supported minors on current patches pass; a young minor not offered is a warning", () => {
    const r = evaluateOffering(["v1.35.9", "v1.36.5"], data(), "2026-11-21", "test");
    expect(r.verdict, r.reason).to.equal("pass");
    expect(r.findings.find((f) => f.rule === "minor-offered" && f.severity === "warning")?.message).to.match(
      /1\.37 .* required by 2026-12-26/,
    );
  });
  it("scs-0210-v2: the newest minor must be offered after 4 months (day after deadline fails)", () => {
    const d = data({ snapshotDate: "2026-12-27" });
    expect(evaluateOffering(["v1.35.9", "v1.36.5"], d, "2026-12-26", "test").verdict).to.equal("pass");
    const r = evaluateOffering(["v1.35.9", "v1.36.5"], d, "2026-12-27", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.37 is supported upstream until 2027-10-28 but not offered/);
  });
  it("scs-0210-v2: a supported minor missing from the offer fails", () => {
    const r = evaluateOffering(["v1.36.5", "v1.37.1"], data(), "2026-11-21", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.35 is supported upstream/);
  });
  it("scs-0210-v2: every offered version is judged by the cluster rules", () => {
    const r = evaluateOffering(["v1.34.12", "v1.35.9", "v1.36.5", "v1.37.1"], data(), "2026-11-21", "test");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/v1\.34\.12: 1\.34 reached end of life on 2026-10-27/);
  });
  it("scs-0210-v2: an unknown version aborts only when nothing else fails", () => {
    expect(
      evaluateOffering(["v1.35.9", "v1.36.5", "v1.38.0"], data(), "2026-11-21", "test").verdict,
    ).to.equal("abort");
    expect(evaluateOffering(["v1.36.5", "v1.38.0"], data(), "2026-11-21", "test").verdict).to.equal("fail");
  });
});

describe("scs-0210-v2 bundled snapshot", () => {
  it("scs-0210-v2: is valid, dated, sourced and states its gaps", () => {
    const s = readReleaseDataFile(BUNDLED_SNAPSHOT);
    expect(s.sources.length).to.be.greaterThan(0);
    expect(s.gaps.join("\n")).to.match(/CVE/);
    expect(s.minors.map((m) => m.minor)).to.include.members(["1.35", "1.36", "1.37"]);
  });
  it("scs-0210-v2: v1.30.0 on 2026-11-21 fails for end of life", () => {
    const r = evaluateOffering(["v1.30.0"], readReleaseDataFile(BUNDLED_SNAPSHOT), "2026-11-21", "snapshot");
    expect(r.verdict).to.equal("fail");
    expect(r.reason).to.match(/1\.30 reached end of life on 2025-07-15/);
  });
  it("scs-0210-v2: validation names the bad field", () => {
    expect(() =>
      validateReleaseData(
        { snapshotDate: "x", sources: [], minors: [], patches: [{ version: "v1.3" }], cves: [] },
        "f",
      ),
    ).to.throw(/snapshotDate: .*\n.*patches\[0\]\.version/);
  });
});
