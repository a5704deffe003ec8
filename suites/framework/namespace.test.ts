import { CoreV1Api } from "@kubernetes/client-node";
import { expect } from "chai";
import { forbidden } from "../../runner/testdata/fake-api-server.ts";
import { translateError } from "./api-errors.ts";
import { CHECK_LABEL, MANAGED_BY_LABEL, RUN_ID_LABEL } from "./labels.ts";
import {
  createTestNamespace,
  deleteIgnoringNotFound,
  deleteNamespaceAndWait,
  NamespaceNotGone,
} from "./namespace.ts";
import { harness } from "./testdata/harness.ts";

describe("framework: test namespaces (fake API server)", () => {
  it("createTestNamespace labels the namespace, enforces restricted and registers its deletion and dump", async () => {
    const h = await harness();
    try {
      const name = await createTestNamespace(h.ctx);
      expect(name).to.match(/^scs-kaas-helper-test-[a-z0-9]+$/);
      const ns = h.store.get("/api/v1/namespaces", name);
      expect(ns?.metadata?.labels).to.include({
        [MANAGED_BY_LABEL]: "scs-kaas",
        [RUN_ID_LABEL]: "run1",
        [CHECK_LABEL]: "scs-9999-v1.helper-test",
        "pod-security.kubernetes.io/enforce": "restricted",
      });
      expect(h.record.cleanups.map((c) => c.name)).to.deep.equal([`delete namespace ${name}`]);
      expect(h.record.dumps.map((d) => d.name)).to.deep.equal([`namespace ${name}`]);
      expect(await h.cleanup()).to.deep.equal([]);
      expect(h.api.requests).to.include(`DELETE /api/v1/namespaces/${name}`);
    } finally {
      await h.close();
    }
  });

  it("a namespace already gone when its cleanup runs counts as deleted (404 through ctx.api)", async () => {
    const h = await harness();
    try {
      const name = await createTestNamespace(h.ctx);
      h.store.remove("/api/v1/namespaces", name);
      expect(await h.cleanup()).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });

  it("deleteIgnoringNotFound passes on every other error", async () => {
    const h = await harness({
      routes: [
        (req, res, url) =>
          req.method === "DELETE" &&
          url.pathname === "/api/v1/namespaces/theirs" &&
          forbidden(res, "delete", "namespaces"),
      ],
    });
    try {
      const core = h.ctx.api(CoreV1Api);
      await deleteIgnoringNotFound(() => core.deleteNamespace({ name: "missing" }));
      const err = await deleteIgnoringNotFound(() => core.deleteNamespace({ name: "theirs" })).catch(
        (e: unknown) => e,
      );
      expect(translateError(err).reason).to.match(/^forbidden: cannot delete namespaces/);
    } finally {
      await h.close();
    }
  });

  it("the namespace's cleanup waits until the namespace is gone, not just until its deletion was accepted", async () => {
    const h = await harness({ namespaceDeletionMs: 400 });
    try {
      const name = await createTestNamespace(h.ctx);
      h.store.put(`/api/v1/namespaces/${name}/pods`, { metadata: { name: "p" } });
      const started = Date.now();
      expect(await h.cleanup()).to.deep.equal([]);
      expect(Date.now() - started).to.be.at.least(350);
      expect(h.store.get("/api/v1/namespaces", name)).to.equal(undefined);
      expect(h.store.list(`/api/v1/namespaces/${name}/pods`)).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });

  it("a namespace held by finalizers: the wait ends at its timeout and names what is left (LB Service, PV)", async () => {
    const h = await harness();
    try {
      h.store.put("/api/v1/namespaces", { metadata: { name: "ns" } });
      h.store.put("/api/v1/namespaces/ns/services", {
        metadata: { name: "lb", finalizers: ["service.kubernetes.io/load-balancer-cleanup"] },
        spec: { type: "LoadBalancer" },
      });
      h.store.put("/api/v1/persistentvolumes", {
        metadata: { name: "pv-1" },
        spec: { claimRef: { namespace: "ns", name: "data" }, persistentVolumeReclaimPolicy: "Retain" },
        status: { phase: "Released" },
      });
      h.store.put("/api/v1/persistentvolumes", {
        metadata: { name: "pv-other" },
        spec: { claimRef: { namespace: "x", name: "y" } },
      });
      const err = await deleteNamespaceAndWait(h.ctx, "ns", {
        timeout: { name: "namespace-gone", ms: 400 },
      }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NamespaceNotGone);
      expect((err as NamespaceNotGone).leftovers).to.deep.equal([
        "namespace ns phase Terminating",
        "service/lb (type LoadBalancer, finalizers service.kubernetes.io/load-balancer-cleanup)",
        "persistentvolume/pv-1 (claim ns/data, phase Released, reclaim Retain)",
      ]);
      expect((err as Error).message).to.match(
        /^namespace ns is not gone \(timeout "namespace-gone" \(400ms\) expired while waiting for namespace ns to be gone\); left: namespace ns phase Terminating; service\/lb/,
      );
    } finally {
      await h.close();
    }
  });
});
