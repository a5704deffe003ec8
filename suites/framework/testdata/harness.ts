import { KubeConfig } from "@kubernetes/client-node";
import {
  type FakeApiServer,
  type Route,
  startFakeApiServer,
  type UpgradeRoute,
} from "../../../runner/testdata/fake-api-server.ts";
import { FakeStore, type FakeStoreOptions } from "../../../runner/testdata/fake-store.ts";
import type { CheckContext } from "../check.ts";
import { type CheckRecord, createCheckContext } from "../context.ts";

export interface Harness {
  api: FakeApiServer;
  store: FakeStore;
  ctx: CheckContext;
  record: CheckRecord;
  /** Runs the registered cleanups newest first, as the runner would, and returns their errors. */
  cleanup(): Promise<unknown[]>;
  close(): Promise<void>;
}

/** A check context against a fake API server with an in-memory store (helper tests only). */
export async function harness(
  opts: FakeStoreOptions & {
    routes?: Route[];
    upgrades?: UpgradeRoute[];
    options?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Harness> {
  const store = new FakeStore(opts);
  const api = await startFakeApiServer([...(opts.routes ?? []), store.route], opts.upgrades);
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig);
  const { ctx, record } = createCheckContext({
    checkId: "scs-9999-v1/helper-test",
    runId: "run1",
    kubeConfig: kc,
    signal: opts.signal ?? new AbortController().signal,
    referenceDate: new Date(),
    options: opts.options ?? {},
  });
  return {
    api,
    store,
    ctx,
    record,
    async cleanup() {
      const errors: unknown[] = [];
      for (const c of [...record.cleanups].reverse())
        await c.fn(new AbortController().signal).catch((e: unknown) => errors.push(e));
      return errors;
    },
    async close() {
      store.stop();
      await api.close();
    },
  };
}

/** A check context against `server` (a fake API server with routes of the test's own). */
export function contextFor(server: FakeApiServer, signal = new AbortController().signal): CheckContext {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return createCheckContext({
    checkId: "scs-9999-v1/test",
    runId: "run1",
    kubeConfig: kc,
    signal,
    referenceDate: new Date(),
    options: {},
  }).ctx;
}
