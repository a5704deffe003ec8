// The lab's container images, written as OCI archives from binaries built here and files of this Debian
// host. No registry, no Docker: `ctr -n k8s.io images import` reads them directly.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  COREDNS,
  E2E_IMAGE_TAGS,
  type E2eImageTags,
  LOCAL_PATH_PROVISIONER,
  METALLB,
  SONOBUOY,
} from "../versions.ts";
import { binaryPaths } from "./binaries.ts";
import { buildAtomically, cacheKey, componentDir } from "./cache.ts";
import { downloadedPackageRoot, downloadedVersion } from "./debian-downloads.ts";
import { e2eImageTagsFromManifest, kubernetesMinor } from "./e2e-manifest.ts";
import { downloadModule } from "./go.ts";
import { hostBusyboxApplets, programWithLibraries } from "./host-files.ts";
import { type ImageConfig, type LayerEntry, layerTar, writeOciArchive } from "./oci.ts";
import { run } from "./run.ts";

/** Bump when the way images are laid out changes, so every image is rebuilt. */
const IMAGE_LAYOUT_REVISION = 1;
const BUSYBOX = "/bin/busybox";

export type ImageSpec = {
  /** Cache directory name. */
  name: string;
  /** Every name the image is imported under; the first is its main reference. */
  refs: readonly string[];
  /** Everything the image's bytes depend on; it decides the cache key. */
  inputs: Record<string, unknown>;
  /** Layers, bottom first. */
  layers: (log: (line: string) => void) => Promise<LayerEntry[][]>;
  config: ImageConfig;
};

export function e2eImageTags(kubernetesVersion: string): E2eImageTags {
  const tags = E2E_IMAGE_TAGS[kubernetesMinor(kubernetesVersion)];
  if (!tags) throw new Error(`lab/versions.ts has no E2E_IMAGE_TAGS for Kubernetes ${kubernetesVersion}`);
  return tags;
}

const debianVersions = new Map<string, string>();

export function debianVersion(pkg: string): string {
  const known = debianVersions.get(pkg);
  if (known) return known;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format string
  const format = "-f=${Version}";
  const result = spawnSync("dpkg-query", ["-W", format, pkg], { encoding: "utf8" });
  const version = result.status === 0 && result.stdout ? result.stdout : "missing";
  // A missing package is looked up again: the build installs it and the key must then see its version.
  if (version !== "missing") debianVersions.set(pkg, version);
  return version;
}

/** The version apt would download for a package (no network: reads the local package lists). */
const NGINX_CONF = `user nobody nogroup;
error_log stderr;
pid /tmp/nginx.pid;
events {}
http {
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  types { text/html html; }
  server {
    listen 80;
    root /usr/share/nginx/html;
  }
}
`;

const passwd = (extra = "") =>
  `root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n${extra}`;
const group = (extra = "") => `root:x:0:\nnogroup:x:65534:\n${extra}`;

/** The shared bottom layer: a busybox userland. Identical bytes in every image, so stored once per node. */
export function busyboxLayer(): LayerEntry[] {
  return [
    { kind: "file", path: BUSYBOX, source: BUSYBOX, mode: 0o755 },
    ...hostBusyboxApplets(BUSYBOX),
    { kind: "file", path: "etc/passwd", content: passwd() },
    { kind: "file", path: "etc/group", content: group() },
    { kind: "dir", path: "tmp", mode: 0o1777 },
    { kind: "dir", path: "root", mode: 0o700 },
    { kind: "dir", path: "proc" },
    { kind: "dir", path: "sys" },
    { kind: "dir", path: "dev" },
  ];
}

export const busyboxInputs = () => ({
  busybox: debianVersion("busybox-static"),
  revision: IMAGE_LAYOUT_REVISION,
});

/** A layer of static binaries at chosen paths. */
function binariesLayer(files: Record<string, string>): LayerEntry[] {
  return Object.entries(files).map(([path, source]) => ({ kind: "file", path, source, mode: 0o755 }));
}

