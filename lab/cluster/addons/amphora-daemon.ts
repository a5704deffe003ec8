// The lb-snat scenario's load-balancer controller, run as a host process in the "lb" network namespace:
// node lab/cluster/addons/amphora-daemon.ts <state dir>. Polls Services and Nodes, keeps the VIPs on eth0,
// haproxy's configuration and the Services' status in step.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { assignAddresses, haproxyConfig, listeners } from "./amphora.ts";
import { reconcileForever, syncVips } from "./reconcile.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: amphora-daemon.ts <dir>");
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
  const config = haproxyConfig(listeners(services, vips), nodes);
  if (!existsSync(cfgFile) || readFileSync(cfgFile, "utf8") !== config) {
    writeFileSync(cfgFile, config);
    if (haproxy.pid) process.kill(haproxy.pid, "SIGUSR2");
  }
  for (const s of services) {
    const k = `${s.metadata?.namespace}/${s.metadata?.name}`;
    const vip = vips.get(k);
    if (!vip || s.status?.loadBalancer?.ingress?.[0]?.ip === vip) continue;
    await api.patchNamespacedServiceStatus({
      name: s.metadata?.name ?? "",
      namespace: s.metadata?.namespace ?? "",
      body: [{ op: "add", path: "/status/loadBalancer", value: { ingress: [{ ip: vip }] } }],
    });
  }
});
