import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | undefined;
/** Takes an HTTP upgrade (WebSocket: exec, attach, port-forward) when it returns true. */
export type UpgradeRoute = (req: IncomingMessage, socket: Socket, url: URL) => boolean | undefined;

export interface FakeApiServer {
  url: string;
  /** A kubeconfig (YAML) pointing at this server over plain HTTP with a token. */
  kubeconfig: string;
  /** "METHOD path?query" of every request, in order. */
  requests: string[];
  /** Stops accepting and drops open connections: the API server "goes away". */
  close(): Promise<void>;
}

/** A tiny stand-in for kube-apiserver on 127.0.0.1: /version, /api/v1/nodes, plus test routes. */
export async function startFakeApiServer(
  routes: Route[] = [],
  upgrades: UpgradeRoute[] = [],
): Promise<FakeApiServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    for (const route of routes) if (route(req, res, url)) return;
    if (url.pathname === "/version")
      return json(res, 200, { major: "1", minor: "31", gitVersion: "v1.31.4" });
    if (url.pathname === "/api/v1/nodes") {
      return json(res, 200, {
        kind: "NodeList",
        apiVersion: "v1",
        metadata: { resourceVersion: "1" },
        items: [{ metadata: { name: "node-a" } }],
      });
    }
    json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(`UPGRADE ${url.pathname}${url.search}`);
    for (const route of upgrades) if (route(req, socket, url)) return;
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kubeconfig: kubeconfigFor(url),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
  return true;
}

/** The Status body kube-apiserver sends for an RBAC denial. */
export function forbidden(res: ServerResponse, verb: string, resource: string, namespace?: string): true {
  const where = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  return json(res, 403, {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    reason: "Forbidden",
    code: 403,
    details: { kind: resource },
    message: `${resource} is forbidden: User "system:serviceaccount:sonobuoy:scs" cannot ${verb} resource "${resource}" in API group "" ${where}`,
  });
}

export function kubeconfigFor(server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: fake
  user:
    token: fake-token
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
current-context: fake
`;
}
