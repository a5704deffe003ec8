import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { missingGrants, renderRbacManifest } from "../runner/rbac.ts";
import { loadChecks } from "../runner/registry.ts";
import type { RbacRule } from "../suites/framework/check.ts";
import { RBAC } from "../suites/framework/rbac.ts";

const MANIFEST = new URL("../deploy/rbac.yaml", import.meta.url);

function clusterRoleRules(): RbacRule[] {
  const docs = parseAllDocuments(readFileSync(MANIFEST, "utf8")).map(
    (d) => d.toJS() as { kind?: string; rules?: RbacRule[] },
  );
  const role = docs.find((d) => d.kind === "ClusterRole");
  if (!role?.rules) throw new Error("deploy/rbac.yaml has no ClusterRole with rules");
  return role.rules;
}

describe("deploy/rbac.yaml (least-privilege ClusterRole)", () => {
  it("grants every rule each registered check declares, and the runner's probe", async () => {
    const granted = clusterRoleRules();
    expect(missingGrants(RBAC.probe, granted), "runner probe").to.deep.equal([]);
    for (const check of await loadChecks()) {
      expect(
        missingGrants(check.rbac, granted),
        `${check.id} needs more than deploy/rbac.yaml grants`,
      ).to.deep.equal([]);
    }
  });

  it("grants nothing beyond that: it is exactly what `scs-kaas rbac` generates (regenerate: npx scs-kaas rbac > deploy/rbac.yaml)", async () => {
    expect(readFileSync(MANIFEST, "utf8")).to.equal(renderRbacManifest(await loadChecks()));
  });

  it("missingGrants names what a role lacks, and honours `*`", () => {
    const granted: RbacRule[] = [
      { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
      { apiGroups: ["storage.k8s.io"], resources: ["*"], verbs: ["get"] },
    ];
    expect(
      missingGrants(
        [
          { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
          { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get"] },
          { nonResourceURLs: ["/version"], verbs: ["get"] },
        ],
        granted,
      ),
    ).to.deep.equal(["watch nodes", "get /version"]);
  });
});
