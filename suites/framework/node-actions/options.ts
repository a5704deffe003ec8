/**
 * The node-action options (`--option K=V` from the CLI, the plugin's config-map or SCS_KAAS_NODE_ACTION*
 * env in the cluster), read into one configuration. Pure: tested on data.
 */
import { parseSecretRef, type SecretRef } from "../secret-ref.ts";

export const NODE_ACTION_OPTIONS = {
  driver: "node-action",
  url: "node-action-url",
  tokenFile: "node-action-token-file",
  tokenSecret: "node-action-token-secret",
  command: "node-action-command",
  allowControlPlane: "node-action-allow-control-plane",
} as const;

export type TokenSource = { kind: "file"; path: string } | ({ kind: "secret" } & SecretRef);

/** What every driver shares: the safety switch. */
export interface CommonConfig {
  allowControlPlane: boolean;
}

export type NodeActionConfig =
  | ({ driver: "webhook"; url: URL; token: TokenSource } & CommonConfig)
  | ({ driver: "command"; command: string } & CommonConfig);

/** A configuration error: the run cannot act on nodes as asked. The message names the option. */
export class NodeActionConfigError extends Error {
  override readonly name = "NodeActionConfigError";
}

/** How to configure a driver; appended to every "not configured" skip. */
export const HOW_TO_CONFIGURE =
  "set --option node-action=webhook with node-action-url and node-action-token-file or " +
  "node-action-token-secret=<namespace>/<name>[/key], or node-action=command with node-action-command " +
  "(README: Node actions)";

/** undefined: no node action configured (disruptive checks skip); throws on a half or wrong configuration. */
export function parseNodeActionOptions(
  options: Readonly<Record<string, string>>,
): NodeActionConfig | undefined {
  const get = (key: string) => {
    const v = options[key]?.trim();
    return v ? v : undefined;
  };
  const driver = get(NODE_ACTION_OPTIONS.driver);
  const allowControlPlane = parseBoolean(
    NODE_ACTION_OPTIONS.allowControlPlane,
    get(NODE_ACTION_OPTIONS.allowControlPlane),
  );
  const common: CommonConfig = { allowControlPlane };
  if (driver === undefined) {
    const stray = [
      NODE_ACTION_OPTIONS.url,
      NODE_ACTION_OPTIONS.tokenFile,
      NODE_ACTION_OPTIONS.tokenSecret,
      NODE_ACTION_OPTIONS.command,
    ].filter((k) => get(k) !== undefined);
    if (stray.length > 0)
      throw new NodeActionConfigError(`${stray.join(", ")} given without node-action=webhook|command`);
    return undefined;
  }
  if (driver === "webhook") {
    const rawUrl = get(NODE_ACTION_OPTIONS.url);
    if (!rawUrl) throw new NodeActionConfigError("node-action=webhook needs node-action-url");
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new NodeActionConfigError(`node-action-url is not a URL: ${JSON.stringify(rawUrl)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new NodeActionConfigError(`node-action-url must be http or https, got ${url.protocol}`);
    if (url.username || url.password)
      throw new NodeActionConfigError("node-action-url must not carry credentials; use a token option");
    return { driver, url, token: tokenSource(get), ...common };
  }
  if (driver === "command") {
    const command = get(NODE_ACTION_OPTIONS.command);
    if (!command) throw new NodeActionConfigError("node-action=command needs node-action-command");
    return { driver, command, ...common };
  }
  throw new NodeActionConfigError(`node-action must be webhook or command, got ${JSON.stringify(driver)}`);
}

function tokenSource(get: (key: string) => string | undefined): TokenSource {
  const file = get(NODE_ACTION_OPTIONS.tokenFile);
  const secret = get(NODE_ACTION_OPTIONS.tokenSecret);
  if (file && secret)
    throw new NodeActionConfigError("give node-action-token-file or node-action-token-secret, not both");
  if (file) return { kind: "file", path: file };
  if (!secret)
    throw new NodeActionConfigError(
      "node-action=webhook needs a bearer token: node-action-token-file or node-action-token-secret",
    );
  const ref = parseSecretRef(secret);
  if (!ref)
    throw new NodeActionConfigError(
      `node-action-token-secret must be <namespace>/<name>[/key], got ${JSON.stringify(secret)}`,
    );
  return { kind: "secret", ...ref };
}

function parseBoolean(key: string, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (/^(true|yes|1)$/i.test(text)) return true;
  if (/^(false|no|0)$/i.test(text)) return false;
  throw new NodeActionConfigError(`${key} must be true or false, got ${JSON.stringify(text)}`);
}
