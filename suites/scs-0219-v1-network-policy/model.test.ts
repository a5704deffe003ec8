import type { V1NetworkPolicy } from "@kubernetes/client-node";
import { expect } from "chai";
import {
  type ClusterModel,
  type Connection,
  decide,
  explain,
  inIpBlock,
  type ModelPod,
  policyTypes,
  selectorMatches,
} from "./model.ts";

// Cases follow the Kubernetes documentation, concepts/services-networking/network-policies.
const PORTS = [
  { name: "serve-80", port: 80, protocol: "TCP" as const },
  { name: "serve-81", port: 81, protocol: "TCP" as const },
  { name: "serve-udp", port: 80, protocol: "UDP" as const },
];
const pod = (namespace: string, name: string, ip: string): ModelPod => ({
  namespace,
  name,
  ip,
  labels: { pod: name },
  ports: PORTS,
});
const cluster: ClusterModel = {
  namespaces: [
    { name: "x", labels: { ns: "x" } },
    { name: "y", labels: { ns: "y" } },
    { name: "z", labels: { ns: "z" } },
  ],
  pods: [
    pod("x", "a", "10.0.1.1"),
    pod("x", "b", "10.0.1.2"),
    pod("y", "a", "10.0.2.1"),
    pod("y", "b", "10.0.2.2"),
    pod("z", "b", "10.0.3.2"),
  ],
};
const p = (ns: string, name: string) => {
  const found = cluster.pods.find((x) => x.namespace === ns && x.name === name);
  if (!found) throw new Error(`${ns}/${name}`);
  return found;
};
const conn = (from: string, to: string, port = 80, protocol: Connection["protocol"] = "TCP"): Connection => {
  const [fn, fp] = from.split("/") as [string, string];
  const [tn, tp] = to.split("/") as [string, string];
  return { from: p(fn, fp), to: p(tn, tp), port, protocol };
};
const np = (namespace: string, name: string, spec: V1NetworkPolicy["spec"]): V1NetworkPolicy => ({
  metadata: { namespace, name },
  spec: spec ?? { podSelector: {} },
});
const allowed = (policies: V1NetworkPolicy[], c: Connection) => decide(policies, cluster, c).allowed;

