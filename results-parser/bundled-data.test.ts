import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import { bundledMinors, specList } from "./e2e-lists.ts";
import { BUNDLED_OK_TO_FAIL, BUNDLED_SCOPE, loadOkToFail, loadScope } from "./scope.ts";

const SHARED = fileURLToPath(new URL("../../shared/data/scs/", import.meta.url));

describe("bundled scope and okToFail files", () => {
  it("are unchanged copies of shared/data/scs (when shared/ is beside the checkout)", function () {
    if (!existsSync(SHARED)) this.skip();
    expect(readFileSync(BUNDLED_SCOPE)).to.deep.equal(readFileSync(`${SHARED}scs-compatible-kaas.yaml`));
    expect(readFileSync(BUNDLED_OK_TO_FAIL)).to.deep.equal(
      readFileSync(`${SHARED}scs-sonobuoy-config-v1.yaml`),
    );
  });

  it("load into the scope's test ids, modules, versions and the okToFail regexes", async () => {
    const scope = await loadScope();
    expect(scope.testcases.map((t) => t.id)).to.deep.equal([
      "cncf-k8s-conformance",
      "version-policy-check",
      "node-distribution-check",
      "kaas-networking-check",
    ]);
    expect(scope.versions.map((v) => [v.version, v.include])).to.deep.equal([
      ["v1", ["cncf-k8s-conformance", "scs-0210-v2", "scs-0214-v2", "scs-0219-v1"]],
    ]);
    const ok = await loadOkToFail();
    expect(ok).to.have.length(9);
    expect(ok.every((e) => e.reason.length > 0)).to.equal(true);
  });
});

const TESTLIST = fileURLToPath(
  new URL("../../shared/data/sonobuoy/e2e-testlist-v1.30.2.gz", import.meta.url),
);

describe("bundled e2e spec lists (data/e2e-lists)", () => {
  it("name their source module for each minor: 1.30 and 1.34-1.37", () => {
    expect(bundledMinors()).to.deep.equal(["1.30", "1.34", "1.35", "1.36", "1.37"]);
    for (const m of bundledMinors()) {
      const conf = specList("conformance", m);
      const net = specList("networkpolicy", m);
      expect(conf?.source, m).to.match(new RegExp(`^k8s\\.io/kubernetes@v${m.replace(".", "\\.")}\\.\\d+$`));
      expect(
        conf?.names.every((n) => n.includes("[Conformance]")),
        m,
      ).to.equal(true);
      expect(
        net?.names.every((n) => n.includes("NetworkPolicy")),
        m,
      ).to.equal(true);
      expect(new Set(conf?.names).size, m).to.equal(conf?.names.length);
    }
    expect(specList("conformance", "1.28")).to.equal(undefined);
  });

  it("1.30 equals the [Conformance] and NetworkPolicy names of the real v1.30.2 test list (without [It])", function () {
    if (!existsSync(TESTLIST)) this.skip();
    const names = gunzipSync(readFileSync(TESTLIST))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => l.trim().replace(/^\[It\] /, ""));
    const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();
    expect(sorted(specList("conformance", "1.30")?.names)).to.deep.equal(
      sorted(names.filter((n) => n.includes("[Conformance]"))),
    );
    expect(sorted(specList("networkpolicy", "1.30")?.names)).to.deep.equal(
      sorted(names.filter((n) => n.includes("NetworkPolicy"))),
    );
  });
});
