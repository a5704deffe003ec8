import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.ts";
import { pkiDir } from "./paths.ts";
import {
  API_ENDPOINT,
  CLUSTER_DOMAIN,
  controlPlanes,
  KUBERNETES_SERVICE_IP,
  type LabNode,
} from "./topology.ts";

/** Certificates made with Debian's openssl: ECDSA P-256 keys, one cluster CA and a separate etcd CA. */

export type CertRequest = {
  ca: "ca" | "etcd-ca";
  /** File stem: <pki>/<name>.crt and .key. */
  name: string;
  cn: string;
  org?: string;
  usage: "client" | "server" | "both";
  dns?: readonly string[];
  ips?: readonly string[];
};

export const certFile = (name: string) => join(pkiDir(), `${name}.crt`);
export const keyFile = (name: string) => join(pkiDir(), `${name}.key`);

/** The openssl request config of one certificate (pure; tested). */
export function opensslConfig(req: Omit<CertRequest, "ca" | "name">): string {
  const lines = ["[req]", "distinguished_name = dn", "prompt = no", "[dn]"];
  if (req.org) lines.push(`O = ${req.org}`);
  lines.push(`CN = ${req.cn}`, "[ext]", "basicConstraints = critical,CA:FALSE");
  lines.push("keyUsage = critical,digitalSignature,keyEncipherment");
  const eku = { client: "clientAuth", server: "serverAuth", both: "serverAuth,clientAuth" }[req.usage];
  lines.push(`extendedKeyUsage = ${eku}`);
  const sans = [...(req.dns ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((ip) => `IP:${ip}`)];
  if (sans.length > 0) lines.push(`subjectAltName = ${sans.join(",")}`);
  lines.push(
    "[ca_ext]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign,digitalSignature",
  );
  lines.push("subjectKeyIdentifier = hash");
  return `${lines.join("\n")}\n`;
}

async function newKey(file: string): Promise<void> {
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
}

async function withConfig<T>(config: string, use: (file: string) => Promise<T>): Promise<T> {
  const file = join(pkiDir(), `.req-${process.pid}-${randomBytes(4).toString("hex")}.cnf`);
  writeFileSync(file, config);
  try {
    return await use(file);
  } finally {
    rmSync(file, { force: true });
  }
}

export async function createCa(name: "ca" | "etcd-ca", cn: string): Promise<void> {
  mkdirSync(pkiDir(), { recursive: true, mode: 0o700 });
  if (existsSync(certFile(name))) return;
  await newKey(keyFile(name));
  await withConfig(opensslConfig({ cn, usage: "client" }), (cfg) =>
    run("openssl", [
      "req",
      "-x509",
      "-new",
      "-key",
      keyFile(name),
      "-config",
      cfg,
      "-extensions",
      "ca_ext",
      "-days",
      "3650",
      "-out",
      certFile(name),
    ]),
  );
}

export async function issue(req: CertRequest): Promise<void> {
  await newKey(keyFile(req.name));
  await withConfig(opensslConfig(req), async (cfg) => {
    const csr = `${cfg}.csr`;
    await run("openssl", ["req", "-new", "-key", keyFile(req.name), "-config", cfg, "-out", csr]);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      certFile(req.ca),
      "-CAkey",
      keyFile(req.ca),
      "-set_serial",
      `0x${randomBytes(12).toString("hex")}`,
      "-days",
      "3650",
      "-extfile",
      cfg,
      "-extensions",
      "ext",
      "-out",
      certFile(req.name),
    ]);
    rmSync(csr, { force: true });
  });
}

/** Identities of processes that talk to the API server with a client certificate. */
export const CLIENT_IDENTITIES = {
  admin: { cn: "kubernetes-admin", org: "system:masters" },
  "kube-controller-manager": { cn: "system:kube-controller-manager" },
  "kube-scheduler": { cn: "system:kube-scheduler" },
  "kube-proxy": { cn: "system:kube-proxy" },
  // Addons run as host processes; their group is bound to a ClusterRole when the cluster comes up.
  addons: { cn: "scs-lab:addons", org: "scs-lab:addons" },
} as const;

export function nodeCertRequests(node: LabNode): CertRequest[] {
  const reqs: CertRequest[] = [
    {
      ca: "ca",
      name: `kubelet-${node.name}`,
      cn: `system:node:${node.name}`,
      org: "system:nodes",
      usage: "client",
    },
    {
      ca: "ca",
      name: `kubelet-serving-${node.name}`,
      cn: `system:node:${node.name}`,
      org: "system:nodes",
      usage: "server",
      dns: [node.name],
      ips: [node.ip],
    },
  ];
  if (node.role === "control-plane") {
    reqs.push({
      ca: "etcd-ca",
      name: `etcd-${node.name}`,
      cn: node.name,
      usage: "both",
      dns: [node.name, "localhost"],
      ips: [node.ip, "127.0.0.1"],
    });
  }
  return reqs;
}

export function clusterCertRequests(nodes: readonly LabNode[]): CertRequest[] {
  const apiHost = new URL(API_ENDPOINT).hostname;
  const reqs: CertRequest[] = [
    {
      ca: "ca",
      name: "kube-apiserver",
      cn: "kube-apiserver",
      usage: "server",
      dns: [
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        `kubernetes.default.svc.${CLUSTER_DOMAIN}`,
        "localhost",
      ],
      ips: [KUBERNETES_SERVICE_IP, apiHost, "127.0.0.1", ...controlPlanes(nodes).map((n) => n.ip)],
    },
    {
      ca: "ca",
      name: "apiserver-kubelet-client",
      cn: "kube-apiserver-kubelet-client",
      org: "system:masters",
      usage: "client",
    },
    { ca: "etcd-ca", name: "apiserver-etcd-client", cn: "kube-apiserver-etcd-client", usage: "client" },
  ];
  for (const [name, id] of Object.entries(CLIENT_IDENTITIES)) {
    reqs.push({ ca: "ca", name, cn: id.cn, org: "org" in id ? id.org : undefined, usage: "client" });
  }
  return reqs;
}

/** Creates the whole PKI of a new lab; certificate requests run a few at a time (2 cores). */
export async function createPki(nodes: readonly LabNode[]): Promise<void> {
  await createCa("ca", "scs-kaas-lab-ca");
  await createCa("etcd-ca", "scs-kaas-lab-etcd-ca");
  if (!existsSync(keyFile("service-account"))) {
    await newKey(keyFile("service-account"));
    await run("openssl", [
      "pkey",
      "-in",
      keyFile("service-account"),
      "-pubout",
      "-out",
      join(pkiDir(), "service-account.pub"),
    ]);
  }
  const reqs = [...clusterCertRequests(nodes), ...nodes.flatMap(nodeCertRequests)];
  for (let i = 0; i < reqs.length; i += 4) await Promise.all(reqs.slice(i, i + 4).map(issue));
}
