import { expect } from "chai";
import { parse } from "yaml";
import { hierarchies } from "./cgroups.ts";
import { labMounts } from "./cleanup.ts";
import { cniConfig, containerdConfig } from "./containerd.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { kubeletConfig } from "./kubelet.ts";
import { isolationRules } from "./network.ts";
import { opensslConfig } from "./pki.ts";
import { buildTopology } from "./topology.ts";

const [cp, , worker] = buildTopology({
  controlPlanes: 1,
  workers: 2,
  zoneLabels: true,
  controlPlaneOneHost: false,
});
if (!cp || !worker) throw new Error("topology");

describe("lab configuration files", () => {
  it("makes node client certificates with the identity the Node authorizer expects", () => {
    const cfg = opensslConfig({ cn: "system:node:worker-a", org: "system:nodes", usage: "client" });
    expect(cfg).to.match(/O = system:nodes\nCN = system:node:worker-a/);
    expect(cfg).to.include("extendedKeyUsage = clientAuth");
    expect(cfg).to.not.include("subjectAltName");
    const server = opensslConfig({ cn: "x", usage: "server", dns: ["a"], ips: ["198.18.0.11"] });
    expect(server).to.include("subjectAltName = DNS:a,IP:198.18.0.11");
  });

  it("writes kubeconfigs that point at the API load balancer with file references", () => {
    const kc = parse(kubeconfigYaml("admin", "/p/admin.crt", "/p/admin.key", "/p/ca.crt"));
    expect(kc.clusters[0].cluster.server).to.equal("https://198.18.0.254:6443");
    expect(kc.users[0].user["client-key"]).to.equal("/p/admin.key");
  });

  it("configures kubelet for a shared machine: cgroup v1 allowed, no image GC, capped pods, no anonymous access", () => {
    const k = kubeletConfig(worker);
    expect(k.failCgroupV1).to.equal(false);
    expect(k.imageGCHighThresholdPercent).to.equal(100);
    expect(k.maxPods).to.be.below(111);
    expect(k.readOnlyPort).to.equal(0);
    expect(k.authentication).to.deep.include({ anonymous: { enabled: false } });
    expect(k.cgroupRoot).to.equal(`/scs-kaas-lab/${worker.name}`);
  });

  it("gives each node its own containerd paths and pod subnet", () => {
    const toml = containerdConfig(worker.name, "registry.k8s.io/pause:3.10.2");
    expect(toml).to.include(`/nodes/${worker.name}/containerd.sock`);
    expect(toml).to.include("netns_mounts_under_state_dir = true");
    const cni = JSON.parse(cniConfig(worker));
    expect(cni.plugins[0].ipam.ranges[0][0].subnet).to.equal(worker.podCIDR);
    expect(cni.plugins[0].ipMasq).to.equal(false);
  });

  it("drops routed traffic between the lab bridge and any other interface", () => {
    const rules = isolationRules();
    expect(rules).to.include('iifname "scslab0" oifname != "scslab0" counter drop');
    expect(rules).to.include('oifname "scslab0" iifname != "scslab0" counter drop');
  });

  it("lets pods reach this machine only at the node-action webhook (and replies)", () => {
    const input = isolationRules().split("chain input")[1] ?? "";
    expect(input).to.include(
      "ip saddr 198.18.64.0/18 ip daddr 198.18.0.1 tcp dport 8480 ct state new,established accept",
    );
    expect(input).to.include("ip saddr 198.18.64.0/18 ct state established,related accept");
    expect(
      input
        .trim()
        .split("\n")
        .filter((l) => l.includes("accept") && !l.includes("policy")),
    ).to.have.length(2);
    expect(input).to.include("ip saddr 198.18.64.0/18 counter drop");
  });

  it("finds lab mounts and cgroup hierarchies in mountinfo", () => {
    const info = [
      "30 23 0:26 / /run/netns/scslab-cp-a rw - nsfs nsfs rw",
      "31 23 0:27 / /var/lib/scs-kaas-lab/nodes/w/kubelet/pods/x rw - tmpfs tmpfs rw",
      "32 23 0:28 / /var/lib/other rw - tmpfs tmpfs rw",
      "33 23 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset",
      "34 23 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw",
    ].join("\n");
    expect(labMounts(info)).to.deep.equal([
      "/run/netns/scslab-cp-a",
      "/var/lib/scs-kaas-lab/nodes/w/kubelet/pods/x",
    ]);
    expect(hierarchies(info)).to.deep.equal([
      { mount: "/sys/fs/cgroup/cpuset", v2: false, cpuset: true },
      { mount: "/sys/fs/cgroup/unified", v2: true, cpuset: false },
    ]);
  });
});
