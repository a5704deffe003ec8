import { spawnSync } from "node:child_process";
import { APT_PACKAGES } from "../versions.ts";
import { run } from "./run.ts";

/** Names from `wanted` that dpkg does not report as installed. */
export function missingPackages(wanted: readonly string[]): string[] {
  if (wanted.length === 0) return [];
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format string
  const format = "-f=${Package} ${db:Status-Status}\\n";
  const result = spawnSync("dpkg-query", ["-W", format, ...wanted], {
    encoding: "utf8",
  });
  const installed = new Set(
    (result.stdout ?? "")
      .split("\n")
      .filter((line) => line.endsWith(" installed"))
      .map((line) => line.split(" ")[0]),
  );
  return wanted.filter((name) => !installed.has(name));
}

/** Installs the lab's Debian packages that are missing (`apt-get update` once, then `apt-get install`). */
export async function ensureAptPackages(log: (line: string) => void, wanted = APT_PACKAGES): Promise<void> {
  const missing = missingPackages(wanted);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(`missing Debian packages (install them as root): ${missing.join(" ")}`);
  log(`apt: installing ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update"], { env, log });
  await run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env, log });
}
