import type { V1Namespace, V1NetworkPolicy, V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { type ClusterNetworkPolicy, compileNode, matchesSelector } from "./compile.ts";

const pod = (
  name: string,
  ns: string,
  ip: string,
  node: string,
  labels: Record<string, string>,
  ports: { name: string; containerPort: number }[] = [],
): V1Pod => ({
  metadata: { name, namespace: ns, labels },
  spec: { nodeName: node, containers: [{ name: "c", ports }] },
  status: { podIP: ip, phase: "Running" },
});
const namespace = (name: string, labels: Record<string, string> = {}): V1Namespace => ({
  metadata: { name, labels },
});

const pods = [
  pod("server", "x", "198.18.67.2", "worker-a", { app: "server" }, [{ name: "http", containerPort: 80 }]),
  pod("client", "x", "198.18.68.2", "worker-b", { app: "client" }),
  pod("other", "y", "198.18.68.3", "worker-b", { app: "client" }),
];
const namespaces = [namespace("x", { team: "x" }), namespace("y", { team: "y" })];

describe("lab NetworkPolicy compiler", () => {
  it("matches label selectors with expressions", () => {
    expect(matchesSelector({ matchLabels: { a: "1" } }, { a: "1", b: "2" })).to.equal(true);
    expect(
      matchesSelector({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, { a: "1" }),
    ).to.equal(false);
    expect(
      matchesSelector({ matchExpressions: [{ key: "c", operator: "DoesNotExist" }] }, { a: "1" }),
    ).to.equal(true);
    expect(matchesSelector({}, {})).to.equal(true);
  });

  it("leaves pods without a selecting policy open", () => {
    const script = compileNode("worker-a", pods, namespaces, []);
    expect(script).to.not.include("vmap");
    expect(script).to.include("ct state established,related accept");
  });

  it("default-deny-ingress drops everything to the selected pods on their node only", () => {
    const deny: V1NetworkPolicy = {
      metadata: { name: "deny", namespace: "x" },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };
    const a = compileNode("worker-a", pods, namespaces, [deny]);
    expect(a).to.include("ip daddr vmap { 198.18.67.2 : jump in_x_server }");
    expect(a).to.match(/chain in_x_server \{\n\s+drop\n/);
    const b = compileNode("worker-b", pods, namespaces, [deny]);
    expect(b).to.include("198.18.68.2 : jump in_x_client");
    expect(b).to.not.include("198.18.68.3");
  });

  it("allows sources by namespace selector and resolves named ports on the receiving pod", () => {
    const np: V1NetworkPolicy = {
      metadata: { name: "allow", namespace: "x" },
      spec: {
        podSelector: { matchLabels: { app: "server" } },
        ingress: [
          {
            _from: [{ namespaceSelector: { matchLabels: { team: "y" } } }],
            ports: [{ port: "http" as unknown as number }],
          },
        ],
      },
    };
    const script = compileNode("worker-a", pods, namespaces, [np]);
    expect(script).to.include("ip saddr { 198.18.68.3 } tcp dport 80 accept");
    expect(script).to.not.include("198.18.68.2 }");
  });

  it("compiles egress ipBlock rules with except and port ranges, returning to the ingress check", () => {
    const np: V1NetworkPolicy = {
      metadata: { name: "egress", namespace: "x" },
      spec: {
        podSelector: { matchLabels: { app: "client" } },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ ipBlock: { cidr: "198.18.64.0/18", except: ["198.18.67.0/24"] } }],
            ports: [{ port: 8000, endPort: 8010, protocol: "TCP" }],
          },
        ],
      },
    };
    const script = compileNode("worker-b", pods, namespaces, [np]);
    expect(script).to.include("ip saddr vmap { 198.18.68.2 : jump eg_x_client }");
    expect(script).to.include(
      "ip daddr 198.18.64.0/18 ip daddr != { 198.18.67.0/24 } tcp dport 8000-8010 return",
    );
  });

  it("ingress-only mode (netpol-ingress-only scenario) ignores egress rules and keeps ingress", () => {
    const both: V1NetworkPolicy = {
      metadata: { name: "both", namespace: "x" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
    const full = compileNode("worker-b", pods, namespaces, [both]);
    expect(full).to.include("ip saddr vmap { 198.18.68.2 : jump eg_x_client }");
    const half = compileNode("worker-b", pods, namespaces, [both], { egress: false });
    expect(half).to.not.include("ip saddr vmap");
    expect(half).to.include("ip daddr vmap { 198.18.68.2 : jump in_x_client }");
  });

  it("gives a reused address to the pod that is not terminating (one vmap key per address)", () => {
    const old = pod("old", "x", "198.18.67.9", "worker-a", { app: "server" });
    old.metadata = { ...old.metadata, deletionTimestamp: new Date() };
    const successor = pod("new", "x", "198.18.67.9", "worker-a", { app: "server" });
    const deny: V1NetworkPolicy = {
      metadata: { name: "deny", namespace: "x" },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };
    for (const order of [
      [old, successor],
      [successor, old],
    ]) {
      const script = compileNode("worker-a", order, namespaces, [deny]);
      expect(script.match(/198\.18\.67\.9 :/g)?.length).to.equal(1);
      expect(script).to.include("198.18.67.9 : jump in_x_new");
    }
  });

  describe("ClusterNetworkPolicy, Admin tier ingress (network-policy-api v1beta1/v1alpha2)", () => {
    const cnp = (
      name: string,
      priority: number,
      action: string,
      from: NonNullable<NonNullable<ClusterNetworkPolicy["spec"]>["ingress"]>[number]["from"],
      extra: Partial<NonNullable<ClusterNetworkPolicy["spec"]>> = {},
    ): ClusterNetworkPolicy => ({
      metadata: { name },
      spec: {
        tier: "Admin",
        priority,
        subject: { namespaces: { matchLabels: { team: "x" } } },
        ingress: [{ action, from }],
        ...extra,
      },
    });
    const denyFromY = cnp("deny-y", 0, "Deny", [{ namespaces: { matchLabels: { team: "y" } } }]);
    const allowFromY: V1NetworkPolicy = {
      metadata: { name: "allow-y", namespace: "x" },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ _from: [{ namespaceSelector: { matchLabels: { team: "y" } } }] }],
      },
    };

    it("drops traffic from the peer namespace to the subject's pods before any NetworkPolicy allow", () => {
      const script = compileNode("worker-a", pods, namespaces, [allowFromY], { egress: true }, [denyFromY]);
      const lines = script.split("\n").map((l) => l.trim());
      const admin = lines.indexOf("ip daddr vmap { 198.18.67.2 : jump ad_x_server }");
      const ingress = lines.indexOf("ip daddr vmap { 198.18.67.2 : jump in_x_server }");
      expect(admin).to.be.greaterThan(lines.indexOf("ct state established,related accept"));
      expect(ingress).to.be.greaterThan(admin);
      expect(script).to.match(/chain ad_x_server \{\n\s+ip saddr \{ 198\.18\.68\.3 \} drop\n\s+\}/);
    });

    it("selects subjects by namespace only on their node; pods of other namespaces are not subjects", () => {
      const b = compileNode("worker-b", pods, namespaces, [], { egress: true }, [denyFromY]);
      expect(b).to.include("198.18.68.2 : jump ad_x_client");
      expect(b).to.not.include("ad_y_other");
      const none = compileNode("worker-b", pods, [namespace("x"), namespace("y")], [], { egress: true }, [
        denyFromY,
      ]);
      expect(none).to.not.include("jump ad_");
    });

    it("ignores the Baseline tier, and every ClusterNetworkPolicy in namespaced-only mode", () => {
      const baseline = { ...denyFromY, spec: { ...denyFromY.spec, tier: "Baseline" } };
      expect(compileNode("worker-a", pods, namespaces, [], { egress: true }, [baseline])).to.not.include(
        "ad_",
      );
      const off = compileNode("worker-a", pods, namespaces, [], { egress: true, clusterPolicies: false }, [
        denyFromY,
      ]);
      expect(off).to.not.include("ad_");
      expect(off).to.not.include("admin_accept");
    });

    it("orders by priority: a Pass at a lower value skips a Deny at a higher one; Accept goes through egress", () => {
      const pass = cnp("pass-y", 5, "Pass", [
        { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "client" } } } },
      ]);
      const accept = cnp("accept-y", 10, "Accept", [{ namespaces: { matchLabels: { team: "y" } } }], {
        ingress: [
          {
            action: "Accept",
            from: [{ namespaces: { matchLabels: { team: "y" } } }],
            protocols: [
              { tcp: { destinationPort: { range: { start: 8000, end: 8010 } } } },
              { destinationNamedPort: "http" },
            ],
          },
        ],
      });
      const deny = cnp("deny-y", 20, "Deny", [{ namespaces: { matchLabels: { team: "y" } } }]);
      const script = compileNode("worker-a", pods, namespaces, [], { egress: true }, [deny, accept, pass]);
      const chain = script.slice(script.indexOf("chain ad_x_server"));
      const order = [
        "return",
        "tcp dport 8000-8010 goto admin_accept",
        "tcp dport 80 goto admin_accept",
        "drop",
      ].map((r) => chain.indexOf(r));
      expect(order.every((i) => i > 0)).to.equal(true);
      expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
      expect(chain).to.include("ip saddr { 198.18.68.2, 198.18.68.3 } return");
      expect(script).to.match(/chain admin_accept \{\n\s+accept\n/);
    });

    it("fails closed on a peer it does not know: Deny denies everything, Accept accepts nothing", () => {
      const unknown = cnp("deny-unknown", 0, "Deny", [{}]);
      expect(compileNode("worker-a", pods, namespaces, [], { egress: true }, [unknown])).to.match(
        /chain ad_x_server \{\n\s+drop\n/,
      );
      const acceptUnknown = cnp("accept-unknown", 0, "Accept", [{}]);
      expect(compileNode("worker-a", pods, namespaces, [], { egress: true }, [acceptUnknown])).to.not.include(
        "ad_x_server",
      );
    });
  });
});
