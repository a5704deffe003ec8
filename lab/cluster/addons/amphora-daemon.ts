// The lb-snat scenario's load-balancer controller, run as a host process in the "lb" network namespace:
// node lab/cluster/addons/amphora-daemon.ts <state dir> [--honour-annotations] [--proxy-ip-mode Proxy|VIP].
// Polls Services and Nodes, keeps the VIPs on eth0,
// haproxy's configuration and the Services' status in step.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type AmphoraMode, assignAddresses, haproxyConfig, ingressFor, listeners } from "./amphora.ts";
import { reconcileForever, syncVips } from "./reconcile.ts";

const [dir, ...flags] = process.argv.slice(2);
if (!dir)
  throw new Error("usage: amphora-daemon.ts <dir> [--honour-annotations] [--proxy-ip-mode Proxy|VIP]");
const ipModeFlag = flags[flags.indexOf("--proxy-ip-mode") + 1];
const mode: AmphoraMode = {
  honourAnnotations: flags.includes("--honour-annotations"),
  proxyIpMode: flags.includes("--proxy-ip-mode") && ipModeFlag === "VIP" ? "VIP" : "Proxy",
};
const cfgFile = join(dir, "haproxy.cfg");
const kc = new KubeConfig();
kc.loadFromDefault();
const api = kc.makeApiClient(CoreV1Api);

mkdirSync(dir, { recursive: true });
writeFileSync(cfgFile, haproxyConfig([], []));
const haproxy = spawn("/usr/sbin/haproxy", ["-W", "-db", "-f", cfgFile], { stdio: "inherit" });
haproxy.on("exit", (code) => {
  console.error(`haproxy exited (${code})`);
  process.exit(1);
});

await reconcileForever("amphora", 2000, async () => {
  const services = (await api.listServiceForAllNamespaces()).items;
  const nodes = (await api.listNode()).items;
  const vips = assignAddresses(services);
  await syncVips(new Set(vips.values()));
  const config = haproxyConfig(listeners(services, vips, mode), nodes);
  if (!existsSync(cfgFile) || readFileSync(cfgFile, "utf8") !== config) {
    writeFileSync(cfgFile, config);
    if (haproxy.pid) process.kill(haproxy.pid, "SIGUSR2");
  }
  for (const s of services) {
    const k = `${s.metadata?.namespace}/${s.metadata?.name}`;
    const vip = vips.get(k);
    if (!vip) continue;
    const ingress = ingressFor(s, vip, mode);
    const current = s.status?.loadBalancer?.ingress?.[0];
    if (current?.ip === ingress.ip && (current.ipMode ?? "VIP") === ingress.ipMode) continue;
    await api.patchNamespacedServiceStatus({
      name: s.metadata?.name ?? "",
      namespace: s.metadata?.namespace ?? "",
      body: [{ op: "add", path: "/status/loadBalancer", value: { ingress: [ingress] } }],
    });
  }
});
