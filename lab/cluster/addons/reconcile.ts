// What the lab's host add-on daemons (the lb-snat amphora, the NetworkPolicy enforcer) share.
import { exec, sleep } from "../exec.ts";

/** Runs `pass` every `everyMs` forever, as a controller would; a failed pass is logged and retried. */
export async function reconcileForever(
  name: string,
  everyMs: number,
  pass: () => Promise<void>,
): Promise<never> {
  for (;;) {
    try {
      await pass();
    } catch (error) {
      console.error(`${name}: ${error}`);
    }
    await sleep(everyMs);
  }
}

/** Makes the /32 addresses on eth0 of this process's network namespace exactly `wanted`. */
export async function syncVips(wanted: ReadonlySet<string>): Promise<void> {
  const ip = (args: string[]) => exec("ip", args);
  const out = (await ip(["-o", "-4", "addr", "show", "dev", "eth0"])).stdout;
  const have = new Set([...out.matchAll(/inet (\S+)\/32/g)].map((m) => m[1] ?? ""));
  for (const vip of wanted) if (!have.has(vip)) await ip(["addr", "add", `${vip}/32`, "dev", "eth0"]);
  for (const vip of have) if (!wanted.has(vip)) await ip(["addr", "del", `${vip}/32`, "dev", "eth0"]);
}
