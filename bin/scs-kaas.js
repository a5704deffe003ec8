#!/usr/bin/env node
// The `scs-kaas` command. Plain JavaScript so that any node can start it: the CLI itself is TypeScript
// run natively by Node >= 22.18, so an older node re-executes this file through scripts/node22, which
// installs the pinned Node 22 from the npm registry on first use.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
const tooOld = major < 22 || (major === 22 && minor < 18);

if (tooOld && !process.env.SCS_KAAS_REEXEC) {
  const self = fileURLToPath(import.meta.url);
  const node22 = fileURLToPath(new URL("../scripts/node22", import.meta.url));
  const child = spawn(node22, ["node", self, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, SCS_KAAS_REEXEC: "1" },
  });
  // Ctrl-C reaches the whole process group; a SIGTERM sent to this process alone is passed on.
  for (const sig of ["SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 2 : 0)));
} else if (tooOld) {
  process.stderr.write(`scs-kaas: needs Node >= 22.18, this is ${process.version}\n`);
  process.exit(2);
} else {
  await import("../cli/main.ts");
}
