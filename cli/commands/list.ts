import type { Command } from "commander";
import { loadChecks } from "../../runner/registry.ts";
import { isDisruptive } from "../../runner/result.ts";

/** `scs-kaas list`: every registered check, with what --focus/--skip match against. */
export function register(program: Command): void {
  program
    .command("list")
    .description("list every check: id, standard, test id, labels, disruptive or not")
    .option("--json", "print JSON instead of a table")
    .action(async (opts: { json?: boolean }) => {
      const checks = await loadChecks();
      const rows = checks.map((c) => ({
        id: c.id,
        standard: c.standard,
        testId: c.testId ?? "-",
        scope: c.scope,
        disruptive: isDisruptive(c),
        labels: c.labels.join(" "),
        title: c.title,
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const table = [
        ["ID", "STANDARD", "TEST ID", "SCOPE", "DISRUPTIVE", "LABELS", "TITLE"],
        ...rows.map((r) => [
          r.id,
          r.standard,
          r.testId,
          r.scope,
          r.disruptive ? "yes" : "no",
          r.labels || "-",
          r.title,
        ]),
      ];
      process.stdout.write(formatTable(table));
    });
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
