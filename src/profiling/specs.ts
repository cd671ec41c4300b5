/**
 * The two small languages people type for a profile's records, read once here for the CLI and the
 * API alike: a filter, `column=value` (values separated by |), and RAG measures, `DATASET` or
 * `DATASET:column=value`, comma-separated. Only the words naming the option differ between the two
 * (`--where` at the command line, `where` in a URL).
 */
import { ParameterError, formatDay, parseDay, type PeriodUnit } from '../core/index.ts';
import type { RagMeasure } from './rag.ts';

export interface RecordFilter {
  column: string;
  /** The categories to keep, compared ignoring case; '' stands for a blank cell. Empty for a period. */
  values: string[];
  /** A period of the column's dates instead of categories. */
  period?: RecordPeriod;
  /** Another filter the records must match as well ("a=x; b=last 12 months"). */
  also?: RecordFilter;
}

/** At most this many filters joined with ";". */
export const MAX_FILTERS = 8;

/** A filter and the filters joined to it, in order. */
export function filterParts(f: RecordFilter): RecordFilter[] {
  const out: RecordFilter[] = [];
  for (let x: RecordFilter | undefined = f; x; x = x.also) out.push(x);
  return out;
}

/**
 * Records dated from `from` to `to` (both included, either open), or the last n units up to the
 * latest date in the column (the extract's end), as written: 2024-04-01..2025-03-31,
 * >=2024-04-01, <2025-04-01, last 12 months.
 */
export interface RecordPeriod {
  from: string | null;
  to: string | null;
  last?: { n: number; unit: PeriodUnit };
}

/** How a blank cell is asked for: `column=(blank)` or `column=`. */
export const BLANK_VALUE = '(blank)';

/** How the option is named where it was typed, for the messages. */
export interface SpecNames {
  where: string;
  measures: string;
  labels: string;
}

export const CLI_SPEC_NAMES: SpecNames = { where: '--where', measures: '--measures', labels: '--labels' };
export const API_SPEC_NAMES: SpecNames = { where: 'where', measures: 'measures', labels: 'labels' };

/**
 * `column=value`, `column=a|b`, `column=(blank)` (or `column=`) for blank cells, and for a column of
 * dates a period: `column=2024-04-01..2025-03-31` (either end may be left off), `column>=DATE`,
 * `column<=DATE`, `column>DATE`, `column<DATE`, or `column=last 12 months` (days, weeks, months,
 * years; counted back from the latest date in the column). Several filters joined with ";" must
 * all match: `payment_method=Direct Debit; start_date=last 12 months`.
 */
export function parseWhere(spec: string, what: string): RecordFilter {
  const parts = spec
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return parseOneWhere(spec, what);
  if (parts.length > MAX_FILTERS)
    throw new ParameterError(
      `${what} joins ${parts.length} filters; at most ${MAX_FILTERS} can be joined.`,
      'Keep the filters that matter, or import the file with a column that says it.',
    );
  const filters = parts.map((p) => parseOneWhere(p, what));
  for (let i = 0; i + 1 < filters.length; i++) filters[i].also = filters[i + 1];
  return filters[0];
}

