import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { type FakeApiServer, json, startFakeApiServer } from "../../../runner/testdata/fake-api-server.ts";
import type { CheckContext } from "../check.ts";
import { runCleanups } from "../cleanup.ts";
import { type CheckRecord, createCheckContext } from "../context.ts";
import { CheckAborted, CheckSkipped } from "../errors.ts";
import { commandDriver } from "./command.ts";
import type { NodeActionRequest } from "./driver.ts";
import {
  nodeActionConfigured,
  nodesToActOn,
  resetNodeActionState,
  SUITE_NODE_ENV,
  withNodeAction,
} from "./index.ts";
import { NodeActionConfigError, parseNodeActionOptions } from "./options.ts";
import { webhookDriver } from "./webhook.ts";

const REQUEST: NodeActionRequest = {
  action: "kill",
  node: "worker-c",
  providerID: "openstack:///6d1c",
  runId: "run1",
};
const TOKEN = "s3cret-token";
const never = () => new AbortController().signal;
const made: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "scs-node-action-"));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A provider's webhook on 127.0.0.1: checks the bearer token, records bodies, answers as told. */
async function startWebhook(answer: (body: NodeActionRequest, res: ServerResponse) => void = okAnswer) {
  const bodies: NodeActionRequest[] = [];
  const auth: (string | undefined)[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    auth.push(req.headers.authorization);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: "bad token" });
    const body = JSON.parse(raw) as NodeActionRequest;
    bodies.push(body);
    answer(body, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/node-actions`);
  return {
    url,
    bodies,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Running, not a zombie waiting to be reaped (a container's PID 1 may never reap it). */
function liveProcess(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function okAnswer(body: NodeActionRequest, res: ServerResponse) {
  json(res, 200, { state: "done", message: `${body.action} ${body.node} done` });
}

describe("node actions: options", () => {
  it("absent means no driver; a half configuration is an error naming the option", () => {
    expect(parseNodeActionOptions({})).to.equal(undefined);
    expect(() => parseNodeActionOptions({ "node-action-url": "http://x" })).to.throw(
      NodeActionConfigError,
      /node-action-url given without node-action=webhook\|command/,
    );
    expect(() => parseNodeActionOptions({ "node-action": "webhook" })).to.throw(/needs node-action-url/);
    expect(() =>
      parseNodeActionOptions({ "node-action": "webhook", "node-action-url": "http://198.18.0.1:8480/" }),
    ).to.throw(/needs a bearer token/);
    expect(() => parseNodeActionOptions({ "node-action": "ssh" })).to.throw(/webhook or command, got "ssh"/);
    expect(() => parseNodeActionOptions({ "node-action": "command" })).to.throw(/needs node-action-command/);
    expect(() =>
      parseNodeActionOptions({
        "node-action": "webhook",
        "node-action-url": "ftp://x/",
        "node-action-token-file": "/t",
      }),
    ).to.throw(/http or https/);
    expect(() =>
      parseNodeActionOptions({
        "node-action": "webhook",
        "node-action-url": "http://x/",
        "node-action-token-file": "/t",
        "node-action-token-secret": "a/b",
      }),
    ).to.throw(/not both/);
    expect(() =>
      parseNodeActionOptions({
        "node-action": "webhook",
        "node-action-url": "http://x/",
        "node-action-token-secret": "just-a-name",
      }),
    ).to.throw(/<namespace>\/<name>\[\/key\]/);
    expect(() =>
      parseNodeActionOptions({
        "node-action": "command",
        "node-action-command": "x",
        "node-action-allow-control-plane": "maybe",
      }),
    ).to.throw(/true or false/);
  });

  it("reads a webhook with a Secret token (default key) and a command driver", () => {
    const w = parseNodeActionOptions({
      "node-action": "webhook",
      "node-action-url": "http://198.18.0.1:8480/",
      "node-action-token-secret": "kube-system/scs-lab-node-actions",
    });
    expect(w).to.deep.include({ driver: "webhook", allowControlPlane: false });
    expect(w?.driver === "webhook" && w.token).to.deep.equal({
      kind: "secret",
      namespace: "kube-system",
      name: "scs-lab-node-actions",
      key: "token",
    });
    expect(
      parseNodeActionOptions({
        "node-action": "command",
        "node-action-command": "./act.sh",
        "node-action-allow-control-plane": "true",
      }),
    ).to.deep.equal({ driver: "command", command: "./act.sh", allowControlPlane: true });
  });
});

describe("node actions: webhook driver (a real HTTP server on 127.0.0.1)", () => {
  it("POSTs exactly action, node, providerID and runId with the bearer token; 200 is done", async () => {
    const hook = await startWebhook();
    try {
      const said = await webhookDriver(hook.url, async () => TOKEN).act(REQUEST, never());
      expect(said).to.equal("kill worker-c done");
      expect(hook.bodies).to.deep.equal([REQUEST]);
      expect(hook.auth).to.deep.equal([`Bearer ${TOKEN}`]);
    } finally {
      await hook.close();
    }
  });

  it("a refused token is an abort that says to check the token options", async () => {
    const hook = await startWebhook();
    try {
      const err = await webhookDriver(hook.url, async () => "wrong")
        .act(REQUEST, never())
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(CheckAborted);
      expect((err as Error).message).to.match(
        /^node action webhook http:\/\/127\.0\.0\.1:\d+\/node-actions: kill worker-c: answered 401 Unauthorized \(the webhook refused the bearer token: check node-action-token-file/,
      );
      expect((err as Error).message).to.not.include("wrong");
    } finally {
      await hook.close();
    }
  });

  it("an error answer aborts quoting status and body; it is not retried", async () => {
    const hook = await startWebhook((_b, res) => json(res, 500, { error: "nova: server 6d1c is locked" }));
    try {
      const err = await webhookDriver(hook.url, async () => TOKEN)
        .act(REQUEST, never())
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(CheckAborted);
      expect((err as Error).message).to.match(
        /answered 500 Internal Server Error: \{"error":"nova: server 6d1c is locked"\}$/,
      );
      expect(hook.bodies).to.have.length(1);
    } finally {
      await hook.close();
    }
  });

  it("retries a busy webhook (503), then succeeds", async () => {
    let calls = 0;
    const hook = await startWebhook((b, res) => {
      calls++;
      if (calls < 3) json(res, 503, { error: "busy" });
      else okAnswer(b, res);
    });
    try {
      const said = await webhookDriver(hook.url, async () => TOKEN, { attempts: 4, firstDelayMs: 10 }).act(
        REQUEST,
        never(),
      );
      expect(said).to.equal("kill worker-c done");
      expect(calls).to.equal(3);
    } finally {
      await hook.close();
    }
  });

  it("a webhook nobody listens on aborts after the retries, naming the connection error", async () => {
    const hook = await startWebhook();
    const url = hook.url;
    await hook.close();
    const err = await webhookDriver(url, async () => TOKEN, { attempts: 2, firstDelayMs: 10 })
      .act(REQUEST, never())
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CheckAborted);
    expect((err as Error).message).to.match(/cannot reach the webhook \(ECONNREFUSED\)/);
  });
});

describe("node actions: command driver (a real child process)", () => {
  it("passes ACTION, NODE, PROVIDER_ID and RUN_ID; exit 0 is done with its last line", async () => {
    const said = await commandDriver('echo starting; echo "$ACTION $NODE $PROVIDER_ID $RUN_ID"').act(
      REQUEST,
      never(),
    );
    expect(said).to.equal("kill worker-c openstack:///6d1c run1");
  });

  it("a non-zero exit aborts with the status and the end of stderr", async () => {
    const err = await commandDriver("echo 'server not found' >&2; exit 3")
      .act(REQUEST, never())
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CheckAborted);
    expect((err as Error).message).to.equal(
      "node action command \"echo 'server not found' >&2; exit 3\": kill worker-c: exited with 3: server not found",
    );
  });

  it("stops the command's whole process group when the signal aborts", async function () {
    this.timeout(10_000);
    const dir = tempDir();
    const marker = join(dir, "child.pid");
    const script = join(dir, "act.sh");
    writeFileSync(script, `#!/bin/sh\nsleep 30 &\necho $! > ${marker}\nwait\n`);
    chmodSync(script, 0o755);
    const controller = new AbortController();
    const pending = commandDriver(script).act(REQUEST, controller.signal);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort(new Error("stop"));
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).message).to.equal("stop");
    await new Promise((r) => setTimeout(r, 300));
    const pid = Number(readFileSync(marker, "utf8"));
    expect(liveProcess(pid), "the command's own child is gone").to.equal(false);
  });
});

