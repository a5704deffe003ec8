import type { IncomingMessage, ServerResponse } from "node:http";
import { json, type Route } from "./fake-api-server.ts";

/** An object as the store keeps it: any Kubernetes object with metadata. */
export type StoredObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  [field: string]: unknown;
};

interface Target {
  /** `/api/v1` or `/apis/<group>/<version>` */
  prefix: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface Watcher {
  target: Target;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  res: ServerResponse;
}

export interface FakeStoreOptions {
  /** How long a deleted namespace stays Terminating before it and its objects go (ms). */
  namespaceDeletionMs?: number;
  /** How long the server holds a watch open before ending it, so that clients must resume (ms). */
  watchHoldMs?: number;
}

/**
 * An in-memory API for helper tests behind startFakeApiServer: create (with generateName), get, list
 * (label and field selectors of the `a=b,c!=d` kind), delete, watch (resumable from a resourceVersion),
 * server-side dry-run, and namespaces that terminate with their contents. Not an API server: no
 * validation, no defaulting, no admission; tests that need those run on the lab.
 */
export class FakeStore {
  readonly #objects = new Map<string, StoredObject>();
  readonly #events: { rv: number; type: string; key: string; object: StoredObject }[] = [];
  readonly #watchers = new Set<Watcher>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #rv = 100;
  readonly #opts: Required<FakeStoreOptions>;

  constructor(opts: FakeStoreOptions = {}) {
    this.#opts = { namespaceDeletionMs: 0, watchHoldMs: 2000, ...opts };
  }

  readonly route: Route = (req, res, url) => {
    const target = parsePath(url.pathname);
    if (!target) return false;
    void this.#serve(req, res, url, target);
    return true;
  };

  /** Creates or replaces an object; `collection` is its collection path, e.g. `/api/v1/namespaces/x/pods`. */
  put(collection: string, obj: StoredObject): StoredObject {
    const target = parsePath(collection);
    if (!target) throw new Error(`not a collection path: ${collection}`);
    const name = obj.metadata?.name;
    if (!name) throw new Error("put needs metadata.name");
    const key = keyOf(target, name);
    const existed = this.#objects.has(key);
    const stored = this.#stamp(obj, target);
    this.#objects.set(key, stored);
    this.#emit(existed ? "MODIFIED" : "ADDED", key, stored);
    return stored;
  }

  get(collection: string, name: string): StoredObject | undefined {
    const target = parsePath(collection);
    return target ? this.#objects.get(keyOf(target, name)) : undefined;
  }

  /** Removes an object at once (as the garbage collector or a controller would). */
  remove(collection: string, name: string): void {
    const target = parsePath(collection);
    if (!target) return;
    const key = keyOf(target, name);
    const obj = this.#objects.get(key);
    if (!obj) return;
    this.#objects.delete(key);
    this.#emit("DELETED", key, this.#stamp(obj, target));
  }

  list(collection: string): StoredObject[] {
    const target = parsePath(collection);
    return target ? this.#matching(target, undefined, undefined).map(([, o]) => o) : [];
  }

