import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

export interface KubeconfigChoice {
  kubeconfig?: string;
  context?: string;
}

/**
 * Loads credentials like kubectl: --kubeconfig, else the files in $KUBECONFIG (missing ones ignored,
 * merged in order), else ~/.kube/config, else the in-cluster service account; then --context.
 * Unlike client-node's loadFromDefault it never falls back silently to http://localhost:8080.
 */
export function loadKubeconfig(
  choice: KubeconfigChoice,
  env: NodeJS.ProcessEnv = process.env,
): { kc: KubeConfig; source: string } {
  const kc = new KubeConfig();
  let source: string;
  try {
    if (choice.kubeconfig) {
      if (!existsSync(choice.kubeconfig))
        throw new KubeconfigError(`kubeconfig ${choice.kubeconfig} does not exist`);
      kc.loadFromFile(choice.kubeconfig);
      source = choice.kubeconfig;
    } else if (env.KUBECONFIG) {
      const files = env.KUBECONFIG.split(delimiter).filter((f) => f && existsSync(f));
      if (!files.length)
        throw new KubeconfigError(`none of the files in KUBECONFIG (${env.KUBECONFIG}) exists`);
      const [first, ...rest] = files as [string, ...string[]];
      kc.loadFromFile(first);
      for (const file of rest) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more);
      }
      source = `KUBECONFIG=${env.KUBECONFIG}`;
    } else if (existsSync(join(env.HOME ?? homedir(), ".kube", "config"))) {
      source = join(env.HOME ?? homedir(), ".kube", "config");
      kc.loadFromFile(source);
    } else if (env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
      source = "in-cluster service account";
    } else {
      throw new KubeconfigError("no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config");
    }
  } catch (err) {
    if (err instanceof KubeconfigError) throw err;
    throw new KubeconfigError(`cannot read the kubeconfig: ${(err as Error).message.split("\n")[0]}`);
  }
  if (choice.context) {
    if (!kc.getContextObject(choice.context)) {
      throw new KubeconfigError(`context "${choice.context}" not found in ${source}`);
    }
    kc.setCurrentContext(choice.context);
  }
  if (!kc.getCurrentContext())
    throw new KubeconfigError(`${source} names no current context; pass --context`);
  if (!kc.getCurrentCluster()?.server) {
    throw new KubeconfigError(
      `context "${kc.getCurrentContext()}" in ${source} has no cluster with a server address`,
    );
  }
  return { kc, source };
}
