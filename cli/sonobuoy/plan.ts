import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

/** The scs plugin's definition shipped with the suite (its config-map is filled per run). */
export const SCS_PLUGIN_FILE = fileURLToPath(new URL("../../sonobuoy.yaml", import.meta.url));

/** The renamed second e2e plugin: the NetworkPolicy run (kaas-networking-check). */
export const NETPOL_PLUGIN = "e2e-netpol";
/** Retries of a failed e2e spec before it counts as failed: what SCS certification uses (scs-0201-v1). */
export const SCS_FLAKE_ATTEMPTS = 2;
export const NETPOL_FOCUS = "NetworkPolicy";
/** `--quick`: one conformance spec and one NetworkPolicy spec; a smoke run that can never certify. */
export const QUICK_CONFORMANCE_FOCUS = "Pods should support remote command execution over websockets";
export const QUICK_NETPOL_FOCUS =
  "Netpol NetworkPolicy between server and client should support a 'default-deny-ingress' policy";

export interface Images {
  /** Sonobuoy's aggregator and worker (`--sonobuoy-image`). */
  sonobuoy?: string;
  /** The upstream conformance image for both e2e plugins. */
  conformance?: string;
  /** The scs plugin's image. */
  scs?: string;
  /** A registry for the e2e tests' own images (`--e2e-repo`). */
  e2eRepo?: string;
  /** A KUBE_TEST_REPO_LIST file (`--e2e-repo-config`). */
  e2eRepoConfig?: string;
  pullPolicy?: "Always" | "IfNotPresent" | "Never";
}

export interface CertRunPlan {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  /** The two e2e plugins (conformance, NetworkPolicy); false = the scs plugin alone. */
  e2e: boolean;
  scs: boolean;
  quick: boolean;
  /** Overrides the conformance plugin's focus (not certifying either, unless it is `\[Conformance\]`). */
  conformanceFocus?: string;
  netpolFocus?: string;
  flakeAttempts: number;
  /**
   * Ginkgo processes for the e2e plugins (`--procs`); absent: one, as certification runs. Specs marked
   * [Serial] still run alone, after the others (Ginkgo's Serial decorator), so the set that runs is the same.
   */
  e2eProcs?: number;
  scsConfig: ScsConfig;
  images: Images;
  /** Sonobuoy's aggregator timeout, seconds. */
  timeoutSeconds: number;
  /** `--aggregator-permissions` (Sonobuoy's default: clusterAdmin). */
  aggregatorPermissions?: "clusterAdmin" | "clusterRead" | "namespaceAdmin";
  /** The scs plugin's pod runs as this service account instead of Sonobuoy's. */
  scsServiceAccount?: string;
  /**
   * The e2e plugins' pods run as this service account instead of Sonobuoy's (whose rights are reduced):
   * both definitions are then generated, the conformance one too.
   */
  e2eServiceAccount?: string;
}

export interface ScsConfig {
  focus?: string;
  skip?: string;
  enableDisruptive: boolean;
  referenceDate?: string;
  parallel?: number;
  /** Options for the checks (`--option K=V`), config-map keys beside the reserved ones. */
  options: Record<string, string>;
}

const RESERVED_KEYS = ["focus", "skip", "reference-date", "enable-disruptive", "parallel"];

/** The e2e plugins' extra Ginkgo arguments: SCS's flake attempts, and parallel processes when asked. */
function ginkgoArgsEnv(plan: Pick<CertRunPlan, "flakeAttempts" | "e2eProcs">): string {
  const procs = plan.e2eProcs && plan.e2eProcs > 1 ? ` --procs=${plan.e2eProcs}` : "";
  return `--plugin-env=e2e.E2E_EXTRA_GINKGO_ARGS=--flake-attempts=${plan.flakeAttempts}${procs}`;
}

/** Arguments for `sonobuoy gen plugin e2e` that produce the NetworkPolicy plugin's definition. */
export function netpolGenArgs(plan: CertRunPlan): string[] {
  const focus = plan.netpolFocus ?? (plan.quick ? QUICK_NETPOL_FOCUS : NETPOL_FOCUS);
  return genE2eArgs(plan, [`--e2e-focus=${focus}`, "--e2e-skip="]);
}

/** Arguments for `sonobuoy gen plugin e2e` that produce the conformance plugin's definition. */
export function conformanceGenArgs(plan: CertRunPlan): string[] {
  return genE2eArgs(plan, conformanceSelection(conformanceFocusOf(plan)));
}

function genE2eArgs(plan: CertRunPlan, selection: string[]): string[] {
  return [
    "gen",
    "plugin",
    "e2e",
    ...kubeArgs(plan),
    `--namespace=${plan.namespace}`,
    ...selection,
    ginkgoArgsEnv(plan),
    ...e2eImageArgs(plan.images),
  ];
}

/** The conformance plugin's focus: the one asked for, `--quick`'s spec, or none (certified-conformance). */
function conformanceFocusOf(plan: CertRunPlan): string | undefined {
  return plan.conformanceFocus ?? (plan.quick ? QUICK_CONFORMANCE_FOCUS : undefined);
}

/**
 * certified-conformance (every [Conformance] spec, none skipped), or a narrower focus without a skip:
 * Sonobuoy refuses --mode together with --e2e-focus.
 */
function conformanceSelection(focus: string | undefined): string[] {
  return focus ? [`--e2e-focus=${focus}`, "--e2e-skip="] : ["--mode=certified-conformance"];
}

