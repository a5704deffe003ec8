import type { Verdict } from "../judge.ts";

/** The SCS compliance driver's numbers: PASS 1, ABORT 0, FAIL -1 (NOT_RUN has none: the id is left out). */
export const DRIVER_VALUE: Record<Exclude<Verdict, "NOT_RUN">, 1 | 0 | -1> = { PASS: 1, ABORT: 0, FAIL: -1 };

export function duration(seconds: number): string {
  if (!seconds) return "-";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 120) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function firstLine(s: string | undefined, max = 300): string {
  const l = (s ?? "").split("\n").find((x) => x.trim()) ?? "";
  return l.length > max ? `${l.slice(0, max)}…` : l.trim();
}

export function zonesOf(nodes: { zone?: string }[]): string[] {
  return [...new Set(nodes.map((n) => n.zone).filter((z): z is string => Boolean(z)))].sort();
}
