import { expect } from "chai";
import { goComponentKey } from "./go-component.ts";

describe("lab/build/go-component", () => {
  const speaker = { name: "speaker", pkg: "go.universe.tf/metallb/speaker" };
  const spec = { version: "v0.13.5", binaries: [speaker] };

  it("keys a component by version, binaries, Go release and wrapper settings", () => {
    const key = goComponentKey(spec, "go1.26.8");
    expect(key).to.match(/^v0\.13\.5-[0-9a-f]{10}$/);
    expect(goComponentKey(spec, "go1.26.8")).to.equal(key);
    expect(goComponentKey(spec, "go1.27.0")).to.not.equal(key);
    expect(goComponentKey({ ...spec, binaries: [{ ...speaker, tags: ["x"] }] }, "go1.26.8")).to.not.equal(
      key,
    );
    const raised = { raised: [{ path: "golang.org/x/net", version: "v0.56.0" }] };
    expect(goComponentKey({ ...spec, wrapperSettings: raised }, "go1.26.8")).to.not.equal(key);
  });
});
