import type { V1NetworkPolicy, V1NetworkPolicyPort } from "@kubernetes/client-node";
import { DNS_PORT, type LogicalNs, PODS, type TestPods } from "./matrix.ts";

/**
 * The cases: each one a sequence of steps, each step the complete policy set the cluster should hold
 * after it (the check creates what is new and deletes what is gone, then probes). The last step of every
 * case is followed by removing all its policies. Names are what the reason line quotes.
 */
export interface Step {
  /** What the step does, in words. */
  title: string;
  policies: V1NetworkPolicy[];
}

export interface Case {
  id: string;
  title: string;
  /** Whether the case is about egress (the ingress-only failure mode must be caught by one of these). */
  egress: boolean;
  steps: (env: TestPods) => Step[];
}

const policy = (
  env: TestPods,
  ns: LogicalNs,
  name: string,
  spec: NonNullable<V1NetworkPolicy["spec"]>,
): V1NetworkPolicy => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: env.namespaces[ns] },
  spec,
});

const podSel = (env: TestPods, name: (typeof PODS)[number]) => ({ matchLabels: { [env.podLabel]: name } });
const nsSel = (env: TestPods, ...names: LogicalNs[]) =>
  names.length === 1
    ? { matchLabels: { [env.nsLabel]: names[0] as string } }
    : { matchExpressions: [{ key: env.nsLabel, operator: "In", values: names }] };

const DNS_PORTS: V1NetworkPolicyPort[] = [
  { port: DNS_PORT, protocol: "UDP" },
  { port: DNS_PORT, protocol: "TCP" },
];

const denyAllIngress = (env: TestPods) =>
  policy(env, "x", "deny-all-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
const denyAllEgressButDns = (env: TestPods) =>
  policy(env, "x", "deny-all-egress-but-dns", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [{ ports: DNS_PORTS }],
  });
const allowFromY = (env: TestPods) =>
  policy(env, "x", "allow-from-y", {
    podSelector: podSel(env, "a"),
    policyTypes: ["Ingress"],
    ingress: [{ _from: [{ namespaceSelector: nsSel(env, "y") }] }],
  });

// A named port is a string in the API; the client's type says number.
const named = (name: string) => name as unknown as number;

function cidrAll(ip: string): string {
  return ip.includes(":") ? "::/0" : "0.0.0.0/0";
}
const host = (ip: string) => `${ip}/${ip.includes(":") ? 128 : 32}`;

export const CASES: readonly Case[] = [
  {
    id: "default-deny-ingress",
    title: "default-deny ingress in x",
    egress: false,
    steps: (env) => [{ title: "deny all ingress to x", policies: [denyAllIngress(env)] }],
  },
  {
    id: "default-deny-egress-allow-dns",
    title: "default-deny egress in x, DNS (53 UDP/TCP) allowed",
    egress: true,
    steps: (env) => [{ title: "deny all egress from x but DNS", policies: [denyAllEgressButDns(env)] }],
  },
  {
    id: "allow-from-namespace",
    title: "x/a accepts only from namespace y (namespaceSelector)",
    egress: false,
    steps: (env) => [{ title: "x/a: ingress from namespace y", policies: [allowFromY(env)] }],
  },
  {
    id: "pod-and-namespace-selector",
    title: "x/a accepts only from pods b in namespaces y and z (podSelector AND namespaceSelector)",
    egress: false,
    steps: (env) => [
      {
        title: "x/a: ingress from b in y or z",
        policies: [
          policy(env, "x", "allow-from-b-in-y-z", {
            podSelector: podSel(env, "a"),
            policyTypes: ["Ingress"],
            ingress: [
              { _from: [{ namespaceSelector: nsSel(env, "y", "z"), podSelector: podSel(env, "b") }] },
            ],
          }),
        ],
      },
    ],
  },
  {
    id: "ipblock-except",
    title: "x/a accepts from every address except namespace y's pods (ipBlock with except)",
    egress: false,
    steps: (env) => {
      const ys = PODS.map((p) => env.ips[`y/${p}`] ?? "");
      return [
        {
          title: "x/a: ingress from all addresses except y's pods",
          policies: [
            policy(env, "x", "allow-cidr-except-y", {
              podSelector: podSel(env, "a"),
              policyTypes: ["Ingress"],
              ingress: [{ _from: [{ ipBlock: { cidr: cidrAll(ys[0] ?? ""), except: ys.map(host) } }] }],
            }),
          ],
        },
      ];
    },
  },
  {
    id: "egress-to-namespace",
    title: "x/a may only reach namespace y (and DNS)",
    egress: true,
    steps: (env) => [
      {
        title: "x/a: egress to namespace y and DNS only",
        policies: [
          policy(env, "x", "egress-to-y", {
            podSelector: podSel(env, "a"),
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: nsSel(env, "y") }] }, { ports: DNS_PORTS }],
          }),
        ],
      },
    ],
  },
  {
    id: "named-port",
    title: "x accepts only on the named port serve-8081",
    egress: false,
    steps: (env) => [
      {
        title: "x: ingress on port serve-8081 only",
        policies: [
          policy(env, "x", "allow-named-port", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ port: named("serve-8081"), protocol: "TCP" }] }],
          }),
        ],
      },
    ],
  },
  {
    id: "port-range",
    title: "x accepts TCP 8000-8080 only (endPort)",
    egress: false,
    steps: (env) => [
      {
        title: "x: ingress on TCP 8000-8080",
        policies: [
          policy(env, "x", "allow-port-range", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ port: 8000, endPort: 8080, protocol: "TCP" }] }],
          }),
        ],
      },
    ],
  },
  {
    id: "udp",
    title: "x accepts UDP 8080 only",
    egress: false,
    steps: (env) => [
      {
        title: "x: ingress on UDP 8080",
        policies: [
          policy(env, "x", "allow-udp", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ port: 8080, protocol: "UDP" }] }],
          }),
        ],
      },
    ],
  },
  {
    id: "policies-add-up",
    title: "two policies on x/a add up: from namespace y, and from z/c",
    egress: false,
    steps: (env) => [
      {
        title: "x/a: ingress from y, and from z/c",
        policies: [
          allowFromY(env),
          policy(env, "x", "allow-from-z-c", {
            podSelector: podSel(env, "a"),
            policyTypes: ["Ingress"],
            ingress: [{ _from: [{ namespaceSelector: nsSel(env, "z"), podSelector: podSel(env, "c") }] }],
          }),
        ],
      },
    ],
  },
  {
    id: "removal-restores",
    title: "deleting the policies restores connectivity",
    egress: true,
    steps: (env) => [
      {
        title: "deny all ingress to and egress from x",
        policies: [denyAllIngress(env), denyAllEgressButDns(env)],
      },
      { title: "delete both policies", policies: [] },
    ],
  },
];