/** Every file under `dir`, placed under `prefix` in the image. */
export function treeLayer(dir: string, prefix: string): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const stat = statSync(path);
      const imagePath = join(prefix, relative(dir, path));
      if (stat.isDirectory()) {
        entries.push({ kind: "dir", path: imagePath, mode: 0o755 });
        walk(path);
      } else
        entries.push({
          kind: "file",
          path: imagePath,
          source: path,
          mode: stat.mode & 0o111 ? 0o755 : 0o644,
        });
    }
  };
  walk(dir);
  return entries;
}

async function kubernetesModuleDir(version: string): Promise<string> {
  return (await downloadModule("k8s.io/kubernetes", version)).Dir;
}

/** Fails when the tags pinned in versions.ts differ from what this Kubernetes' e2e.test expects. */
function checkE2eTags(moduleDir: string, version: string): void {
  const manifest = e2eImageTagsFromManifest(
    readFileSync(join(moduleDir, "test/utils/image/manifest.go"), "utf8"),
  );
  const tags = e2eImageTags(version);
  const expected: [string, string | undefined][] = [
    ["Pause", tags.pause],
    ["Agnhost", tags.agnhost],
    ["AgnhostPrev", tags.agnhostPrev],
    ["GlibcDnsTesting", tags.glibcDnsTesting],
    ["BusyBox", tags.busybox],
    ["Nginx", tags.nginx],
    ["NginxNew", tags.nginxNew],
  ];
  for (const [id, tag] of expected) {
    const actual = manifest.get(id)?.tag;
    if (tag !== undefined && actual !== tag)
      throw new Error(
        `E2E_IMAGE_TAGS for ${version}: ${id} is ${tag} in lab/versions.ts, ${actual} in manifest.go`,
      );
  }
}

