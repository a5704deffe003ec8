import type { ApiConstructor, ApiType, KubeConfig, V1PolicyRule } from "@kubernetes/client-node";
import type { Verdict } from "../../common/verdict.ts";

/**
 * Labels follow the kubernetes e2e convention and are matched by --focus/--skip like any other text.
 * `[Disruptive]` checks (node roll, VM kill) only run when explicitly enabled.
 */
export type Label = "[Disruptive]" | "[Slow]" | "[Serial]" | `[Feature:${string}]`;

/**
 * What the check needs from the API, stated up front: the ClusterRole is generated from these.
 * Either resources (with apiGroups) or nonResourceURLs (e.g. `/version`), as in a PolicyRule.
 */
export type RbacRule = Pick<V1PolicyRule, "apiGroups" | "resources" | "nonResourceURLs" | "verbs">;

/** A named timeout; the name appears in the message when it expires. */
export interface Timeout {
  name: string;
  ms: number;
}

/** What the verdict is about: this one cluster, or the provider's KaaS offering as a whole. */
export type Scope = "cluster" | "kaas";

export interface CheckDefinition {
  /** Unique and stable: `<standard>/<slug>`, e.g. `scs-0210-v2/version-policy`. */
  id: string;
  /** The SCS standard the check enforces, e.g. `scs-0210-v2`. Cited in every junit testcase name. */
  standard: string;
  /** The test id in the SCS scope file where one exists, e.g. `version-policy-check`. */
  testId?: string;
  title: string;
  labels: readonly Label[];
  scope: Scope;
  rbac: readonly RbacRule[];
  /** Overall budget; the runner aborts the check (and runs its cleanups) when it expires. */
  timeout: Timeout;
  /**
   * Each precondition returns undefined when met, or the reason to skip. Evaluated in order before run().
   * A precondition that cannot be evaluated (API error, forbidden) aborts instead.
   */
  preconditions?: readonly Precondition[];
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export type Precondition = (ctx: CheckContext) => Promise<string | undefined>;

/** What run() returns. Throwing CheckAborted/CheckSkipped/CheckFailed (framework/errors.ts) is equivalent. */
export interface CheckOutcome {
  verdict: Exclude<Verdict, "skip"> | "skip";
  /** One line a person reads first: why this verdict. */
  reason: string;
  /** Supporting lines: what was measured, per-node findings, data sources and their dates. */
  details?: string[];
  /** SHOULD-level findings and near misses; they never change the verdict. */
  warnings?: string[];
}

export interface CheckContext {
  /** The check's id (CheckDefinition.id). */
  readonly checkId: string;
  /** Unique per run; every object the suite creates carries it as a label (framework/labels.ts). */
  readonly runId: string;
  readonly kubeConfig: KubeConfig;
  /**
   * An API client whose errors name the call they came from (`CoreV1Api.listNode`), so that an abort
   * says what was attempted. Prefer it over kubeConfig.makeApiClient().
   */
  api<T extends ApiType>(apiClass: ApiConstructor<T>): T;
  /** Aborted on timeout, SIGTERM or when the run is cancelled; pass it to every long wait. */
  readonly signal: AbortSignal;
  /** The date the standards' time windows are judged against (settable for reproducible runs). */
  readonly referenceDate: Date;
  /** Options from the CLI or the Sonobuoy config-map, e.g. `release-data`, `disruptive`. */
  readonly options: Readonly<Record<string, string>>;
  /** A line for the human log and the testcase's system-out. */
  log(line: string): void;
  /**
   * Registers cleanup right next to the create it undoes; run in reverse order, also on failure, timeout
   * and SIGTERM. Registered after the check was stopped, it runs at once. Its signal aborts shortly
   * before the cleanup budget ends (time to say what is left); cleanups must not use ctx.signal.
   */
  defer(name: string, cleanup: (signal: AbortSignal) => Promise<void>): void;
  /**
   * Registers a dump (objects, events) that goes into system-out only if the check does not pass. Its
   * signal aborts shortly before the dump budget ends: return what was collected by then.
   */
  onFailureDump(name: string, dump: (signal: AbortSignal) => Promise<string>): void;
}

export type { KubeConfig };
