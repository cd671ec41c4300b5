/**
 * What a contact log says (C8, issue 14 point 2): the channel mix, avoidable contact as NI14 (the
 * average number of contacts per customer request), requests needing more than one contact,
 * repeat contact by the same customer for the same reason within N days, contacts for reasons the
 * council marks avoidable, and first-contact resolution by tier against a target (Barking &
 * Dagenham: 80% resolved in the front office).
 *
 * First-contact resolution counts requests when the log has a request reference (decision 35): a
 * request is resolved at first contact when it has one contact only and that contact is flagged
 * resolved; its tier is the tier of its first contact's reason (the earliest date-time, an undated
 * contact after every dated one, and ties by the order of the rows in the file). Contacts without a
 * request reference are left out of it, as they are of NI14, and counted. Without a request column
 * it counts contacts flagged resolved, as version 1 did; `tiers.basis` says which.
 *
 * The truth is computed here; what a viewer may see is decided by discloseContacts (outputs). The
 * customer reference may be pseudonymised: only equality is used, so keyed hashes work as well.
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { InputError, ParameterError } from '../core/index.ts';
import { ident, type Engine } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import {
  CONTACT_AT,
  CONTACT_COLUMN_PATTERNS,
  RESOLVED_YES,
  contactLogOf,
  contactTimeSql,
  type ContactRole,
} from '../intake/index.ts';

/** 2: resolution by tier counts requests when there is a request reference (tiers.basis, tiers.rows[].count). */
export const CONTACTS_RESULT_VERSION = 2 as const;

const Count = z.number().nullable();

export const ContactsResultSchema = z.object({
  version: z.literal(CONTACTS_RESULT_VERSION),
  dataset: z.string(),
  /** the columns read, as found or named */
  columns: z.object({
    channel: z.string(),
    customer: z.string().nullable(),
    request: z.string().nullable(),
    reason: z.string().nullable(),
    datetime: z.string().nullable(),
    resolved: z.string().nullable(),
  }),
  /** every row of the file is a contact, whether or not its postcode was placed */
  contacts: z.number(),
  channels: z.array(z.object({ channel: z.string(), contacts: Count, pct: Count })),
  /** NI14: null without a request reference */
  ni14: z
    .object({
      requests: Count,
      /** contacts per request */
      contactsPerRequest: Count,
      /** requests with more than one contact */
      multiContact: Count,
      multiContactPct: Count,
    })
    .nullable(),
  /** null without a customer reference, a reason and a date */
  repeat: z
    .object({
      withinDays: z.number(),
      /** contacts following one by the same customer for the same reason within the days */
      contacts: Count,
      pct: Count,
      /** contacts without a customer reference or a readable date, not looked at (null when hidden) */
      notChecked: Count,
    })
    .nullable(),
  avoidable: z
    .object({
      reasons: z.array(z.string()),
      contacts: Count,
      pct: Count,
    })
    .nullable(),
  /** first-contact resolution by tier; null without tiers or a resolved column */
  tiers: z
    .object({
      target: z.number(),
      /**
       * request: each row counts requests (by their first contact's reason), resolved when the
       * request had one contact and it was flagged resolved; contact: no request reference column,
       * each row counts contacts, resolved when flagged resolved
       */
      basis: z.enum(['request', 'contact']),
      rows: z.array(
        z.object({
          tier: z.string(),
          /** requests (basis request) or contacts (basis contact) */
          count: Count,
          resolved: Count,
          resolvedPct: Count,
          meetsTarget: z.boolean().nullable(),
        }),
      ),
      /** requests (or contacts) whose (first contact's) reason has no tier */
      untiered: Count,
      /** basis request: contacts without a request reference, left out of the rows (null when hidden); 0 otherwise */
      withoutRequest: Count,
    })
    .nullable(),
  /** counts under this were hidden (0: none hidden, for the data's owner) */
  minCell: z.number(),
});
export type ContactsResult = z.infer<typeof ContactsResultSchema>;

export interface ContactsRequest {
  dataset: string;
  channelColumn?: string;
  customerColumn?: string;
  requestColumn?: string;
  reasonColumn?: string;
  datetimeColumn?: string;
  resolvedColumn?: string;
  /** repeat contact: the same customer and reason within this many days (default 7) */
  repeatWithinDays?: number;
  /** reasons the council counts as avoidable (progress chasing, clarification, wrong department) */
  avoidableReasons?: string[];
  /** reason → tier (1, 2, 3), from the council's mapping table */
  tiers?: Map<string, string>;
  /** share resolved at first contact aimed for, % (default 80) */
  target?: number;
}

