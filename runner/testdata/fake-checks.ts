/**
 * Fake checks for the runner's process-level tests, injected with SCS_KAAS_TEST_REGISTRY. The scenario
 * comes from FAKE_SCENARIO; checks talk to the test through files in FAKE_STATE_DIR.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import type { CheckDefinition, CheckOutcome } from "../../suites/framework/check.ts";
import { CheckFailed } from "../../suites/framework/errors.ts";
import { sleep } from "../../suites/framework/timeouts.ts";

const state = process.env.FAKE_STATE_DIR ?? ".";
const mark = (name: string) => writeFileSync(join(state, name), String(Date.now()));

function fake(
  slug: string,
  run: CheckDefinition["run"],
  more: Partial<CheckDefinition> = {},
): CheckDefinition {
  return {
    id: `scs-9999-v1/${slug}`,
    standard: "scs-9999-v1",
    testId: `${slug}-check`,
    title: `fake ${slug}`,
    labels: [],
    scope: "cluster",
    rbac: [],
    timeout: { name: `fake-${slug}`, ms: 60_000 },
    ...more,
    run,
  };
}

const pass = fake("passes", async (ctx) => {
  ctx.log("all good");
  return { verdict: "pass", reason: "fine" };
});

/** Creates a "resource" (a file), registers its removal, then waits until stopped. */
const hangs = fake("hangs", async (ctx) => {
  mark("resource");
  ctx.defer("remove resource", async () => {
    await sleep(200);
    rmSync(join(state, "resource"));
    mark("cleaned");
  });
  mark("hanging");
  await sleep(600_000, ctx.signal);
  return { verdict: "pass", reason: "unreachable" };
});

/**
 * Ignores its stop (like a client call that cannot be cancelled), then creates a "resource" and
 * registers its removal after the timeout or SIGTERM already ended the check.
 */
const late = fake("registers-late", async (ctx) => {
  mark("hanging");
  await sleep(1000);
  mark("resource");
  ctx.defer("remove late resource", async () => {
    rmSync(join(state, "resource"));
    mark("cleaned");
  });
  return { verdict: "pass", reason: "unreachable" };
});

const has = (name: string) => existsSync(join(state, name));
const marks = (prefix: string) => readdirSync(state).filter((n) => n.startsWith(prefix));

/** Waits (at most its budget) until each of `peers` has marked itself running: proof they overlap. */
function peer(slug: string, peers: readonly string[], more: Partial<CheckDefinition> = {}): CheckDefinition {
  return fake(
    slug,
    async (ctx) => {
      mark(`running-${slug}`);
      try {
        while (!peers.every((p) => has(`running-${p}`) || has(`finished-${p}`))) await sleep(20, ctx.signal);
        await sleep(100, ctx.signal);
        return { verdict: "pass", reason: `ran alongside ${peers.join(", ")}` };
      } finally {
        rmSync(join(state, `running-${slug}`));
        mark(`finished-${slug}`);
      }
    },
    { timeout: { name: `fake-${slug}-waits-for-peers`, ms: 5_000 }, ...more },
  );
}

/** Passes only if no other check runs beside it and every check in `after` has finished. */
function alone(slug: string, after: readonly string[], labels: CheckDefinition["labels"]): CheckDefinition {
  return fake(
    slug,
    async () => {
      const others = marks("running-");
      const unfinished = after.filter((p) => !has(`finished-${p}`));
      mark(`finished-${slug}`);
      if (others.length || unfinished.length)
        throw new CheckFailed(`not alone: running ${others.join(", ")}; unfinished ${unfinished.join(", ")}`);
      return { verdict: "pass", reason: "alone" };
    },
    { labels },
  );
}

/** Like hangs, with its own resource file: several of them hang at once. */
function hangsWith(slug: string, budgetMs = 60_000): CheckDefinition {
  return fake(
    slug,
    async (ctx) => {
      mark(`resource-${slug}`);
      ctx.defer(`remove resource-${slug}`, async () => {
        await sleep(200);
        rmSync(join(state, `resource-${slug}`));
        mark(`cleaned-${slug}`);
      });
      mark(`hanging-${slug}`);
      await sleep(600_000, ctx.signal);
      return { verdict: "pass", reason: "unreachable" };
    },
    { timeout: { name: `fake-${slug}-budget`, ms: budgetMs } },
  );
}

// A rejection from code that belongs to no check (created when this module loaded), once two checks run.
if (process.env.FAKE_SCENARIO === "stray-rejection") {
  const poll = setInterval(() => {
    if (has("hanging-one") && has("hanging-two")) {
      clearInterval(poll);
      void Promise.reject(new Error("boom from nowhere"));
    }
  }, 20);
  poll.unref();
}

