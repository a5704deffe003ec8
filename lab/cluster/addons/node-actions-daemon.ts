// The lab's node-action webhook as a host process in the root namespace:
// node lab/cluster/addons/node-actions-daemon.ts <listen address> <port> <token file>.
// Does what `npm run lab -- node kill|restore|roll` do, with the same functions.
import { readFileSync } from "node:fs";
import { restoreNode, rollNode } from "../lifecycle.ts";
import { killNode } from "../node-kill.ts";
import { requireLab } from "../state.ts";
import { type ActionRequest, createNodeActionServer } from "./node-actions.ts";

const [address, port, tokenFile] = process.argv.slice(2);
if (!address || !port || !tokenFile)
  throw new Error("usage: node-actions-daemon.ts <address> <port> <token file>");
const token = readFileSync(tokenFile, "utf8").trim();
if (!token) throw new Error(`empty token in ${tokenFile}`);
const log = (line: string) => console.error(`${new Date().toISOString()} node-actions: ${line}`);

const isKilled = (node: string) => requireLab().killed.includes(node);

async function act(request: ActionRequest): Promise<string> {
  const lines: string[] = [];
  const collect = (line: string) => {
    log(line);
    lines.push(line);
  };
  switch (request.action) {
    case "kill":
      await killNode(request.node, collect);
      break;
    case "restore":
      if (!isKilled(request.node)) return `node ${request.node} is not killed: nothing to restore`;
      await restoreNode(request.node, collect);
      break;
    case "roll":
      await rollNode(request.node, collect);
      break;
  }
  return lines.at(-1) ?? `${request.action} ${request.node} done`;
}

const server = createNodeActionServer({
  token,
  log,
  lab: {
    nodes: () => requireLab().nodes.map((n) => n.name),
    conflict: (r) =>
      r.action === "roll" && isKilled(r.node)
        ? `node ${r.node} is killed: restore it before rolling it`
        : undefined,
    act,
  },
});
server.listen(Number(port), address, () => log(`listening on http://${address}:${port}`));
