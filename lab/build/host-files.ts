// Turning files of this Debian host into image layer entries: busybox's applet links and the shared-library
// closure of a dynamically linked program (found with ldd).
import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import type { LayerEntry } from "./oci.ts";

/** Parses `ldd` output into the absolute paths of the libraries (and the loader) a program needs. */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split("\n")) {
    const arrow = /=>\s+(\/\S+)\s+\(0x/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(0x/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) paths.add(path);
  }
  return [...paths].sort();
}

/** The program itself plus every library it loads, each at the path the loader looks for it. */
export function programWithLibraries(program: string, imagePath = program): LayerEntry[] {
  const result = spawnSync("ldd", [program], { encoding: "utf8" });
  if (result.status !== 0 && !/not a dynamic executable/.test(`${result.stdout}${result.stderr}`))
    throw new Error(`ldd ${program} failed: ${result.stderr}`);
  const entries: LayerEntry[] = [
    { kind: "file", path: imagePath, source: realpathSync(program), mode: 0o755 },
  ];
  for (const lib of parseLdd(result.stdout ?? ""))
    entries.push({ kind: "file", path: lib, source: realpathSync(lib), mode: 0o755 });
  return entries;
}

/** Parses `busybox --list-full` (paths such as `bin/sh`, `usr/bin/wget`) into links to /bin/busybox. */
export function busyboxAppletLinks(listFull: string, busybox = "/bin/busybox"): LayerEntry[] {
  return listFull
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && `/${line}` !== busybox)
    .map((path) => ({ kind: "symlink", path, target: busybox }));
}

export function hostBusyboxApplets(busybox = "/bin/busybox"): LayerEntry[] {
  const result = spawnSync(busybox, ["--list-full"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${busybox} --list-full failed; is busybox-static installed?`);
  return busyboxAppletLinks(result.stdout);
}
