import { expect } from "chai";
import { SUITE_VERSION } from "../../runner/suite-version.ts";
import { translateError } from "./api-errors.ts";
import { suiteImage, withRegistry, workloadCommand } from "./images.ts";

describe("framework: images", () => {
  it("suiteImage is the suite's own image, under the image-registry mirror when one is given", () => {
    expect(suiteImage({ options: {} }, {})).to.equal(`scs-kaas:${SUITE_VERSION}`);
    expect(suiteImage({ options: { "image-registry": "mirror.example:5000/scs" } }, {})).to.equal(
      `mirror.example:5000/scs/scs-kaas:${SUITE_VERSION}`,
    );
    expect(suiteImage({ options: {} }, { SCS_KAAS_IMAGE: "ghcr.io/x/scs-kaas:1.2.3" })).to.equal(
      "ghcr.io/x/scs-kaas:1.2.3",
    );
    expect(suiteImage({ options: { image: "quay.io/a/b:1", "image-registry": "m.local" } }, {})).to.equal(
      "m.local/a/b:1",
    );
  });

  it("withRegistry replaces a registry host and keeps the repository path; a bad registry aborts", () => {
    expect(withRegistry("registry.k8s.io/e2e-test-images/agnhost:2.53", "m.local")).to.equal(
      "m.local/e2e-test-images/agnhost:2.53",
    );
    expect(withRegistry("localhost/x:1", "m.local/")).to.equal("m.local/x:1");
    expect(withRegistry("library/busybox:1", "m.local")).to.equal("m.local/library/busybox:1");
    const err = (() => {
      try {
        return withRegistry("x:1", "https://m.local");
      } catch (e) {
        return e;
      }
    })();
    expect(translateError(err).reason).to.equal(
      "option image-registry=https://m.local is not a registry host[/path]",
    );
  });

  it("workloadCommand runs a verb of the workload entrypoint with the image's node", () => {
    expect(workloadCommand("writer", "--path", "/data")).to.deep.equal([
      "node",
      "--disable-warning=ExperimentalWarning",
      "/app/suites/workload/main.ts",
      "writer",
      "--path",
      "/data",
    ]);
  });
});
