import { seenAddress } from "../../suites/lb-client-ip/evaluate.ts";
import { askProber } from "../../suites/lb-client-ip/probe-server.ts";
import { labImages } from "../cluster/artifacts.ts";
import { waitFor } from "../cluster/exec.ts";
import { apply, coreApi, kubectl, nodeReady } from "../cluster/kube.ts";
import { readLbProber } from "../cluster/lb-prober.ts";
import { requireLab } from "../cluster/state.ts";
import { CLIENT_NETWORK, workers } from "../cluster/topology.ts";
import { SMOKE_NS, smokeManifests } from "./manifests.ts";

type Check = { name: string; run: () => Promise<string> };

/**
 * Proves the lab is a working cluster: every node Ready, a pod on each worker, exec, Service + DNS from a
 * pod, a LoadBalancer reached from the outside client showing the client's own address (ETP Local), and a
 * PVC on the default class written by a pod. Returns false when any check fails.
 */
export async function smoke(log: (line: string) => void): Promise<boolean> {
  const lab = requireLab();
  const v = lab.kubernetesVersion;
  const k = (args: string[]) => kubectl(args, undefined, v);
  const workerNames = workers(lab.nodes).map((n) => n.name);
  const refs = labImages({ kubernetesVersion: v, include: lab.artifacts }).flatMap((i) => i.refs ?? [i.ref]);
  await k(["delete", "namespace", SMOKE_NS, "--ignore-not-found", "--wait=true"]);

  const checks: Check[] = [
    {
      name: "all nodes Ready",
      run: async () => {
        const nodes = (await coreApi().listNode()).items;
        const notReady = nodes.filter((n) => !nodeReady(n)).map((n) => n.metadata?.name);
        if (nodes.length !== lab.nodes.length || notReady.length > 0) {
          throw new Error(
            `${nodes.length}/${lab.nodes.length} nodes registered, not Ready: ${notReady.join(", ")}`,
          );
        }
        return `${nodes.length} nodes Ready`;
      },
    },
    {
      name: "a pod runs on each worker",
      run: async () => {
        await apply(smokeManifests(workerNames, refs), v);
        await k(["wait", "-n", SMOKE_NS, "--for=condition=Ready", "pod", "-l", "app=echo", "--timeout=120s"]);
        await k([
          "wait",
          "-n",
          SMOKE_NS,
          "--for=condition=Ready",
          "pod",
          "-l",
          "app=lb-echo",
          "--timeout=120s",
        ]);
        await k(["wait", "-n", SMOKE_NS, "--for=condition=Ready", "pod/client", "--timeout=120s"]);
        const out = await k([
          "get",
          "pods",
          "-n",
          SMOKE_NS,
          "-l",
          "app=echo",
          "-o",
          "jsonpath={.items[*].spec.nodeName}",
        ]);
        const on = new Set(out.split(" "));
        const missing = workerNames.filter((w) => !on.has(w));
        if (missing.length > 0) throw new Error(`no running pod on ${missing.join(", ")}`);
        return `echo pods on ${[...on].join(", ")}`;
      },
    },
    {
      name: "kubectl exec",
      run: async () => {
        const out = (await k(["exec", "-n", SMOKE_NS, "client", "--", "cat", "/etc/hostname"])).trim();
        if (out !== "client") throw new Error(`exec printed ${JSON.stringify(out)}`);
        return "exec printed the pod's hostname";
      },
    },
    {
      name: "Service and DNS from a pod",
      run: async () => {
        const name = `echo.${SMOKE_NS}.svc.cluster.local`;
        const clusterIp = (
          await k(["get", "svc", "-n", SMOKE_NS, "echo", "-o", "jsonpath={.spec.clusterIP}"])
        ).trim();
        const exec = (args: string[]) => k(["exec", "-n", SMOKE_NS, "client", "--", ...args]);
        const resolved = await waitFor(`${name} to resolve`, 30_000, async () =>
          (await exec(["nslookup", name])).includes(clusterIp) ? clusterIp : undefined,
        );
        // busybox's nc, not its wget (the image's static wget crashes resolving names); the address is the
        // one DNS returned.
        const request = `printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${resolved} 80 | tail -n 1`;
        const body = await waitFor(
          "an answer from the Service",
          30_000,
          async () => (await exec(["sh", "-c", request])).trim() || undefined,
        );
        if (!body.startsWith("echo-")) throw new Error(`the Service answered ${JSON.stringify(body)}`);
        return `${name} -> ${resolved}; GET /hostname -> ${body}`;
      },
    },
    {
      name: "LoadBalancer from the outside client keeps the client address (ETP Local)",
      run: async () => {
        const vip = await waitFor(
          "a LoadBalancer address",
          60_000,
          async () =>
            (
              await k([
                "get",
                "svc",
                "-n",
                SMOKE_NS,
                "echo-lb",
                "-o",
                "jsonpath={.status.loadBalancer.ingress[0].ip}",
              ])
            ).trim() || undefined,
        );
        // The lb-client-ip check's own code: the lab's probe-server in the client namespace (198.19.0.2)
        // connects, the suite's echo backend reports what it saw.
        const prober = readLbProber();
        if (!prober)
          throw new Error("the lab runs no probe-server (booted before it existed?): run `lab up` again");
        const plan = { host: vip, port: 80, count: 10, connectionTimeoutMs: 3000, parallel: 2 };
        const attempts = await waitFor(
          `10 answers from ${vip} through the outside prober`,
          60_000,
          async () => {
            const r = await askProber(prober, plan).catch(() => undefined);
            return r?.attempts.every((a) => a.ok) ? r.attempts : undefined;
          },
        );
        const seenBy = new Set(attempts.map((a) => seenAddress(a)?.address ?? "?"));
        const seen = [...seenBy].join(", ");
        if (seen !== CLIENT_NETWORK.clientIp) {
          throw new Error(`the pod saw ${seen}, not the client ${CLIENT_NETWORK.clientIp}`);
        }
        return `${vip} answered; the pod saw ${seen}`;
      },
    },
    {
      name: "PVC on the default StorageClass binds and a pod writes to it",
      run: async () => {
        await k([
          "wait",
          "-n",
          SMOKE_NS,
          "--for=jsonpath={.status.phase}=Succeeded",
          "pod/writer",
          "--timeout=120s",
        ]);
        const phase = await k([
          "get",
          "pvc",
          "-n",
          SMOKE_NS,
          "data",
          "-o",
          "jsonpath={.status.phase} {.spec.storageClassName}",
        ]);
        if (!phase.startsWith("Bound")) throw new Error(`PVC is ${phase}`);
        const out = (await k(["logs", "-n", SMOKE_NS, "writer"])).trim();
        if (out !== "lab-smoke") throw new Error(`writer printed ${JSON.stringify(out)}`);
        return `PVC ${phase}; the pod wrote and read back its file`;
      },
    },
  ];

  let failed = 0;
  for (const check of checks) {
    const started = Date.now();
    try {
      const detail = await check.run();
      log(`PASS ${check.name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${detail}`);
    } catch (error) {
      failed++;
      log(`FAIL ${check.name}: ${error instanceof Error ? error.message : error}`);
    }
  }
  if (failed === 0) await k(["delete", "namespace", SMOKE_NS, "--wait=false"]);
  log(`smoke: ${checks.length - failed} passed, ${failed} failed`);
  return failed === 0;
}
