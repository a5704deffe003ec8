import type { ApiConstructor, ApiType, KubeConfig } from "@kubernetes/client-node";
import { ApiCallError } from "./api-errors.ts";
import type { CheckContext } from "./check.ts";

export interface Registered {
  name: string;
  /** The signal aborts shortly before the cleanup's budget ends: time left to report what is left. */
  fn: (signal: AbortSignal) => Promise<void>;
}
export interface RegisteredDump {
  name: string;
  /** The signal aborts shortly before the dump's budget ends: time to return what was collected. */
  fn: (signal: AbortSignal) => Promise<string>;
}

/** What a check leaves with the runner while it runs: its log, its cleanups, its failure dumps. */
export interface CheckRecord {
  readonly log: string[];
  readonly cleanups: Registered[];
  readonly dumps: RegisteredDump[];
  /**
   * Ends registration: from now on defer() hands each cleanup to `runLate` at once instead of queueing
   * it. The runner closes the record when the check ends or is stopped, so that a body abandoned after a
   * timeout or SIGTERM, which registers a cleanup late, still gets it run.
   */
  close(runLate: (cleanup: Registered) => void): void;
  readonly closed: boolean;
}

export interface ContextInit {
  checkId: string;
  runId: string;
  kubeConfig: KubeConfig;
  signal: AbortSignal;
  referenceDate: Date;
  options: Readonly<Record<string, string>>;
  /** Sees every log line as it is written (human log file, live view). */
  onLog?: (line: string) => void;
  now?: () => Date;
}

export function createCheckContext(init: ContextInit): { ctx: CheckContext; record: CheckRecord } {
  let runLate: ((cleanup: Registered) => void) | undefined;
  const record: CheckRecord = {
    log: [],
    cleanups: [],
    dumps: [],
    close(late) {
      runLate = late;
    },
    get closed() {
      return runLate !== undefined;
    },
  };
  const now = init.now ?? (() => new Date());
  const ctx: CheckContext = {
    checkId: init.checkId,
    runId: init.runId,
    kubeConfig: init.kubeConfig,
    signal: init.signal,
    referenceDate: init.referenceDate,
    options: init.options,
    api: (apiClass) => withOperationNames(init.kubeConfig.makeApiClient(apiClass), apiClass),
    log(line) {
      const stamped = `${now().toISOString().slice(11, 23)} ${line}`;
      record.log.push(stamped);
      init.onLog?.(line);
    },
    defer(name, cleanup) {
      if (runLate) runLate({ name, fn: cleanup });
      else record.cleanups.push({ name, fn: cleanup });
    },
    onFailureDump(name, dump) {
      record.dumps.push({ name, fn: dump });
    },
  };
  return { ctx, record };
}

/** Wraps every method so that a rejection carries `Class.method` (api-errors.ts reads it). */
function withOperationNames<T extends ApiType>(client: T, apiClass: ApiConstructor<T>): T {
  return new Proxy(client as object, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      // client-node exports its object-parameter wrappers (ObjectCoreV1Api) under the plain names
      const operation = `${apiClass.name.replace(/^Object(?=[A-Z])/, "")}.${prop}`;
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          return result instanceof Promise
            ? result.catch((err: unknown) => {
                throw new ApiCallError(operation, err);
              })
            : result;
        } catch (err) {
          throw new ApiCallError(operation, err);
        }
      };
    },
  }) as T;
}
