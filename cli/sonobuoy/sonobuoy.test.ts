import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { expect } from "chai";
import { parse } from "yaml";
import { requiredRules } from "../../runner/rbac.ts";
import type { CheckDefinition } from "../../suites/framework/check.ts";
import { planFrom } from "../commands/sonobuoy.ts";
import { findSonobuoy, SonobuoyMissing } from "./binary.ts";
import {
  E2E_SERVICE_ACCOUNT,
  leastPrivileged,
  leastPrivilegeObjects,
  referencedSecrets,
  SCS_PLUGIN_SERVICE_ACCOUNT,
} from "./least-privilege.ts";
import {
  type CertRunPlan,
  checkGeneratedE2e,
  conformanceGenArgs,
  netpolGenArgs,
  QUICK_CONFORMANCE_FOCUS,
  runArgs,
  SCS_PLUGIN_FILE,
  scsPluginYaml,
} from "./plan.ts";
import { parseStatus, progressLines } from "./status.ts";

const defaults = {
  output: "results",
  namespace: "sonobuoy",
  e2e: true,
  scs: true,
  flakeAttempts: 2,
  option: {},
  timeout: 21_600,
};
const files = { scsPlugin: "/o/plugins/scs.yaml", netpolPlugin: "/o/plugins/e2e-netpol.yaml" };

