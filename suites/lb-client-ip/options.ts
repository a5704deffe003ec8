import { isIP } from "node:net";
import { CheckAborted } from "../framework/errors.ts";
import { parseSecretRef, type SecretRef } from "../framework/secret-ref.ts";

/** A provider-specific Service variant: its name and the annotations that ask the load balancer for it. */
export interface Variant {
  name: string;
  annotations: Record<string, string>;
  /** Backends require a PROXY header (the variant's name starts with `proxy`). */
  proxy: boolean;
}

export interface LbOptions {
  variants: Variant[];
  /** The outside prober; its token as a value or as a Secret to read (kept out of config-maps). */
  prober?: { url: string; token: string } | { url: string; tokenSecret: SecretRef };
  clientAddress?: string;
  /** New connections per Service. */
  connections: number;
}

/**
 * Reads the check's options: `lb-variant=NAME:KEY=VALUE[,KEY=VALUE]` (several separated by `;`, also as
 * `lb-variant-<anything>` keys, or SCS_KAAS_LB_VARIANT in the plugin's environment), `lb-prober-url` with
 * `lb-prober-token` or `lb-prober-token-secret=<namespace>/<name>[/key]` (also SCS_KAAS_LB_PROBER_URL /
 * SCS_KAAS_LB_PROBER_TOKEN in the plugin's environment), `lb-client-address`, `lb-connections`. Bad
 * input aborts with the option named.
 */
export function readOptions(
  options: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): LbOptions {
  const variants: Variant[] = [];
  const fromEnv = env.SCS_KAAS_LB_VARIANT?.trim();
  for (const [key, value] of [
    ...Object.entries(options),
    ...(fromEnv ? ([["lb-variant-env", fromEnv]] as const) : []),
  ] as [string, string][]) {
    if (!/^lb-variants?(-.+)?$/.test(key)) continue;
    for (const spec of value
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      variants.push(parseVariant(key, spec));
  }
  const names = variants.map((v) => v.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new CheckAborted(`option lb-variant: the variant name ${dup} is used twice`);
  const url = options["lb-prober-url"]?.trim() || env.SCS_KAAS_LB_PROBER_URL?.trim();
  const token = options["lb-prober-token"]?.trim() || env.SCS_KAAS_LB_PROBER_TOKEN?.trim();
  const secretText = options["lb-prober-token-secret"]?.trim();
  if (token && secretText) throw new CheckAborted("give lb-prober-token or lb-prober-token-secret, not both");
  const tokenSecret = secretText ? parseSecretRef(secretText) : undefined;
  if (secretText && !tokenSecret)
    throw new CheckAborted(
      `option lb-prober-token-secret must be <namespace>/<name>[/key], got ${JSON.stringify(secretText)}`,
    );
  if (url && !token && !tokenSecret)
    throw new CheckAborted(
      "option lb-prober-url is set but neither lb-prober-token nor lb-prober-token-secret is",
    );
  if (url && !/^https?:\/\/[^/]+/.test(url))
    throw new CheckAborted(`option lb-prober-url=${url} is not an http(s) URL`);
  const clientAddress = options["lb-client-address"]?.trim();
  if (clientAddress && !isIP(clientAddress)) {
    throw new CheckAborted(`option lb-client-address=${clientAddress} is not an IP address`);
  }
  const connections = Number(options["lb-connections"] ?? "30");
  if (!Number.isInteger(connections) || connections < 1 || connections > 100) {
    throw new CheckAborted(
      `option lb-connections=${options["lb-connections"]} is not an integer from 1 to 100`,
    );
  }
  return {
    variants,
    ...(url && token ? { prober: { url, token } } : {}),
    ...(url && tokenSecret ? { prober: { url, tokenSecret } } : {}),
    ...(clientAddress ? { clientAddress } : {}),
    connections,
  };
}

function parseVariant(key: string, spec: string): Variant {
  const m = /^([a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?):(.+)$/.exec(spec);
  if (!m)
    throw new CheckAborted(
      `option ${key}=${spec}: expected NAME:KEY=VALUE[,KEY=VALUE] (NAME: lowercase, up to 20 characters)`,
    );
  const annotations: Record<string, string> = {};
  for (const pair of (m[3] as string).split(",")) {
    const eq = pair.indexOf("=");
    const k = pair.slice(0, eq).trim();
    if (eq <= 0 || !/^([a-z0-9.-]+\/)?[A-Za-z0-9._-]+$/.test(k)) {
      throw new CheckAborted(`option ${key}=${spec}: ${JSON.stringify(pair)} is not an annotation KEY=VALUE`);
    }
    annotations[k] = pair.slice(eq + 1).trim();
  }
  const name = m[1] as string;
  return { name, annotations, proxy: name.startsWith("proxy") };
}
