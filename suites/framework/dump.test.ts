import type { ServerResponse } from "node:http";
import { expect } from "chai";
import { forbidden, json, type Route } from "../../runner/testdata/fake-api-server.ts";
import { collectDumps } from "./cleanup.ts";
import { DUMP_LIMITS, DUMP_PARTS, dumpNamespace } from "./dump.ts";
import { createTestNamespace } from "./namespace.ts";
import { type Harness, harness } from "./testdata/harness.ts";

/** A namespace with one object of every kind the dump reads, plus objects of elsewhere it must leave out. */
function populate(h: Harness): void {
  const s = h.store;
  s.put("/api/v1/namespaces", { metadata: { name: "ns" } });
  s.put("/api/v1/namespaces/ns/pods", {
    metadata: { name: "writer" },
    spec: { nodeName: "node-b" },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        {
          name: "main",
          restartCount: 2,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1 } },
        },
        { name: "side", restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } },
      ],
    },
  });
  const event = (name: string, at: string, reason: string, message: string) => ({
    metadata: { name },
    involvedObject: { kind: "Pod", name: "writer" },
    lastTimestamp: at,
    type: "Warning",
    reason,
    message,
  });
  s.put("/api/v1/namespaces/ns/events", event("e2", "2026-12-01T10:00:05Z", "BackOff", "restarting"));
  s.put("/api/v1/namespaces/ns/events", event("e1", "2026-12-01T10:00:01Z", "Scheduled", "assigned"));
  s.put("/api/v1/namespaces/ns/persistentvolumeclaims", {
    metadata: { name: "data", finalizers: ["kubernetes.io/pvc-protection"] },
    spec: { storageClassName: "local-path", volumeName: "pv-1" },
    status: { phase: "Bound", capacity: { storage: "16Mi" } },
  });
  s.put("/api/v1/persistentvolumes", {
    metadata: { name: "pv-1" },
    spec: {
      claimRef: { namespace: "ns", name: "data" },
      storageClassName: "local-path",
      persistentVolumeReclaimPolicy: "Delete",
      csi: { driver: "csi.example" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-b"] }] },
          ],
        },
      },
    },
    status: { phase: "Bound" },
  });
  s.put("/api/v1/persistentvolumes", {
    metadata: { name: "pv-other" },
    spec: { claimRef: { namespace: "elsewhere", name: "x" } },
  });
  s.put("/apis/storage.k8s.io/v1/volumeattachments", {
    metadata: { name: "va-1" },
    spec: { attacher: "csi.example", nodeName: "node-b", source: { persistentVolumeName: "pv-1" } },
    status: { attached: false, attachError: { message: "rpc error: timed out" } },
  });
  s.put("/apis/storage.k8s.io/v1/volumeattachments", {
    metadata: { name: "va-other" },
    spec: { attacher: "csi.example", nodeName: "node-a", source: { persistentVolumeName: "pv-other" } },
  });
  s.put("/api/v1/namespaces/ns/services", {
    metadata: { name: "web", finalizers: ["service.kubernetes.io/load-balancer-cleanup"] },
    spec: { type: "LoadBalancer", clusterIP: "10.96.0.10", ports: [{ port: 80, protocol: "TCP" }] },
    status: { loadBalancer: {} },
  });
  s.put("/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices", {
    metadata: { name: "web-abc", labels: { "kubernetes.io/service-name": "web" } },
    addressType: "IPv4",
    endpoints: [
      { addresses: ["10.244.1.5"], conditions: { ready: false }, nodeName: "node-b" },
      { addresses: ["10.244.2.7"], conditions: { ready: true }, nodeName: "node-c" },
    ],
  });
  s.put("/api/v1/nodes", {
    metadata: { name: "node-a" },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: "True" },
      ],
    },
  });
  s.put("/api/v1/nodes", {
    metadata: { name: "node-b" },
    spec: { unschedulable: true, taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] },
    status: {
      conditions: [
        { type: "DiskPressure", status: "True" },
        { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown" },
      ],
    },
  });
}

/** Container logs: `main` answers (current and previous), any other container is an error. */
const logs: Route = (_req, res, url) => {
  const m = /^\/api\/v1\/namespaces\/ns\/pods\/([^/]+)\/log$/.exec(url.pathname);
  if (!m) return false;
  const q = url.searchParams;
  if (
    q.get("tailLines") !== String(DUMP_LIMITS.logTailLines) ||
    q.get("limitBytes") !== String(DUMP_LIMITS.logBytes)
  )
    return json(res, 400, { kind: "Status", code: 400, message: `unbounded log read ${url.search}` });
  if (q.get("container") !== "main")
    return json(res, 500, { kind: "Status", code: 500, message: "log broke" });
  text(res, q.get("previous") === "true" ? "panic: out of memory\n" : "line 1\nline 2\n");
  return true;
};

function text(res: ServerResponse, body: string): void {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(body);
}

