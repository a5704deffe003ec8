import type { V1Namespace, V1NetworkPolicy, V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { compileNode, matchesSelector } from "./compile.ts";

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
});
