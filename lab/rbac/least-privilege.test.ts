import { expect } from "chai";
import { rbacDocs } from "./least-privilege.ts";

describe("lab least-privilege: the suite's account (scs-0211-v1 node actions, lb-client-ip prober)", function () {
  this.timeout(60_000);

  it("may read the lab's two token Secrets by name, and nothing else of Secrets", async () => {
    const docs = await rbacDocs();
    const sa = docs.find((d) => d.kind === "ServiceAccount")?.metadata;
    const roles = docs.filter((d) => d.kind === "Role");
    expect(roles.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`)).to.deep.equal([
      `kube-system/${sa?.name}-read-scs-lab-node-actions`,
      `kube-system/${sa?.name}-read-scs-lab-lb-prober`,
    ]);
    expect(roles[1]?.rules).to.deep.equal([
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["scs-lab-lb-prober"], verbs: ["get"] },
    ]);
    const binding = docs.find(
      (d) => d.kind === "RoleBinding" && d.metadata?.name === roles[1]?.metadata?.name,
    );
    expect(binding?.subjects).to.deep.equal([
      { kind: "ServiceAccount", name: sa?.name, namespace: sa?.namespace },
    ]);
    const clusterSecrets = docs
      .filter((d) => d.kind === "ClusterRole")
      .flatMap((d) => d.rules ?? [])
      .filter((r) => r.resources?.includes("secrets"));
    expect(clusterSecrets, "no cluster-wide rule on Secrets").to.deep.equal([]);
  });
});