export const DEFAULT_REPEAT_DAYS = 7;
export const DEFAULT_RESOLUTION_TARGET = 80;

const GUESS: Readonly<Record<string, readonly RegExp[]>> = CONTACT_COLUMN_PATTERNS;

/** The column holding one part of a contact (channel, customer, ...): as named, else found by its name. */
export function pickContactColumn(
  columns: string[],
  what: string,
  named: string | undefined,
  needed: boolean,
  patterns: readonly RegExp[] = GUESS[what] ?? [],
): string | null {
  if (named) {
    const c = columns.find((x) => x.toLowerCase() === named.trim().toLowerCase());
    if (!c)
      throw new ParameterError(
        `The dataset has no column "${named}" for the ${what}.`,
        `Its columns: ${columns.join(', ')}.`,
      );
    return c;
  }
  for (const re of patterns) {
    const c = columns.find((x) => re.test(x.trim()));
    if (c) return c;
  }
  if (needed)
    throw new ParameterError(
      `Cannot tell which column holds the ${what}.`,
      `Name it with --${what}-column. The dataset's columns: ${columns.join(', ')}.`,
    );
  return null;
}

/** The values of a resolved column that say yes, as SQL. */
export const YES = `(${RESOLVED_YES.map((v) => `'${v}'`).join(',')})`;

/**
 * A log's contact date-time as SQL: a contact log's was read at import into a hidden column;
 * another file's is read here, by the same rule.
 */
export function contactTimeOf(log: { columns: { datetime?: string | null } } | null, column: string): string {
  return log && column === log.columns.datetime ? ident(CONTACT_AT) : contactTimeSql(column);
}

/** One reason (trimmed, lower case; null when blank) with the requests it was the first contact of. */
export interface FirstReasonRow {
  reason: string | null;
  requests: number;
  /** of them, those resolved at first contact: one contact only, flagged resolved */
  resolved: number;
}

/**
 * First-contact resolution by request, as SQL (decision 35): each request (its reference as
 * written and not blank, grouped as NI14 groups them) by the reason of its first contact, with
 * whether it was resolved at first contact. The first contact is the earliest by date-time; one
 * whose date-time is missing or unreadable comes after every dated one; ties (and a request with no
 * date at all) go by the contact's row in the file (`_row`), so the answer never depends on how
 * the database happens to read the table. A request is resolved at first contact when it has one
 * contact and that contact is flagged resolved: any further contact, before or after, is a follow-up.
 * Contacts without a request reference are not requests here: the caller counts them apart.
 */
export function firstReasonSql(
  table: string,
  col: { request: string; reason: string; resolved: string; time: string | null },
): string {
  return `WITH c AS (
      SELECT ${ident(col.request)} AS ref, lower(trim(${ident(col.reason)})) AS why,
             coalesce(lower(trim(${ident(col.resolved)})) IN ${YES}, FALSE) AS yes,
             ${col.time ?? 'CAST(NULL AS TIMESTAMP)'} AS ts, _row AS r
      FROM ${ident(table)} WHERE nullif(trim(${ident(col.request)}), '') IS NOT NULL),
    k AS (
      SELECT why, yes, count(*) OVER (PARTITION BY ref) AS n,
             row_number() OVER (PARTITION BY ref ORDER BY ts ASC NULLS LAST, r ASC) AS k
      FROM c)
    SELECT why, count(*)::BIGINT AS requests, count(*) FILTER (WHERE n = 1 AND yes)::BIGINT AS resolved
    FROM k WHERE k = 1 GROUP BY 1`;
}

/** The requests by their first contact's reason (firstReasonSql), read. */
export async function firstReasons(
  engine: Engine,
  table: string,
  col: { request: string; reason: string; resolved: string; time: string | null },
): Promise<FirstReasonRow[]> {
  return (await engine.all<{ why: string | null; requests: number; resolved: number }>(firstReasonSql(table, col))).map(
    (r) => ({ reason: r.why, requests: Number(r.requests), resolved: Number(r.resolved) }),
  );
}

