import { BlockList, isIP } from "node:net";
import type { ProbeAttempt } from "./probe.ts";

/** One Service the check put in front of the echo backends, and what probing it showed. */
export interface ServiceProbe {
  service: string;
  /** `etp-local`, `etp-cluster` or a variant's name from the options. */
  variant: string;
  etp: "Local" | "Cluster";
  /** True for a variant whose backends require a PROXY header (variant name starting with `proxy`). */
  proxyVariant: boolean;
  address?: string;
  ipMode?: string;
  attempts: ProbeAttempt[];
  /** In-cluster calls to the same address (warning only). */
  inCluster?: ProbeAttempt[];
}

/** Addresses that belong to the cluster or its load balancers: what a replaced client address may be. */
export interface ClusterAddresses {
  nodes: { name: string; addresses: string[] }[];
  podCidrs: string[];
  serviceCidrs: string[];
  loadBalancerAddresses: string[];
}

export interface Judgement {
  verdict: "pass" | "fail" | "skip" | "abort";
  reason: string;
  details: string[];
  warnings: string[];
}

export interface Seen {
  address: string;
  mechanism: string;
}

/** The client address as the backend learnt it: PROXY header, then X-Forwarded-For/Forwarded, then the peer. */
export function seenAddress(a: ProbeAttempt): Seen | undefined {
  const r = a.reply;
  if (!r) return undefined;
  if (r.proxy?.source) return { address: r.proxy.source, mechanism: `PROXY protocol v${r.proxy.version}` };
  const xff = r.xForwardedFor?.split(",")[0]?.trim();
  if (xff) return { address: xff, mechanism: "X-Forwarded-For" };
  const fwd = /for="?\[?([0-9a-fA-F.:]+)/i.exec(r.forwarded ?? "")?.[1];
  if (fwd) return { address: fwd, mechanism: "Forwarded" };
  return { address: r.peer, mechanism: "direct" };
}

const PRIVATE = (() => {
  const b = new BlockList();
  for (const [net, bits] of [
    ["10.0.0.0", 8],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["100.64.0.0", 10],
    ["169.254.0.0", 16],
  ] as const)
    b.addSubnet(net, bits, "ipv4");
  b.addSubnet("fc00::", 7, "ipv6");
  return b;
})();
const family = (ip: string) => (isIP(ip) === 6 ? "ipv6" : "ipv4");

function inCidrs(ip: string, cidrs: readonly string[]): boolean {
  if (!isIP(ip)) return false;
  const b = new BlockList();
  for (const c of cidrs) {
    const [net, bits] = c.split("/");
    if (net && isIP(net) && isIP(net) === isIP(ip)) b.addSubnet(net, Number(bits), family(net));
  }
  return b.check(ip, family(ip));
}

/** What an address the backend saw is, when it is not the client's. */
export function describeAddress(
  ip: string,
  cluster: ClusterAddresses,
  lbSources: ReadonlySet<string>,
): string {
  const node = cluster.nodes.find((n) => n.addresses.includes(ip));
  if (node) return `node ${node.name}`;
  if (cluster.loadBalancerAddresses.includes(ip)) return "the load-balancer address";
  if (lbSources.has(ip)) return "the load balancer";
  if (inCidrs(ip, cluster.podCidrs)) return "a pod address";
  if (inCidrs(ip, cluster.serviceCidrs)) return "a Service address";
  return "";
}

export interface JudgeInput {
  services: ServiceProbe[];
  cluster: ClusterAddresses;
  /** `lb-client-address`: the prober's public address, when it sits behind NAT. */
  clientAddress?: string;
  /** Why no Service got an address (the named timeout), when none did. */
  noAddressReason?: string;
}

const pct = (n: number, of: number) => `${n} of ${of}`;

/**
 * The verdict: PASS when traffic from outside works without drops and the client address survives ETP
 * Local or at least one variant; FAIL when it works but nothing preserves the address, or connections are
 * dropped; SKIP when no Service got a load-balancer address; ABORT when the prober may be behind NAT and
 * no `lb-client-address` says its public address.
 */