function parseOneWhere(spec: string, what: string): RecordFilter {
  const cmp = /^([^<>=]+?)\s*(<=|>=|<|>)\s*(.+)$/.exec(spec);
  if (cmp) {
    const column = cmp[1].trim();
    const day = dayOf(cmp[3], what, spec);
    const next = (d: number, by: number) => formatDay(d + by);
    const op = cmp[2];
    const period: RecordPeriod =
      op === '>='
        ? { from: formatDay(day), to: null }
        : op === '>'
          ? { from: next(day, 1), to: null }
          : op === '<='
            ? { from: null, to: formatDay(day) }
            : { from: null, to: next(day, -1) };
    return { column, values: [], period };
  }
  const i = spec.indexOf('=');
  if (i <= 0)
    throw new ParameterError(
      `Cannot read ${what} "${spec}".`,
      'Write it as column=value (values separated by |), column=(blank) for blank cells, or a period such as date=2024-04-01..2025-03-31 or date=last 12 months; join several with ";", e.g. paid=Direct Debit; joined=last 12 months.',
    );
  const column = spec.slice(0, i).trim();
  const rest = spec.slice(i + 1).trim();
  const last = /^last\s+(\d+)\s+(day|week|month|year)s?$/i.exec(rest);
  if (last) {
    const n = Number(last[1]);
    if (n < 1)
      throw new ParameterError(
        `${what} "${spec}" asks for a period of no length.`,
        'Give at least 1, e.g. last 12 months.',
      );
    const unit = `${last[2].toLowerCase()}s` as PeriodUnit;
    return { column, values: [], period: { from: null, to: null, last: { n, unit } } };
  }
  if (/^last\b/i.test(rest))
    throw new ParameterError(
      `Cannot read the period "${rest}" in ${what}.`,
      'Write it as last N days, weeks, months or years, e.g. last 12 months.',
    );
  const range = /^(.*?)\s*\.\.\s*(.*)$/.exec(rest);
  if (range && (range[1] === '' || parseDay(range[1]) !== null) && (range[2] === '' || parseDay(range[2]) !== null)) {
    if (range[1] === '' && range[2] === '')
      throw new ParameterError(
        `${what} "${spec}" gives a period with no start and no end.`,
        'Give at least one of them, e.g. date=2024-04-01..',
      );
    const from = range[1] ? parseDay(range[1])! : null;
    const to = range[2] ? parseDay(range[2])! : null;
    if (from !== null && to !== null && from > to)
      throw new ParameterError(
        `The period in ${what} "${spec}" ends before it starts.`,
        'Put the earlier date first, e.g. 2024-04-01..2025-03-31.',
      );
    return {
      column,
      values: [],
      period: { from: from === null ? null : formatDay(from), to: to === null ? null : formatDay(to) },
    };
  }
  return {
    column,
    values: rest.split('|').map((v) => {
      const t = v.trim();
      return t.toLowerCase() === BLANK_VALUE ? '' : t;
    }),
  };
}

function dayOf(text: string, what: string, spec: string): number {
  const d = parseDay(text);
  if (d === null)
    throw new ParameterError(
      `"${text.trim()}" in ${what} "${spec}" is not a date.`,
      'Write it as 2025-03-31 or 31/03/2025.',
    );
  return d;
}

/** A filter in words, for a result's notes: "paid = yes or (blank)", "visit_date from 2024-04-01 to 2025-03-31". */
export function describeFilter(
  column: string,
  f: RecordFilter,
  resolved?: { from: string | null; to: string | null },
): string {
  if (!f.period) return `${column} = ${f.values.map((v) => (v === '' ? BLANK_VALUE : v)).join(' or ')}`;
  const p = resolved ?? f.period;
  const span =
    p.from && p.to
      ? `from ${p.from} to ${p.to}`
      : p.from
        ? `on or after ${p.from}`
        : p.to
          ? `on or before ${p.to}`
          : 'at any date';
  return f.period.last
    ? `${column} in the last ${f.period.last.n} ${f.period.last.unit} to the latest date in the column (${span})`
    : `${column} ${span}`;
}

/** "bookings" or "bookings:scheme=Friends|Friends plus", comma-separated, with optional labels and a filter for every measure without its own. */
export function parseMeasures(
  spec: string,
  where?: string,
  labels?: string,
  names: SpecNames = CLI_SPEC_NAMES,
): RagMeasure[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const example =
    names === CLI_SPEC_NAMES ? '--measures theatre_bookings,friends' : 'measures=theatre_bookings,friends';
  if (!parts.length) throw new ParameterError('Give the measures to compare.', `For example ${example}`);
  const titles = labels ? labels.split(',').map((s) => s.trim()) : [];
  if (labels && titles.length !== parts.length)
    throw new ParameterError(
      `${names.labels} gives ${titles.length} labels for ${parts.length} measures.`,
      'Give one label per measure, in the same order.',
    );
  const common = where ? parseWhere(where, names.where) : undefined;
  return parts.map((p, i) => {
    const c = p.indexOf(':');
    const dataset = (c > 0 ? p.slice(0, c) : p).trim();
    const own = c > 0 ? parseWhere(p.slice(c + 1), 'the measure') : undefined;
    return { dataset, where: own ?? common, label: titles[i] || undefined };
  });
}