export async function contactAnalysis(engine: Engine, req: ContactsRequest): Promise<ContactsResult> {
  const ds = await getDataset(engine, req.dataset);
  const all = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
  const log = await contactLogOf(engine, req.dataset);
  const part = (what: ContactRole, named: string | undefined, needed: boolean) =>
    pickContactColumn(all, what, named ?? log?.columns[what] ?? undefined, needed);
  const col = {
    channel: part('channel', req.channelColumn, true)!,
    customer: part('customer', req.customerColumn, false),
    request: part('request', req.requestColumn, false),
    reason: part('reason', req.reasonColumn, false),
    datetime: part('datetime', req.datetimeColumn, false),
    resolved: part('resolved', req.resolvedColumn, false),
  };
  // A contact log's dates were read at import; another file's are read here, by the same rule.
  // Resolved flags are counted by their values as written (one pass with the reasons), by the same list.
  const timeSql = (c: string) => contactTimeOf(log, c);
  const days = req.repeatWithinDays ?? DEFAULT_REPEAT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new ParameterError(`Repeat contact is counted within 1 to 366 days, not ${days}.`);
  const target = req.target ?? DEFAULT_RESOLUTION_TARGET;
  if (!(target > 0 && target <= 100)) throw new ParameterError(`The resolution target is a %, not ${target}.`);
  const t = ident(ds.table_name);
  // Every row is a contact: one whose postcode was rejected or not found still happened.
  const live = 'TRUE';
  const q = (c: string) => ident(c);
  const contacts = Number((await engine.one<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE ${live}`))?.n ?? 0);
  const pct = (n: number, of: number) => (of ? (100 * n) / of : 0);

  const channels = (
    await engine.all<{ channel: string | null; n: number }>(
      // Counted by the values as written (a few), each then trimmed: trimming every row cost more.
      `SELECT nullif(trim(v), '') AS channel, sum(n)::BIGINT AS n
       FROM (SELECT ${q(col.channel)} AS v, count(*) AS n FROM ${t} WHERE ${live} GROUP BY 1)
       GROUP BY 1 ORDER BY n DESC, channel`,
    )
  ).map((r) => ({ channel: r.channel ?? '(blank)', contacts: Number(r.n), pct: pct(Number(r.n), contacts) }));

  let ni14: ContactsResult['ni14'] = null;
  // Contacts with a request reference: each is in one request (NI14's, and the tiers').
  let withRef = 0;
  if (col.request) {
    const r = await engine.one<{ requests: number; with_ref: number; multi: number }>(
      `WITH per AS (SELECT ${q(col.request)} AS ref, count(*) AS n FROM ${t}
         WHERE ${live} AND nullif(trim(${q(col.request)}), '') IS NOT NULL GROUP BY 1)
       SELECT count(*) AS requests, coalesce(sum(n), 0) AS with_ref, count(*) FILTER (WHERE n > 1) AS multi FROM per`,
    );
    const requests = Number(r?.requests ?? 0);
    withRef = Number(r?.with_ref ?? 0);
    const multi = Number(r?.multi ?? 0);
    ni14 = {
      requests,
      contactsPerRequest: requests ? withRef / requests : null,
      multiContact: multi,
      multiContactPct: pct(multi, requests),
    };
  }

  let repeat: ContactsResult['repeat'] = null;
  if (col.customer && col.reason && col.datetime) {
    const r = await engine.one<{ checked: number; repeats: number }>(
      `WITH c AS (
         SELECT ${q(col.customer)} AS who, lower(trim(${q(col.reason)})) AS why,
                ${timeSql(col.datetime)} AS ts
         FROM ${t} WHERE ${live}),
       ok AS (SELECT * FROM c WHERE nullif(trim(who), '') IS NOT NULL AND ts IS NOT NULL),
       seq AS (SELECT ts, lag(ts) OVER (PARTITION BY who, why ORDER BY ts) AS before FROM ok)
       SELECT count(*) AS checked,
              count(*) FILTER (WHERE before IS NOT NULL AND ts - before <= INTERVAL ${days} DAY) AS repeats
       FROM seq`,
    );
    const checked = Number(r?.checked ?? 0);
    const repeats = Number(r?.repeats ?? 0);
    repeat = { withinDays: days, contacts: repeats, pct: pct(repeats, checked), notChecked: contacts - checked };
  }

  // Contacts by reason (and resolved at first contact), for avoidable contact and for the tiers:
  // one pass, grouped by the values as written (a few hundred), each then read as lower(trim()).
  let reasonRows: { why: string | null; n: number; yes: number }[] | null = null;
  const byReason = async (reason: string) =>
    (reasonRows ??= await engine.all<{ why: string | null; n: number; yes: number }>(
      `SELECT lower(trim(why)) AS why, sum(n)::BIGINT AS n,
              ${col.resolved ? `coalesce(sum(n) FILTER (WHERE lower(trim(res)) IN ${YES}), 0)::BIGINT` : '0'} AS yes
       FROM (SELECT ${q(reason)} AS why${col.resolved ? `, ${q(col.resolved)} AS res` : ''}, count(*) AS n
             FROM ${t} WHERE ${live} GROUP BY ALL)
       GROUP BY 1`,
    ));

  let avoidable: ContactsResult['avoidable'] = null;
  if (req.avoidableReasons?.length) {
    if (!col.reason)
      throw new ParameterError(
        'Avoidable contact is counted by reason, and the dataset has no reason column.',
        'Name it with --reason-column.',
      );
    const reasons = new Set(req.avoidableReasons.map((r) => r.trim().toLowerCase()).filter(Boolean));
    let n = 0;
    for (const r of await byReason(col.reason)) if (r.why !== null && reasons.has(r.why)) n += Number(r.n);
    avoidable = { reasons: req.avoidableReasons, contacts: n, pct: pct(n, contacts) };
  }

  let tiers: ContactsResult['tiers'] = null;
  if (req.tiers?.size) {
    if (!col.reason || !col.resolved)
      throw new ParameterError(
        'Resolution by tier needs a reason column and a resolved column.',
        `Name them with --reason-column and --resolved-column.`,
      );
    const tierOf = new Map([...req.tiers].map(([reason, tier]) => [reason.trim().toLowerCase(), tier]));
    // By request (the first contact's reason, resolved when it was the only contact), or by contact.
    const basis = col.request ? 'request' : 'contact';
    const counts: { why: string | null; n: number; yes: number }[] = col.request
      ? (
          await firstReasons(engine, ds.table_name, {
            request: col.request,
            reason: col.reason,
            resolved: col.resolved,
            time: col.datetime ? timeSql(col.datetime) : null,
          })
        ).map((r) => ({ why: r.reason, n: r.requests, yes: r.resolved }))
      : await byReason(col.reason);
    const sums = new Map<string, { n: number; yes: number }>();
    let untiered = 0;
    for (const r of counts) {
      const tier = r.why === null ? undefined : tierOf.get(r.why);
      if (tier === undefined) {
        untiered += Number(r.n);
        continue;
      }
      const s = sums.get(tier) ?? { n: 0, yes: 0 };
      s.n += Number(r.n);
      s.yes += Number(r.yes);
      sums.set(tier, s);
    }
    const order = [...new Set(tierOf.values())].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    tiers = {
      target,
      basis,
      rows: order.map((tier) => {
        const s = sums.get(tier) ?? { n: 0, yes: 0 };
        const p = s.n ? pct(s.yes, s.n) : null;
        return {
          tier,
          count: s.n,
          resolved: s.yes,
          resolvedPct: p,
          meetsTarget: p === null ? null : p >= target,
        };
      }),
      untiered,
      // Left out of the requests (basis request): the contacts with no request reference.
      withoutRequest: basis === 'request' ? contacts - withRef : 0,
    };
  }

  return {
    version: CONTACTS_RESULT_VERSION,
    dataset: req.dataset,
    columns: col,
    contacts,
    channels,
    ni14,
    repeat,
    avoidable,
    tiers,
    minCell: 0,
  };
}

/**
 * The council's reason → tier table: a CSV file with a header row naming `reason` and `tier`
 * (Barking & Dagenham: 1 simple and high-volume, 2 defined and needing service knowledge, 3
 * needing professional expertise). A reason given twice, or a blank tier, names the row.
 */
export function readTierFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('Cannot read the tier file.', { location: { file }, fix: 'Check the path.' });
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  for (const need of ['reason', 'tier'])
    if (!(parsed.meta.fields ?? []).includes(need))
      throw new InputError(`The tier file has no "${need}" column.`, {
        location: { file },
        fix: 'Give it a header row: reason,tier.',
      });
  const m = new Map<string, string>();
  const rowOf = new Map<string, number>();
  parsed.data.forEach((r, i) => {
    const row = i + 2;
    const reason = (r.reason ?? '').trim();
    const tier = (r.tier ?? '').trim();
    if (!reason) return;
    if (!tier)
      throw new InputError(`The reason "${reason}" has no tier.`, {
        location: { file, row, column: 'tier' },
        fix: 'Give every reason a tier (1, 2 or 3), or leave it out.',
      });
    const key = reason.toLowerCase();
    if (rowOf.has(key))
      throw new InputError(`The reason "${reason}" is already given a tier on row ${rowOf.get(key)}.`, {
        location: { file, row, column: 'reason' },
        fix: 'Give each reason one tier.',
      });
    rowOf.set(key, row);
    m.set(reason, tier);
  });
  if (!m.size)
    throw new InputError('The tier file has no reasons in it.', { location: { file }, fix: 'Add a row per reason.' });
  return m;
}
