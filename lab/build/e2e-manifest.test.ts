import { expect } from "chai";
import { e2eImageTagsFromManifest, kubernetesMinor } from "./e2e-manifest.ts";

describe("lab/build/e2e-manifest", () => {
  it("reads image names and tags from manifest.go", () => {
    const manifest = `
	configs[AgnhostPrev] = Config{list.PromoterE2eRegistry, "agnhost", "2.55"}
	configs[Agnhost] = Config{list.PromoterE2eRegistry, "agnhost", "2.66.1"}
	configs[NodePerfNpbEp] = Config{list.PromoterE2eRegistry, "node-perf/npb-ep", "1.6.0"}
	configs[Pause] = Config{list.GcRegistry, "pause", "3.10.2"}
	// configs[Old] = something else
`;
    const tags = e2eImageTagsFromManifest(manifest);
    expect(tags.get("Agnhost")).to.deep.equal({ name: "agnhost", tag: "2.66.1" });
    expect(tags.get("AgnhostPrev")?.tag).to.equal("2.55");
    expect(tags.get("NodePerfNpbEp")?.name).to.equal("node-perf/npb-ep");
    expect(tags.get("Pause")?.tag).to.equal("3.10.2");
    expect(tags.size).to.equal(4);
  });

  it("reduces a version to its minor", () => {
    expect(kubernetesMinor("v1.36.5")).to.equal("1.36");
    expect(kubernetesMinor("1.34.5")).to.equal("1.34");
    expect(() => kubernetesMinor("v1")).to.throw();
  });
});
