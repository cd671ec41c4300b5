/**
 * What the disclosure of a contact log needs beyond one answer (issue 14, point 7). Someone who is
 * not the log's owner may ask again with another repeat window or other reasons, and the
 * difference between two answers is a count as well: repeat contact within 8 days less that within
 * 7 is the contacts 7 to 8 days apart. So the boundary (discloseContacts in outputs) is handed, at
 * once, every answer it could be asked for: the repeat contacts within each window of 1 to 366
 * days, and each reason's contacts and how many were resolved. This is never shown to anyone: it
 * holds the reasons as written.
 */
import { ident, type Engine } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import { contactLogOf } from '../intake/index.ts';
import { contactTimeOf, firstReasons, YES, type ContactsResult, type FirstReasonRow } from './contacts.ts';

/** The longest repeat window contactAnalysis takes. */
export const MAX_REPEAT_DAYS = 366;

export interface ContactDetail {
  /** repeat contacts within d days at [d − 1], for d = 1 … 366; null without customer, reason and date columns */
  repeatWithin: number[] | null;
  /** contacts whose repeat was looked at (with a customer reference and a readable date) */
  checked: number | null;
  /** every reason (trimmed, lower case; null when blank) with its contacts and those resolved (null without a resolved column) */
  reasons: { reason: string | null; contacts: number; resolved: number | null }[] | null;
  /**
   * every reason with the requests it was the first contact of and those resolved at first contact
   * (first-contact resolution by request, decision 35); null without request, reason and resolved columns
   */
  firstReasons: FirstReasonRow[] | null;
}

/** The detail behind a result of contactAnalysis, read with the same columns and the same rules. */
export async function contactDetail(engine: Engine, r: ContactsResult): Promise<ContactDetail> {
  const table = (await getDataset(engine, r.dataset)).table_name;
  const t = ident(table);
  const col = r.columns;
  // Dates by the rule contactAnalysis reads them with (a contact log's were read at import).
  const log = await contactLogOf(engine, r.dataset);
  let repeatWithin: number[] | null = null;
  let checked: number | null = null;
  if (col.customer && col.reason && col.datetime) {
    // Within d days means a gap of at most d × 24 hours: the smallest window holding each gap.
    const rows = await engine.all<{ d: number | null; n: number }>(
      `WITH c AS (
         SELECT ${ident(col.customer)} AS who, lower(trim(${ident(col.reason)})) AS why,
                ${contactTimeOf(log, col.datetime)} AS ts
         FROM ${t}),
       ok AS (SELECT * FROM c WHERE nullif(trim(who), '') IS NOT NULL AND ts IS NOT NULL),
       seq AS (SELECT ts, lag(ts) OVER (PARTITION BY who, why ORDER BY ts) AS before FROM ok)
       SELECT CAST(ceil((epoch_ms(ts) - epoch_ms(before)) / 86400000.0) AS BIGINT) AS d, count(*) AS n
       FROM seq GROUP BY 1`,
    );
    const byDay = new Array<number>(MAX_REPEAT_DAYS + 1).fill(0);
    checked = 0;
    for (const row of rows) {
      const n = Number(row.n);
      checked += n;
      if (row.d === null) continue; // the first contact of its customer and reason
      const d = Number(row.d);
      if (d <= MAX_REPEAT_DAYS) byDay[Math.max(0, d)] += n;
    }
    repeatWithin = [];
    let sum = byDay[0];
    for (let d = 1; d <= MAX_REPEAT_DAYS; d++) repeatWithin.push((sum += byDay[d]));
  }
  let reasons: ContactDetail['reasons'] = null;
  if (col.reason) {
    const yes = col.resolved
      ? `count(*) FILTER (WHERE lower(trim(${ident(col.resolved)})) IN ${YES})`
      : 'CAST(NULL AS BIGINT)';
    reasons = (
      await engine.all<{ why: string | null; n: number; yes: number | null }>(
        `SELECT lower(trim(${ident(col.reason)})) AS why, count(*) AS n, ${yes} AS yes FROM ${t} GROUP BY 1`,
      )
    ).map((x) => ({ reason: x.why, contacts: Number(x.n), resolved: x.yes === null ? null : Number(x.yes) }));
  }
  const first =
    col.request && col.reason && col.resolved
      ? await firstReasons(engine, table, {
          request: col.request,
          reason: col.reason,
          resolved: col.resolved,
          time: col.datetime ? contactTimeOf(log, col.datetime) : null,
        })
      : null;
  return { repeatWithin, checked, reasons, firstReasons: first };
}