export function imageSpecs(kubernetesVersion: string): ImageSpec[] {
  const bin = binaryPaths({ kubernetesVersion });
  const path = (name: string) => {
    const p = bin.get(name);
    if (!p) throw new Error(`no lab binary ${name}`);
    return p;
  };
  const tags = e2eImageTags(kubernetesVersion);
  const busybox = busyboxLayer;

  const pause: ImageSpec = {
    name: "pause",
    refs: [`registry.k8s.io/pause:${tags.pause}`],
    inputs: {
      kubernetesVersion,
      gcc: debianVersion("gcc"),
      libc: debianVersion("libc6-dev"),
      tag: tags.pause,
    },
    layers: async (log) => {
      const moduleDir = await kubernetesModuleDir(kubernetesVersion);
      checkE2eTags(moduleDir, kubernetesVersion);
      const out = join(componentDir("pause-build", cacheKey(kubernetesVersion)), "pause");
      mkdirSync(join(out, ".."), { recursive: true });
      const source = join(moduleDir, "build/pause/linux/pause.c");
      const cflags = ["-Os", "-Wall", "-Werror", "-static", `-DVERSION=v${tags.pause}-scs-kaas`];
      await run("gcc", [...cflags, "-o", out, source], { log });
      await run("strip", [out], { log });
      return [[{ kind: "file", path: "pause", source: out, mode: 0o755 }]];
    },
    config: { entrypoint: ["/pause"], user: "65535:65535" },
  };

  const busyboxImage: ImageSpec = {
    name: "busybox",
    refs: [`registry.k8s.io/e2e-test-images/busybox:${tags.busybox}`],
    inputs: busyboxInputs(),
    layers: async () => [busybox()],
    config: { cmd: ["sh"] },
  };

  // Upstream agnhost is alpine with bind-tools, curl, netcat, iproute2; e2e tests exec `dig`, `curl`, `nc`,
  // `sh` in it. Here: busybox (sh, ip, wget, nslookup) plus Debian's curl, dig and OpenBSD netcat (the
  // service tests run `nc -v -t -w 2`, which busybox's nc does not understand) with their libraries, and
  // Debian's dash as /bin/sh: Debian's static busybox shell runs its own applets before PATH, so `sh -c nc`
  // would never reach OpenBSD netcat.
  const agnhostModuleFiles = async () =>
    join(await kubernetesModuleDir(kubernetesVersion), "test/images/agnhost");
  const agnhost: ImageSpec = {
    name: "agnhost",
    refs: [
      `registry.k8s.io/e2e-test-images/agnhost:${tags.agnhost}`,
      ...(tags.agnhostPrev ? [`registry.k8s.io/e2e-test-images/agnhost:${tags.agnhostPrev}`] : []),
      ...(tags.glibcDnsTesting
        ? [`registry.k8s.io/e2e-test-images/glibc-dns-testing:${tags.glibcDnsTesting}`]
        : []),
    ],
    inputs: {
      ...busyboxInputs(),
      agnhost: path("agnhost"),
      curl: debianVersion("curl"),
      dig: debianVersion("bind9-dnsutils"),
      nc: debianVersion("netcat-openbsd"),
      sh: debianVersion("dash"),
      getent: debianVersion("libc-bin"),
    },
    layers: async () => {
      const dir = await agnhostModuleFiles();
      return [
        busybox(),
        [
          ...programWithLibraries("/usr/bin/curl"),
          ...programWithLibraries("/usr/bin/dig"),
          ...programWithLibraries("/usr/bin/nc.openbsd", "/usr/bin/nc"),
          ...programWithLibraries("/usr/bin/dash", "/bin/sh"),
          // The DNS specs' jessie querier (glibc-dns-testing) runs `getent hosts` against /etc/hosts and DNS
          // (seen missing in the full conformance run: "DNS should provide /etc/hosts entries" hung).
          ...programWithLibraries("/usr/bin/getent"),
          { kind: "file", path: "etc/nsswitch.conf", content: "hosts: files dns\n" },
          { kind: "file", path: "agnhost", source: path("agnhost"), mode: 0o755 },
          { kind: "symlink", path: "agnhost-2", target: "agnhost" },
          { kind: "dir", path: "uploads" },
          { kind: "file", path: "localhost.crt", source: join(dir, "porter/localhost.crt") },
          { kind: "file", path: "localhost.key", source: join(dir, "porter/localhost.key") },
          {
            kind: "file",
            path: "etc/passwd",
            content: passwd("user-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh\n"),
          },
          {
            kind: "file",
            path: "etc/group",
            content: group(
              "user-defined-in-image:x:1000:\ngroup-defined-in-image:x:50000:user-defined-in-image\n",
            ),
          },
        ],
      ];
    },
    config: { entrypoint: ["/agnhost"], cmd: ["pause"], exposedPorts: ["80/tcp", "8080/tcp", "8081/tcp"] },
  };

  // e2e's nginx images only need to serve HTTP on port 80; Debian's nginx (downloaded, not installed, so no
  // service starts on the host) with its libraries and a minimal config does that.
  const nginxVersion = downloadedVersion("nginx");
  const nginx: ImageSpec = {
    name: "nginx",
    refs: [
      `registry.k8s.io/e2e-test-images/nginx:${tags.nginx}`,
      `registry.k8s.io/e2e-test-images/nginx:${tags.nginxNew}`,
    ],
    inputs: { ...busyboxInputs(), nginx: nginxVersion },
    layers: async () => {
      const root = downloadedPackageRoot("nginx");
      return [
        busybox(),
        [
          ...programWithLibraries(join(root, "usr/sbin/nginx"), "usr/sbin/nginx"),
          { kind: "file", path: "etc/nginx/nginx.conf", content: NGINX_CONF },
          { kind: "file", path: "usr/share/nginx/html/index.html", content: "<h1>scs-kaas lab nginx</h1>\n" },
          { kind: "dir", path: "var/log/nginx" },
          { kind: "dir", path: "var/lib/nginx" },
        ],
      ];
    },
    config: { cmd: ["nginx", "-g", "daemon off;"], exposedPorts: ["80/tcp"] },
  };

  const sonobuoy: ImageSpec = {
    name: "sonobuoy",
    refs: [`docker.io/sonobuoy/sonobuoy:${SONOBUOY.version}`],
    inputs: { ...busyboxInputs(), sonobuoy: path("sonobuoy") },
    layers: async () => [busybox(), binariesLayer({ sonobuoy: path("sonobuoy") })],
    config: { cmd: ["/sonobuoy", "aggregator", "--no-exit", "-v", "3", "--logtostderr"], workingDir: "/" },
  };

  // Upstream's image is distroless with the static binary at /coredns; busybox is the lab's shared base.
  const coredns: ImageSpec = {
    name: "coredns",
    refs: [`registry.k8s.io/coredns/coredns:${COREDNS.version}`],
    inputs: { ...busyboxInputs(), coredns: path("coredns") },
    layers: async () => [busybox(), binariesLayer({ coredns: path("coredns") })],
    config: { entrypoint: ["/coredns"], exposedPorts: ["53/tcp", "53/udp"] },
  };

  // Upstream's image is alpine with the binary on PATH (its Deployment runs `local-path-provisioner start`).
  const localPath: ImageSpec = {
    name: "local-path-provisioner",
    refs: [`docker.io/rancher/local-path-provisioner:${LOCAL_PATH_PROVISIONER.version}`],
    inputs: { ...busyboxInputs(), localPath: path("local-path-provisioner") },
    layers: async () => [
      busybox(),
      binariesLayer({ "usr/bin/local-path-provisioner": path("local-path-provisioner") }),
    ],
    config: { entrypoint: ["local-path-provisioner"] },
  };

  // Upstream's images hold the static binary at /controller and /speaker (metallb-native.yaml names them).
  const metallb = (part: "controller" | "speaker"): ImageSpec => ({
    name: `metallb-${part}`,
    refs: [`quay.io/metallb/${part}:${METALLB.version}`],
    inputs: { ...busyboxInputs(), [part]: path(`metallb-${part}`) },
    layers: async () => [busybox(), binariesLayer({ [part]: path(`metallb-${part}`) })],
    config: { entrypoint: [`/${part}`] },
  });

  // Laid out as upstream's test/conformance/image/Dockerfile, on busybox instead of debian-base.
  const conformance: ImageSpec = {
    name: "conformance",
    refs: [`registry.k8s.io/conformance:${kubernetesVersion}`],
    inputs: {
      ...busyboxInputs(),
      ...Object.fromEntries(["e2e.test", "ginkgo", "kubectl", "go-runner"].map((b) => [b, path(b)])),
    },
    layers: async () => {
      const moduleDir = await kubernetesModuleDir(kubernetesVersion);
      return [
        busybox(),
        [
          ...binariesLayer({
            "usr/local/bin/ginkgo": path("ginkgo"),
            "usr/local/bin/e2e.test": path("e2e.test"),
            "usr/local/bin/kubectl": path("kubectl"),
            "usr/local/bin/kubeconformance": path("go-runner"),
            "run_e2e.sh": path("go-runner"),
            gorunner: path("go-runner"),
          }),
          ...treeLayer(join(moduleDir, "cluster"), "kubernetes/cluster"),
        ],
      ];
    },
    config: {
      entrypoint: ["kubeconformance"],
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "E2E_FOCUS=\\[Conformance\\]",
        "E2E_SKIP=",
        "E2E_PROVIDER=local",
        "E2E_PARALLEL=1",
        "E2E_VERBOSITY=4",
        "RESULTS_DIR=/tmp/results",
        "KUBECONFIG=",
      ],
    },
  };

  return [
    pause,
    busyboxImage,
    coredns,
    localPath,
    metallb("controller"),
    metallb("speaker"),
    agnhost,
    nginx,
    sonobuoy,
    conformance,
  ];
}

export function imageKey(spec: ImageSpec): string {
  return cacheKey(spec.refs[0] ?? spec.name, { refs: spec.refs, inputs: spec.inputs, config: spec.config });
}

export function imageTarball(spec: ImageSpec): string {
  return join(componentDir("images", `${spec.name}-${imageKey(spec)}`), "image.oci.tar");
}

/** Builds one image archive unless it is cached. */
export async function buildImage(spec: ImageSpec, log: (line: string) => void): Promise<void> {
  const tarball = imageTarball(spec);
  const dir = join(tarball, "..");
  if (existsSync(tarball)) return;
  const started = Date.now();
  await buildAtomically(dir, async (tmp) => {
    const layers = await Promise.all((await spec.layers(log)).map((entries) => layerTar(entries)));
    await writeOciArchive(join(tmp, "image.oci.tar"), { refs: spec.refs, layers, config: spec.config });
  });
  log(`[image] ${spec.refs.join(", ")} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
