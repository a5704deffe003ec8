import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { killCgroup, nodeCgroup, processesOf } from "./cgroups.ts";
import { leftovers, removeEverything } from "./cleanup.ts";
import { run } from "./exec.ts";
import { createFabric, createLbProxyNetwork, createNodeNetwork } from "./network.ts";
import { nodeRunDir } from "./paths.ts";
import { createPki } from "./pki.ts";
import { startDaemon } from "./processes.ts";
import { readLab } from "./state.ts";
import { buildTopology } from "./topology.ts";

// Builds the machine-level parts of a lab (namespaces, links, firewall, cgroups, processes, mounts, state)
// without Kubernetes, tears it down and checks that nothing is left. Needs root and takes over the lab's
// names, so it runs only when asked for (SCS_KAAS_LAB_TESTS=1) and never while a lab is up.
const enabled = process.getuid?.() === 0 && process.env.SCS_KAAS_LAB_TESTS === "1";

describe("lab teardown (root, SCS_KAAS_LAB_TESTS=1)", function () {
  this.timeout(60_000);
  before(function () {
    if (!enabled) this.skip();
    if (readLab()) this.skip();
  });

  it("kills a node's processes at once and removes every trace of the lab", async () => {
    const nodes = buildTopology({
      controlPlanes: 1,
      workers: 2,
      zoneLabels: true,
      controlPlaneOneHost: false,
    });
    await createFabric();
    for (const n of nodes) await createNodeNetwork(n, nodes);
    await createLbProxyNetwork();
    await createPki(nodes);
    for (const n of nodes) {
      startDaemon({
        owner: n.name,
        name: "sleeper",
        command: "sh",
        args: ["-c", "sleep 600 & sleep 600"],
        netns: n.name,
      });
    }
    const mnt = join(nodeRunDir("worker-a"), "containerd", "rootfs");
    mkdirSync(mnt, { recursive: true });
    await run("mount", ["-t", "tmpfs", "lab-test", mnt]);
    await new Promise((r) => setTimeout(r, 300));
    expect(processesOf(nodeCgroup("worker-a")).length).to.be.greaterThan(1);
    expect(await leftovers()).to.include.members(["netns scslab-worker-a", `mount ${mnt}`, "link scslab0"]);

    await killCgroup(nodeCgroup("worker-a"));
    expect(processesOf(nodeCgroup("worker-a"))).to.deep.equal([]);
    expect(processesOf(nodeCgroup("worker-b")).length).to.be.greaterThan(0);

    await removeEverything();
    expect(await leftovers()).to.deep.equal([]);
  });
});
