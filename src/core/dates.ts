/**
 * Dates as councils write them, read by one rule everywhere (a campaign's period, a profile's
 * period filter): 2025-03-14 (with or without a time), 14/03/2025, 14-03-2025, 14.03.2025 and
 * 14 Mar 2025 or 14 March 2025. Day first, as in the UK. Days are whole days since 1970-01-01 (UTC),
 * so nothing depends on the clock or the machine's time zone.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** The day number of a date as written, or null when it is not a date (31/02/2025 is not). */
export function parseDay(value: string | null | undefined): number | null {
  const s = (value ?? '').trim();
  let y: number, m: number, d: number;
  let g = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (g) {
    y = +g[1];
    m = +g[2];
    d = +g[3];
  } else if ((g = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s.*)?$/.exec(s))) {
    d = +g[1];
    m = +g[2];
    y = +g[3];
  } else if ((g = /^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})(?:\s.*)?$/.exec(s))) {
    const word = g[2].toLowerCase();
    const i = MONTHS.findIndex((mon, k) => word === mon || word === FULL_MONTHS[k] || (k === 8 && word === 'sept'));
    if (i < 0) return null;
    d = +g[1];
    m = i + 1;
    y = +g[3];
  } else return null;
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return t / 86_400_000;
}

/** A day number as 2025-03-14. */
export function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export type PeriodUnit = 'days' | 'weeks' | 'months' | 'years';

/**
 * The first day of the period of n units that ends on (and includes) `end`: the last 12 months to
 * 2025-03-14 start on 2024-03-15. A month back from the 31st lands on the month's last day.
 */
export function periodStart(end: number, n: number, unit: PeriodUnit): number {
  if (unit === 'days') return end - n + 1;
  if (unit === 'weeks') return end - 7 * n + 1;
  const e = new Date(end * 86_400_000);
  const months = unit === 'years' ? 12 * n : n;
  const y = e.getUTCFullYear();
  const mo = e.getUTCMonth() - months;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const back = Date.UTC(y, mo, Math.min(e.getUTCDate(), last)) / 86_400_000;
  return back + 1;
}
