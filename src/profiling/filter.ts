/**
 * A profile's record filter as SQL, read by one rule for the profile itself and for the owner's
 * check that the filter matches something: categories (ignoring case; '' for a blank cell) or a
 * period of the column's dates. Dates are read by core's parseDay, once per distinct value, and
 * the values in the period are kept in a temporary table the profile's statements join to.
 */
import { ParameterError, formatDay, parseDay, periodStart } from '../core/index.ts';
import { type Engine, type SqlValue, ident } from '../store/index.ts';
import { datasetColumn } from '../intake/index.ts';
import { describeFilter, filterParts, MAX_FILTERS, type RecordFilter, type RecordPeriod } from './specs.ts';

/** The temporary table of the values in a period, while a profile runs. */
export const PERIOD_TABLE = 'profile_period';

export interface FilterSql {
  /** ` AND …` on the records' alias d */
  sql: string;
  params: SqlValue[];
  text: string;
}

interface DatesInPeriod {
  values: string[];
  from: string | null;
  to: string | null;
  readable: number;
  unreadable: number;
  earliest: string | null;
  latest: string | null;
}

async function datesInPeriod(engine: Engine, table: string, col: string, period: RecordPeriod): Promise<DatesInPeriod> {
  const rows = await engine.all<{ v: string; n: number }>(
    `SELECT CAST(${ident(col)} AS VARCHAR) AS v, count(*)::BIGINT AS n FROM ${ident(table)} WHERE ${ident(col)} IS NOT NULL GROUP BY 1`,
  );
  const days = rows.map((r) => ({ ...r, day: parseDay(r.v) }));
  const read = days.filter((d) => d.day !== null) as { v: string; n: number; day: number }[];
  const latest = read.length ? Math.max(...read.map((r) => r.day)) : null;
  const earliest = read.length ? Math.min(...read.map((r) => r.day)) : null;
  let from = period.from === null ? null : parseDay(period.from);
  let to = period.to === null ? null : parseDay(period.to);
  if (period.last) {
    to = latest;
    from = latest === null ? null : periodStart(latest, period.last.n, period.last.unit);
  }
  const inPeriod = read.filter((r) => (from === null || r.day >= from) && (to === null || r.day <= to));
  return {
    values: inPeriod.map((r) => r.v),
    from: from === null ? null : formatDay(from),
    to: to === null ? null : formatDay(to),
    readable: read.reduce((s, r) => s + r.n, 0),
    unreadable: days.filter((d) => d.day === null).reduce((s, r) => s + r.n, 0),
    earliest: earliest === null ? null : formatDay(earliest),
    latest: latest === null ? null : formatDay(latest),
  };
}

/**
 * The SQL for a filter (and every filter joined to it: all must match), with its parameters
 * numbered from `firstParam`. Each period fills a temporary table of its own, PERIOD_TABLE for the
 * first (drop them when done: dropPeriodTable). `dates` and `column` are the first part's, for the
 * owner's messages.
 */
export async function recordFilterSql(
  engine: Engine,
  ds: { table_name: string; columns: string | string[] },
  where: RecordFilter,
  firstParam: number,
): Promise<FilterSql & { dates?: DatesInPeriod; column: string }> {
  const parts = filterParts(where);
  const out = { sql: '', params: [] as SqlValue[], texts: [] as string[] };
  let first: { dates?: DatesInPeriod; column: string } | null = null;
  let periods = 0;
  for (const part of parts) {
    const p = await onePartSql(engine, ds, part, firstParam + out.params.length, periods);
    if (part.period) periods++;
    out.sql += p.sql;
    out.params.push(...p.params);
    out.texts.push(p.text);
    first ??= { dates: p.dates, column: p.column };
  }
  return { sql: out.sql, params: out.params, text: out.texts.join(' and '), ...first! };
}

const periodTable = (k: number) => (k === 0 ? PERIOD_TABLE : `${PERIOD_TABLE}_${k + 1}`);

async function onePartSql(
  engine: Engine,
  ds: { table_name: string; columns: string | string[] },
  where: RecordFilter,
  firstParam: number,
  periodIndex: number,
): Promise<FilterSql & { dates?: DatesInPeriod; column: string }> {
  const col = datasetColumn(ds.columns, where.column);
  const c = `d.${ident(col)}`;
  if (where.period) {
    const dates = await datesInPeriod(engine, ds.table_name, col, where.period);
    const table = periodTable(periodIndex);
    await engine.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} (v VARCHAR)`);
    await engine.append(
      table,
      dates.values.map((v) => [v]),
    );
    const text =
      describeFilter(col, where, dates) + (dates.unreadable ? ' (records whose date cannot be read are left out)' : '');
    return {
      sql: ` AND CAST(${c} AS VARCHAR) IN (SELECT v FROM ${ident(table)})`,
      params: [],
      text,
      dates,
      column: col,
    };
  }
  const named = where.values.filter((v) => v.trim() !== '');
  const blank = named.length < where.values.length;
  const parts: string[] = [];
  if (named.length) parts.push(`lower(trim(${c})) IN (${named.map((_, i) => `$${firstParam + i}`).join(', ')})`);
  if (blank) parts.push(`${c} IS NULL OR trim(${c}) = ''`);
  return {
    sql: ` AND (${parts.join(' OR ')})`,
    params: named.map((v) => v.trim().toLowerCase()),
    text: describeFilter(col, where),
    column: col,
  };
}

/**
 * Runs fn with a filter's SQL (parameters numbered from 1), inside a transaction so that a
 * period's temporary table is there while fn runs and gone after; fn gets null without a filter.
 */
export async function withRecordFilter<T>(
  engine: Engine,
  ds: { table_name: string; columns: string | string[] },
  where: RecordFilter | undefined,
  fn: (f: FilterSql | null) => Promise<T>,
): Promise<T> {
  return engine.transaction(async () => {
    if (!where) return fn(null);
    const f = await recordFilterSql(engine, ds, where, 1);
    try {
      return await fn(f);
    } finally {
      await dropPeriodTable(engine);
    }
  });
}

/** Drops every period's temporary table a filter made. */
export async function dropPeriodTable(engine: Engine): Promise<void> {
  for (let k = 0; k < MAX_FILTERS; k++) await engine.run(`DROP TABLE IF EXISTS ${ident(periodTable(k))}`);
}

/** For the owner: why a period matched nothing, with the column's dates (which quotes the data). */
export function emptyPeriodError(col: string, dates: DatesInPeriod): ParameterError {
  if (!dates.readable)
    return new ParameterError(
      `${col} holds no dates that can be read, so it cannot be filtered by a period.`,
      'Dates are read as 2025-03-31, 31/03/2025 or 31 Mar 2025. Check the column name, or filter by its values instead.',
    );
  return new ParameterError(
    `No record has ${col} in that period.`,
    `The dates in ${col} run from ${dates.earliest} to ${dates.latest}.`,
  );
}
