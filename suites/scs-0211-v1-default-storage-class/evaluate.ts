/**
 * scs-0211-v1 default StorageClass, judged from API objects alone (pure; check.ts reads the objects).
 * See README.md in this folder for the rules.
 */
import type { V1PersistentVolume, V1StorageClass } from "@kubernetes/client-node";

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** Still honoured by the DefaultStorageClass admission plugin. */
export const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
export const HOSTNAME_LABEL = "kubernetes.io/hostname";
const ZONE_LABELS = [
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
];

export function isDefaultClass(sc: V1StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}

export type DefaultClassChoice =
  | { ok: true; storageClass: V1StorageClass; details: string[] }
  | { ok: false; reason: string; details: string[] };

/** Exactly one default class, or the reason why not (none; several, named). */
export function chooseDefaultClass(classes: readonly V1StorageClass[]): DefaultClassChoice {
  const names = classes.map((c) => c.metadata?.name ?? "?").sort();
  const details = [`storage classes: ${names.join(", ") || "none"}`];
  const defaults = classes.filter(isDefaultClass);
  if (defaults.length === 0) {
    return {
      ok: false,
      reason: `no default StorageClass: none of the ${classes.length} classes carries ${DEFAULT_CLASS_ANNOTATION}="true"`,
      details,
    };
  }
  if (defaults.length > 1) {
    const named = defaults
      .map((c) => `${c.metadata?.name} (${c.provisioner}, created ${isoTime(c.metadata?.creationTimestamp)})`)
      .sort();
    return {
      ok: false,
      reason: `${defaults.length} default StorageClasses: ${named.join(", ")}; which one a claim without a class gets is then an accident of creation time`,
      details,
    };
  }
  const sc = defaults[0] as V1StorageClass;
  details.push(
    `default class ${sc.metadata?.name}: provisioner ${sc.provisioner}, volumeBindingMode ${sc.volumeBindingMode ?? "Immediate"}, reclaimPolicy ${sc.reclaimPolicy ?? "Delete"}`,
  );
  return { ok: true, storageClass: sc, details };
}

function isoTime(t: Date | string | undefined): string {
  if (!t) return "?";
  return (t instanceof Date ? t : new Date(t)).toISOString();
}

/** Where a volume can be used, as far as its PV says. */
export interface Locality {
  /** True when the volume lives on (or is pinned to) named nodes and dies with them. */
  nodeLocal: boolean;
  /** The nodes it is pinned to (by hostname or metadata.name), when it is. */
  pinnedTo: string[];
  /** One line: what the PV says and why that is or is not node-local. */
  reason: string;
  /** Not a violation by itself, but worth saying (e.g. hostPath without node affinity). */
  warnings: string[];
}

/** The volume source kind of a PV, e.g. `csi (driver x)`, `hostPath /p`, `local /p`, `nfs`. */
export function volumeSource(pv: V1PersistentVolume): string {
  const s = pv.spec ?? {};
  if (s.csi) return `csi (driver ${s.csi.driver}, handle ${s.csi.volumeHandle})`;
  if (s.hostPath) return `hostPath ${s.hostPath.path}`;
  if (s.local) return `local ${s.local.path}`;
  const other = Object.keys(s).find(
    (k) =>
      ![
        "accessModes",
        "capacity",
        "claimRef",
        "mountOptions",
        "nodeAffinity",
        "persistentVolumeReclaimPolicy",
        "storageClassName",
        "volumeMode",
        "volumeAttributesClassName",
      ].includes(k),
  );
  return other ?? "unknown source";
}

/** The node names each required term pins to, or undefined for a term that admits nodes by other labels. */
function termHosts(term: {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
  matchFields?: { key: string; operator: string; values?: string[] }[];
}): string[] | undefined {
  const reqs = [
    ...(term.matchExpressions ?? []).map((r) => ({ ...r, field: false })),
    ...(term.matchFields ?? []).map((r) => ({ ...r, field: true })),
  ];
  const pins = reqs.filter(
    (r) =>
      r.operator === "In" &&
      ((r.field && r.key === "metadata.name") || (!r.field && r.key === HOSTNAME_LABEL)),
  );
  if (pins.length === 0) return undefined;
  return [...new Set(pins.flatMap((p) => p.values ?? []))];
}

/**
 * Whether the PV is bound to the lifecycle of nodes: a `local` volume always is; any volume whose required
 * node affinity admits only named nodes (kubernetes.io/hostname or metadata.name in every term) is; zone or
 * region affinity is not (the volume follows the pod within the zone). A hostPath volume without node
 * affinity cannot be judged from the PV: it is durable only when the path is a filesystem shared by every
 * node (local-path-provisioner's sharedFileSystemPath), which only the durability checks show.
 */
export function judgeLocality(pv: V1PersistentVolume): Locality {
  const source = volumeSource(pv);
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const perTerm = terms.map(termHosts);
  const pinnedTo =
    terms.length > 0 && perTerm.every((h) => h !== undefined) ? [...new Set(perTerm.flat() as string[])] : [];
  const keys = [
    ...new Set(
      terms.flatMap((t) => [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])].map((r) => r.key)),
    ),
  ];
  if (pinnedTo.length > 0) {
    return {
      nodeLocal: true,
      pinnedTo,
      reason: `volume ${pv.metadata?.name} (${source}) is pinned by node affinity to node ${pinnedTo.join(", ")}: it cannot follow a pod to another node and is lost with that node`,
      warnings: [],
    };
  }
  if (pv.spec?.local) {
    return {
      nodeLocal: true,
      pinnedTo: [],
      reason: `volume ${pv.metadata?.name} is a local volume (${source}): a disk of one node`,
      warnings: [],
    };
  }
  const affinity = keys.length
    ? `node affinity on ${keys.join(", ")}${keys.every((k) => ZONE_LABELS.includes(k)) ? " (zone/region: fine)" : ""}`
    : "no node affinity";
  const warnings: string[] = [];
  if (pv.spec?.hostPath && terms.length === 0) {
    warnings.push(
      `volume ${pv.metadata?.name} is a hostPath volume (${pv.spec.hostPath.path}) without node affinity: durable only if that path is a filesystem shared by every node; the durability checks (scs-0211-v1/durability-*) show whether it is`,
    );
  }
  return {
    nodeLocal: false,
    pinnedTo: [],
    reason: `volume ${pv.metadata?.name}: ${source}, ${affinity}`,
    warnings,
  };
}
