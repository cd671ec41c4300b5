/**
 * Volume and handling time by service or reason (C8, issue 14 point 2): which requests make the
 * contact and which take the time. Bristol found calls to the switchboard were 26% of its contact
 * centre's calls, while benefits calls, fewer but longer, were 22% of the time spent on calls.
 *
 * Handling time is read from a column of minutes (12, 12.5), or of durations written m:ss or
 * h:mm:ss (12:30 is twelve and a half minutes; 1:02:00 an hour and two minutes). A value that is
 * none of these is counted, not guessed. Web contacts usually have none: they are counted as
 * contacts without a handling time, which is not the same as no time.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { ident, type Engine } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import { CONTACT_COLUMN_PATTERNS, HANDLING_MINUTES, contactLogOf, handlingMinutesSql } from '../intake/index.ts';
import { pickContactColumn } from './contacts.ts';

export const CONTACT_VOLUMES_RESULT_VERSION = 1 as const;

const Count = z.number().nullable();

export const ContactVolumesResultSchema = z.object({
  version: z.literal(CONTACT_VOLUMES_RESULT_VERSION),
  dataset: z.string(),
  /** the column the contacts are grouped by (service, reason) */
  by: z.string(),
  /** only contacts by this channel (e.g. phone), or all */
  channel: z.string().nullable(),
  handlingColumn: z.string().nullable(),
  contacts: Count,
  /** minutes of handling in all, over the contacts that have a handling time */
  minutes: Count,
  rows: z.array(
    z.object({
      value: z.string(),
      contacts: Count,
      /** share of the contacts, % */
      pct: Count,
      minutes: Count,
      /** share of the handling time, % */
      minutesPct: Count,
      /** mean minutes over the contacts with a handling time */
      meanMinutes: Count,
      /** contacts with a handling time */
      timed: Count,
    }),
  ),
  /** handling times that could not be read (not minutes, m:ss or h:mm:ss) */
  unreadable: Count,
  minCell: z.number(),
});
export type ContactVolumesResult = z.infer<typeof ContactVolumesResultSchema>;

export interface ContactVolumesRequest {
  dataset: string;
  /** group by this column: "service" or "reason" find the columns by name; any other names one */
  by: string;
  /** only this channel's contacts (as the intake writes channels: phone, face to face, web ...) */
  channel?: string;
  channelColumn?: string;
  handlingColumn?: string;
  /** plain numbers are minutes (default) or seconds */
  handlingUnit?: 'minutes' | 'seconds';
}

const BY_GUESS: Record<string, readonly RegExp[]> = {
  service: CONTACT_COLUMN_PATTERNS.service,
  reason: CONTACT_COLUMN_PATTERNS.reason,
};

export async function contactVolumes(engine: Engine, req: ContactVolumesRequest): Promise<ContactVolumesResult> {
  const ds = await getDataset(engine, req.dataset);
  const columns = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
  const byName = req.by.trim();
  let by: string | undefined = columns.find((c) => c.toLowerCase() === byName.toLowerCase());
  const stored = (await contactLogOf(engine, req.dataset))?.columns;
  if (!by && (byName.toLowerCase() === 'service' || byName.toLowerCase() === 'reason'))
    by = stored?.[byName.toLowerCase() as 'service' | 'reason'] ?? undefined;
  if (!by && BY_GUESS[byName.toLowerCase()])
    by = columns.find((c) => BY_GUESS[byName.toLowerCase()].some((re) => re.test(c.trim())));
  if (!by)
    throw new ParameterError(
      `The dataset has no column "${req.by}" to group the contacts by.`,
      `Use service, reason or one of its columns: ${columns.join(', ')}.`,
    );
  const log = await contactLogOf(engine, req.dataset);
  const handling = pickContactColumn(
    columns,
    'handling',
    req.handlingColumn ?? log?.columns.handling ?? undefined,
    false,
  );
  const t = ident(ds.table_name);
  const params: string[] = [];
  let where = 'TRUE';
  if (req.channel) {
    const channelCol = pickContactColumn(
      columns,
      'channel',
      req.channelColumn ?? log?.columns.channel ?? undefined,
      true,
    )!;
    params.push(req.channel.trim().toLowerCase());
    where = `lower(trim(${ident(channelCol)})) = $1`;
  }
  // A contact log's handling times were read at import, in the unit it was imported with.
  const mins = !handling
    ? 'NULL::DOUBLE'
    : log && handling === log.columns.handling && !req.handlingUnit
      ? ident(HANDLING_MINUTES)
      : handlingMinutesSql(handling, req.handlingUnit ?? log?.handlingUnit ?? 'minutes');
  const blank = handling ? `nullif(trim(${ident(handling)}), '') IS NULL` : 'TRUE';
  const rows = await engine.all<{ v: string | null; n: number; m: number | null; timed: number; bad: number }>(
    `SELECT coalesce(nullif(trim(${ident(by)}), ''), '(blank)') AS v, count(*) AS n,
            sum(${mins}) AS m, count(${mins}) AS timed,
            count(*) FILTER (WHERE NOT (${blank}) AND (${mins}) IS NULL) AS bad
     FROM ${t} WHERE ${where} GROUP BY 1 ORDER BY n DESC, v`,
    params,
  );
  const contacts = rows.reduce((s, r) => s + Number(r.n), 0);
  const minutes = rows.reduce((s, r) => s + Number(r.m ?? 0), 0);
  return {
    version: CONTACT_VOLUMES_RESULT_VERSION,
    dataset: req.dataset,
    by,
    channel: req.channel?.trim().toLowerCase() ?? null,
    handlingColumn: handling,
    contacts,
    minutes: handling ? minutes : null,
    rows: rows.map((r) => {
      const n = Number(r.n);
      const m = handling ? Number(r.m ?? 0) : null;
      const timed = Number(r.timed);
      return {
        value: r.v ?? '(blank)',
        contacts: n,
        pct: contacts ? (100 * n) / contacts : null,
        minutes: m,
        minutesPct: m !== null && minutes > 0 ? (100 * m) / minutes : null,
        meanMinutes: m !== null && timed > 0 ? m / timed : null,
        timed: handling ? timed : null,
      };
    }),
    unreadable: handling ? rows.reduce((s, r) => s + Number(r.bad), 0) : null,
    minCell: 0,
  };
}
