import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type CaseSpec, definitionJson, e2eLog, junitXml, type TarEntrySpec } from "./build-tarball.ts";

export const EXCUSABLE =
  "[sig-network] HostPort validates that there is no conflict between pods with same hostPort but different hostIP and protocol [LinuxOnly] [Conformance]";

/** The fixtures' cluster and e2e image version. */
export const FIXTURE_VERSION = "v1.36.5";

/** Spec names read straight from the bundled upstream lists (data/e2e-lists, see its README). */
export function upstreamSpecs(kind: "conformance" | "networkpolicy", minor: string): string[] {
  const file = fileURLToPath(new URL(`../data/e2e-lists/${kind}-v${minor}.txt.gz`, import.meta.url));
  return gunzipSync(readFileSync(file))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim());
}

export interface FixtureOptions {
  /** Extra cases, or replacements of listed specs with the same name (e.g. one marked skipped). */
  conformanceFailures?: CaseSpec[];
  networkingFailures?: CaseSpec[];
  scsCases?: CaseSpec[];
  omitNetworking?: boolean;
  /** Make the conformance e2e.log tally disagree with the junit. */
  badTally?: boolean;
  /** serverversion.json's gitVersion (default FIXTURE_VERSION); null leaves serverversion.json out. */
  clusterVersion?: string | null;
  /** The conformance/NetworkPolicy plugins' image (default registry.k8s.io/conformance:<clusterVersion>). */
  e2eImage?: string;
  /** The conformance specs the run holds (default: every spec of the cluster minor's upstream list). */
  conformanceSpecs?: string[];
  /** The NetworkPolicy specs the run holds (default: every one of the minor's upstream list). */
  networkPolicySpecs?: string[];
  /** Extra env of the conformance / NetworkPolicy plugin definitions. */
  conformanceEnv?: Record<string, string>;
  networkingEnv?: Record<string, string>;
  /** Suite-level junit properties of the conformance / NetworkPolicy junit (ginkgo writes SuiteSucceeded, DryRun...). */
  conformanceSuiteProps?: Record<string, string>;
  networkingSuiteProps?: Record<string, string>;
  /** Replace the conformance e2e.log. */
  conformanceLog?: string;
  /** Write names as ginkgo v2 does (`[It] ` prefix; default true). */
  itPrefix?: boolean;
}

function merge(listed: string[], overrides: CaseSpec[], prefix: string, time: number): CaseSpec[] {
  const byName = new Map(overrides.map((c) => [c.name.replace(/^\[It\] /, ""), c]));
  const out: CaseSpec[] = listed.map((name) => {
    const o = byName.get(name);
    byName.delete(name);
    return o ? { ...o, name: `${prefix}${name}` } : { name: `${prefix}${name}`, time };
  });
  for (const o of byName.values()) out.push(o);
  return out;
}

/**
 * A results tarball of three plugins with names that say nothing about what they ran ("alpha", "beta",
 * "gamma"): a complete conformance run and a complete NetworkPolicy run of the cluster's minor (spec
 * names from the bundled upstream lists), and this suite's own `scs` plugin.
 */
export function fixtureEntries(o: FixtureOptions = {}): TarEntrySpec[] {
  const version = o.clusterVersion === undefined ? FIXTURE_VERSION : o.clusterVersion;
  const minor = /^v?(\d+\.\d+)/.exec(version ?? FIXTURE_VERSION)?.[1] ?? "1.36";
  const image = o.e2eImage ?? `registry.k8s.io/conformance:${version ?? FIXTURE_VERSION}`;
  const prefix = o.itPrefix === false ? "" : "[It] ";
  const conf: CaseSpec[] = merge(
    o.conformanceSpecs ?? upstreamSpecs("conformance", minor),
    [
      { name: EXCUSABLE, status: "failed", message: "no InternalIP" },
      {
        name: "[sig-storage] In-tree Volumes [Driver: gcepd] volumes should be mountable",
        status: "skipped",
      },
      ...(o.conformanceFailures ?? []),
    ],
    prefix,
    2,
  );
  const net: CaseSpec[] = merge(
    o.networkPolicySpecs ?? upstreamSpecs("networkpolicy", minor),
    [
      { name: "[sig-network] DNS should provide DNS for services", status: "skipped" },
      ...(o.networkingFailures ?? []),
    ],
    prefix,
    30,
  );
  const scs: CaseSpec[] = o.scsCases ?? [
    {
      name: "[scs-0210-v2] version-policy-check: the cluster runs a supported version",
      props: {
        "scs.check-id": "version-policy",
        "scs.test-id": "version-policy-check",
        "scs.standard": "scs-0210-v2",
        "scs.verdict": "pass",
        "scs.scope": "cluster",
      },
      time: 2,
    },
  ];
  const tally = (cases: CaseSpec[], bad = false) => {
    const failed = cases.filter((c) => c.status === "failed" || c.status === "error").length;
    const skipped = cases.filter((c) => c.status === "skipped").length;
    const passed = cases.length - failed - skipped;
    return { ran: passed + failed, total: cases.length, passed: bad ? passed + 1 : passed, failed, skipped };
  };
  const entries: TarEntrySpec[] = [];
  if (version !== null)
    entries.push({
      name: "serverversion.json",
      content: JSON.stringify({
        major: "1",
        minor: minor.split(".")[1],
        gitVersion: version,
        platform: "linux/amd64",
      }),
    });
  entries.push(
    {
      name: "resources/cluster/Nodes.json",
      content: JSON.stringify({
        items: ["a", "b", "c"].map((z, i) => ({
          metadata: {
            name: `node-${i}`,
            labels: {
              "topology.kubernetes.io/zone": `zone-${z}`,
              "topology.kubernetes.io/region": "r1",
              ...(i === 0 ? { "node-role.kubernetes.io/control-plane": "" } : {}),
            },
          },
          status: { nodeInfo: { kubeletVersion: version ?? FIXTURE_VERSION } },
        })),
      }),
    },
    {
      name: "plugins/alpha/definition.json",
      content: definitionJson({
        name: "alpha",
        focus: "\\[Conformance\\]",
        image,
        ...(o.conformanceEnv ? { env: o.conformanceEnv } : {}),
      }),
    },
    {
      name: "plugins/alpha/results/global/junit_01.xml",
      content: junitXml(conf, "Kubernetes e2e suite", o.conformanceSuiteProps),
    },
    {
      name: "plugins/alpha/results/global/e2e.log",
      content: o.conformanceLog ?? e2eLog(tally(conf, o.badTally)),
    },
    { name: "plugins/gamma/definition.json", content: definitionJson({ name: "gamma" }) },
    { name: "plugins/gamma/results/global/junit-scs.xml", content: junitXml(scs, "scs-kaas") },
  );
  if (!o.omitNetworking)
    entries.push(
      {
        name: "plugins/beta/definition.json",
        content: definitionJson({
          name: "beta",
          focus: "NetworkPolicy",
          image,
          ...(o.networkingEnv ? { env: o.networkingEnv } : {}),
        }),
      },
      {
        name: "plugins/beta/results/global/junit_01.xml",
        content: junitXml(net, "Kubernetes e2e suite", o.networkingSuiteProps),
      },
      { name: "plugins/beta/results/global/e2e.log", content: e2eLog(tally(net)) },
    );
  return entries;
}
