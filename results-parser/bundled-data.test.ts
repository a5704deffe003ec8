import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
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
