import { expect } from "chai";
import { MANAGED_BY_LABEL, RUN_ID_LABEL } from "./labels.ts";
import { createPod, restrictedPod } from "./pods.ts";
import { harness } from "./testdata/harness.ts";

describe("framework: pods (fake API server)", () => {
  it("createPod adds the suite's labels, keeps the caller's, and registers a deletion that tolerates 404", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces", { metadata: { name: "ns" } });
      const created = await createPod(
        h.ctx,
        "ns",
        restrictedPod({ name: "p", image: "img", labels: { app: "writer" } }),
      );
      expect(created.metadata?.name).to.equal("p");
      expect(h.store.get("/api/v1/namespaces/ns/pods", "p")?.metadata?.labels).to.include({
        app: "writer",
        [MANAGED_BY_LABEL]: "scs-kaas",
        [RUN_ID_LABEL]: "run1",
      });
      expect(h.record.cleanups.map((c) => c.name)).to.deep.equal(["delete pod ns/p"]);
      expect(await h.cleanup()).to.deep.equal([]);
      expect(h.store.get("/api/v1/namespaces/ns/pods", "p")).to.equal(undefined);
      expect(h.api.requests).to.include("DELETE /api/v1/namespaces/ns/pods/p?gracePeriodSeconds=0");
      // the pod is gone now: a second deletion (the namespace's cleanup racing) must not report a leftover
      expect(await h.cleanup()).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });
});

describe("framework: restrictedPod cannot be loosened", () => {
  it("neither types nor casts get hostNetwork, hostPath, host ports, privilege or root into the pod", () => {
    restrictedPod({
      name: "p",
      image: "img",
      // @ts-expect-error hostNetwork is not a field a check may set
      spec: { hostNetwork: true },
    });
    restrictedPod({
      name: "p",
      image: "img",
      // @ts-expect-error hostPath is not an allowed volume source
      spec: { volumes: [{ name: "h", hostPath: { path: "/" } }] },
    });
    restrictedPod({
      name: "p",
      image: "img",
      // @ts-expect-error the security context is fixed
      container: { securityContext: { privileged: true } },
    });
    // @ts-expect-error host ports are not allowed
    restrictedPod({ name: "p", image: "img", ports: [{ containerPort: 80, hostPort: 80 }] });

    const smuggled = restrictedPod({
      name: "p",
      image: "img",
      ports: [{ containerPort: 80, hostPort: 80 } as never],
      container: { securityContext: { privileged: true, runAsUser: 0 } } as never,
      spec: {
        hostNetwork: true,
        hostPID: true,
        serviceAccountName: "admin",
        volumes: [{ name: "h", hostPath: { path: "/" }, emptyDir: {} }],
        tolerations: [{ operator: "Exists" }],
      } as never,
    });
    const spec = smuggled.spec;
    expect(spec?.hostNetwork).to.equal(undefined);
    expect(spec?.hostPID).to.equal(undefined);
    expect(spec?.serviceAccountName).to.equal(undefined);
    expect(spec?.volumes).to.deep.equal([{ name: "h", emptyDir: {} }]);
    expect(spec?.tolerations).to.deep.equal([{ operator: "Exists" }]);
    const c = spec?.containers[0];
    expect(c?.ports).to.deep.equal([{ containerPort: 80 }]);
    expect(c?.securityContext).to.deep.equal({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(() => restrictedPod({ name: "p", image: "img", runAsUser: 0 })).to.throw(
      "runAsUser 0 is not a non-root uid",
    );
  });
});

describe("framework: pods", () => {
  it("restrictedPod meets Pod Security restricted", () => {
    const spec = restrictedPod({ name: "p", image: "registry.k8s.io/e2e-test-images/agnhost:2.53" }).spec;
    expect(spec?.securityContext).to.include({ runAsNonRoot: true });
    expect(spec?.securityContext?.seccompProfile?.type).to.equal("RuntimeDefault");
    expect(spec?.hostNetwork ?? false).to.equal(false);
    for (const c of spec?.containers ?? []) {
      expect(c.securityContext?.allowPrivilegeEscalation).to.equal(false);
      expect(c.securityContext?.capabilities?.drop).to.deep.equal(["ALL"]);
      expect(c.securityContext?.capabilities?.add ?? []).to.deep.equal([]);
      expect(c.securityContext?.privileged ?? false).to.equal(false);
      expect(c.securityContext?.runAsUser).to.not.equal(0);
    }
  });
});
