import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderGoMod, type WrapperModule } from "./gomod.ts";
import { capture, run } from "./run.ts";

const GO_ROOT_BIN = "/usr/local/go/bin";

/**
 * The environment for every `go` call of the lab. GOCACHE and GOMODCACHE stay at Go's defaults so that all
 * components share compilation. GOSUMDB is off because the checksum database that the proxy mirrors does
 * not answer for the newest releases (seen: 404 for k8s.io/kubernetes v1.36.5); go.sum in each wrapper
 * module still pins what was downloaded.
 */
export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = process.env.PATH ?? "";
  return {
    ...process.env,
    PATH: path.split(":").includes(GO_ROOT_BIN) ? path : `${GO_ROOT_BIN}:${path}`,
    CGO_ENABLED: "0",
    GOTOOLCHAIN: "local",
    GOSUMDB: "off",
    GOFLAGS: "-mod=mod -buildvcs=false -trimpath",
    ...extra,
  };
}

type ModuleInfo = {
  Path: string;
  Version: string;
  Time?: string;
  GoMod?: string;
  Dir?: string;
  Error?: string;
};

/** Downloads one module version (source included) and returns where the proxy put it. */
export async function downloadModule(path: string, version: string): Promise<Required<ModuleInfo>> {
  const out = await capture("go", ["mod", "download", "-json", `${path}@${version}`], goEnv());
  const info = JSON.parse(out) as ModuleInfo;
  if (info.Error || !info.Dir || !info.GoMod)
    throw new Error(`go mod download ${path}@${version}: ${info.Error}`);
  return { Time: "", ...info } as Required<ModuleInfo>;
}

export function readGoMod(info: { GoMod: string }): string {
  return readFileSync(info.GoMod, "utf8");
}

/** Writes a wrapper module (go.mod only; go.sum fills in on the first build) into `dir`. */
export function writeWrapperModule(dir: string, wrapper: WrapperModule): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "go.mod"), renderGoMod(wrapper));
  for (const [name, content] of Object.entries(wrapper.files ?? {})) writeFileSync(join(dir, name), content);
}

export type GoBuild = {
  moduleDir: string;
  pkg: string;
  output: string;
  ldflags?: readonly string[];
  tags?: readonly string[];
  /** `go test -c` instead of `go build` (for e2e.test). */
  testBinary?: boolean;
  env?: Record<string, string>;
  log: (line: string) => void;
};

/** One `go build` (or `go test -c`) of one package, at low priority and at most two jobs at once. */
export async function goBuild(b: GoBuild): Promise<void> {
  // go vet is no part of building a test binary; newer vet checks can reject an older release's tests.
  const test = b.testBinary ? ["test", "-c", "-vet=off"] : ["build"];
  const args = [...test, "-p", "2", "-o", b.output];
  const ldflags = ["-s", "-w", ...(b.ldflags ?? [])];
  args.push(`-ldflags=${ldflags.join(" ")}`);
  if (b.tags && b.tags.length > 0) args.push(`-tags=${b.tags.join(",")}`);
  args.push(b.pkg);
  b.log(`go ${args.join(" ")}`);
  await run("go", args, { cwd: b.moduleDir, env: goEnv(b.env), log: b.log, nice: true });
}
