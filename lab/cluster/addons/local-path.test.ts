import { expect } from "chai";
import { parseAllDocuments } from "yaml";
import { buildTopology } from "../topology.ts";
import { localPathManifests } from "./local-path.ts";

describe("lab local-path-provisioner", () => {
  const nodes = buildTopology({ controlPlanes: 1, workers: 2, zoneLabels: true, controlPlaneOneHost: false });
  const images = { provisioner: "docker.io/rancher/local-path-provisioner:v0.0.30", helper: "bb:1" };
  const objects = (kind: "shared" | "node-local") =>
    parseAllDocuments(localPathManifests(kind, nodes, images)).map((d) => d.toJSON());

  it("runs upstream's Deployment from the lab image, moving off a dead node after 30 s", () => {
    const deployment = objects("shared").find((o) => o.kind === "Deployment");
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].image).to.equal(images.provisioner);
    expect(pod.containers[0].imagePullPolicy).to.equal("Never");
    expect(pod.tolerations.map((t: { key: string }) => t.key)).to.have.members([
      "node.kubernetes.io/not-ready",
      "node.kubernetes.io/unreachable",
    ]);
    expect(pod.tolerations.every((t: { tolerationSeconds: number }) => t.tolerationSeconds === 30)).to.equal(
      true,
    );
  });

  it("the default StorageClass is served by it; node-local storage maps each node to its own disk", () => {
    const shared = objects("shared");
    const sc = shared.find((o) => o.kind === "StorageClass");
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).to.equal("true");
    const config = (os: { kind: string; data?: Record<string, string> }[]) =>
      JSON.parse(os.find((o) => o.kind === "ConfigMap")?.data?.["config.json"] ?? "{}");
    expect(config(shared)).to.have.property("sharedFileSystemPath");
    const local = config(objects("node-local"));
    expect(local.nodePathMap.map((m: { node: string }) => m.node)).to.deep.equal(nodes.map((n) => n.name));
  });
});
