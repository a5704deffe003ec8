import {
  type Cell,
  cellKey,
  DNS_TARGET,
  type Expectation,
  type Matrix,
  podIds,
  SERVE_PORTS,
  type Via,
} from "./matrix.ts";

/**
 * Truth tables as upstream's netpol tests print them: one per port/protocol and address kind, rows are
 * sources, columns destinations. In expected/observed tables `.` is allowed and `X` denied; in the diff
 * table `.` matches and `X` differs; `-` is loopback (not probed), `?` a cell the model cannot decide.
 */
export type TableKind = "expected" | "observed" | "diff";

function grid(title: string, mark: (from: string, to: string) => string, cols: string[]): string[] {
  const rows = podIds();
  const width = Math.max(...cols.map((c) => c.length), 3);
  const pad = (s: string) => s.padStart(width);
  return [
    title,
    `${" ".repeat(5)}${cols.map(pad).join(" ")}`,
    ...rows.map(
      (from) => `${from.padEnd(5)}${cols.map((to) => pad(to === from ? "-" : mark(from, to))).join(" ")}`,
    ),
  ];
}

export function renderTables(
  kind: TableKind,
  cells: readonly Cell[],
  expected: Map<string, Expectation>,
  observed: Matrix,
  only?: (port: number, protocol: string, via: Via) => boolean,
): string[] {
  const byKey = new Map(cells.map((c) => [cellKey(c), c]));
  const mark = (key: string): string => {
    if (!byKey.has(key)) return " ";
    const e = expected.get(key);
    const o = observed.get(key);
    if (kind === "expected") return e?.uncertain ? "?" : e?.allowed ? "." : "X";
    if (kind === "observed") return o === undefined ? " " : o ? "." : "X";
    if (!e || e.uncertain || o === undefined) return "?";
    return e.allowed === o ? "." : "X";
  };
  const out: string[] = [];
  for (const via of ["pod", "service"] as const)
    for (const sp of SERVE_PORTS) {
      if (only && !only(sp.port, sp.protocol, via)) continue;
      out.push(
        ...grid(
          `${kind}: ${sp.port}/${sp.protocol} to ${via === "pod" ? "pod IPs" : "Service IPs"}`,
          (from, to) => mark(cellKey({ from, to, port: sp.port, protocol: sp.protocol, via })),
          podIds(),
        ),
      );
    }
  const dns = podIds().map((from) => {
    const c = cells.find((x) => x.from === from && x.to === DNS_TARGET);
    return c ? `${from}:${mark(cellKey(c))}` : `${from}: `;
  });
  out.push(`${kind}: DNS lookup from each pod  ${dns.join("  ")}`);
  return out;
}
