import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { isNotFound, translateError } from "./api-errors.ts";
import type { CheckContext } from "./check.ts";
import { runCleanups } from "./cleanup.ts";
import { type CheckRecord, createCheckContext } from "./context.ts";
import { DUMP_PARTS, dumpNamespace } from "./dump.ts";
import { execInPod } from "./exec.ts";
import { suiteImage } from "./images.ts";
import { suiteLabels } from "./labels.ts";
import { containerLogs } from "./logs.ts";
import { createTestNamespace, deleteIgnoringNotFound } from "./namespace.ts";
import { createPod, restrictedPod } from "./pods.ts";
import { scaledTimeout } from "./timeouts.ts";
import { waitForPodReady, waitForPvcBound } from "./wait.ts";

// The framework's helpers against the real lab cluster (the API server's Pod Security admission, kubelet,
// local-path). Runs only when SCS_KAAS_LAB_KUBECONFIG names the lab's kubeconfig, under the lab lock.
const kubeconfig = process.env.SCS_KAAS_LAB_KUBECONFIG;

describe("framework on the lab (SCS_KAAS_LAB_KUBECONFIG)", function () {
  this.timeout(600_000);
  let ctx: CheckContext;
  let record: CheckRecord;
  let namespace: string;

  before(async function () {
    if (!kubeconfig) return this.skip();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    ({ ctx, record } = createCheckContext({
      checkId: "scs-9999-v1/framework-lab",
      runId: `lab-${Date.now().toString(36)}`,
      kubeConfig: kc,
      signal: new AbortController().signal,
      referenceDate: new Date(),
      options: {},
      onLog: (line) => process.stdout.write(`      | ${line}\n`),
    }));
    namespace = await createTestNamespace(ctx);
  });

  after(async () => {
    if (!kubeconfig || !record) return;
    const report = await runCleanups(record.cleanups, { name: "cleanup", ms: 300_000 });
    expect(report.failures, report.lines.join("\n")).to.deep.equal([]);
    const gone = await ctx
      .api(CoreV1Api)
      .readNamespace({ name: namespace })
      .then(
        () => false,
        (e: unknown) => isNotFound(e),
      );
    expect(gone, `namespace ${namespace} still exists after its cleanup`).to.equal(true);
  });

  it("Pod Security restricted admits restrictedPod's output and rejects a privileged pod (server-side dry-run)", async () => {
    const core = ctx.api(CoreV1Api);
    const ok = restrictedPod({ name: "dry", image: suiteImage(ctx), command: ["true"] });
    await core.createNamespacedPod({ namespace, body: ok, dryRun: "All" });
    const privileged = restrictedPod({ name: "dry-priv", image: suiteImage(ctx), command: ["true"] });
    const c = privileged.spec?.containers[0];
    if (c) c.securityContext = { privileged: true };
    if (privileged.spec) privileged.spec.hostNetwork = true;
    const err = await core
      .createNamespacedPod({ namespace, body: privileged, dryRun: "All" })
      .catch((e: unknown) => e);
    const t = translateError(err);
    // PodSecurity lists every failed check, in its own order: look for the two this pod breaks
    expect(t.reason).to.match(/^forbidden: .*violates PodSecurity "restricted:latest": /);
    expect(t.reason).to.contain("host namespaces (hostNetwork=true)");
    expect(t.reason).to.match(
      /privileged \(container "[^"]+" must not set securityContext\.privileged=true\)/,
    );
  });

  it("a pod of the suite's image with a PVC of the default class: Ready, PVC Bound, exec status and output, logs", async () => {
    const core = ctx.api(CoreV1Api);
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: "data", labels: suiteLabels(ctx.runId, ctx.checkId) },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "16Mi" } } },
      },
    });
    ctx.defer(`delete pvc ${namespace}/data`, () =>
      deleteIgnoringNotFound(() => core.deleteNamespacedPersistentVolumeClaim({ namespace, name: "data" })),
    );
    await createPod(
      ctx,
      namespace,
      restrictedPod({
        name: "worker",
        image: suiteImage(ctx),
        command: ["node", "-e", "console.log('hello from the suite image'); setInterval(() => {}, 1 << 30)"],
        container: { volumeMounts: [{ name: "data", mountPath: "/data" }] },
        spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] },
      }),
    );
    const pod = await waitForPodReady(ctx, namespace, "worker", scaledTimeout(ctx, "pod-start"));
    expect(pod.spec?.nodeName).to.be.a("string");
    const pvc = await waitForPvcBound(ctx, namespace, "data", scaledTimeout(ctx, "pvc-bound"));
    expect(pvc.spec?.volumeName).to.be.a("string");

    const r = await execInPod(ctx, {
      namespace,
      pod: "worker",
      command: [
        "node",
        "-e",
        "require('fs').writeFileSync('/data/x', 'y'); process.stdout.write('out:' + require('fs').readFileSync('/data/x')); process.stderr.write('err'); process.exit(3)",
      ],
      timeout: scaledTimeout(ctx, "exec"),
    });
    expect(r).to.deep.equal({ exitCode: 3, stdout: "out:y", stderr: "err", truncated: false });
    const ok = await execInPod(ctx, {
      namespace,
      pod: "worker",
      command: ["cat"],
      stdin: "piped",
      timeout: scaledTimeout(ctx, "exec"),
    });
    expect(ok).to.include({ exitCode: 0, stdout: "piped" });

    expect(await containerLogs(ctx, namespace, "worker")).to.equal("hello from the suite image\n");
  });

  it("the failure dump of the namespace has every part, read from the real API server", async () => {
    const text = await dumpNamespace(ctx, namespace, AbortSignal.timeout(20_000));
    process.stdout.write(`${text.replace(/^/gm, "      > ")}\n`);
    expect(text).not.to.contain("(not collected");
    const lines = text.split("\n");
    for (const part of DUMP_PARTS) {
      const title = part === "node conditions" ? "node conditions:" : `${part} in ${namespace}:`;
      expect(lines, part).to.include(title);
    }
    expect(text).to.match(/^ {2}worker phase=Running node=\S+ .*Ready=True/m);
    expect(text).to.contain("  worker/main:\n    hello from the suite image");
    expect(text).to.match(/^ {2}data phase=Bound class=\S+ volume=\S+/m);
    expect(text).to.match(new RegExp(`^ {2}\\S+ claim=${namespace}/data phase=Bound`, "m"));
    expect(text).to.match(/^ {2}\S+ Ready=True/m);
  });
});
