import { SUITE_VERSION } from "../../runner/suite-version.ts";
import type { CheckContext } from "./check.ts";
import { CheckAborted } from "./errors.ts";

/**
 * The images pods of the suite run. There is one: the suite's own (`scs-kaas:<version>`), whose
 * workload entrypoint (suites/workload/main.ts) serves every role, so an air-gapped cluster mirrors one
 * image. `--option image-registry=<host>[/path]` puts it under a mirror; `--option image=<ref>` names it
 * outright. In the cluster the plugin passes its own image in the environment (SCS_KAAS_IMAGE, set by
 * sonobuoy.yaml), so `--plugin-image` overrides both the plugin and its workload pods.
 */
export const IMAGES = {
  suite: `scs-kaas:${SUITE_VERSION}`,
} as const;

export const IMAGE_OPTION = "image";
export const IMAGE_REGISTRY_OPTION = "image-registry";
export const IMAGE_ENV = "SCS_KAAS_IMAGE";

/** The image workload pods run: the suite's own, with the run's overrides applied. */
export function suiteImage(ctx: Pick<CheckContext, "options">, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = ctx.options[IMAGE_OPTION]?.trim() || env[IMAGE_ENV]?.trim();
  const base = explicit || IMAGES.suite;
  const registry = ctx.options[IMAGE_REGISTRY_OPTION]?.trim();
  return registry ? withRegistry(base, registry) : base;
}

/**
 * `ref` moved under `registry`: its own registry host (a first path part with a dot, a colon or
 * `localhost`) is replaced, the repository path kept. `withRegistry("scs-kaas:0.1.0", "mirror.example/x")`
 * is `mirror.example/x/scs-kaas:0.1.0`.
 */
export function withRegistry(ref: string, registry: string): string {
  const reg = registry.replace(/\/+$/, "");
  if (!/^[A-Za-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]+)?$/.test(reg)) {
    throw new CheckAborted(`option ${IMAGE_REGISTRY_OPTION}=${registry} is not a registry host[/path]`);
  }
  const parts = ref.split("/");
  const first = parts[0] ?? "";
  const hasHost = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const path = hasHost ? parts.slice(1) : parts;
  return `${reg}/${path.join("/")}`;
}

export const WORKLOAD_ENTRYPOINT = "/app/suites/workload/main.ts";

/** The command of a workload pod: one verb of suites/workload/main.ts in the suite's image. */
export function workloadCommand(verb: string, ...args: string[]): string[] {
  return ["node", "--disable-warning=ExperimentalWarning", WORKLOAD_ENTRYPOINT, verb, ...args];
}
