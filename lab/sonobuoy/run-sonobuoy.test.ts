import { expect } from "chai";
import { runArgs } from "../../cli/sonobuoy/plan.ts";
import { parseExpectations } from "../suite/expectations.ts";
import { labPlan } from "./run-sonobuoy.ts";

describe("lab sonobuoy", () => {
  const images = {
    sonobuoy: "docker.io/sonobuoy/sonobuoy:v0.57.5",
    conformance: "registry.k8s.io/conformance:v1.36.5",
  };
  const files = { scsPlugin: "/o/plugins/scs.yaml", netpolPlugin: "/o/plugins/e2e-netpol.yaml" };

  it("is scs-kaas sonobuoy --quick with the lab's kubeconfig and images, never pulling", () => {
    const plan = labPlan({ full: false, e2e: true, scs: true, disruptive: true }, images, "/k/admin.conf");
    expect(plan).to.include({ quick: true, kubeconfig: "/k/admin.conf", flakeAttempts: 2 });
    const args = runArgs(plan, files);
    expect(args).to.include("--kubeconfig=/k/admin.conf");
    expect(args).to.include("--sonobuoy-image=docker.io/sonobuoy/sonobuoy:v0.57.5");
    expect(args).to.include("--kube-conformance-image=registry.k8s.io/conformance:v1.36.5");
    expect(args).to.include("--image-pull-policy=Never");
    expect(args).to.include("--plugin=/o/plugins/e2e-netpol.yaml@e2e-netpol");
  });

  it("passes the reference date into the scs plugin's configuration; --full is the certification run", () => {
    const plan = labPlan(
      { full: true, e2e: true, scs: true, disruptive: true, referenceDate: "2026-11-21" },
      images,
      "/k",
    );
    expect(plan.scsConfig.referenceDate).to.equal("2026-11-21");
    expect(plan.quick).to.equal(false);
    expect(plan.scsConfig.enableDisruptive, "no node roll beside the conformance specs").to.equal(false);
    expect(runArgs(plan, files).some((a) => a.startsWith("--e2e-focus"))).to.equal(false);
  });

  it("gives the scs plugin the lab's node-action webhook and enables the disruptive checks", () => {
    const options = { "node-action": "webhook", "node-action-url": "http://198.18.0.1:8480/" };
    const plan = labPlan(
      { full: false, e2e: false, scs: true, disruptive: true },
      { sonobuoy: images.sonobuoy },
      "/k",
      options,
    );
    expect(plan.scsConfig.enableDisruptive).to.equal(true);
    expect(plan.scsConfig.options).to.deep.equal(options);
  });

  it("passes the scs plugin's focus and skip, and leaves the disruptive checks out when asked", () => {
    const plan = labPlan(
      { full: false, e2e: false, scs: true, disruptive: false, scsFocus: "lb-client-ip", scsSkip: "x" },
      { sonobuoy: images.sonobuoy },
      "/k",
    );
    expect(plan.scsConfig).to.include({ focus: "lb-client-ip", skip: "x", enableDisruptive: false });
  });

  it("runs the scs plugin alone when there is no e2e image (a cluster-only lab)", () => {
    const plan = labPlan(
      { full: false, e2e: false, scs: true, disruptive: true },
      { sonobuoy: images.sonobuoy },
      "/k",
    );
    const args = runArgs(plan, { scsPlugin: files.scsPlugin });
    expect(args.some((a) => a.startsWith("--plugin=e2e") || a.startsWith("--e2e-focus"))).to.equal(false);
    expect(args).to.include("--plugin=/o/plugins/scs.yaml");
    expect(() =>
      labPlan({ full: false, e2e: true, scs: true, disruptive: true }, { sonobuoy: "x" }, "/k"),
    ).to.throw(/conformance image/);
  });

  it("reads id=VERDICT expectations and rejects anything else", () => {
    expect(parseExpectations(["version-policy-check=FAIL", "cncf-k8s-conformance=ABORT"])).to.deep.equal({
      "version-policy-check": "FAIL",
      "cncf-k8s-conformance": "ABORT",
    });
    expect(() => parseExpectations(["version-policy-check=OK"])).to.throw(/--expect takes/);
    expect(() => parseExpectations(["=PASS"])).to.throw(/--expect takes/);
  });
});
