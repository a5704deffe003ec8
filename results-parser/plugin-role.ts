import type { PluginResults } from "./read-results.ts";
import { totalOf } from "./test-case.ts";

/** What a plugin ran, which decides the SCS test id its results answer. */
export type PluginRole = "conformance" | "networking" | "scs" | "other";

export interface RoleDecision {
  plugin: string;
  role: PluginRole;
  why: string;
}

/**
 * Decides a plugin's role from what it ran: every case carrying scs.* properties → scs; every executed test
 * a NetworkPolicy test → networking; every executed test `[Conformance]` → conformance; with nothing
 * executed, the focus in its definition. Never from the plugin's name; `overrides` (by name) win.
 */
export function decideRole(p: PluginResults, overrides: Record<string, PluginRole> = {}): RoleDecision {
  const plugin = p.name;
  const forced = overrides[plugin];
  if (forced) return { plugin, role: forced, why: "set by --role" };
  const t = p.tally;
  // Only a plugin whose every case is this suite's answers as `scs`: a stray scs.* property in an e2e
  // junit must neither make it `scs` nor hide its other cases.
  const cases = totalOf(t.counts);
  const marked = p.junitFiles.some((f) => f.suiteProperties["scs-kaas.version"] !== undefined);
  if (cases > 0 ? t.scsCases === cases : marked)
    return { plugin, role: "scs", why: `all ${t.scsCases} testcases carry scs.* properties` };
  const ran = t.ran;
  if (ran > 0) {
    if (t.ranNetworkPolicy === ran)
      return { plugin, role: "networking", why: `all ${ran} executed tests are NetworkPolicy tests` };
    if (t.ranConformance === ran)
      return { plugin, role: "conformance", why: `all ${ran} executed tests are [Conformance] tests` };
  }
  const focus = p.definition?.focus;
  if (ran === 0 && focus) {
    if (/NetworkPolicy/.test(focus))
      return { plugin, role: "networking", why: `nothing executed; focus ${JSON.stringify(focus)}` };
    if (/Conformance/.test(focus))
      return { plugin, role: "conformance", why: `nothing executed; focus ${JSON.stringify(focus)}` };
  }
  if (ran > 0)
    return {
      plugin,
      role: "other",
      why: `executed ${ran} tests: ${t.ranConformance} [Conformance], ${t.ranNetworkPolicy} NetworkPolicy, so neither a conformance nor a NetworkPolicy run`,
    };
  return {
    plugin,
    role: "other",
    why: p.format === "junit" || p.format === "gojson" ? "executed no test" : `${p.format} results`,
  };
}

export function parseRoleOverrides(specs: string[]): Record<string, PluginRole> {
  const out: Record<string, PluginRole> = {};
  for (const s of specs) {
    const m = /^([^=]+)=(conformance|networking|scs|other)$/.exec(s.trim());
    if (!m)
      throw new Error(`--role ${JSON.stringify(s)}: expected <plugin>=conformance|networking|scs|other`);
    out[m[1] as string] = m[2] as PluginRole;
  }
  return out;
}
