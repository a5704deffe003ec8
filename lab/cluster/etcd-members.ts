// etcd membership changes for a control-plane roll: the old member leaves before its disk is thrown away,
// and the fresh node joins as a new member with an empty data directory (what kubeadm does on a rolling
// control-plane upgrade, through etcdctl).
import { bin } from "./artifacts.ts";
import { run, waitFor } from "./exec.ts";
import { certFile, keyFile } from "./pki.ts";
import type { LabNode } from "./topology.ts";

type Member = { id: string; name: string; peerURLs: string[] };

/** etcdctl as the API server's etcd client, talking to a healthy member. */
function etcdctl(via: LabNode, args: readonly string[]): Promise<string> {
  return run(bin("etcdctl"), [
    `--endpoints=https://${via.ip}:2379`,
    `--cacert=${certFile("etcd-ca")}`,
    `--cert=${certFile("apiserver-etcd-client")}`,
    `--key=${keyFile("apiserver-etcd-client")}`,
    "--command-timeout=20s",
    ...args,
  ]);
}

/**
 * etcdctl prints member IDs in hex, but its JSON carries them as uint64 numbers, which lose precision as
 * JavaScript numbers: read the list in the table form instead ("id, status, name, peer urls, ...").
 */
export function parseMemberTable(table: string): Member[] {
  return table
    .split("\n")
    .map((line) => line.split(",").map((f) => f.trim()))
    .filter((fields) => fields.length >= 4 && /^[0-9a-f]+$/.test(fields[0] ?? ""))
    .map(([id, , name, peers]) => ({ id: id ?? "", name: name ?? "", peerURLs: (peers ?? "").split(" ") }));
}

export async function removeEtcdMember(node: LabNode, via: LabNode): Promise<void> {
  const members = parseMemberTable(await etcdctl(via, ["member", "list", "--write-out=simple"]));
  const peer = `https://${node.ip}:2380`;
  const member = members.find((m) => m.name === node.name || m.peerURLs.includes(peer));
  if (!member) return; // already gone (a roll that failed after this step)
  await etcdctl(via, ["member", "remove", member.id]);
}

export async function addEtcdMember(node: LabNode, via: LabNode): Promise<void> {
  await etcdctl(via, ["member", "add", node.name, `--peer-urls=https://${node.ip}:2380`]);
}

/** The new member answers as healthy on its own endpoint (it has caught up with the leader). */
export async function waitEtcdMemberHealthy(node: LabNode, timeoutMs: number): Promise<void> {
  await waitFor(`etcd member ${node.name} healthy`, timeoutMs, async () => {
    await etcdctl(node, ["endpoint", "health"]);
    return true;
  });
}
