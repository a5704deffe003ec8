// The lab's node-action webhook: the protocol the suite's `webhook` driver speaks
// (suites/framework/node-actions/webhook.ts), served by a host add-on that does the lab's own
// `node kill|restore|roll`. This module is the server without the lab (tested on 127.0.0.1 with stand-in
// actions); node-actions-daemon.ts plugs in the real ones.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { NODE_ACTIONS_PORT, NODE_NETWORK } from "../topology.ts";

export { NODE_ACTIONS_PORT };
export const NODE_ACTIONS_PATH = "/node-actions";
/** This machine's address on the lab bridge: reachable from the nodes, their pods, and this machine. */
export const NODE_ACTIONS_URL = `http://${NODE_NETWORK.hostIp}:${NODE_ACTIONS_PORT}${NODE_ACTIONS_PATH}`;
export const NODE_ACTIONS_SECRET = { namespace: "kube-system", name: "scs-lab-node-actions", key: "token" };
/** A request body is a few names; anything bigger is refused unread. */
const MAX_BODY = 4096;

export type LabNodeAction = "kill" | "restore" | "roll";
const ACTIONS: readonly LabNodeAction[] = ["kill", "restore", "roll"];

export type ActionRequest = { action: LabNodeAction; node: string; providerID: string; runId: string };

/** What the server needs from the lab. An action resolves to a one-line account of what it did. */
export interface LabActions {
  nodes(): readonly string[];
  /** Why the action cannot be done now (e.g. rolling a killed node), or undefined. */
  conflict(request: ActionRequest): string | undefined;
  act(request: ActionRequest): Promise<string>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Validates a request body; throws HttpError(400) saying what is wrong. */
export function parseActionRequest(text: string): ActionRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
  const b = body as Record<string, unknown>;
  if (typeof b !== "object" || b === null) throw new HttpError(400, "the body must be a JSON object");
  if (!ACTIONS.includes(b.action as LabNodeAction))
    throw new HttpError(400, `action must be one of ${ACTIONS.join(", ")}`);
  if (typeof b.node !== "string" || b.node === "") throw new HttpError(400, "node must be a Node's name");
  const optional = (key: string) => {
    if (b[key] === undefined) return "";
    if (typeof b[key] !== "string") throw new HttpError(400, `${key} must be a string`);
    return b[key] as string;
  };
  return {
    action: b.action as LabNodeAction,
    node: b.node,
    providerID: optional("providerID"),
    runId: optional("runId"),
  };
}

/** Constant-time comparison of `Authorization: Bearer <token>` with the token. */
export function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? "");
  if (!m?.[1]) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}

/**
 * POST /node-actions with a bearer token: runs the action and answers when it is done (200
 * `{"state":"done","message","seconds"}`); 400 bad body, 401 no or wrong token, 404 unknown node, 409 the
 * action cannot be done now, 500 it failed (`{"error"}`). Actions run one at a time, in arrival order.
 * GET /healthz answers 200 without a token (for `up` to know it listens).
 */
export function createNodeActionServer(opts: {
  token: string;
  lab: LabActions;
  log: (line: string) => void;
}): Server {
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://lab").pathname;
    try {
      if (req.method === "GET" && path === "/healthz") return reply(res, 200, { state: "ok" });
      if (path !== NODE_ACTIONS_PATH) throw new HttpError(404, `no such path; POST ${NODE_ACTIONS_PATH}`);
      if (req.method !== "POST") throw new HttpError(405, `POST ${NODE_ACTIONS_PATH}`);
      if (!authorized(req.headers.authorization, opts.token)) {
        opts.log(`refused a request from ${req.socket.remoteAddress}: no or wrong bearer token`);
        throw new HttpError(401, "a valid bearer token is required");
      }
      const request = parseActionRequest(await readBody(req));
      if (!opts.lab.nodes().includes(request.node))
        throw new HttpError(404, `no node ${request.node}; the lab has ${opts.lab.nodes().join(", ")}`);
      const from = `${req.socket.remoteAddress}${request.runId ? `, run ${request.runId}` : ""}`;
      const result = await serially(async () => {
        const conflict = opts.lab.conflict(request);
        if (conflict) throw new HttpError(409, conflict);
        opts.log(`${request.action} ${request.node} (from ${from})`);
        const started = Date.now();
        const message = await opts.lab.act(request);
        const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
        opts.log(`${request.action} ${request.node} done in ${seconds} s: ${message}`);
        return { state: "done", message, seconds };
      });
      reply(res, 200, result);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500) opts.log(`failed: ${message}`);
      reply(res, status, { error: message });
    }
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body must be under ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
