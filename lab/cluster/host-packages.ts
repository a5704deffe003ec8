import { existsSync } from "node:fs";
import { exec, run } from "./exec.ts";

/**
 * Debian packages the cluster runtime itself calls (the build layer installs the ones it needs): haproxy
 * (API load balancer, lb-snat proxy), curl (the outside client's probes), openssl (PKI), nft and ip.
 * Installed only when a program is missing.
 */
export const HOST_PROGRAMS: Record<string, string> = {
  "/usr/sbin/haproxy": "haproxy",
  "/usr/bin/curl": "curl",
  "/usr/bin/openssl": "openssl",
  "/usr/sbin/nft": "nftables",
  "/usr/sbin/iptables": "iptables",
  "/usr/sbin/ipset": "ipset",
  "/usr/sbin/ip": "iproute2",
  "/usr/bin/nsenter": "util-linux",
  "/usr/sbin/runc": "runc",
  "/usr/lib/cni/ptp": "containernetworking-plugins",
};

export async function ensureHostPackages(log: (line: string) => void): Promise<void> {
  const missing = [
    ...new Set(
      Object.entries(HOST_PROGRAMS)
        .filter(([p]) => !existsSync(p))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length === 0) return;
  log(`lab: installing ${missing.join(" ")}`);
  const install = () =>
    exec("env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", ...missing]);
  if ((await install()).code === 0) return;
  await run("apt-get", ["update", "-q"]);
  const again = await install();
  if (again.code !== 0)
    throw new Error(`apt-get install ${missing.join(" ")} failed: ${again.stderr.trim()}`);
}