describe("scs-kaas sonobuoy: the command lines", () => {
  it("one run: e2e certified-conformance with SCS's flake attempts, the renamed NetworkPolicy e2e, scs", () => {
    const plan = planFrom({ ...defaults, kubeconfig: "/k", context: "lab" });
    const args = runArgs(plan, files);
    expect(args.slice(0, 5)).to.deep.equal([
      "run",
      "--kubeconfig=/k",
      "--context=lab",
      "--namespace=sonobuoy",
      "--plugin=e2e",
    ]);
    expect(args).to.include("--mode=certified-conformance");
    expect(args).to.include("--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=2");
    expect(args).to.include("--plugin=/o/plugins/e2e-netpol.yaml@e2e-netpol");
    expect(args).to.include("--plugin=/o/plugins/scs.yaml");
    expect(args).to.include("--wait=0");
    expect(args.some((a) => a.startsWith("--e2e-focus"))).to.equal(
      false,
      "certification runs all [Conformance]",
    );
    expect(netpolGenArgs(plan)).to.deep.equal([
      "gen",
      "plugin",
      "e2e",
      "--kubeconfig=/k",
      "--context=lab",
      "--namespace=sonobuoy",
      "--e2e-focus=NetworkPolicy",
      "--e2e-skip=",
      "--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=2",
    ]);
  });

  it("--quick narrows both e2e focuses to one spec each", () => {
    const plan = planFrom({ ...defaults, quick: true });
    const args = runArgs(plan, files);
    expect(args).to.include(`--e2e-focus=${QUICK_CONFORMANCE_FOCUS}`);
    expect(args).to.include("--e2e-skip=");
    expect(
      args.some((a) => a.startsWith("--mode")),
      "sonobuoy refuses --mode with a focus",
    ).to.equal(false);
    const netpol =
      netpolGenArgs(plan)
        .find((a) => a.startsWith("--e2e-focus="))
        ?.slice(12) ?? "";
    const re = new RegExp(netpol);
    const tcp =
      "[sig-network] Netpol NetworkPolicy between server and client should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]";
    const udp =
      "[sig-network] Netpol [LinuxOnly] NetworkPolicy between server and client using UDP should support a 'default-deny-ingress' policy [Feature:NetworkPolicy]";
    expect(re.test(tcp)).to.equal(true);
    expect(re.test(udp)).to.equal(false);
  });

  it("air-gapped: every image and registry override reaches the plugins it is for", () => {
    const plan = planFrom({
      ...defaults,
      sonobuoyImage: "reg.local/sonobuoy:v0.57.5",
      conformanceImage: "reg.local/conformance:v1.36.5",
      scsImage: "reg.local/scs-kaas:0.1.0",
      e2eRepo: "reg.local/e2e",
      imagePullPolicy: "IfNotPresent",
    });
    const args = runArgs(plan, files);
    for (const a of [
      "--sonobuoy-image=reg.local/sonobuoy:v0.57.5",
      "--kube-conformance-image=reg.local/conformance:v1.36.5",
      "--plugin-image=scs:reg.local/scs-kaas:0.1.0",
      "--e2e-repo=reg.local/e2e",
      "--image-pull-policy=IfNotPresent",
    ])
      expect(args).to.include(a);
    const gen = netpolGenArgs(plan);
    expect(gen).to.include("--kube-conformance-image=reg.local/conformance:v1.36.5");
    expect(gen).to.include("--e2e-repo=reg.local/e2e");
  });

  it("--no-e2e runs the scs plugin alone; nothing at all is an error", () => {
    const plan = planFrom({ ...defaults, e2e: false });
    const args = runArgs(plan, { scsPlugin: files.scsPlugin });
    expect(args.filter((a) => a.startsWith("--plugin="))).to.deep.equal(["--plugin=/o/plugins/scs.yaml"]);
    expect(args.some((a) => a.includes("conformance"))).to.equal(false);
    expect(() => runArgs({ ...plan, scs: false }, {})).to.throw(/nothing to run/);
  });

  it("--e2e-procs: Ginkgo processes for both e2e plugins beside the flake attempts; none by default (certification runs one)", () => {
    const plan = planFrom({ ...defaults, e2eProcs: 8 });
    const env = "--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=2 --procs=8";
    expect(runArgs(plan, files)).to.include(env);
    expect(netpolGenArgs(plan)).to.include(env);
    expect(runArgs(planFrom(defaults), files)).to.include(
      "--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=2",
    );
  });

  it("least privilege: the aggregator reads only, the namespace exists beforehand, e2e runs from generated files", () => {
    const { plan } = leastPrivileged(planFrom({ ...defaults, quick: true }), () => {});
    expect(plan).to.include({
      aggregatorPermissions: "clusterRead",
      scsServiceAccount: SCS_PLUGIN_SERVICE_ACCOUNT,
      e2eServiceAccount: E2E_SERVICE_ACCOUNT,
    });
    const args = runArgs(plan, { ...files, conformancePlugin: "/o/plugins/e2e.yaml" });
    expect(args).to.include("--aggregator-permissions=clusterRead");
    expect(args).to.include("--skip-preflight=existingnamespace");
    expect(args.filter((a) => a.startsWith("--plugin="))).to.deep.equal([
      "--plugin=/o/plugins/e2e.yaml",
      "--plugin=/o/plugins/e2e-netpol.yaml@e2e-netpol",
      "--plugin=/o/plugins/scs.yaml",
    ]);
    // Seen on the lab: without them Sonobuoy gave the generated e2e plugin its default mode's selection
    // (all of [Conformance] minus [Disruptive]), whatever the file said: a quick run became a full one.
    expect(args).to.include(`--e2e-focus=${QUICK_CONFORMANCE_FOCUS}`);
    expect(args).to.include("--e2e-skip=");
    const full = runArgs({ ...plan, quick: false }, { ...files, conformancePlugin: "/o/plugins/e2e.yaml" });
    expect(full).to.include("--mode=certified-conformance");
    expect(
      full.some((a) => a.startsWith("--e2e-focus") || a.startsWith("--kube-conformance-image")),
    ).to.equal(false);
    const gen = conformanceGenArgs(plan);
    expect(gen).to.include(`--e2e-focus=${QUICK_CONFORMANCE_FOCUS}`);
    expect(conformanceGenArgs({ ...plan, quick: false })).to.include("--mode=certified-conformance");
    expect(gen).to.include("--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=2");
    const noE2e: CertRunPlan = leastPrivileged(planFrom({ ...defaults, e2e: false }), () => {}).plan;
    expect(noE2e.e2eServiceAccount).to.equal(undefined);
  });

  it("least privilege: the scs plugin's account gets exactly the suite's rules, under Sonobuoy's labels", () => {
    const checks = [
      {
        id: "scs-9999-v1/x",
        standard: "scs-9999-v1",
        title: "x",
        labels: [],
        scope: "cluster",
        rbac: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }],
        timeout: { name: "x", ms: 1 },
        run: async () => ({ verdict: "pass", reason: "" }),
      },
    ] as unknown as CheckDefinition[];
    const objects = leastPrivilegeObjects("sonobuoy", checks, false) as Array<
      KubernetesObject & { rules?: unknown[]; subjects?: unknown[]; roleRef?: { name: string } }
    >;
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).to.deep.equal([
      "Namespace/sonobuoy",
      `ServiceAccount/${SCS_PLUGIN_SERVICE_ACCOUNT}`,
      "ClusterRole/scs-kaas-sonobuoy",
      "ClusterRoleBinding/scs-kaas-sonobuoy",
      `Role/${SCS_PLUGIN_SERVICE_ACCOUNT}-worker`,
      `RoleBinding/${SCS_PLUGIN_SERVICE_ACCOUNT}-worker`,
    ]);
    for (const o of objects)
      expect(o.metadata?.labels).to.include({ component: "sonobuoy", namespace: "sonobuoy" });
    expect(objects[2]?.rules).to.deep.equal(requiredRules(checks));
    expect(objects[2]?.rules).to.deep.include({ apiGroups: [""], resources: ["nodes"], verbs: ["list"] });
    expect(objects[3]?.subjects).to.deep.equal([
      { kind: "ServiceAccount", name: SCS_PLUGIN_SERVICE_ACCOUNT, namespace: "sonobuoy" },
    ]);
    const disruptive = [
      ...checks,
      {
        ...checks[0],
        id: "scs-9999-v1/roll",
        labels: ["[Disruptive]"],
        rbac: [{ apiGroups: [""], resources: ["nodes"], verbs: ["patch"] }],
      },
    ] as unknown as CheckDefinition[];
    expect(
      leastPrivilegeObjects("sonobuoy", disruptive, false).some((o) =>
        /disruptive/.test(o.metadata?.name ?? ""),
      ),
    ).to.equal(false, "the disruptive role is bound only when disruptive checks run");
    const withDisruptive = leastPrivilegeObjects("sonobuoy", disruptive, false, true) as typeof objects;
    const role = withDisruptive.find(
      (o) => o.kind === "ClusterRole" && o.metadata?.name === "scs-kaas-sonobuoy-disruptive",
    );
    expect(role?.rules).to.deep.equal([{ apiGroups: [""], resources: ["nodes"], verbs: ["patch"] }]);
    const withE2e = leastPrivilegeObjects("sonobuoy", checks, true);
    const binding = withE2e.at(-1) as KubernetesObject & { roleRef?: { name: string } };
    expect(binding.roleRef?.name).to.equal("cluster-admin");
    expect(
      withE2e.some((o) => o.kind === "ServiceAccount" && o.metadata?.name === E2E_SERVICE_ACCOUNT),
    ).to.equal(true);
  });

  it("lets the scs plugin read exactly the Secrets its *-token-secret options name, in their namespaces", () => {
    const secrets = referencedSecrets({
      "lb-prober-token-secret": "kube-system/scs-lab-lb-prober",
      "node-action-token-secret": "ops/webhook/bearer",
      "lb-prober-url": "http://198.19.0.2:8199/",
      "x-token-secret": "not-a-reference",
    });
    expect(secrets).to.deep.equal([
      { namespace: "kube-system", name: "scs-lab-lb-prober", key: "token" },
      { namespace: "ops", name: "webhook", key: "bearer" },
    ]);
    const objects = leastPrivilegeObjects("sonobuoy", [], false, false, secrets) as Array<
      KubernetesObject & { rules?: unknown[]; subjects?: unknown[] }
    >;
    const roles = objects.filter((o) => o.kind === "Role" && o.metadata?.namespace !== "sonobuoy");
    expect(roles.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`)).to.deep.equal([
      "kube-system/scs-kaas-sonobuoy-read-scs-lab-lb-prober",
      "ops/scs-kaas-sonobuoy-read-webhook",
    ]);
    expect(roles[0]?.rules).to.deep.equal([
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["scs-lab-lb-prober"], verbs: ["get"] },
    ]);
    const binding = objects.find((o) => o.kind === "RoleBinding" && o.metadata?.namespace === "ops");
    expect(binding?.subjects).to.deep.equal([
      { kind: "ServiceAccount", name: SCS_PLUGIN_SERVICE_ACCOUNT, namespace: "sonobuoy" },
    ]);
  });
});

describe("scs-kaas sonobuoy: the scs plugin definition", () => {
  it("carries --focus, --skip, --enable-disruptive, --reference-date, --parallel and --option into the config-map", () => {
    const doc = parse(
      scsPluginYaml({
        focus: "scs-0214",
        skip: "Slow",
        enableDisruptive: true,
        referenceDate: "2026-11-21",
        parallel: 3,
        options: { "release-data": "/data.json" },
      }),
    );
    expect(doc["config-map"]).to.include({
      focus: "scs-0214",
      skip: "Slow",
      "reference-date": "2026-11-21",
      "enable-disruptive": "true",
      parallel: "3",
      "release-data": "/data.json",
    });
    expect(doc["sonobuoy-config"]["plugin-name"]).to.equal("scs");
    expect(doc.podSpec.serviceAccountName).to.equal("sonobuoy-serviceaccount");
  });

  it("runs the pod as another service account when asked (least privilege)", () => {
    const doc = parse(scsPluginYaml({ enableDisruptive: false, options: {} }, "scs-kaas-plugin"));
    expect(doc.podSpec.serviceAccountName).to.equal("scs-kaas-plugin");
    expect(doc["config-map"]["enable-disruptive"]).to.equal("false");
  });

  it("refuses options that have their own flag or cannot be config-map keys", () => {
    expect(() => scsPluginYaml({ enableDisruptive: false, options: { focus: "x" } })).to.throw(/own flag/);
    expect(() => scsPluginYaml({ enableDisruptive: false, options: { "a/b": "x" } })).to.throw(
      /config-map key/,
    );
  });

  it("accepts only an e2e plugin from sonobuoy gen", () => {
    expect(() => checkGeneratedE2e("sonobuoy-config:\n  plugin-name: scs\nspec:\n  image: x\n")).to.throw(
      /no e2e plugin definition/,
    );
    const ok = "sonobuoy-config:\n  plugin-name: e2e\nspec:\n  image: registry.k8s.io/conformance:v1.36.5\n";
    expect(checkGeneratedE2e(ok)).to.equal(ok);
    expect(() => checkGeneratedE2e(ok, "sonobuoy-e2e")).to.throw(/no podSpec/);
    const withPod = `${ok}podSpec:\n  serviceAccountName: sonobuoy-serviceaccount\n`;
    expect(parse(checkGeneratedE2e(withPod, "sonobuoy-e2e")).podSpec.serviceAccountName).to.equal(
      "sonobuoy-e2e",
    );
    expect(SCS_PLUGIN_FILE).to.match(/\/sonobuoy\.yaml$/);
  });
});

describe("scs-kaas sonobuoy: progress from sonobuoy status --json", () => {
  it("while running: the plugins' own progress (passed, failed, remaining)", () => {
    const s = parseStatus(
      JSON.stringify({
        plugins: [
          {
            plugin: "e2e",
            node: "global",
            status: "running",
            "result-status": "",
            "result-counts": null,
            progress: {
              name: "e2e",
              node: "global",
              msg: "PASSED [sig-node] Pods ...",
              total: 400,
              completed: 12,
              failures: ["[sig-x] y"],
            },
          },
          {
            plugin: "e2e-netpol",
            node: "global",
            status: "running",
            "result-status": "",
            "result-counts": null,
          },
          {
            plugin: "scs",
            node: "global",
            status: "running",
            "result-status": "",
            progress: { msg: "running 2 checks", total: 2, completed: 0, errors: ["x: boom"] },
          },
        ],
        status: "running",
      }),
    );
    expect(s.finished).to.equal(false);
    expect(s.plugins[0]).to.include({ plugin: "e2e", passed: 12, failed: 1, remaining: 387, total: 400 });
    expect(s.plugins[1]?.remaining).to.equal(undefined);
    expect(s.plugins[2]).to.include({ passed: 0, failed: 0, remaining: 2, errors: 1 });
    const lines = progressLines(s);
    expect(lines[0]).to.equal(
      "e2e         running  12 passed, 1 failed, 387 remaining  PASSED [sig-node] Pods ...",
    );
    expect(lines[1]).to.equal("e2e-netpol  running  0 passed, 0 failed, remaining unknown");
  });

  it("once complete: Sonobuoy's result counts", () => {
    const s = parseStatus(
      JSON.stringify({
        plugins: [
          {
            plugin: "scs",
            node: "global",
            status: "complete",
            "result-status": "passed",
            "result-counts": { passed: 2, skipped: 1 },
            progress: { total: 3, completed: 3 },
          },
        ],
        status: "complete",
        "tar-info": { name: "x.tar.gz" },
      }),
    );
    expect(s.finished).to.equal(true);
    expect(s.plugins[0]).to.include({ passed: 2, failed: 0, remaining: 0, total: 3 });
    expect(progressLines(s)[0]).to.equal("scs  complete (passed)  2 passed, 0 failed, 0 remaining");
  });

  it("says so when sonobuoy printed no JSON", () => {
    expect(() => parseStatus("error: pod has status Pending")).to.throw(/printed no JSON/);
    expect(parseStatus('{"status":"failed","plugins":null}').finished).to.equal(true);
  });
});

describe("scs-kaas sonobuoy: the sonobuoy binary", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "scs-sonobuoy-bin-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("is found on PATH or given; missing, it says what to install and which versions were tested", () => {
    const dir = join(tmp, "bin");
    mkdirSync(dir);
    writeFileSync(join(dir, "sonobuoy"), "#!/bin/sh\n", { mode: 0o755 });
    expect(findSonobuoy(undefined, { PATH: `/nonexistent:${dir}` })).to.equal(join(dir, "sonobuoy"));
    expect(() => findSonobuoy(undefined, { PATH: "/nonexistent" }))
      .to.throw(SonobuoyMissing)
      .with.property("message")
      .that.matches(/no `sonobuoy` on PATH.*tested with v0\.57\.5.*--sonobuoy PATH/);
    writeFileSync(join(tmp, "plain"), "", { mode: 0o644 });
    expect(() => findSonobuoy(join(tmp, "plain"), {})).to.throw(/no executable file/);
  });
});
