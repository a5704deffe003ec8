import { readFileSync } from "node:fs";
import { expect } from "chai";
import { type FetchLike, LIVE_URLS } from "./live.ts";
import { loadReleaseData } from "./load.ts";

const shared = readFileSync(new URL("../../../shared/data/scs/releases.json", import.meta.url), "utf8");
const local = (f: string) => readFileSync(new URL(`./testdata/${f}`, import.meta.url), "utf8");

// Serves the recorded samples under the live URLs; `down` lists URL prefixes that fail.
function fakeFetch(down: string[] = []): FetchLike {
  return async (url) => {
    if (down.some((d) => url.startsWith(d))) throw new Error("getaddrinfo ENOTFOUND");
    const body = url.startsWith(LIVE_URLS.githubReleases)
      ? url.endsWith("page=1")
        ? shared
        : "[]"
      : url === LIVE_URLS.schedule
        ? local("schedule.yaml")
        : url === LIVE_URLS.cveFeed
          ? local("cve-feed.json")
          : url.startsWith(LIVE_URLS.cveRecord)
            ? local("cve-record.json")
            : undefined;
    return { ok: body !== undefined, status: body === undefined ? 404 : 200, text: async () => body ?? "" };
  };
}

describe("scs-0210-v2 release data loading", () => {
  const now = new Date("2024-12-01T00:00:00Z");
  it("scs-0210-v2: live: assembles releases, calendar and CVE records", async () => {
    const { data, origin } = await loadReleaseData({ fetch: fakeFetch(), now });
    expect(origin).to.equal("live upstream sources");
    expect(data.snapshotDate).to.equal("2024-12-01");
    expect(data.minors.map((m) => m.minor)).to.deep.equal(["1.36", "1.35"]);
    expect(data.patches.find((p) => p.version === "1.29.3")?.source).to.equal("github-releases published_at");
    expect(data.cves.map((c) => c.id)).to.deep.equal(["CVE-2024-10220"]);
    expect(data.gaps).to.deep.equal([]);
  });
  it("scs-0210-v2: live without the CVE feed states the gap", async () => {
    const { data } = await loadReleaseData({ fetch: fakeFetch([LIVE_URLS.cveFeed]), now });
    expect(data.cves).to.deep.equal([]);
    expect(data.gaps.join()).to.match(/CVE feed not reachable/);
  });
  it("scs-0210-v2: unreachable upstream falls back to the bundled snapshot and says why", async () => {
    const { data, origin } = await loadReleaseData({ fetch: fakeFetch(["https://"]), now });
    expect(origin).to.match(/^bundled snapshot \(upstream not reachable: getaddrinfo ENOTFOUND/);
    expect(data.snapshotDate).to.equal("2026-11-21");
  });
  it("scs-0210-v2: a --release-data file is used as is; a bad one is a clear error", async () => {
    const file = new URL("./release-data.snapshot.json", import.meta.url).pathname;
    expect((await loadReleaseData({ file })).origin).to.equal(`file ${file}`);
    const bad = new URL("./testdata/cve-feed.json", import.meta.url).pathname;
    await loadReleaseData({ file: bad }).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.match(/invalid release data/),
    );
  });
});
