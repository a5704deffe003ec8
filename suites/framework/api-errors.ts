import { ApiException } from "@kubernetes/client-node";
import type { Verdict } from "../../common/verdict.ts";
import { CheckAborted, CheckFailed, CheckSkipped, RunInterrupted, TimeoutExpired } from "./errors.ts";

/** The verdict an error thrown by a check (or by a helper it called) stands for. */
export interface TranslatedError {
  verdict: Exclude<Verdict, "pass">;
  reason: string;
  details: string[];
}

/** Added by ctx.api() so that an error says which client call it came from. */
export class ApiCallError extends Error {
  override readonly name = "ApiCallError";
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    super(`${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.operation = operation;
  }
}

/**
 * Maps anything a check throws to a verdict. Only CheckFailed means the cluster violates the standard;
 * a forbidden call, an API error, a network error, a timeout or a bug in the check is an abort: the
 * check could not decide.
 */
export function translateError(err: unknown): TranslatedError {
  if (err instanceof CheckFailed) return { verdict: "fail", reason: err.message, details: err.details };
  if (err instanceof CheckSkipped) return { verdict: "skip", reason: err.message, details: err.details };
  if (err instanceof CheckAborted) {
    const details = [...err.details];
    if (err.cause !== undefined) details.push(...translateError(err.cause).details);
    return { verdict: "abort", reason: err.message, details };
  }
  if (err instanceof TimeoutExpired || err instanceof RunInterrupted) {
    return { verdict: "abort", reason: err.message, details: [] };
  }
  const operation = err instanceof ApiCallError ? err.operation : undefined;
  const inner = err instanceof ApiCallError ? err.cause : err;

  const status = httpStatusOf(inner);
  if (status !== undefined) return translateHttpError(status, inner, operation);

  const network = networkCause(inner);
  if (network) {
    return {
      verdict: "abort",
      reason: `cannot reach the API server: ${network}`,
      details: operation ? [`during ${operation}`] : [],
    };
  }
  if (isAbortError(inner)) {
    return { verdict: "abort", reason: `cancelled: ${describe(inner)}`, details: [] };
  }
  return {
    verdict: "abort",
    reason: `the check crashed: ${describe(inner)}`,
    details: inner instanceof Error && inner.stack ? inner.stack.split("\n") : [],
  };
}

function translateHttpError(status: number, err: unknown, operation: string | undefined): TranslatedError {
  const body = statusBody(err);
  const apiMessage = typeof body?.message === "string" ? body.message : undefined;
  const details = [
    ...(operation ? [`during ${operation}`] : []),
    ...(apiMessage ? [`API server said: ${apiMessage}`] : []),
  ];
  if (status === 403) {
    const denied = apiMessage ? parseForbidden(apiMessage) : undefined;
    if (denied) return { verdict: "abort", reason: forbiddenReason(denied), details };
    return {
      verdict: "abort",
      reason: `forbidden: ${operation ?? "an API call"} was denied (HTTP 403)${apiMessage ? `: ${apiMessage}` : ""}`,
      details,
    };
  }
  if (status === 401) {
    return {
      verdict: "abort",
      reason: "unauthorized: the API server rejected the credentials (HTTP 401)",
      details,
    };
  }
  const what = typeof body?.reason === "string" && body.reason ? ` ${body.reason}` : "";
  return {
    verdict: "abort",
    reason: `API error: HTTP ${status}${what}${operation ? ` from ${operation}` : ""}${apiMessage ? `: ${apiMessage}` : ""}`,
    details,
  };
}

export interface Forbidden {
  user?: string;
  verb: string;
  resource: string;
  apiGroup: string;
  /** "cluster scope" or `namespace "x"` */
  scope: string;
}

/**
 * Reads the RBAC authorizer's message, e.g.
 * `nodes is forbidden: User "u" cannot list resource "nodes" in API group "" at the cluster scope`.
 * Non-resource URLs read `cannot get path "/version"`.
 */
export function parseForbidden(message: string): Forbidden | undefined {
  const user = /User "([^"]*)"/.exec(message)?.[1];
  const res =
    /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: (at the cluster scope|in the namespace "([^"]*)"))?/.exec(
      message,
    );
  if (res) {
    const [, verb = "", resource = "", apiGroup = "", scopeText, namespace] = res;
    const scope =
      namespace !== undefined ? `namespace "${namespace}"` : scopeText ? "cluster scope" : "scope not stated";
    return { ...(user ? { user } : {}), verb, resource, apiGroup, scope };
  }
  const path = /cannot (\S+) path "([^"]+)"/.exec(message);
  if (path) {
    const [, verb = "", resource = ""] = path;
    return { ...(user ? { user } : {}), verb, resource, apiGroup: "", scope: "non-resource URL" };
  }
  return undefined;
}

export function forbiddenReason(f: Forbidden): string {
  const qualified = f.apiGroup ? `${f.resource}.${f.apiGroup}` : f.resource;
  const group = f.apiGroup ? `, API group "${f.apiGroup}"` : "";
  const who = f.user ? ` as ${f.user}` : "";
  return `forbidden: cannot ${f.verb} ${qualified} (verb "${f.verb}", resource "${f.resource}"${group}, ${f.scope})${who}`;
}

/**
 * The HTTP status of a failed API call, looking through ApiCallError (ctx.api wraps every rejection) and
 * CheckAborted causes; undefined for network errors and anything that is not an API response.
 */
export function apiStatusOf(err: unknown): number | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e; depth++) {
    const status = httpStatusOf(e);
    if (status !== undefined) return status;
    if (!(e instanceof ApiCallError || e instanceof CheckAborted)) return undefined;
    e = e.cause;
  }
  return undefined;
}

/** True when the API answered 404: the object (or its namespace) does not exist. */
export function isNotFound(err: unknown): boolean {
  return apiStatusOf(err) === 404;
}

function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; statusCode?: unknown; body?: unknown };
    if (typeof e.statusCode === "number") return e.statusCode; // client-node's Watch
    if (typeof e.code === "number" && e.code >= 100 && e.code < 600 && "body" in e) return e.code;
  }
  return undefined;
}

function statusBody(err: unknown): { message?: unknown; reason?: unknown } | undefined {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as { message?: unknown; reason?: unknown };
    } catch {
      return { message: body };
    }
  }
  if (body && typeof body === "object") return body as { message?: unknown; reason?: unknown };
  return undefined;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** undici reports `TypeError: fetch failed` with the socket error as its cause. */
function networkCause(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) {
      return (e as Error).message || code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  if (err instanceof TypeError && err.message === "fetch failed") return "fetch failed";
  return undefined;
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
}

export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