export interface PluginFiles {
  scsPlugin?: string;
  netpolPlugin?: string;
  /** A generated conformance definition (least privilege); absent: Sonobuoy's built-in e2e. */
  conformancePlugin?: string;
}

/** Arguments for `sonobuoy run` (no --wait: the command polls the status itself). */
export function runArgs(plan: CertRunPlan, files: PluginFiles): string[] {
  if (!plan.e2e && !plan.scs) throw new Error("nothing to run: neither the e2e plugins nor the scs plugin");
  if (plan.e2e && !files.netpolPlugin) throw new Error("the e2e-netpol plugin definition is missing");
  if (plan.scs && !files.scsPlugin) throw new Error("the scs plugin definition is missing");
  const img = plan.images;
  return [
    "run",
    ...kubeArgs(plan),
    `--namespace=${plan.namespace}`,
    // Sonobuoy sets the selection of any plugin named e2e from these flags (or from its default mode,
    // non-disruptive-conformance, when none is given), a generated definition's own env notwithstanding.
    ...(plan.e2e
      ? [
          `--plugin=${files.conformancePlugin ?? "e2e"}`,
          ...conformanceSelection(conformanceFocusOf(plan)),
          ginkgoArgsEnv(plan),
          ...(files.conformancePlugin ? [] : e2eImageArgs({ ...img, pullPolicy: undefined })),
        ]
      : []),
    ...(plan.e2e ? [`--plugin=${files.netpolPlugin}@${NETPOL_PLUGIN}`] : []),
    ...(plan.scs ? [`--plugin=${files.scsPlugin}`] : []),
    ...(plan.scs && img.scs ? [`--plugin-image=scs:${img.scs}`] : []),
    ...(img.sonobuoy ? [`--sonobuoy-image=${img.sonobuoy}`] : []),
    ...(img.pullPolicy ? [`--image-pull-policy=${img.pullPolicy}`] : []),
    ...(plan.aggregatorPermissions ? [`--aggregator-permissions=${plan.aggregatorPermissions}`] : []),
    // Below clusterAdmin Sonobuoy does not create its namespace: it was made beforehand, on purpose.
    ...(plan.aggregatorPermissions && plan.aggregatorPermissions !== "clusterAdmin"
      ? ["--skip-preflight=existingnamespace"]
      : []),
    `--timeout=${plan.timeoutSeconds}`,
    "--wait=0",
  ];
}

function e2eImageArgs(img: Images): string[] {
  return [
    ...(img.conformance ? [`--kube-conformance-image=${img.conformance}`] : []),
    ...(img.e2eRepo ? [`--e2e-repo=${img.e2eRepo}`] : []),
    ...(img.e2eRepoConfig ? [`--e2e-repo-config=${img.e2eRepoConfig}`] : []),
    ...(img.pullPolicy ? [`--image-pull-policy=${img.pullPolicy}`] : []),
  ];
}

export function kubeArgs(plan: Pick<CertRunPlan, "kubeconfig" | "context">): string[] {
  return [
    ...(plan.kubeconfig ? [`--kubeconfig=${plan.kubeconfig}`] : []),
    ...(plan.context ? [`--context=${plan.context}`] : []),
  ];
}

/**
 * The scs plugin's definition for this run: sonobuoy.yaml with the config-map filled from the command
 * line (so the options reach the checks exactly as in `scs-kaas run`), and the pod's service account
 * replaced when the plugin runs least-privileged.
 */
export function scsPluginYaml(config: ScsConfig, serviceAccount?: string, base = SCS_PLUGIN_FILE): string {
  for (const key of Object.keys(config.options)) {
    if (RESERVED_KEYS.includes(key))
      throw new Error(`--option ${key}=...: ${key} has its own flag (--${key})`);
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new Error(`--option ${key}: not a valid config-map key`);
  }
  const doc = parse(readFileSync(base, "utf8")) as {
    "config-map"?: Record<string, string>;
    podSpec?: { serviceAccountName?: string };
  };
  doc["config-map"] = {
    ...doc["config-map"],
    focus: config.focus ?? "",
    skip: config.skip ?? "",
    "reference-date": config.referenceDate ?? "",
    "enable-disruptive": String(config.enableDisruptive),
    ...(config.parallel ? { parallel: String(config.parallel) } : {}),
    ...config.options,
  };
  if (serviceAccount) {
    if (!doc.podSpec) throw new Error(`${base} has no podSpec to set the service account in`);
    doc.podSpec.serviceAccountName = serviceAccount;
  }
  return stringify(doc);
}

/**
 * The e2e definition `sonobuoy gen plugin e2e` printed, checked to be one (the NetworkPolicy one is
 * renamed when run); its pod's service account replaced when asked.
 */
export function checkGeneratedE2e(text: string, serviceAccount?: string): string {
  const doc = parse(text) as {
    "sonobuoy-config"?: { "plugin-name"?: string };
    spec?: { image?: string };
    podSpec?: { serviceAccountName?: string };
  };
  if (doc?.["sonobuoy-config"]?.["plugin-name"] !== "e2e" || !doc.spec?.image)
    throw new Error(`\`sonobuoy gen plugin e2e\` printed no e2e plugin definition:\n${text.slice(0, 500)}`);
  if (!serviceAccount) return text;
  if (!doc.podSpec)
    throw new Error("`sonobuoy gen plugin e2e` printed no podSpec to set the service account in");
  doc.podSpec.serviceAccountName = serviceAccount;
  return stringify(doc);
}
