import { expect } from "chai";
import { compareVersions, parseKubeVersion, upstreamOf, VersionParseError } from "./version.ts";

describe("scs-0210-v2 version strings", () => {
  const cases: [string, string, string | undefined, string | undefined][] = [
    ["v1.31.4+k3s1", "1.31.4", undefined, "+k3s1"],
    ["v1.30.2-eks-1234", "1.30.2", undefined, "-eks-1234"],
    ["v1.29.0-gke.100", "1.29.0", undefined, "-gke.100"],
    ["1.28.3", "1.28.3", undefined, undefined],
    ["v1.30.0-rc.1", "1.30.0-rc.1", "rc.1", undefined],
    ["v1.31.0-alpha.3", "1.31.0-alpha.3", "alpha.3", undefined],
    ["v1.31.0-beta.0.45+0123abcd", "1.31.0-beta.0.45+0123abcd", "beta.0.45+0123abcd", undefined],
    ["v1.30.0-rc.1+k3s1", "1.30.0-rc.1", "rc.1", "+k3s1"],
    ["v1.33.1-rke2r1", "1.33.1", undefined, "-rke2r1"],
    [" v1.34.2 ", "1.34.2", undefined, undefined],
  ];
  for (const [input, upstream, pre, vendor] of cases) {
    it(`scs-0210-v2: reads ${JSON.stringify(input)} as ${upstream}${vendor ? ` + vendor ${vendor}` : ""}`, () => {
      const v = parseKubeVersion(input);
      expect(upstreamOf(v)).to.equal(upstream);
      expect(v.preRelease).to.equal(pre);
      expect(v.vendorSuffix).to.equal(vendor);
    });
  }
  for (const bad of ["", "latest", "1.28", "v1.x.3", "v1.28.3 extra", "v01.28.3", "1.28.3-", "v1.28.3+"]) {
    it(`scs-0210-v2: rejects ${JSON.stringify(bad)} with a clear error`, () => {
      expect(() => parseKubeVersion(bad)).to.throw(VersionParseError, /not a Kubernetes version|cannot read/);
    });
  }
  it("scs-0210-v2: orders pre-releases before the release and ignores vendor suffixes", () => {
    const order = [
      "v1.30.0-alpha.1",
      "v1.30.0-beta.0",
      "v1.30.0-rc.0",
      "v1.30.0-rc.1",
      "v1.30.0",
      "v1.30.1-eks-9",
    ];
    const sorted = [...order]
      .reverse()
      .sort((a, b) => compareVersions(parseKubeVersion(a), parseKubeVersion(b)));
    expect(sorted).to.deep.equal(order);
    expect(compareVersions(parseKubeVersion("v1.30.2-eks-1"), parseKubeVersion("1.30.2"))).to.equal(0);
  });
});
