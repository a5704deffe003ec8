// `lab least-privilege`: the suite's ServiceAccount bound to the ClusterRole `scs-kaas rbac` generates,
// and a kubeconfig that authenticates as it with a short-lived token (TokenRequest API), so that the
// suite runs against the lab with exactly the rights it declares instead of the admin's.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { secretReader } from "../../cli/sonobuoy/least-privilege.ts";
import { NODE_ACTIONS_SECRET } from "../cluster/addons/node-actions.ts";
import { run } from "../cluster/exec.ts";
import { adminConfig, apply, kubectl } from "../cluster/kube.ts";
import { LB_PROBER_SECRET } from "../cluster/lb-prober.ts";

const CLI = fileURLToPath(new URL("../../bin/scs-kaas.js", import.meta.url));
const TOKEN_LIFETIME = "1h";

interface Doc {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: Array<{ apiGroups?: string[]; resources?: string[]; verbs?: string[] }>;
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}

/**
 * `scs-kaas rbac`'s manifest (its objects), plus `scs-kaas rbac --disruptive`'s opt-in role when asked,
 * with one verb on one resource taken away when asked; and `get` on the lab's two token Secrets (the
 * node-action webhook's, the outside prober's), which `lab suite` names as `*-token-secret` options, as a
 * provider grants them for its own.
 */
export async function rbacDocs(
  drop?: { verb: string; resource: string },
  disruptive = false,
): Promise<Doc[]> {
  const manifests = [await run(process.execPath, [CLI, "rbac"])];
  if (disruptive) manifests.push(await run(process.execPath, [CLI, "rbac", "--disruptive"]));
  const docs = manifests.flatMap((text) =>
    parseAllDocuments(text)
      .map((d) => d.toJSON() as Doc)
      .filter((d) => d?.kind),
  );
  const sa = docs.find((d) => d.kind === "ServiceAccount")?.metadata;
  if (sa?.name && sa.namespace) {
    const subject = { kind: "ServiceAccount", name: sa.name, namespace: sa.namespace };
    const labels = { "app.kubernetes.io/managed-by": "scs-kaas" };
    for (const ref of [NODE_ACTIONS_SECRET, LB_PROBER_SECRET])
      docs.push(...(secretReader(sa.name, ref, subject, labels) as Doc[]));
  }
  if (!drop) return docs;
  let dropped = false;
  for (const d of docs) {
    if (d.kind !== "ClusterRole") continue;
    d.rules = (d.rules ?? []).flatMap((r) => {
      if (!r.resources?.includes(drop.resource) || !r.verbs?.includes(drop.verb)) return [r];
      dropped = true;
      const verbs = r.verbs.filter((v) => v !== drop.verb);
      return verbs.length ? [{ ...r, verbs }] : [];
    });
  }
  if (!dropped) throw new Error(`no ClusterRole rule grants ${drop.verb} on ${drop.resource}`);
  return docs;
}

/** Applies the manifest and writes a kubeconfig for its ServiceAccount; returns the kubeconfig's path. */
export async function leastPrivilegeKubeconfig(
  out: string,
  log: (line: string) => void,
  drop?: { verb: string; resource: string },
  disruptive = false,
): Promise<string> {
  const docs = await rbacDocs(drop, disruptive);
  const sa = docs.find((d) => d.kind === "ServiceAccount")?.metadata;
  if (!sa?.name || !sa.namespace) throw new Error("scs-kaas rbac printed no ServiceAccount");
  await apply(docs.map((d) => `---\n${stringify(d)}`).join(""));
  log(
    `least-privilege: applied ${docs.map((d) => `${d.kind} ${d.metadata?.name}`).join(", ")}${drop ? ` (without ${drop.verb} ${drop.resource})` : ""}`,
  );
  const token = (
    await kubectl(["create", "token", sa.name, `--namespace=${sa.namespace}`, `--duration=${TOKEN_LIFETIME}`])
  ).trim();
  const admin = adminConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the lab's admin kubeconfig names no cluster");
  const user = `${sa.namespace}:${sa.name}`;
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { "certificate-authority-data": cluster.caData } : {}),
          ...(cluster.caFile ? { "certificate-authority": cluster.caFile } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: cluster.name, user } }],
    "current-context": user,
  };
  writeFileSync(out, stringify(kubeconfig), { mode: 0o600 });
  log(`least-privilege: ${out} authenticates as ServiceAccount ${user} (token valid ${TOKEN_LIFETIME})`);
  return out;
}

/** Deletes what leastPrivilegeKubeconfig applied (the token dies with its ServiceAccount). */
export async function removeLeastPrivilege(log: (line: string) => void): Promise<void> {
  const docs = await rbacDocs(undefined, true);
  await kubectl(
    ["delete", "--ignore-not-found", "--wait", "-f", "-"],
    docs.map((d) => `---\n${stringify(d)}`).join(""),
  );
  log(`least-privilege: removed ${docs.map((d) => `${d.kind} ${d.metadata?.name}`).join(", ")}`);
}
