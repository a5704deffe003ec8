import type { V1Node, V1Service } from "@kubernetes/client-node";
import { lbPoolAddresses } from "../topology.ts";

/**
 * The lb-snat scenario's load balancer, modelled on an OpenStack Octavia amphora with plain TCP listeners:
 * haproxy in its own namespace terminates the client connection and opens a new one to a NodePort, so pods
 * see the proxy's address. Health checks follow the CCM: ETP Local probes healthCheckNodePort (/healthz).
 * This module is the pure part: address assignment and haproxy configuration.
 */

export type Listener = {
  service: string;
  vip: string;
  port: number;
  nodePort: number;
  healthCheckNodePort?: number;
  /** `send-proxy` (v1) or `send-proxy-v2` towards the NodePorts, from the CCM's proxy-protocol annotation. */
  proxyProtocol?: "v1" | "v2";
  /** An HTTP listener adding X-Forwarded-For, from the CCM's x-forwarded-for annotation. */
  forwardedFor?: boolean;
};

/** How far the amphora follows the OpenStack cloud controller manager's Service annotations. */
export type AmphoraMode = {
  /** false: plain TCP listeners whatever the annotations say (the lb-snat scenario). */
  honourAnnotations: boolean;
  /** What a PROXY-protocol Service's status publishes: `Proxy` as the CCM does, or `VIP` (the trap). */
  proxyIpMode: "Proxy" | "VIP";
};

export const PROXY_PROTOCOL_ANNOTATION = "loadbalancer.openstack.org/proxy-protocol";
export const XFF_ANNOTATION = "loadbalancer.openstack.org/x-forwarded-for";

/** The CCM's reading of the proxy-protocol annotation: `true`/`v1` → v1, `v2` → v2, anything else off. */
export function proxyProtocolOf(s: V1Service): "v1" | "v2" | undefined {
  const v = s.metadata?.annotations?.[PROXY_PROTOCOL_ANNOTATION]?.trim().toLowerCase();
  return v === "true" || v === "v1" ? "v1" : v === "v2" ? "v2" : undefined;
}

/** The status ingress entry the amphora publishes for a Service with this address. */
export function ingressFor(s: V1Service, vip: string, mode: AmphoraMode): { ip: string; ipMode: string } {
  const proxied = mode.honourAnnotations && proxyProtocolOf(s) !== undefined;
  return { ip: vip, ipMode: proxied ? mode.proxyIpMode : "VIP" };
}

export const isLoadBalancer = (s: V1Service) => s.spec?.type === "LoadBalancer" && !s.spec.loadBalancerClass;
const key = (s: V1Service) => `${s.metadata?.namespace}/${s.metadata?.name}`;

/** Keeps each Service's current pool address; gives new Services the lowest free one. */
export function assignAddresses(services: readonly V1Service[]): Map<string, string> {
  const pool = lbPoolAddresses();
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const s of services.filter(isLoadBalancer)) {
    const current = s.status?.loadBalancer?.ingress?.[0]?.ip;
    if (current && pool.includes(current) && !used.has(current)) {
      out.set(key(s), current);
      used.add(current);
    }
  }
  for (const s of services.filter(isLoadBalancer)) {
    if (out.has(key(s))) continue;
    const free = pool.find((ip) => !used.has(ip));
    if (!free) continue;
    out.set(key(s), free);
    used.add(free);
  }
  return out;
}

export function listeners(
  services: readonly V1Service[],
  vips: Map<string, string>,
  mode: AmphoraMode = { honourAnnotations: false, proxyIpMode: "Proxy" },
): Listener[] {
  const out: Listener[] = [];
  for (const s of services.filter(isLoadBalancer)) {
    const vip = vips.get(key(s));
    if (!vip) continue;
    const local = s.spec?.externalTrafficPolicy === "Local";
    const proxyProtocol = mode.honourAnnotations ? proxyProtocolOf(s) : undefined;
    const forwardedFor =
      mode.honourAnnotations && s.metadata?.annotations?.[XFF_ANNOTATION]?.trim().toLowerCase() === "true";
    for (const p of s.spec?.ports ?? []) {
      if ((p.protocol ?? "TCP") !== "TCP" || !p.nodePort) continue;
      out.push({
        service: key(s),
        vip,
        port: p.port,
        nodePort: p.nodePort,
        healthCheckNodePort: local ? s.spec?.healthCheckNodePort : undefined,
        ...(proxyProtocol ? { proxyProtocol } : {}),
        ...(forwardedFor ? { forwardedFor } : {}),
      });
    }
  }
  return out;
}

export const backendNodes = (nodes: readonly V1Node[]) =>
  nodes.filter(
    (n) => !("node.kubernetes.io/exclude-from-external-load-balancers" in (n.metadata?.labels ?? {})),
  );

function nodeIp(n: V1Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
}

export function haproxyConfig(ls: readonly Listener[], nodes: readonly V1Node[]): string {
  const lines = [
    "global",
    "  maxconn 4000",
    "defaults",
    "  mode tcp",
    "  timeout connect 3s",
    "  timeout client 1h",
    "  timeout server 1h",
  ];
  ls.forEach((l, i) => {
    const name = `l${i}-${l.service.replace(/[^A-Za-z0-9]/g, "-")}-${l.port}`;
    const http = l.forwardedFor ? ["  mode http", "  option forwardfor"] : [];
    lines.push(`frontend ${name}`, `  bind ${l.vip}:${l.port}`, ...http, `  default_backend ${name}`);
    lines.push(`backend ${name}`, ...http);
    if (l.healthCheckNodePort) lines.push("  option httpchk GET /healthz", "  http-check expect status 200");
    for (const n of backendNodes(nodes)) {
      const ip = nodeIp(n);
      if (!ip) continue;
      const check = l.healthCheckNodePort ? `check port ${l.healthCheckNodePort}` : "check";
      const send =
        l.proxyProtocol === "v2" ? " send-proxy-v2" : l.proxyProtocol === "v1" ? " send-proxy" : "";
      lines.push(`  server ${n.metadata?.name} ${ip}:${l.nodePort}${send} ${check} inter 2s fall 2 rise 1`);
    }
  });
  return `${lines.join("\n")}\n`;
}
