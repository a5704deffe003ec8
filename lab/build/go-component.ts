import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildAtomically, cacheKey, componentDir, labCacheDir } from "./cache.ts";
import { downloadModule, goBuild, writeWrapperModule } from "./go.ts";
import type { WrapperModule } from "./gomod.ts";

export type GoBinary = {
  /** File name under `bin/`. */
  name: string;
  pkg: string;
  testBinary?: boolean;
  tags?: readonly string[];
  ldflags?: readonly string[];
  /** Environment overrides, e.g. CGO_ENABLED=1 for the rare binary that needs cgo. */
  env?: Record<string, string>;
};

/** A component built from Go modules: one wrapper module, several binaries, one cache directory. */
export type GoComponentSpec = {
  component: string;
  version: string;
  binaries: readonly GoBinary[];
  /** Settings of the wrapper module that change the output (e.g. raised dependencies); part of the key. */
  wrapperSettings?: Record<string, unknown>;
  /** Produces the wrapper module; may download modules (runs only when the cache misses). */
  wrapper: () => Promise<WrapperModule>;
  /** Files of the upstream module kept beside the binaries (under files/), e.g. its deploy manifest. */
  moduleFiles?: { module: string; version: string; files: Readonly<Record<string, string>> };
};

/** The Go release in use, read from GOROOT without running `go` (a warm cache must not invoke go). */
export function goRelease(goroot = process.env.GOROOT || "/usr/local/go"): string {
  const file = join(goroot, "VERSION");
  return existsSync(file) ? (readFileSync(file, "utf8").split("\n")[0] ?? "unknown") : "unknown";
}

/** Everything that decides a component's output; changing any of it gives a new cache directory. */
export function goComponentKey(
  spec: Pick<GoComponentSpec, "version" | "binaries" | "wrapperSettings" | "moduleFiles">,
  go = goRelease(),
): string {
  const settings: Record<string, unknown> = { go, cgo: "0", binaries: spec.binaries };
  if (spec.wrapperSettings) settings.wrapper = spec.wrapperSettings;
  if (spec.moduleFiles) settings.moduleFiles = spec.moduleFiles;
  return cacheKey(spec.version, settings);
}

export function goComponentDir(
  spec: Pick<GoComponentSpec, "component" | "version" | "binaries" | "wrapperSettings" | "moduleFiles">,
): string {
  return componentDir(spec.component, goComponentKey(spec));
}

export type BuildRecord = { component: string; version: string; seconds: Record<string, number> };

/** Builds a Go component unless its cache directory exists; returns the per-binary wall-clock seconds. */
export async function buildGoComponent(
  spec: GoComponentSpec,
  log: (line: string) => void,
): Promise<BuildRecord | undefined> {
  const dir = goComponentDir(spec);
  if (existsSync(dir)) return undefined;
  const record: BuildRecord = { component: spec.component, version: spec.version, seconds: {} };
  const moduleDir = join(labCacheDir(), "modules", `${spec.component}-${goComponentKey(spec)}`);
  await buildAtomically(dir, async (tmp) => {
    log(`[${spec.component}] ${spec.version}: preparing wrapper module in ${moduleDir}`);
    writeWrapperModule(moduleDir, await spec.wrapper());
    for (const binary of spec.binaries) {
      const started = Date.now();
      log(`[${spec.component}] building ${binary.name}`);
      await goBuild({
        moduleDir,
        pkg: binary.pkg,
        output: join(tmp, "bin", binary.name),
        testBinary: binary.testBinary,
        tags: binary.tags,
        ldflags: binary.ldflags,
        env: binary.env,
        log: (line) => log(`[${spec.component}] ${line}`),
      });
      record.seconds[binary.name] = Math.round((Date.now() - started) / 100) / 10;
      log(`[${spec.component}] ${binary.name} built in ${record.seconds[binary.name]} s`);
    }
    if (spec.moduleFiles) {
      const { module, version, files } = spec.moduleFiles;
      const source = (await downloadModule(module, version)).Dir;
      mkdirSync(join(tmp, "files"), { recursive: true });
      for (const [name, path] of Object.entries(files))
        copyFileSync(join(source, path), join(tmp, "files", name));
    }
    writeFileSync(join(tmp, "build.json"), `${JSON.stringify({ ...record, go: goRelease() }, null, 2)}\n`);
  });
  return record;
}
