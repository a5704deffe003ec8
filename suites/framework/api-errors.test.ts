import { CoreV1Api } from "@kubernetes/client-node";
import { expect } from "chai";
import { forbidden, startFakeApiServer } from "../../runner/testdata/fake-api-server.ts";
import { parseForbidden, translateError } from "./api-errors.ts";
import { CheckAborted, CheckFailed, TimeoutExpired } from "./errors.ts";
import { contextFor } from "./testdata/harness.ts";

describe("framework: API error translation", () => {
  it("a 403 from the API server becomes an abort naming verb, resource and scope", async () => {
    const api = await startFakeApiServer([
      (_req, res, url) => url.pathname === "/api/v1/nodes" && forbidden(res, "list", "nodes"),
    ]);
    try {
      const err = await contextFor(api)
        .api(CoreV1Api)
        .listNode()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const t = translateError(err);
      expect(t.verdict).to.equal("abort");
      expect(t.reason).to.equal(
        'forbidden: cannot list nodes (verb "list", resource "nodes", cluster scope) as system:serviceaccount:sonobuoy:scs',
      );
      expect(t.details).to.include("during CoreV1Api.listNode");
    } finally {
      await api.close();
    }
  });

  it("reads namespaced, grouped and non-resource denials", () => {
    expect(
      parseForbidden(
        'pods is forbidden: User "u" cannot create resource "pods" in API group "" in the namespace "x"',
      ),
    ).to.deep.equal({ user: "u", verb: "create", resource: "pods", apiGroup: "", scope: 'namespace "x"' });
    expect(
      parseForbidden(
        'User "u" cannot watch resource "volumeattachments" in API group "storage.k8s.io" at the cluster scope',
      ),
    ).to.include({ resource: "volumeattachments", apiGroup: "storage.k8s.io", scope: "cluster scope" });
    expect(parseForbidden('forbidden: User "system:anonymous" cannot get path "/version"')).to.include({
      verb: "get",
      resource: "/version",
      scope: "non-resource URL",
    });
  });

  it("only CheckFailed is a fail; API, network, timeout and crash errors abort", () => {
    expect(translateError(new CheckFailed("x")).verdict).to.equal("fail");
    const apiError = Object.assign(new Error("x"), {
      code: 500,
      body: { reason: "InternalError", message: "etcd down" },
    });
    expect(translateError(apiError)).to.include({
      verdict: "abort",
      reason: "API error: HTTP 500 InternalError: etcd down",
    });
    const net = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" }),
    });
    expect(translateError(net).reason).to.equal(
      "cannot reach the API server: connect ECONNREFUSED 127.0.0.1:6443",
    );
    expect(translateError(new TimeoutExpired("pod-ready", 120_000, "waiting")).reason).to.equal(
      'timeout "pod-ready" (120s) expired while waiting',
    );
    expect(translateError(new RangeError("oops"))).to.include({
      verdict: "abort",
      reason: "the check crashed: RangeError: oops",
    });
    expect(translateError(new CheckAborted("no data"))).to.include({ verdict: "abort", reason: "no data" });
  });
});
