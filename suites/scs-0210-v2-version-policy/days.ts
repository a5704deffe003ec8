/**
 * The standard's windows are judged in whole UTC calendar days: a release published at any time on day
 * D counts as released on D, and the reference date is a day. "More than N days before" means
 * referenceDay - releaseDay > N. Days are kept as `YYYY-MM-DD` strings so that tests and output read
 * the same.
 */
export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function parseDay(s: string): Day {
  const m = DAY.exec(s.trim());
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (toDay(d) !== s.trim()) throw new Error(`"${s}" is not a calendar date`);
    return s.trim();
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`"${s}" is not a date (expected YYYY-MM-DD or an ISO timestamp)`);
  return toDay(new Date(t));
}

export function toDay(d: Date): Day {
  return d.toISOString().slice(0, 10);
}

function epochDay(d: Day): number {
  return Date.parse(`${d}T00:00:00Z`) / MS_PER_DAY;
}

/** b - a in days. */
export function daysBetween(a: Day, b: Day): number {
  return epochDay(b) - epochDay(a);
}

export function addDays(d: Day, n: number): Day {
  return toDay(new Date((epochDay(d) + n) * MS_PER_DAY));
}

/**
 * Same day-of-month `n` months later; clamped to the last day of a shorter month
 * (2026-01-31 + 1 month = 2026-02-28), which is how "one month after" reads on a calendar.
 */
export function addMonths(d: Day, n: number): Day {
  const [y, m, day] = d.split("-").map(Number) as [number, number, number];
  const targetMonth = m - 1 + n;
  const lastDay = new Date(Date.UTC(y, targetMonth + 1, 0)).getUTCDate();
  return toDay(new Date(Date.UTC(y, targetMonth, Math.min(day, lastDay))));
}
