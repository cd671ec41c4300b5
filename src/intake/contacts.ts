/**
 * Contact logs at intake (C8, issue 14 point 1): a dataset of kind `contacts` is one row per
 * contact, with a channel and, where the council's system has them, the customer and request
 * references, reason, service, date and time, handling time and whether it was resolved. Each part
 * is found by its column's name or named (`--contact-columns "request=Case No,handling=Talk time"`).
 *
 * The values are read once, here, into hidden columns every analysis uses: `_contact_at` (a
 * timestamp: 2025-03-14 09:05, 14/03/2025 9:05, 14 Mar 2025 …, day first as in the UK),
 * `_handling_minutes` (12, 12.5, 12:30 as m:ss, 1:02:00 as h:mm:ss; plain numbers are minutes or,
 * when said, seconds) and `_resolved` (Y/N, yes/no, true/false, 1/0). A value that cannot be read
 * does not lose the contact: it is counted, with its first rows, and left out of what needs it.
 * The customer reference is pseudonymised unless it is named to be kept in clear.
 */
import { InputError } from '../core/index.ts';
import { type Engine, ident, sqlCompare, sqlSmallestList } from '../store/index.ts';
import { columnIndex } from './columns.ts';

export const CONTACT_ROLES = [
  'channel',
  'customer',
  'request',
  'reason',
  'service',
  'datetime',
  'handling',
  'resolved',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];
export type ContactColumns = Record<ContactRole, string | null>;

/** How each part's column is recognised by its name, most specific first. */
export const CONTACT_COLUMN_PATTERNS: Readonly<Record<ContactRole, readonly RegExp[]>> = {
  channel: [
    /^(contact[ _-]?)?channel$/i,
    /^channel[ _-]?(of[ _-]?contact|used|type)$/i,
    /^contact[ _-]?(method|type|route|mode)$/i,
  ],
  customer: [/^(customer|caller|client|resident)[ _-]?(ref|reference|id|no|number)$/i],
  request: [/^(request|case|enquiry|service[ _-]?request|ticket)[ _-]?(ref|reference|id|no|number)$/i],
  reason: [/^(contact[ _-]?)?reason$/i, /^(enquiry|contact)[ _-]?(type|subject)$/i],
  service: [/^(service|service[ _-]?area|department|directorate)$/i],
  datetime: [
    /^(contact[ _-]?)?(date[ _-]?time|datetime|timestamp)$/i,
    /^(contact[ _-]?)?date$/i,
    /^(received|created)([ _-]?(at|on|date))?$/i,
  ],
  handling: [
    /^handling[ _-]?(time|minutes|mins|duration|seconds|secs)?$/i,
    /^(talk|call|contact|interaction)[ _-]?(time|duration|minutes|mins|length)$/i,
    /^(aht|duration|minutes)$/i,
  ],
  resolved: [
    /^resolved([ _-]?(first[ _-]?time|at[ _-]?first[ _-]?contact))?$/i,
    /^(ftr|fcr|first[ _-]?contact[ _-]?resolution)$/i,
  ],
};

/** "request=Case No,handling=Talk time" as parts and columns; an unknown part is named. */
export function parseContactColumns(text: string): Partial<Record<ContactRole, string>> {
  const out: Partial<Record<ContactRole, string>> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const role = (eq < 0 ? '' : pair.slice(0, eq).trim().toLowerCase()) as ContactRole;
    const column = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!CONTACT_ROLES.includes(role) || !column)
      throw new InputError(`"${pair}" is not a part of a contact and its column.`, {
        fix: `Write part=column, separated by commas; the parts are ${CONTACT_ROLES.join(', ')}.`,
      });
    out[role] = column;
  }
  return out;
}

/**
 * Each part's column: as named (which must be in the file), else the first whose name says so;
 * a part named as '' has none.
 */
export function findContactColumns(
  header: readonly string[],
  named: Partial<Record<ContactRole, string>>,
  file: string,
): ContactColumns {
  const out = {} as ContactColumns;
  const taken = new Set<number>();
  for (const role of CONTACT_ROLES) {
    const n = named[role];
    if (n) {
      const i = columnIndex([...header], n);
      if (i < 0)
        throw new InputError(`--contact-columns names a column "${n}" for the ${role} that is not in the file.`, {
          location: { file, column: n },
          fix: `Columns in the file: ${header.join(', ')}.`,
        });
      out[role] = header[i];
      taken.add(i);
    }
  }
  for (const role of CONTACT_ROLES) {
    if (named[role]) continue;
    // Named as '' (the portal's "None"): the file has no column for this part, whatever the names say.
    if (named[role] === '') {
      out[role] = null;
      continue;
    }
    let found: string | null = null;
    for (const re of CONTACT_COLUMN_PATTERNS[role]) {
      const i = header.findIndex((h, k) => !taken.has(k) && re.test(h.trim()));
      if (i >= 0) {
        found = header[i];
        taken.add(i);
        break;
      }
    }
    out[role] = found;
  }
  return out;
}

