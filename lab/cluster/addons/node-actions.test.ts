import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { CheckAborted } from "../../../suites/framework/errors.ts";
import { webhookDriver } from "../../../suites/framework/node-actions/webhook.ts";
import {
  type ActionRequest,
  authorized,
  createNodeActionServer,
  NODE_ACTIONS_PATH,
  parseActionRequest,
} from "./node-actions.ts";

const TOKEN = "lab-token-0123";

/** The lab's server on 127.0.0.1 with stand-in actions that record what they were asked. */
async function startLabWebhook(
  act: (r: ActionRequest) => Promise<string> = async (r) => `${r.action} ${r.node} ok`,
) {
  const done: string[] = [];
  const killed = new Set<string>();
  const server = createNodeActionServer({
    token: TOKEN,
    log: () => undefined,
    lab: {
      nodes: () => ["cp-a", "worker-a", "worker-c"],
      conflict: (r) => (r.action === "roll" && killed.has(r.node) ? `node ${r.node} is killed` : undefined),
      act: async (r) => {
        done.push(`start ${r.action} ${r.node}`);
        if (r.action === "kill") killed.add(r.node);
        const said = await act(r);
        done.push(`end ${r.action} ${r.node}`);
        return said;
      },
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: new URL(`${base}${NODE_ACTIONS_PATH}`),
    base,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const post = (url: URL, body: unknown, auth?: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("lab node-action webhook (server on 127.0.0.1, the suite's own driver as client)", () => {
  it("the suite's webhook driver and the lab's server speak the same protocol", async () => {
    const hook = await startLabWebhook();
    try {
      const driver = webhookDriver(hook.url, async () => TOKEN);
      const said = await driver.act(
        { action: "kill", node: "worker-c", providerID: "", runId: "r1" },
        new AbortController().signal,
      );
      expect(said).to.equal("kill worker-c ok");
      const refused = await driver
        .act({ action: "roll", node: "worker-c", providerID: "", runId: "r1" }, new AbortController().signal)
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(CheckAborted);
      expect((refused as Error).message).to.match(
        /answered 409 Conflict: \{"error":"node worker-c is killed"\}$/,
      );
    } finally {
      await hook.close();
    }
  });

  it("answers 401 without a token or with a wrong one, and acts on nothing", async () => {
    const hook = await startLabWebhook();
    try {
      const body = { action: "kill", node: "worker-c" };
      expect((await post(hook.url, body)).status).to.equal(401);
      expect((await post(hook.url, body, "Bearer nope")).status).to.equal(401);
      expect((await post(hook.url, body, TOKEN)).status).to.equal(401); // no "Bearer "
      expect(hook.done).to.deep.equal([]);
      expect((await fetch(`${hook.base}/healthz`)).status).to.equal(200);
    } finally {
      await hook.close();
    }
  });

  it("answers 400 for a bad body, 404 for an unknown node, 405 for GET, 500 with the error when the action fails", async () => {
    const hook = await startLabWebhook(async () => {
      throw new Error("drain timed out");
    });
    try {
      const auth = `Bearer ${TOKEN}`;
      const bad = await post(hook.url, { action: "explode", node: "worker-c" }, auth);
      expect(bad.status).to.equal(400);
      expect(await bad.json()).to.deep.equal({ error: "action must be one of kill, restore, roll" });
      expect((await post(hook.url, "{", auth)).status).to.equal(400);
      const unknown = await post(hook.url, { action: "kill", node: "worker-z" }, auth);
      expect(unknown.status).to.equal(404);
      expect(await unknown.json()).to.deep.equal({
        error: "no node worker-z; the lab has cp-a, worker-a, worker-c",
      });
      expect((await fetch(hook.url)).status).to.equal(405);
      const failed = await post(hook.url, { action: "roll", node: "worker-a" }, auth);
      expect(failed.status).to.equal(500);
      expect(await failed.json()).to.deep.equal({ error: "drain timed out" });
    } finally {
      await hook.close();
    }
  });

  it("runs actions one at a time, in arrival order", async () => {
    const hook = await startLabWebhook(async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return `${r.action} ${r.node}`;
    });
    try {
      const auth = `Bearer ${TOKEN}`;
      const first = post(hook.url, { action: "roll", node: "worker-a" }, auth);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = post(hook.url, { action: "kill", node: "worker-c" }, auth);
      expect((await first).status).to.equal(200);
      expect((await second).status).to.equal(200);
      expect(hook.done).to.deep.equal([
        "start roll worker-a",
        "end roll worker-a",
        "start kill worker-c",
        "end kill worker-c",
      ]);
    } finally {
      await hook.close();
    }
  });

  it("parses and authorizes strictly", () => {
    expect(parseActionRequest('{"action":"restore","node":"n","providerID":"p","runId":"r"}')).to.deep.equal({
      action: "restore",
      node: "n",
      providerID: "p",
      runId: "r",
    });
    expect(() => parseActionRequest('{"action":"kill","node":"n","runId":5}')).to.throw(
      /runId must be a string/,
    );
    expect(authorized(`Bearer ${TOKEN}`, TOKEN)).to.equal(true);
    expect(authorized(`Bearer ${TOKEN}x`, TOKEN)).to.equal(false);
    expect(authorized(undefined, TOKEN)).to.equal(false);
  });
});