/** Nodes as the fake API server lists them; `ready` is mutable so a test can play the cluster. */
function node(name: string, opts: { controlPlane?: boolean; ready?: boolean } = {}): V1Node {
  return {
    metadata: {
      name,
      labels: opts.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {},
    },
    spec: { providerID: `lab:///${name}` },
    status: { conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
  };
}

describe("node actions: withNodeAction safety (fake API server, real webhook)", () => {
  let api: FakeApiServer;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let nodes: V1Node[];
  let sonobuoyPods: V1Pod[];
  const savedNodeName = process.env[SUITE_NODE_ENV];

  beforeEach(async () => {
    resetNodeActionState();
    nodes = [node("cp-a", { controlPlane: true }), node("worker-a"), node("worker-b"), node("worker-c")];
    sonobuoyPods = [];
    api = await startFakeApiServer([
      (_req, res, url) =>
        url.pathname === "/api/v1/nodes" &&
        json(res, 200, { kind: "NodeList", apiVersion: "v1", metadata: {}, items: nodes }),
      (_req, res, url) =>
        url.pathname === "/api/v1/pods" &&
        json(res, 200, {
          kind: "PodList",
          apiVersion: "v1",
          metadata: {},
          items: url.searchParams.get("labelSelector") === "sonobuoy-component" ? sonobuoyPods : [],
        }),
    ]);
    hook = await startWebhook((body, res) => {
      const target = nodes.find((n) => n.metadata?.name === body.node);
      const ready = body.action !== "kill";
      if (target?.status?.conditions?.[0]) target.status.conditions[0].status = ready ? "True" : "False";
      okAnswer(body, res);
    });
    process.env[SUITE_NODE_ENV] = "worker-a";
  });
  afterEach(async () => {
    if (savedNodeName === undefined) delete process.env[SUITE_NODE_ENV];
    else process.env[SUITE_NODE_ENV] = savedNodeName;
    await api.close();
    await hook.close();
  });

  function context(options: Record<string, string> = webhookOptions()): {
    ctx: CheckContext;
    record: CheckRecord;
  } {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    return createCheckContext({
      checkId: "scs-0211-v1/test",
      runId: "run1",
      kubeConfig: kc,
      signal: never(),
      referenceDate: new Date(),
      options,
    });
  }
  function webhookOptions(extra: Record<string, string> = {}): Record<string, string> {
    const dir = tempDir();
    writeFileSync(join(dir, "token"), `${TOKEN}\n`);
    return {
      "node-action": "webhook",
      "node-action-url": hook.url.href,
      "node-action-token-file": join(dir, "token"),
      ...extra,
    };
  }
  const named = (name: string) => nodes.find((n) => n.metadata?.name === name) as V1Node;

  it("without a driver the precondition skips and says how to configure one", async () => {
    const { ctx } = context({});
    expect(await nodeActionConfigured(ctx)).to.match(
      /^no node action configured: set --option node-action=webhook/,
    );
    const err = await withNodeAction(ctx, named("worker-b"), "kill").catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CheckSkipped);
  });

  it("offers Ready workers other than the suite's own node, never the control plane by default", async () => {
    const { ctx } = context();
    expect((await nodesToActOn(ctx)).map((n) => n.metadata?.name)).to.deep.equal(["worker-b", "worker-c"]);
    const allowed = context(webhookOptions({ "node-action-allow-control-plane": "true" })).ctx;
    expect((await nodesToActOn(allowed)).map((n) => n.metadata?.name)).to.deep.equal([
      "worker-b",
      "worker-c",
      "cp-a",
    ]);
  });

  it("never offers a node that runs a Sonobuoy pod (aggregator or plugin); a finished plugin pod does not count", async () => {
    const pod = (name: string, on: string, component: string, phase: string): V1Pod => ({
      metadata: { name, namespace: "sonobuoy", labels: { "sonobuoy-component": component } },
      spec: { nodeName: on, containers: [] },
      status: { phase },
    });
    sonobuoyPods = [
      pod("sonobuoy", "worker-b", "aggregator", "Running"),
      pod("sonobuoy-e2e-job-1", "worker-c", "plugin", "Succeeded"),
    ];
    const { ctx, record } = context();
    expect((await nodesToActOn(ctx)).map((n) => n.metadata?.name)).to.deep.equal(["worker-c"]);
    expect(record.log.join("\n")).to.match(/not acting on worker-b: runs a Sonobuoy pod/);
    sonobuoyPods.push(pod("sonobuoy-e2e-netpol-job-2", "worker-c", "plugin", "Running"));
    expect(await nodesToActOn(ctx)).to.deep.equal([]);
  });

  it("refuses the suite's own node and a control-plane node, calling nothing", async () => {
    const { ctx } = context();
    const own = await withNodeAction(ctx, named("worker-a"), "kill").catch((e: unknown) => e);
    expect((own as Error).message).to.equal(
      "refusing to kill node worker-a: worker-a runs the suite's own pod (NODE_NAME); acting on it would end the run",
    );
    const cp = await withNodeAction(ctx, named("cp-a"), "roll").catch((e: unknown) => e);
    expect((cp as Error).message).to.match(
      /^refusing to roll node cp-a: cp-a is a control-plane node; set --option node-action-allow-control-plane=true/,
    );
    expect(hook.bodies).to.deep.equal([]);
  });

  it("a kill announces the node, registers its restore at once, and allows no second node until restored", async () => {
    const { ctx, record } = context();
    await withNodeAction(ctx, named("worker-c"), "kill");
    expect(
      record.log.some((l) =>
        / node action: about to kill node worker-c \(lab:\/\/\/worker-c\) via webhook http/.test(l),
      ),
    ).to.equal(true);
    expect(record.cleanups.map((c) => c.name)).to.deep.equal([
      "restore node worker-c (killed by this check)",
    ]);
    const second = await withNodeAction(ctx, named("worker-b"), "kill").catch((e: unknown) => e);
    expect((second as Error).message).to.equal(
      "refusing to kill node worker-b: one node at a time, and worker-c is still killed",
    );
    const report = await runCleanups(record.cleanups, { name: "cleanup", ms: 10_000 });
    expect(report.failures).to.deep.equal([]);
    expect(hook.bodies.map((b) => `${b.action} ${b.node}`)).to.deep.equal([
      "kill worker-c",
      "restore worker-c",
    ]);
    expect(record.log.some((l) => /4 nodes Ready again .* after restoring worker-c/.test(l))).to.equal(true);
    await withNodeAction(ctx, named("worker-b"), "roll");
  });

  it("an explicit restore makes the deferred one a no-op", async () => {
    const { ctx, record } = context();
    await withNodeAction(ctx, named("worker-c"), "kill");
    await withNodeAction(ctx, named("worker-c"), "restore");
    await runCleanups(record.cleanups, { name: "cleanup", ms: 10_000 });
    expect(hook.bodies.map((b) => b.action)).to.deep.equal(["kill", "restore"]);
  });

  it("the deferred restore says clearly when the cluster does not get its Ready count back", async () => {
    await hook.close();
    hook = await startWebhook((body, res) => okAnswer(body, res)); // answers, but the node stays NotReady
    const { ctx, record } = context(webhookOptions({ "timeout-scale": "0.005" }));
    await withNodeAction(ctx, named("worker-c"), "kill");
    named("worker-c").status = { conditions: [{ type: "Ready", status: "False" }] };
    const report = await runCleanups(record.cleanups, { name: "cleanup", ms: 10_000 });
    expect(report.failures, report.failures.join("\n")).to.have.length(1);
    expect(report.failures[0], report.failures[0]).to.match(
      /^FAILED restore node worker-c \(killed by this check\): CheckAborted: after restoring node worker-c the cluster has 3 Ready nodes, 4 before; timeout "node-ready-in-cleanup" \(3s\) expired/,
    );
  });
});
