// A token handed to a check as a reference to a Secret (`<namespace>/<name>[/key]`) rather than as a
// value: the value then never appears in a config-map, a pod spec or a command line.
import { CoreV1Api } from "@kubernetes/client-node";
import type { CheckContext } from "./check.ts";
import { CheckAborted } from "./errors.ts";

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** The key a reference without one reads. */
export const DEFAULT_SECRET_KEY = "token";

/** Options whose value is a Secret reference: a least-privileged run must grant `get` on that Secret. */
export const SECRET_REF_OPTION = /-token-secret$/;

/** `<namespace>/<name>[/key]`, or undefined when the text is not of that form. */
export function parseSecretRef(text: string): SecretRef | undefined {
  const parts = text.trim().split("/");
  const [namespace, name, key = DEFAULT_SECRET_KEY] = parts;
  if (parts.length < 2 || parts.length > 3 || !namespace || !name || !key) return undefined;
  return { namespace, name, key };
}

/**
 * The trimmed value under the reference's key. A missing key or an empty value aborts naming the option;
 * a 403 propagates, so that the framework's abort names `get secrets` in that namespace.
 */
export async function readSecretValue(ctx: CheckContext, ref: SecretRef, option: string): Promise<string> {
  const where = `${ref.namespace}/${ref.name}`;
  const secret = await ctx.api(CoreV1Api).readNamespacedSecret({ name: ref.name, namespace: ref.namespace });
  const value = secret.data?.[ref.key];
  if (value === undefined) throw new CheckAborted(`Secret ${where} has no key ${ref.key} (${option})`);
  const text = Buffer.from(value, "base64").toString("utf8").trim();
  if (!text) throw new CheckAborted(`Secret ${where} key ${ref.key} is empty (${option})`);
  return text;
}
