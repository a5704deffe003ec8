import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import {
  type FakeApiServer,
  forbidden,
  json,
  startFakeApiServer,
} from "../../runner/testdata/fake-api-server.ts";
import { parseForbidden, translateError } from "./api-errors.ts";
import type { CheckContext } from "./check.ts";
import { runCleanups } from "./cleanup.ts";
import { createCheckContext } from "./context.ts";
import { CheckAborted, CheckFailed, TimeoutExpired } from "./errors.ts";
import { restrictedPod } from "./pods.ts";
import { retryUntil, waitForWatch } from "./wait.ts";

function contextFor(server: FakeApiServer, signal = new AbortController().signal): CheckContext {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return createCheckContext({
    checkId: "scs-9999-v1/test",
    runId: "run1",
    kubeConfig: kc,
    signal,
    referenceDate: new Date(),
    options: {},
  }).ctx;
}

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

describe("framework: cleanups", () => {
  it("run newest first, go on after a failure, and stop at their named timeout", async () => {
    const order: string[] = [];
    const report = await runCleanups(
      [
        { name: "first", fn: async () => void order.push("first") },
        { name: "hangs", fn: () => new Promise(() => {}) },
        { name: "breaks", fn: async () => Promise.reject(new Error("nope")) },
        { name: "last", fn: async () => void order.push("last") },
      ],
      { name: "cleanup", ms: 300 },
    );
    expect(order).to.deep.equal(["last"]);
    expect(report.lines[0]).to.equal("ok last");
    expect(report.lines[1]).to.equal("FAILED breaks: Error: nope");
    expect(report.lines[2]).to.match(
      /^FAILED hangs: timeout "cleanup" \(\d+ms\) expired while cleaning up hangs$/,
    );
    expect(report.lines[3]).to.equal('NOT RUN first: timeout "cleanup" expired before it could start');
    expect(report.failures).to.have.length(3);
  });
});

describe("framework: waiting", () => {
  it("waitForWatch resumes an ended watch from the last resourceVersion and relists on 410 Gone", async () => {
    const pod = (rv: string, phase: string) => ({
      metadata: { name: "p", namespace: "ns", resourceVersion: rv },
      status: { phase },
    });
    let watches = 0;
    const api = await startFakeApiServer([
      (_req, res, url) => {
        if (url.pathname !== "/api/v1/namespaces/ns/pods") return false;
        if (url.searchParams.get("watch") !== "true") {
          return json(res, 200, {
            kind: "PodList",
            metadata: { resourceVersion: watches ? "20" : "10" },
            items: [pod("10", "Pending")],
          });
        }
        watches++;
        res.writeHead(200, { "content-type": "application/json" });
        const rv = url.searchParams.get("resourceVersion");
        if (rv === "10") res.end(`${JSON.stringify({ type: "MODIFIED", object: pod("11", "Pending") })}\n`);
        else if (rv === "11")
          res.end(`${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410 } })}\n`);
        else res.end(`${JSON.stringify({ type: "MODIFIED", object: pod("21", "Running") })}\n`);
        return true;
      },
    ]);
    try {
      const ctx = contextFor(api);
      const core = ctx.api(CoreV1Api);
      const found = await waitForWatch<V1Pod>(ctx, {
        what: "pod p to run",
        path: "/api/v1/namespaces/ns/pods",
        list: () => core.listNamespacedPod({ namespace: "ns" }),
        timeout: { name: "pod-running", ms: 10_000 },
        until: (p) => p.status?.phase === "Running",
      });
      expect(found.metadata?.resourceVersion).to.equal("21");
      const watchRvs = api.requests
        .filter((r) => r.includes("watch=true"))
        .map((r) => new URL(r.split(" ")[1] ?? "", "http://x").searchParams.get("resourceVersion"));
      expect(watchRvs).to.deep.equal(["10", "11", "20"]);
    } finally {
      await api.close();
    }
  });

  it("retryUntil aborts naming the timeout and the last attempt's error", async () => {
    const ctx = createCheckContext({
      checkId: "x",
      runId: "r",
      kubeConfig: new KubeConfig(),
      signal: new AbortController().signal,
      referenceDate: new Date(),
      options: {},
    }).ctx;
    const err = await retryUntil(ctx, {
      what: "the LB to get an address",
      timeout: { name: "lb-address", ms: 300 },
      intervalMs: 50,
      attempt: async () => {
        throw new Error("no ingress yet");
      },
    }).catch((e: unknown) => e);
    expect(translateError(err).reason).to.equal(
      'timeout "lb-address" (300ms) expired while waiting for the LB to get an address; last attempt: the check crashed: Error: no ingress yet',
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