export function judge(input: JudgeInput): Judgement {
  const details: string[] = [];
  const warnings: string[] = [];
  const withAddress = input.services.filter((s) => s.address);
  if (withAddress.length === 0) {
    return {
      verdict: "skip",
      reason: `no LoadBalancer address appeared (${input.noAddressReason ?? "none assigned"}): no LoadBalancer implementation?`,
      details,
      warnings,
    };
  }
  // The peer of a connection whose PROXY header or X-Forwarded-For named the client is the load balancer.
  const lbSources = new Set<string>();
  for (const s of withAddress)
    for (const a of s.attempts) {
      const seen = seenAddress(a);
      if (seen && seen.mechanism !== "direct" && a.reply) lbSources.add(a.reply.peer);
    }

  type Row = {
    s: ServiceProbe;
    answered: number;
    rejected: number;
    dropped: number;
    seen: Map<string, number>;
    mechanisms: Set<string>;
    preserved: boolean;
    replacedBy: string[];
    ambiguous: string[];
    clients: Set<string>;
  };
  const rows: Row[] = withAddress.map((s) => {
    const row: Row = {
      s,
      answered: 0,
      rejected: 0,
      dropped: 0,
      seen: new Map(),
      mechanisms: new Set(),
      preserved: false,
      replacedBy: [],
      ambiguous: [],
      clients: new Set(),
    };
    let preservedCount = 0;
    for (const a of s.attempts) {
      if (a.reply?.rejected) {
        row.rejected++;
        continue;
      }
      const seen = a.ok ? seenAddress(a) : undefined;
      if (!seen) {
        row.dropped++;
        continue;
      }
      row.answered++;
      row.seen.set(seen.address, (row.seen.get(seen.address) ?? 0) + 1);
      const client = input.clientAddress ?? a.localAddress ?? "";
      row.clients.add(client);
      if (seen.address === client) {
        preservedCount++;
        row.mechanisms.add(seen.mechanism);
      }
    }
    row.preserved = row.answered > 0 && preservedCount === row.answered;
    return row;
  });

  const clientDesc = [...new Set(rows.flatMap((r) => [...r.clients]))].join(", ") || "(unknown)";
  const nattedProber =
    !input.clientAddress &&
    [...new Set(rows.flatMap((r) => [...r.clients]))].some((c) => PRIVATE.check(c, family(c)));
  const anyPreserved = rows.some((r) => r.preserved);
  for (const r of rows) {
    for (const addr of r.seen.keys()) {
      if (r.clients.has(addr)) continue;
      const what = describeAddress(addr, input.cluster, lbSources);
      if (what) r.replacedBy.push(`${addr} (${what})`);
      else if (nattedProber && !anyPreserved) r.ambiguous.push(addr);
      else r.replacedBy.push(`${addr} (the load balancer: neither the client nor a cluster address)`);
    }
  }

  details.push(`prober address: ${clientDesc}${input.clientAddress ? " (from lb-client-address)" : ""}`);
  details.push(
    ...table(
      rows.map((r) => ({
        service: r.s.service,
        mechanism:
          r.s.variant === "etp-local" || r.s.variant === "etp-cluster"
            ? `${r.s.variant} direct`
            : `${r.s.variant} (ETP ${r.s.etp})`,
        address: `${r.s.address}${r.s.ipMode ? ` ipMode=${r.s.ipMode}` : ""}`,
        seen: [...r.seen.entries()].map(([a, n]) => `${a}×${n}`).join(" ") || "-",
        preserved: r.preserved ? `yes (${[...r.mechanisms].join(", ")})` : r.answered ? "no" : "-",
        drops: `${pct(r.dropped, r.s.attempts.length)}${r.rejected ? `; ${r.rejected} refused (no PROXY header)` : ""}`,
      })),
    ),
  );
  for (const r of rows) {
    if (r.s.proxyVariant && r.rejected > 0 && r.answered === 0) {
      details.push(
        `${r.s.variant}: the load balancer sent no PROXY header (variant not honoured): every connection refused by the backend`,
      );
    }
  }
  warnings.push(...inClusterWarnings(rows.map((r) => r.s)));

  for (const s of input.services.filter((x) => !x.address))
    details.push(`${s.service}: no LoadBalancer address`);
  const dropped = rows.filter(
    (r) => r.dropped > 0 && !(r.s.proxyVariant && r.answered === 0 && r.rejected > 0),
  );
  if (dropped.length > 0) {
    const local = dropped.find((r) => r.s.variant === "etp-local");
    return {
      verdict: "fail",
      reason:
        dropped
          .map(
            (r) =>
              `${pct(r.dropped, r.s.attempts.length)} connections to ${r.s.service} (${r.s.address}) failed`,
          )
          .join("; ") +
        (local
          ? ": with externalTrafficPolicy Local a load balancer that ignores the health check (healthCheckNodePort) sends traffic to nodes without an endpoint"
          : ""),
      details,
      warnings,
    };
  }
  const winners = rows.filter(
    (r) => r.preserved && (r.s.variant === "etp-local" || r.s.variant !== "etp-cluster"),
  );
  if (winners.length > 0) {
    const how = winners.map(
      (r) =>
        `${r.s.variant === "etp-local" ? "externalTrafficPolicy Local" : `variant ${r.s.variant}`} (mechanism: ${[...r.mechanisms].join(", ")})`,
    );
    return {
      verdict: "pass",
      reason: `the backend saw the client's own address through ${how.join(" and ")}`,
      details,
      warnings,
    };
  }
  const ambiguous = [...new Set(rows.flatMap((r) => r.ambiguous))];
  if (ambiguous.length > 0) {
    return {
      verdict: "abort",
      reason: `the backend saw ${ambiguous.join(", ")}: neither the prober's address (${clientDesc}, a private address) nor a cluster address; if the prober sits behind NAT, state its public address with --option lb-client-address=IP`,
      details,
      warnings,
    };
  }
  const local = rows.find((r) => r.s.variant === "etp-local") ?? rows[0];
  const replaced = [...new Set(local?.replacedBy ?? [])];
  return {
    verdict: "fail",
    reason: `no mechanism preserves the client address: with externalTrafficPolicy Local the backend saw ${replaced.join(", ") || "nothing"}, not the client (${clientDesc})${rows.length > 2 ? "; no variant preserved it either" : ""}`,
    details,
    warnings,
  };
}

function inClusterWarnings(services: ServiceProbe[]): string[] {
  const out: string[] = [];
  // Only variants the load balancer honoured (a PROXY header arrived from outside) make in-cluster trouble.
  for (const s of services.filter(
    (x) => x.proxyVariant && x.address && x.attempts.some((a) => a.reply?.proxy),
  )) {
    const calls = s.inCluster ?? [];
    const refused = calls.filter((a) => a.reply?.rejected).length;
    if ((s.ipMode ?? "VIP") === "VIP") {
      out.push(
        `in-cluster clients of ${s.service} (${s.address}, PROXY protocol) will be rejected: the address is published with ipMode VIP, so kube-proxy delivers in-cluster connections straight to the backends without a PROXY header` +
          (calls.length ? `; confirmed: ${refused} of ${calls.length} in-cluster calls refused` : ""),
      );
    } else if (calls.length && refused > 0) {
      out.push(
        `in-cluster clients of ${s.service}: ${refused} of ${calls.length} calls refused (no PROXY header) despite ipMode ${s.ipMode}`,
      );
    }
  }
  return out;
}

/** Fixed-width rows a person reads in system-out. */
export function table(rows: Record<string, string>[]): string[] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0] as Record<string, string>);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => r[c] ?? "")))];
}
