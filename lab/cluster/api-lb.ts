import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeRunDir } from "./paths.ts";
import { startDaemon } from "./processes.ts";
import { controlPlanes, type LabNode, ROUTER_IP } from "./topology.ts";

/** The provider's load balancer in front of the API servers, on the router (TCP, health-checked). */
export function apiLbConfig(nodes: readonly LabNode[]): string {
  const servers = controlPlanes(nodes)
    .map((n) => `  server ${n.name} ${n.ip}:6443 check inter 2s fall 2 rise 1`)
    .join("\n");
  return `global
  maxconn 4000
defaults
  mode tcp
  timeout connect 3s
  timeout client 2h
  timeout server 2h
frontend kube-api
  bind ${ROUTER_IP}:6443
  default_backend kube-api
backend kube-api
  balance roundrobin
${servers}
`;
}

export function startApiLb(nodes: readonly LabNode[]): void {
  const dir = nodeRunDir("router");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "api-lb.cfg");
  writeFileSync(file, apiLbConfig(nodes));
  startDaemon({
    owner: "infra",
    name: "api-lb",
    command: "/usr/sbin/haproxy",
    args: ["-db", "-f", file],
    netns: "router",
  });
}