/** A column as SQL, named through its table's alias where a statement joins several. */
function qualified(column: string, table?: string): string {
  return table ? `${table}.${ident(column)}` : ident(column);
}

/** The date-and-time formats read, day first; the dates are core's parseDay's (test/intake/contacts). */
const DATETIME_FORMATS = [
  '%Y-%m-%d %H:%M:%S',
  '%Y-%m-%d %H:%M',
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%dT%H:%M',
  '%Y-%m-%d',
  ...['/', '-', '.'].flatMap((s) => [`%d${s}%m${s}%Y %H:%M:%S`, `%d${s}%m${s}%Y %H:%M`, `%d${s}%m${s}%Y`]),
  ...['%b', '%B'].flatMap((m) => [`%d ${m} %Y %H:%M:%S`, `%d ${m} %Y %H:%M`, `%d ${m} %Y`]),
];

/** A contact's date and time as SQL, from its column: NULL when blank or not a date. */
export function contactTimeSql(column: string, table?: string): string {
  return sqlCompare.timestamp(`trim(${qualified(column, table)})`, DATETIME_FORMATS);
}

/** Minutes from a handling-time cell, as SQL: NULL for blank or unreadable. */
export function handlingMinutesSql(column: string, unit: 'minutes' | 'seconds', table?: string): string {
  const v = `trim(${qualified(column, table)})`;
  const scale = unit === 'seconds' ? ' / 60.0' : '';
  return `CASE
    WHEN regexp_full_match(${v}, '[0-9]+(\\.[0-9]+)?') THEN TRY_CAST(${v} AS DOUBLE)${scale}
    WHEN regexp_full_match(${v}, '[0-9]+:[0-5][0-9]') THEN
      TRY_CAST(split_part(${v}, ':', 1) AS DOUBLE) + TRY_CAST(split_part(${v}, ':', 2) AS DOUBLE) / 60
    WHEN regexp_full_match(${v}, '[0-9]+:[0-5][0-9]:[0-5][0-9]') THEN
      60 * TRY_CAST(split_part(${v}, ':', 1) AS DOUBLE) + TRY_CAST(split_part(${v}, ':', 2) AS DOUBLE)
        + TRY_CAST(split_part(${v}, ':', 3) AS DOUBLE) / 60
    END`;
}

export const RESOLVED_YES = ['y', 'yes', 'true', '1', 'resolved'];
export const RESOLVED_NO = ['n', 'no', 'false', '0', 'unresolved', 'not resolved'];

/** Whether a contact was resolved, as SQL: TRUE, FALSE, or NULL for blank or unknown. */
export function resolvedSql(column: string, table?: string): string {
  const v = `lower(trim(${qualified(column, table)}))`;
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
  return `CASE WHEN ${v} IN (${list(RESOLVED_YES)}) THEN TRUE WHEN ${v} IN (${list(RESOLVED_NO)}) THEN FALSE END`;
}

/** The hidden columns a contact log's table gets. */
export const CONTACT_AT = '_contact_at';
export const HANDLING_MINUTES = '_handling_minutes';
export const RESOLVED = '_resolved';

export interface ContactLogSummary {
  columns: ContactColumns;
  handlingUnit: 'minutes' | 'seconds';
  rows: number;
  /** values that could not be read, with the first few rows of the file */
  unreadable: Record<'datetime' | 'handling' | 'resolved', { count: number; rows: number[] }>;
  /** rows with no customer or request reference: still contacts, left out of repeat contact and NI14 */
  blank: Record<'customer' | 'request' | 'reason', number>;
}

const FIRST_ROWS = 5;

/** A hidden column of a contact log's table, as SQL over the staged row (alias `table`). */
export interface ContactLogColumn {
  name: string;
  sql: (table: string) => string;
}

/**
 * The hidden columns a contact log's table gets, read from its dates, handling times and resolved
 * flags: computed by the statement that writes the dataset's table, so the staged rows are not
 * rewritten first. A contact log needs a channel column: without one it is refused.
 */