const EXPECTED = [
  "pods in ns:",
  "  writer phase=Running node=node-b Ready=False main:running,restarts=2 side:waiting(ImagePullBackOff),restarts=0",
  "events in ns:",
  "  2026-12-01T10:00:01.000Z Warning Scheduled Pod/writer: assigned",
  "  2026-12-01T10:00:05.000Z Warning BackOff Pod/writer: restarting",
  "container logs in ns:",
  "  writer/main:",
  "    line 1",
  "    line 2",
  "  writer/main (previous):",
  "    panic: out of memory",
  "persistentvolumeclaims in ns:",
  "  data phase=Bound class=local-path volume=pv-1 capacity=16Mi finalizers=kubernetes.io/pvc-protection",
  "persistentvolumes in ns:",
  "  pv-1 claim=ns/data phase=Bound class=local-path reclaim=Delete source=csi:csi.example node=node-b",
  "volumeattachments in ns:",
  "  va-1 pv=pv-1 node=node-b attacher=csi.example attached=false error: rpc error: timed out",
  "services in ns:",
  "  web type=LoadBalancer clusterIP=10.96.0.10 ports=80/TCP ingress=(none) finalizers=service.kubernetes.io/load-balancer-cleanup",
  "endpointslices in ns:",
  "  web-abc service=web endpoints=10.244.1.5(not ready)@node-b 10.244.2.7@node-c",
  "node conditions:",
  "  node-a Ready=True",
  "  node-b DiskPressure=True Ready=Unknown(NodeStatusUnknown) unschedulable taints=node.kubernetes.io/unreachable:NoExecute",
];

describe("framework: failure dumps (fake API server)", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("dumpNamespace has every part: pods, events oldest first, bounded container logs, PVCs, the PVs claimed from the namespace and their attachments, Services, EndpointSlices, node conditions", async () => {
    h = await harness({ routes: [logs] });
    populate(h);
    const lines = (await dumpNamespace(h.ctx, "ns")).split("\n");
    expect(lines).to.deep.equal(EXPECTED);
    // every part is in the dump, under its own title
    const titles = lines.filter((l) => !l.startsWith(" "));
    expect(titles).to.have.length(DUMP_PARTS.length);
  });

  it("a part that fails says why in its place; the other parts are kept", async () => {
    const denyEndpointSlices: Route = (_req, res, url) =>
      url.pathname.includes("/endpointslices") ? forbidden(res, "list", "endpointslices", "ns") : false;
    const brokenNodes: Route = (_req, res, url) =>
      url.pathname === "/api/v1/nodes"
        ? json(res, 500, { kind: "Status", code: 500, message: "etcd unavailable" })
        : false;
    h = await harness({ routes: [logs, denyEndpointSlices, brokenNodes] });
    populate(h);
    const lines = (await dumpNamespace(h.ctx, "ns")).split("\n");
    const at = lines.indexOf("endpointslices in ns:");
    expect(lines[at + 1]).to.match(/^ {2}\(not collected: .*cannot list endpointslices/);
    expect(lines.at(-2)).to.equal("node conditions:");
    expect(lines.at(-1)).to.match(/^ {2}\(not collected: .*etcd unavailable/);
    const expected = EXPECTED.slice(0, EXPECTED.indexOf("endpointslices in ns:"));
    expect(lines.slice(0, expected.length)).to.deep.equal(expected);
  });

  it("a log that cannot be read is named; the other containers' logs are kept", async () => {
    h = await harness({ routes: [logs] });
    populate(h);
    const pod = h.store.get("/api/v1/namespaces/ns/pods", "writer");
    h.store.put("/api/v1/namespaces/ns/pods", {
      ...pod,
      status: {
        phase: "Running",
        containerStatuses: [
          { name: "main", restartCount: 0, state: { running: {} } },
          { name: "side", restartCount: 0, state: { terminated: { exitCode: 2 } } },
        ],
      },
    });
    const text = await dumpNamespace(h.ctx, "ns");
    expect(text).to.contain("  writer/main:\n    line 1\n    line 2\n  writer/side: (not collected:");
    expect(text).to.match(/writer\/side: \(not collected: .*log broke/);
  });

  it("a part still running when the signal aborts is reported as cut short; the others are kept, at once", async () => {
    const hang: Route = (_req, _res, url) => url.pathname.includes("/volumeattachments");
    h = await harness({ routes: [logs, hang] });
    populate(h);
    const started = Date.now();
    const text = await dumpNamespace(h.ctx, "ns", AbortSignal.timeout(500));
    expect(Date.now() - started).to.be.below(5_000);
    expect(text).to.contain("volumeattachments in ns:\n  (not collected: the dump's time ran out)");
    expect(text).to.contain(EXPECTED.slice(EXPECTED.indexOf("services in ns:")).join("\n"));
    expect(text).to.contain("  writer/main (previous):\n    panic: out of memory");
  });

  it("the dump is bounded in size", async () => {
    h = await harness({ routes: [logs] });
    populate(h);
    for (let i = 0; i < 2000; i++) {
      h.store.put("/api/v1/namespaces/ns/events", {
        metadata: { name: `flood-${i}` },
        involvedObject: { kind: "Pod", name: "writer" },
        lastTimestamp: "2026-12-01T10:00:09Z",
        message: "x".repeat(200),
      });
    }
    const text = await dumpNamespace(h.ctx, "ns");
    expect(text.length).to.be.below(DUMP_LIMITS.chars + 100);
    expect(text).to.match(/\(dump cut at \d+ characters of \d+\)$/);
  });

  it("createTestNamespace registers this dump; collectDumps gives it a signal that fires before its budget", async () => {
    const hang: Route = (_req, _res, url) => url.pathname.includes("/volumeattachments");
    h = await harness({ routes: [logs, hang] });
    populate(h);
    const ns = await createTestNamespace(h.ctx);
    expect(h.record.dumps.map((d) => d.name)).to.deep.equal([`namespace ${ns}`]);
    const [out] = await collectDumps(h.record.dumps, { name: "failure-dump", ms: 1_000 });
    expect(out).to.match(new RegExp(`^--- namespace ${ns} ---\\npods in ${ns}:\\n {2}\\(none\\)`));
    expect(out).to.contain(`volumeattachments in ${ns}:\n  (not collected: the dump's time ran out)`);
    expect(out).to.contain("node conditions:\n  node-a Ready=True");
  });
});