  /** Ends open watches and pending namespace deletions (call before closing the server). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  async #serve(req: IncomingMessage, res: ServerResponse, url: URL, target: Target): Promise<void> {
    const labelSelector = url.searchParams.get("labelSelector") ?? undefined;
    const fieldSelector = url.searchParams.get("fieldSelector") ?? undefined;
    const dryRun = url.searchParams.get("dryRun") === "All";
    if (req.method === "GET" && !target.name) {
      if (url.searchParams.get("watch") === "true") {
        return this.#watch(
          res,
          target,
          url.searchParams.get("resourceVersion"),
          labelSelector,
          fieldSelector,
        );
      }
      const items = this.#matching(target, labelSelector, fieldSelector).map(([, o]) => o);
      return void json(res, 200, { kind: "List", metadata: { resourceVersion: String(this.#rv) }, items });
    }
    if (req.method === "POST" && !target.name) {
      const body = JSON.parse(await readBody(req)) as StoredObject;
      const meta = { ...body.metadata };
      if (!meta.name && meta.generateName)
        meta.name = `${meta.generateName}${Math.random().toString(36).slice(2, 7)}`;
      if (!meta.name) return void status(res, 422, "Invalid", "metadata.name is required");
      if (target.namespace) meta.namespace = target.namespace;
      const ns = target.namespace ? this.#objects.get(keyOf(nsTarget(), target.namespace)) : undefined;
      if (target.namespace && !ns)
        return void status(res, 404, "NotFound", `namespaces "${target.namespace}" not found`);
      if (ns?.metadata?.deletionTimestamp) {
        return void status(res, 403, "Forbidden", `namespace ${target.namespace} is being terminated`);
      }
      const key = keyOf(target, meta.name);
      if (this.#objects.has(key))
        return void status(res, 409, "AlreadyExists", `${target.resource} "${meta.name}" already exists`);
      const obj = { ...body, metadata: meta };
      if (dryRun) return void json(res, 201, obj);
      const stored = this.#stamp(obj, target);
      this.#objects.set(key, stored);
      this.#emit("ADDED", key, stored);
      return void json(res, 201, stored);
    }
    if (!target.name) return void status(res, 405, "MethodNotAllowed", "method not allowed");
    const key = keyOf(target, target.name);
    const obj = this.#objects.get(key);
    if (!obj) return void status(res, 404, "NotFound", `${target.resource} "${target.name}" not found`);
    if (req.method === "GET") return void json(res, 200, obj);
    if (req.method === "DELETE") {
      if (dryRun) return void json(res, 200, obj);
      if (target.resource === "namespaces" && target.prefix === "/api/v1")
        return void this.#deleteNamespace(res, key, obj);
      if (obj.metadata?.finalizers?.length) {
        const marked = this.#stamp(
          { ...obj, metadata: { ...obj.metadata, deletionTimestamp: new Date().toISOString() } },
          target,
        );
        this.#objects.set(key, marked);
        this.#emit("MODIFIED", key, marked);
        return void json(res, 200, marked);
      }
      this.#objects.delete(key);
      this.#emit("DELETED", key, obj);
      return void json(res, 200, obj);
    }
    if (req.method === "PUT") {
      // Replace with optimistic concurrency, as the API server does: a stale resourceVersion is a 409.
      const body = JSON.parse(await readBody(req)) as StoredObject;
      const rv = body.metadata?.resourceVersion;
      if (rv && rv !== obj.metadata?.resourceVersion) {
        return void status(
          res,
          409,
          "Conflict",
          `the object has been modified; please apply your changes to the latest version`,
        );
      }
      if (dryRun) return void json(res, 200, body);
      const stored = this.#stamp({ ...body, metadata: { ...body.metadata, name: target.name } }, target);
      this.#objects.set(key, stored);
      this.#emit("MODIFIED", key, stored);
      return void json(res, 200, stored);
    }
    return void status(res, 405, "MethodNotAllowed", `${req.method} not supported by the fake store`);
  }

  #deleteNamespace(res: ServerResponse, key: string, obj: StoredObject): void {
    const name = obj.metadata?.name ?? "";
    if (!obj.metadata?.deletionTimestamp) {
      const marked = this.#stamp(
        {
          ...obj,
          metadata: { ...obj.metadata, deletionTimestamp: new Date().toISOString() },
          status: { phase: "Terminating" },
        },
        nsTarget(),
      );
      this.#objects.set(key, marked);
      this.#emit("MODIFIED", key, marked);
      const finish = () => {
        this.#timers.delete(timer);
        // objects with finalizers keep the namespace (as a LoadBalancer Service or a PVC would)
        const left = [...this.#objects.entries()].filter(([, o]) => o.metadata?.namespace === name);
        for (const [k, o] of left) {
          if (o.metadata?.finalizers?.length) continue;
          this.#objects.delete(k);
          this.#emit("DELETED", k, o);
        }
        if (left.some(([, o]) => o.metadata?.finalizers?.length)) {
          timer = setTimeout(finish, 50);
          this.#timers.add(timer);
          return;
        }
        const current = this.#objects.get(key);
        if (current) {
          this.#objects.delete(key);
          this.#emit("DELETED", key, current);
        }
      };
      let timer = setTimeout(finish, this.#opts.namespaceDeletionMs);
      this.#timers.add(timer);
      return void json(res, 200, marked);
    }
    json(res, 200, obj);
  }

  #watch(
    res: ServerResponse,
    target: Target,
    from: string | null,
    labelSelector: string | undefined,
    fieldSelector: string | undefined,
  ): void {
    res.writeHead(200, { "content-type": "application/json" });
    const since = Number(from ?? "0");
    const oldest = this.#events[0]?.rv ?? this.#rv;
    if (from && since > 0 && since < oldest - 1) {
      res.end(
        `${JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } })}\n`,
      );
      return;
    }
    const watcher: Watcher = { target, labelSelector, fieldSelector, res };
    for (const e of this.#events) if (e.rv > since) this.#send(watcher, e.type, e.key, e.object);
    this.#watchers.add(watcher);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#watchers.delete(watcher);
      res.end();
    }, this.#opts.watchHoldMs);
    this.#timers.add(timer);
    res.on("close", () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
      this.#watchers.delete(watcher);
    });
  }

  #send(w: Watcher, type: string, key: string, obj: StoredObject): void {
    if (!inCollection(key, w.target) || !selects(obj, w.labelSelector, w.fieldSelector)) return;
    w.res.write(`${JSON.stringify({ type, object: obj })}\n`);
  }

  #emit(type: string, key: string, object: StoredObject): void {
    const rv = Number(object.metadata?.resourceVersion ?? this.#rv);
    this.#events.push({ rv, type, key, object });
    for (const w of this.#watchers) this.#send(w, type, key, object);
  }

  #stamp(obj: StoredObject, target: Target): StoredObject {
    this.#rv++;
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        ...(target.namespace ? { namespace: target.namespace } : {}),
        resourceVersion: String(this.#rv),
        creationTimestamp: obj.metadata?.creationTimestamp ?? new Date().toISOString(),
      },
    };
  }

  #matching(target: Target, labelSelector: string | undefined, fieldSelector: string | undefined) {
    return [...this.#objects.entries()].filter(
      ([key, obj]) => inCollection(key, target) && selects(obj, labelSelector, fieldSelector),
    );
  }
}

function nsTarget(): Target {
  return { prefix: "/api/v1", resource: "namespaces" };
}

/** `prefix|resource|namespace|name`; cluster-scoped objects have an empty namespace. */
function keyOf(t: Target, name: string): string {
  return `${t.prefix}|${t.resource}|${t.namespace ?? ""}|${name}`;
}

function inCollection(key: string, t: Target): boolean {
  const [prefix, resource, namespace] = key.split("|");
  return (
    prefix === t.prefix && resource === t.resource && (t.namespace === undefined || namespace === t.namespace)
  );
}

export function parsePath(pathname: string): Target | undefined {
  const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/(.+)$/.exec(pathname);
  if (!m) return undefined;
  const prefix = m[1] as string;
  const parts = (m[2] as string).split("/");
  if (parts[0] === "namespaces" && parts.length >= 3) {
    const [, namespace, resource, name, subresource] = parts;
    if (!resource) return undefined;
    return {
      prefix,
      resource,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource } : {}),
    };
  }
  const [resource, name, subresource] = parts;
  if (!resource) return undefined;
  return { prefix, resource, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}

function selects(
  obj: StoredObject,
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): boolean {
  const labels = obj.metadata?.labels ?? {};
  for (const term of (labelSelector ?? "").split(",").filter(Boolean)) {
    const m = /^([^!=]+)(!=|==|=)?(.*)$/.exec(term);
    if (!m) return false;
    const [, k = "", op, v = ""] = m;
    if (!op && !(k in labels)) return false;
    if ((op === "=" || op === "==") && labels[k] !== v) return false;
    if (op === "!=" && labels[k] === v) return false;
  }
  for (const term of (fieldSelector ?? "").split(",").filter(Boolean)) {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) return false;
    const [, path = "", op, v] = m;
    const actual = path
      .split(".")
      .reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], obj);
    const equal = String(actual ?? "") === v;
    if (op === "!=" ? equal : !equal) return false;
  }
  return true;
}

function status(res: ServerResponse, code: number, reason: string, message: string): true {
  return json(res, code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