export function contactLogColumns(
  columns: ContactColumns,
  opts: { file: string; header: readonly string[]; handlingUnit?: 'minutes' | 'seconds' },
): ContactLogColumn[] {
  if (!columns.channel)
    throw new InputError('A contact log needs a channel column, and none was found by its name.', {
      location: { file: opts.file },
      fix: `Name it with --channel-column (or --contact-columns "channel=..."). Columns in the file: ${opts.header.join(', ')}.`,
    });
  const unit = opts.handlingUnit ?? 'minutes';
  const { datetime, handling, resolved } = columns;
  return [
    ...(datetime ? [{ name: CONTACT_AT, sql: (t: string) => contactTimeSql(datetime, t) }] : []),
    ...(handling ? [{ name: HANDLING_MINUTES, sql: (t: string) => handlingMinutesSql(handling, unit, t) }] : []),
    ...(resolved ? [{ name: RESOLVED, sql: (t: string) => resolvedSql(resolved, t) }] : []),
  ];
}

const HIDDEN_OF = { datetime: CONTACT_AT, handling: HANDLING_MINUTES, resolved: RESOLVED } as const;

/**
 * Counts, in one pass over a contact log's table, what could not be read (a cell not blank whose
 * hidden column is NULL, with the first few rows) and the rows with no customer, request or reason.
 */
export async function summariseContactLog(
  engine: Engine,
  table: string,
  columns: ContactColumns,
  handlingUnit: 'minutes' | 'seconds' = 'minutes',
): Promise<ContactLogSummary> {
  const blankSql = (c: string) => `nullif(trim(${ident(c)}), '') IS NULL`;
  const readRoles = (['datetime', 'handling', 'resolved'] as const).filter((r) => columns[r]);
  const blankRoles = (['customer', 'request', 'reason'] as const).filter((r) => columns[r]);
  const counts = (await engine.one<Record<string, number | string | null>>(
    `SELECT count(*)::BIGINT AS rows
      ${readRoles
        .map((role) => {
          const bad = `NOT ${blankSql(columns[role]!)} AND ${ident(HIDDEN_OF[role])} IS NULL`;
          return `, count(*) FILTER (WHERE ${bad})::BIGINT AS ${role}_n,
            ${sqlSmallestList('_row', FIRST_ROWS, bad)} AS ${role}_rows`;
        })
        .join('')}
      ${blankRoles.map((r) => `, count(*) FILTER (WHERE ${blankSql(columns[r]!)})::BIGINT AS blank_${r}`).join('')}
    FROM ${ident(table)}`,
  ))!;
  const unreadableOf = (role: 'datetime' | 'handling' | 'resolved') => ({
    count: Number(counts[`${role}_n`] ?? 0),
    rows: String(counts[`${role}_rows`] ?? '')
      .split(',')
      .filter(Boolean)
      .map(Number),
  });
  const blankOf = (role: 'customer' | 'request' | 'reason') => Number(counts[`blank_${role}`] ?? 0);
  return {
    columns,
    handlingUnit,
    rows: Number(counts.rows),
    unreadable: {
      datetime: unreadableOf('datetime'),
      handling: unreadableOf('handling'),
      resolved: unreadableOf('resolved'),
    },
    blank: { customer: blankOf('customer'), request: blankOf('request'), reason: blankOf('reason') },
  };
}

/** For the import's report to the owner: which column is which part, and what could not be read. */
export function describeContactLog(
  s: ContactLogSummary,
  howToName = 'name one with --contact-columns "part=column" if the file has it',
): string[] {
  const parts = CONTACT_ROLES.filter((r) => s.columns[r]).map((r) => `${r} "${s.columns[r]}"`);
  const missing = CONTACT_ROLES.filter((r) => !s.columns[r]);
  const lines = [`A contact log: ${parts.join(', ')}.`];
  if (missing.length) lines.push(`No column for: ${missing.join(', ')} (${howToName}).`);
  const what = { datetime: 'dates and times', handling: 'handling times', resolved: 'resolved flags' } as const;
  for (const k of ['datetime', 'handling', 'resolved'] as const) {
    const u = s.unreadable[k];
    if (u.count)
      lines.push(
        `${u.count} ${what[k]} could not be read (rows ${u.rows.join(', ')}${u.count > u.rows.length ? ' …' : ''}) in the column "${s.columns[k]}"; those contacts are kept and left out of what needs them.`,
      );
  }
  for (const k of ['customer', 'request', 'reason'] as const)
    if (s.columns[k] && s.blank[k]) lines.push(`${s.blank[k]} contacts have no ${k}.`);
  return lines;
}

/** A dataset's contact log parts, when it was imported as one (kind contacts), else null. */
export async function contactLogOf(engine: Engine, dataset: string): Promise<ContactLogSummary | null> {
  const r = await engine.one<{ kind: string | null; log: string | null }>(
    `SELECT kind, contact_log AS log FROM dataset WHERE name = $1`,
    [dataset],
  );
  return r?.kind === 'contacts' && r.log ? (JSON.parse(r.log) as ContactLogSummary) : null;
}