const scenarios: Record<string, CheckDefinition[]> = {
  "late-defer-timeout": [{ ...late, timeout: { name: "fake-late-budget", ms: 300 } }, pass],
  "late-defer-sigterm": [late, pass],
  "all-pass": [
    pass,
    fake("lists-nodes", async (ctx) => {
      const nodes = await ctx.api(CoreV1Api).listNode();
      return { verdict: "pass", reason: `${nodes.items.length} nodes` };
    }),
  ],
  mixed: [
    pass,
    fake("fails", async (ctx) => {
      ctx.onFailureDump("state", async () => "object state dumped");
      throw new CheckFailed("the cluster violates it", ["node-b lacks the label"]);
    }),
    fake("skips", async () => ({ verdict: "pass", reason: "must not run" }), {
      preconditions: [async () => "needs three nodes"],
    }),
    fake("throws", async () => {
      const x = undefined as unknown as { y: () => void };
      x.y();
      return { verdict: "pass", reason: "unreachable" };
    }),
    fake("disruptive", async () => ({ verdict: "pass", reason: "must not run" }), {
      labels: ["[Disruptive]"],
    }),
    fake(
      "warns",
      async (): Promise<CheckOutcome> => ({ verdict: "pass", reason: "ok", warnings: ["zone spread"] }),
    ),
  ],
  sigterm: [pass, hangs, fake("after", async () => ({ verdict: "pass", reason: "must not run" }))],
  timeout: [{ ...hangs, timeout: { name: "fake-hang-budget", ms: 500 } }, pass],
  rejection: [
    fake("leaks-rejection", async (ctx) => {
      void Promise.reject(new Error("boom from a floating promise"));
      await sleep(600_000, ctx.signal);
      return { verdict: "pass", reason: "unreachable" };
    }),
    pass,
  ],
  uncaught: [
    fake("throws-in-timer", async (ctx) => {
      mark("resource");
      ctx.defer("remove resource", async () => rmSync(join(state, "resource")));
      setTimeout(() => {
        throw new Error("kaboom in a timer");
      }, 50);
      await sleep(600_000, ctx.signal);
      return { verdict: "pass", reason: "unreachable" };
    }),
    pass,
  ],
  concurrent: [
    alone("serial", ["a", "b", "c"], ["[Serial]"]),
    peer("a", ["b", "c"]),
    alone("disruptive", ["a", "b", "c", "serial"], ["[Disruptive]"]),
    peer("b", ["a", "c"]),
    peer("c", ["a", "b"]),
  ],
  "concurrent-sigterm": [hangsWith("one"), hangsWith("two"), pass],
  "concurrent-timeout": [
    hangsWith("one", 500),
    fake("outlives-timeout", async (ctx) => {
      while (!has("cleaned-one")) await sleep(20, ctx.signal);
      return { verdict: "pass", reason: "ran on while the other check timed out" };
    }),
    pass,
  ],
  "concurrent-rejection": [
    fake("waits", async (ctx) => {
      while (!has("leaked")) await sleep(20, ctx.signal);
      await sleep(300, ctx.signal);
      return { verdict: "pass", reason: "untouched by the other check's rejection" };
    }),
    fake("leaks-rejection", async (ctx) => {
      await sleep(100, ctx.signal);
      void Promise.reject(new Error("boom from a floating promise"));
      mark("leaked");
      await sleep(600_000, ctx.signal);
      return { verdict: "pass", reason: "unreachable" };
    }),
  ],
  "stray-rejection": [hangsWith("one"), hangsWith("two"), pass],
  "api-outage": [
    fake("lists-nodes", async (ctx) => {
      const nodes = await ctx.api(CoreV1Api).listNode();
      mark("listed");
      return { verdict: "pass", reason: `${nodes.items.length} nodes` };
    }),
    fake("lists-after-outage", async (ctx) => {
      while (!existsSync(join(state, "api-down"))) await sleep(50, ctx.signal);
      await ctx.api(CoreV1Api).listNode();
      return { verdict: "pass", reason: "unreachable" };
    }),
    fake("lists-again", async (ctx) => {
      await ctx.api(CoreV1Api).listNode();
      return { verdict: "pass", reason: "unreachable" };
    }),
  ],
};

const chosen = scenarios[process.env.FAKE_SCENARIO ?? ""];
if (!chosen) throw new Error(`unknown FAKE_SCENARIO ${process.env.FAKE_SCENARIO}`);
export const checks: readonly CheckDefinition[] = chosen;
