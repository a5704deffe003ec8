import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import type { CheckDefinition, RbacRule } from "../suites/framework/check.ts";
import { RBAC } from "../suites/framework/rbac.ts";
import {
  disruptiveRules,
  missingGrants,
  RUNNER_RULES,
  renderDisruptiveRbacManifest,
  renderRbacManifest,
  requiredRules,
} from "./rbac.ts";
import { loadChecks } from "./registry.ts";
import { isDisruptive } from "./result.ts";

const MANIFEST = new URL("../deploy/rbac.yaml", import.meta.url);
const DISRUPTIVE_MANIFEST = new URL("../deploy/rbac-disruptive.yaml", import.meta.url);

function clusterRoleRules(file = MANIFEST): RbacRule[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map(
    (d) => d.toJS() as { kind?: string; rules?: RbacRule[] },
  );
  const role = docs.find((d) => d.kind === "ClusterRole");
  if (!role?.rules) throw new Error("deploy/rbac.yaml has no ClusterRole with rules");
  return role.rules;
}

describe("deploy/rbac.yaml (least-privilege ClusterRole)", () => {
  it("grants every rule each registered check declares, and the runner's probe", async () => {
    const granted = clusterRoleRules();
    expect(missingGrants(RUNNER_RULES, granted), "runner probe and sweep").to.deep.equal([]);
    const disruptive = clusterRoleRules(DISRUPTIVE_MANIFEST);
    for (const check of await loadChecks()) {
      if (isDisruptive(check)) {
        expect(
          missingGrants(check.rbac, [...granted, ...disruptive]),
          `${check.id} (disruptive)`,
        ).to.deep.equal([]);
        continue;
      }
      expect(
        missingGrants(check.rbac, granted),
        `${check.id} needs more than deploy/rbac.yaml grants`,
      ).to.deep.equal([]);
    }
  });

  it("grants nothing beyond that: it is exactly what `scs-kaas rbac` generates (regenerate: npx scs-kaas rbac > deploy/rbac.yaml)", async () => {
    expect(readFileSync(MANIFEST, "utf8")).to.equal(renderRbacManifest(await loadChecks()));
  });

  it("deploy/rbac-disruptive.yaml is exactly what `scs-kaas rbac --disruptive` generates", async () => {
    expect(readFileSync(DISRUPTIVE_MANIFEST, "utf8")).to.equal(
      renderDisruptiveRbacManifest(await loadChecks()),
    );
  });

  it("the base role never gets a rule only a [Disruptive] check needs; the opt-in role gets just that", () => {
    const check = (id: string, labels: CheckDefinition["labels"], rbac: RbacRule[]) =>
      ({ id, labels, rbac }) as unknown as CheckDefinition;
    const checks = [
      check("a", [], [...RBAC.testNamespace, ...RBAC.nodesRead]),
      check("b", ["[Disruptive]"], [...RBAC.nodesRead, ...RBAC.disruptiveNodes]),
    ];
    const base = requiredRules(checks);
    expect(missingGrants(RBAC.disruptiveNodes, base)).to.deep.equal([
      "delete nodes",
      "patch nodes",
      "update nodes",
      "create pods/eviction",
    ]);
    expect(missingGrants(RBAC.nodesRead, base)).to.deep.equal([]);
    expect(disruptiveRules(checks)).to.deep.equal([
      { apiGroups: [""], resources: ["nodes"], verbs: ["delete", "patch", "update"] },
      { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
    ]);
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