describe("scs-0219-v1 NetworkPolicy model", () => {
  it("allows everything when no policy selects either pod (non-isolated pods)", () => {
    expect(allowed([], conn("y/a", "x/a"))).to.equal(true);
    const other = np("z", "deny", { podSelector: {}, policyTypes: ["Ingress"] });
    expect(allowed([other], conn("y/a", "x/a"))).to.equal(true);
  });

  it("default policyTypes: Ingress always, Egress only with egress rules", () => {
    expect(policyTypes(np("x", "a", { podSelector: {} }))).to.deep.equal(["Ingress"]);
    expect(policyTypes(np("x", "a", { podSelector: {}, egress: [{}] }))).to.deep.equal(["Ingress", "Egress"]);
    expect(policyTypes(np("x", "a", { podSelector: {}, policyTypes: ["Egress"] }))).to.deep.equal(["Egress"]);
  });

  it("default-deny ingress isolates every pod of the namespace, in both pod-to-pod directions only for ingress", () => {
    const deny = np("x", "deny-all-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
    expect(allowed([deny], conn("y/a", "x/a"))).to.equal(false);
    expect(allowed([deny], conn("x/b", "x/a"))).to.equal(false);
    expect(allowed([deny], conn("x/a", "y/a"))).to.equal(true); // egress of x is not isolated
    expect(explain(decide([deny], cluster, conn("y/b", "x/a")))).to.match(
      /^policy 'deny-all-ingress' denies it/,
    );
  });

  it("default-deny egress with DNS allowed: only port 53 leaves, to anyone (even an unknown peer)", () => {
    const deny = np("x", "deny-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
      ],
    });
    expect(allowed([deny], conn("x/a", "y/a"))).to.equal(false);
    expect(allowed([deny], conn("y/a", "x/a"))).to.equal(true);
    const dns = decide([deny], cluster, {
      from: p("x", "a"),
      to: { unknown: "cluster DNS" },
      port: 53,
      protocol: "UDP",
    });
    expect(dns).to.include({ allowed: true, uncertain: false });
    const web = decide([deny], cluster, {
      from: p("x", "a"),
      to: { unknown: "cluster DNS" },
      port: 80,
      protocol: "TCP",
    });
    expect(web).to.include({ allowed: false, uncertain: false });
  });

  it("an empty rule allows everything; an empty peer list or port list means all", () => {
    const open = np("x", "open", { podSelector: {}, ingress: [{}] });
    expect(allowed([open], conn("y/a", "x/a", 81))).to.equal(true);
    const udpOnly = np("x", "udp", {
      podSelector: {},
      ingress: [{ _from: [], ports: [{ protocol: "UDP" }] }],
    });
    expect(allowed([udpOnly], conn("y/a", "x/a", 80, "UDP"))).to.equal(true);
    expect(allowed([udpOnly], conn("y/a", "x/a", 80, "TCP"))).to.equal(false);
  });

  it("podSelector alone selects peers in the policy's own namespace only", () => {
    const pol = np("x", "from-b", {
      podSelector: { matchLabels: { pod: "a" } },
      ingress: [{ _from: [{ podSelector: { matchLabels: { pod: "b" } } }] }],
    });
    expect(allowed([pol], conn("x/b", "x/a"))).to.equal(true);
    expect(allowed([pol], conn("y/b", "x/a"))).to.equal(false);
    expect(allowed([pol], conn("y/b", "x/b"))).to.equal(true); // x/b is not selected
  });

  it("namespaceSelector alone selects every pod of the matching namespaces", () => {
    const pol = np("x", "from-y", {
      podSelector: {},
      ingress: [{ _from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }],
    });
    expect(allowed([pol], conn("y/a", "x/a"))).to.equal(true);
    expect(allowed([pol], conn("y/b", "x/a"))).to.equal(true);
    expect(allowed([pol], conn("z/b", "x/a"))).to.equal(false);
    expect(allowed([pol], conn("x/b", "x/a"))).to.equal(false); // own namespace is not implied
  });

  it("namespaceSelector and podSelector in one peer are an AND; in two peers an OR", () => {
    const and = np("x", "and", {
      podSelector: {},
      ingress: [
        {
          _from: [
            { namespaceSelector: { matchLabels: { ns: "y" } }, podSelector: { matchLabels: { pod: "b" } } },
          ],
        },
      ],
    });
    expect(allowed([and], conn("y/b", "x/a"))).to.equal(true);
    expect(allowed([and], conn("y/a", "x/a"))).to.equal(false);
    expect(allowed([and], conn("z/b", "x/a"))).to.equal(false);
    expect(allowed([and], conn("x/b", "x/a"))).to.equal(false);
    const or = np("x", "or", {
      podSelector: {},
      ingress: [
        {
          _from: [
            { namespaceSelector: { matchLabels: { ns: "y" } } },
            { podSelector: { matchLabels: { pod: "b" } } },
          ],
        },
      ],
    });
    expect(allowed([or], conn("y/a", "x/a"))).to.equal(true);
    expect(allowed([or], conn("x/b", "x/a"))).to.equal(true);
    expect(allowed([or], conn("z/b", "x/a"))).to.equal(false);
  });

  it("matches label selector expressions (In, NotIn, Exists, DoesNotExist)", () => {
    expect(
      selectorMatches({ matchExpressions: [{ key: "ns", operator: "In", values: ["y", "z"] }] }, { ns: "z" }),
    ).to.equal(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "ns", operator: "In", values: ["y"] }] }, {}),
    ).to.equal(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "ns", operator: "NotIn", values: ["y"] }] }, {}),
    ).to.equal(true);
    expect(selectorMatches({ matchExpressions: [{ key: "ns", operator: "Exists" }] }, { ns: "" })).to.equal(
      true,
    );
    expect(
      selectorMatches({ matchExpressions: [{ key: "ns", operator: "DoesNotExist" }] }, { ns: "x" }),
    ).to.equal(false);
    expect(selectorMatches({}, {})).to.equal(true);
  });

  it("ipBlock matches the cidr except the excepted ranges, per address family", () => {
    expect(inIpBlock("10.0.2.2", "10.0.0.0/16", ["10.0.2.0/24"])).to.equal(false);
    expect(inIpBlock("10.0.3.2", "10.0.0.0/16", ["10.0.2.0/24"])).to.equal(true);
    expect(inIpBlock("10.0.3.2", "0.0.0.0/0")).to.equal(true);
    expect(inIpBlock("fd00::1", "0.0.0.0/0")).to.equal(false);
    expect(inIpBlock("fd00::1", "::/0", ["fd00::1/128"])).to.equal(false);
    const pol = np("x", "cidr", {
      podSelector: {},
      ingress: [{ _from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.2.0/24"] } }] }],
    });
    expect(allowed([pol], conn("y/b", "x/a"))).to.equal(false);
    expect(allowed([pol], conn("z/b", "x/a"))).to.equal(true);
    expect(allowed([pol], conn("x/b", "x/a"))).to.equal(true);
  });

  it("named ports resolve on the receiving pod, protocol included", () => {
    const pol = np("x", "named", {
      podSelector: {},
      ingress: [{ ports: [{ port: "serve-81" as unknown as number }] }],
    });
    expect(allowed([pol], conn("y/a", "x/a", 81))).to.equal(true);
    expect(allowed([pol], conn("y/a", "x/a", 80))).to.equal(false);
    const udp = np("x", "named-udp", {
      podSelector: {},
      ingress: [{ ports: [{ port: "serve-udp" as unknown as number, protocol: "UDP" }] }],
    });
    expect(allowed([udp], conn("y/a", "x/a", 80, "UDP"))).to.equal(true);
    expect(allowed([udp], conn("y/a", "x/a", 80, "TCP"))).to.equal(false);
    const wrongProtocol = np("x", "named-tcp", {
      podSelector: {},
      ingress: [{ ports: [{ port: "serve-udp" as unknown as number }] }],
    });
    expect(allowed([wrongProtocol], conn("y/a", "x/a", 80, "UDP"))).to.equal(false);
    // Egress named ports resolve on the destination too; to an unknown peer they cannot be decided.
    const eg = np("x", "eg-named", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: "serve-81" as unknown as number }] }],
    });
    expect(allowed([eg], conn("x/a", "y/a", 81))).to.equal(true);
    expect(allowed([eg], conn("x/a", "y/a", 80))).to.equal(false);
    expect(
      decide([eg], cluster, { from: p("x", "a"), to: { unknown: "dns" }, port: 81, protocol: "TCP" })
        .uncertain,
    ).to.equal(true);
  });

  it("endPort makes a port range, inclusive, for the rule's protocol only", () => {
    const pol = np("x", "range", {
      podSelector: {},
      ingress: [{ ports: [{ port: 70, endPort: 80, protocol: "TCP" }] }],
    });
    expect(allowed([pol], conn("y/a", "x/a", 80))).to.equal(true);
    expect(allowed([pol], conn("y/a", "x/a", 70))).to.equal(true);
    expect(allowed([pol], conn("y/a", "x/a", 81))).to.equal(false);
    expect(allowed([pol], conn("y/a", "x/a", 80, "UDP"))).to.equal(false);
  });

  it("UDP rules allow UDP only; protocol defaults to TCP", () => {
    const udp = np("x", "udp", { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: "UDP" }] }] });
    expect(allowed([udp], conn("y/a", "x/a", 80, "UDP"))).to.equal(true);
    expect(allowed([udp], conn("y/a", "x/a", 80, "TCP"))).to.equal(false);
    const tcp = np("x", "tcp", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
    expect(allowed([tcp], conn("y/a", "x/a", 80, "UDP"))).to.equal(false);
  });

  it("several policies add up (union), and explain names every allowing one", () => {
    const fromY = np("x", "allow-from-y", {
      podSelector: { matchLabels: { pod: "a" } },
      ingress: [{ _from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }],
    });
    const fromZb = np("x", "allow-from-z-b", {
      podSelector: { matchLabels: { pod: "a" } },
      ingress: [
        {
          _from: [
            { namespaceSelector: { matchLabels: { ns: "z" } }, podSelector: { matchLabels: { pod: "b" } } },
          ],
        },
      ],
    });
    expect(allowed([fromY], conn("z/b", "x/a"))).to.equal(false);
    expect(allowed([fromY, fromZb], conn("z/b", "x/a"))).to.equal(true);
    expect(allowed([fromY, fromZb], conn("y/a", "x/a"))).to.equal(true);
    expect(allowed([fromY, fromZb], conn("x/b", "x/a"))).to.equal(false);
    expect(explain(decide([fromY, fromZb], cluster, conn("z/b", "x/a")))).to.equal(
      "policy 'allow-from-z-b' allows it (ingress allowed by 'allow-from-z-b')",
    );
  });

  it("a connection needs both egress of the source and ingress of the destination", () => {
    const egressToY = np("x", "egress-to-y", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }],
    });
    const denyY = np("y", "deny-y", { podSelector: {}, policyTypes: ["Ingress"] });
    expect(allowed([egressToY], conn("x/a", "y/a"))).to.equal(true);
    expect(allowed([egressToY], conn("x/a", "z/b"))).to.equal(false);
    expect(allowed([egressToY, denyY], conn("x/a", "y/a"))).to.equal(false);
    expect(explain(decide([egressToY, denyY], cluster, conn("x/a", "y/a")))).to.match(
      /^policy 'deny-y' denies it \(ingress isolated/,
    );
  });

  it("deleting a policy (evaluating the remaining set) restores what it denied", () => {
    const deny = np("x", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(allowed([deny], conn("x/a", "y/a"))).to.equal(false);
    expect(allowed([deny], conn("y/a", "x/a"))).to.equal(false);
    expect(allowed([], conn("x/a", "y/a"))).to.equal(true);
  });

  it("policies in another namespace never select a pod, whatever their podSelector", () => {
    const deny = np("y", "deny", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Ingress"] });
    expect(allowed([deny], conn("z/b", "x/a"))).to.equal(true);
    expect(allowed([deny], conn("z/b", "y/a"))).to.equal(false);
  });

  it("a selector-based rule is uncertain for an unknown peer unless another rule decides", () => {
    const toY = np("x", "to-y", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: {} }] }],
    });
    expect(
      decide([toY], cluster, { from: p("x", "a"), to: { unknown: "dns" }, port: 53, protocol: "UDP" })
        .uncertain,
    ).to.equal(true);
    const plus = np("x", "any-53", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: 53, protocol: "UDP" }] }],
    });
    expect(
      decide([toY, plus], cluster, { from: p("x", "a"), to: { unknown: "dns" }, port: 53, protocol: "UDP" }),
    ).to.include({ allowed: true, uncertain: false });
  });
});
