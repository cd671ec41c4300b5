/**
 * Channel mix by segment or by area (C8, issue 14 point 2): of each segment's contacts, the share
 * made by each channel, with its index against the borough's mix, a 95% interval, a test against
 * the borough's share and a band. A segment where 40% of contacts are face to face, against 25% in
 * the borough, has an index of 160 for face to face.
 *
 * It is a profile whose base is contacts rather than households: each channel is counted by segment
 * as a profile counts records, and the segment's own contacts are its base. So the index, interval,
 * test and band are the profile's own (profileMeasures), not a second version of them. Contacts whose
 * postcode was not placed in a segment are counted apart. The truth is computed here; what a viewer
 * sees is decided by discloseChannelMix (outputs).
 */
import { z } from 'zod';
import { DEFAULT_BANDS, ParameterError, cellKeyOf, type BandDefinition } from '../core/index.ts';
import { ident, type Engine } from '../store/index.ts';
import {
  getDataset,
  profileDataset,
  profileMeasures,
  type ProfileResult,
  type RecordFilter,
} from '../profiling/index.ts';
import { contactLogOf } from '../intake/index.ts';
import { pickContactColumn } from './contacts.ts';

export const CHANNEL_MIX_RESULT_VERSION = 1 as const;

const Count = z.number().nullable();
const Measure = z.number().nullable();

export const ChannelMixCellSchema = z.object({
  code: z.string(),
  channel: z.string(),
  contacts: Count,
  /** the share of the segment's (or area's) contacts made by this channel, % */
  pct: Measure,
  /** the share against the borough's share of the channel, × 100 */
  index: Measure,
  ciLow: Measure,
  ciHigh: Measure,
  z: Measure,
  significant: z.boolean().nullable(),
  band: z.string().nullable(),
  suppressed: z.boolean(),
  /** never shown: the boundary removes it */
  cellKey: z.number().nullable(),
});
export type ChannelMixCell = z.infer<typeof ChannelMixCellSchema>;

export const ChannelMixResultSchema = z.object({
  version: z.literal(CHANNEL_MIX_RESULT_VERSION),
  dataset: z.string(),
  channelColumn: z.string(),
  /** only this service's contacts (by the log's service column), or every service's */
  service: z.string().nullable().optional(),
  kind: z.enum(['segment', 'area']),
  /** the tier ("group") or area level ("ward") */
  level: z.string(),
  classification: z.string().nullable(),
  /** the segments or areas, with their contacts (the base of their shares) */
  groups: z.array(z.object({ code: z.string(), name: z.string().nullable(), contacts: Count, cellKey: Count })),
  /** the borough's mix of the contacts placed in a segment or area */
  channels: z.array(
    z.object({
      channel: z.string(),
      contacts: Count,
      pct: Measure,
      cellKey: Count,
      /** its contacts not in any segment or area (the volumes count them, the mix does not); the owner's figure */
      notPlaced: Count.optional(),
    }),
  ),
  cells: z.array(ChannelMixCellSchema),
  total: z.object({ contacts: Count, cellKey: Count }),
  /** contacts not in any segment or area (postcode not placed); the owner's figure */
  notPlaced: Count,
  /**
   * What the channels' totals and the whole count: the contacts placed in a segment or area (the
   * owner's view, and the default), or every contact, placed or not, as the volumes count them
   * (anyone else's view, so that a volume less the mix's total gives nothing: decision 38).
   */
  channelTotals: z.enum(['placed', 'all']).optional(),
  bands: z.array(z.object({ name: z.string(), min: z.number().nullable() })),
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
    .nullable(),
});
export type ChannelMixResult = z.infer<typeof ChannelMixResultSchema>;

export interface ChannelMixRequest {
  dataset: string;
  channelColumn?: string;
  classification?: string;
  tier?: string;
  /** by area at this level (ward, lsoa, ...) instead of by segment */
  byArea?: string;
  bands?: readonly BandDefinition[];
  /** only these contacts (a service, a period), as a profile's --where */
  where?: RecordFilter;
  /** only this service's contacts, by the log's service column (named at import, or found by its name) */
  service?: string;
  /**
   * Categories other than the channels, each the contacts a filter keeps (a resolution tier: the
   * contacts whose reason is one of the tier's). They need not cover every contact.
   */
  categories?: { name: string; where: RecordFilter }[];
  /**
   * With categories that do not overlap: a last category of this name for the contacts in none of
   * them (the reasons without a tier), so that every contact is in one column.
   */
  rest?: string;
}

/** A blank channel is a category of its own, so that every placed contact is in one column. */
export const BLANK_CHANNEL = '(blank)';

/** A log's service column: the one named at import, else the first whose name says so, else null. */
export async function contactServiceColumn(engine: Engine, dataset: string): Promise<string | null> {
  const ds = await getDataset(engine, dataset);
  const columns = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
  const log = await contactLogOf(engine, dataset);
  return pickContactColumn(columns, 'service', log?.columns.service ?? undefined, false);
}

export async function channelMix(engine: Engine, reqIn: ChannelMixRequest): Promise<ChannelMixResult> {
  const ds = await getDataset(engine, reqIn.dataset);
  const columns = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
  const log = await contactLogOf(engine, reqIn.dataset);
  let req = reqIn;
  if (reqIn.service !== undefined) {
    const column = pickContactColumn(columns, 'service', log?.columns.service ?? undefined, true)!;
    const where: RecordFilter = {
      column,
      values: [reqIn.service],
      ...(reqIn.where ? { also: reqIn.where } : {}),
    };
    req = { ...reqIn, where };
  }
  const col = pickContactColumn(columns, 'channel', req.channelColumn ?? log?.columns.channel ?? undefined, true)!;
  const bands = req.bands ?? DEFAULT_BANDS;
  const values = (
    await engine.all<{ v: string | null; n: number }>(
      `SELECT nullif(trim(${ident(col)}), '') AS v, count(*) AS n FROM ${ident(ds.table_name)} GROUP BY 1 ORDER BY n DESC, v`,
    )
  ).map((r) => r.v);
  if (!values.length) throw new ParameterError(`The dataset ${req.dataset} has no contacts.`);
  const categories =
    req.categories ??
    values.map((v) => ({ name: v ?? BLANK_CHANNEL, where: { column: col, values: [v ?? ''] } as RecordFilter }));
  const base = { classification: req.classification, tier: req.tier, byArea: req.byArea, bands };
  const all = await profileDataset(engine, { dataset: req.dataset, ...base, where: req.where });
  const byChannel: { channel: string; profile: ProfileResult }[] = [];
  for (const c of categories)
    byChannel.push({
      channel: c.name,
      profile: await profileDataset(engine, {
        dataset: req.dataset,
        ...base,
        where: { ...c.where, ...(req.where ? { also: req.where } : {}) },
      }),
    });

  if (req.rest !== undefined && req.categories) byChannel.push({ channel: req.rest, profile: restOf(all, byChannel) });

  const groups = all.rows.map((r) => ({ code: r.code, name: r.name, contacts: r.count ?? 0, cellKey: r.cellKey }));
  const total = groups.reduce((s, g) => s + g.contacts, 0);
  const notPlaced = req.where ? (all.unmatched ?? 0) : Number(ds.read_count) - total;
  const isRest = (k: number) => req.rest !== undefined && req.categories !== undefined && k === byChannel.length - 1;
  const channels = byChannel.map(({ channel, profile }, k) => {
    const n = profile.rows.reduce((s, r) => s + (r.count ?? 0), 0);
    const key = profile.rows.every((r) => r.cellKey !== null)
      ? profile.rows.reduce((s, r) => cellKeyOf(s + (r.cellKey ?? 0)), 0)
      : null;
    const rest = isRest(k);
    const np = rest
      ? notPlaced - byChannel.slice(0, k).reduce((s, c) => s + (c.profile.unmatched ?? 0), 0)
      : (profile.unmatched ?? 0);
    return {
      channel,
      contacts: n,
      pct: total ? (100 * n) / total : null,
      cellKey: key,
      notPlaced: np,
    };
  });
  const cells: ChannelMixCell[] = [];
  for (const [k, { channel, profile }] of byChannel.entries()) {
    const byCode = new Map(profile.rows.map((r) => [r.code, r]));
    for (const g of groups) {
      const r = byCode.get(g.code);
      const n = r?.count ?? 0;
      const m = profileMeasures(n, g.contacts, channels[k].contacts ?? 0, total, bands);
      cells.push({
        code: g.code,
        channel,
        contacts: n,
        pct: m.penetration,
        index: m.index,
        ciLow: m.ciLow,
        ciHigh: m.ciHigh,
        z: m.z,
        significant: m.significant,
        band: m.band,
        suppressed: false,
        cellKey: r?.cellKey ?? (n === 0 ? 0 : null),
      });
    }
  }
  return {
    version: CHANNEL_MIX_RESULT_VERSION,
    dataset: req.dataset,
    channelColumn: col,
    service: reqIn.service ?? null,
    kind: all.kind,
    level: all.level,
    classification: all.classification,
    groups,
    channels,
    cells,
    total: { contacts: total, cellKey: all.total.cellKey },
    notPlaced,
    bands: all.bands,
    disclosure: null,
  };
}

/**
 * The records of a profile in none of the others (which must not overlap): by each row, the count
 * less theirs, and the cell key less theirs (a cell key is its records' keys summed, modulo the range).
 */
function restOf(all: ProfileResult, parts: { profile: ProfileResult }[]): ProfileResult {
  const byCode = parts.map((p) => new Map(p.profile.rows.map((r) => [r.code, r])));
  return {
    ...all,
    rows: all.rows.map((row) => {
      const these = byCode.map((m) => m.get(row.code));
      const count = (row.count ?? 0) - these.reduce((s, r) => s + (r?.count ?? 0), 0);
      if (count < 0) throw new Error(`The categories of a channel mix overlap (segment ${row.code}).`);
      const keys = these.map((r) => (r ? r.cellKey : 0));
      const cellKey =
        row.cellKey === null || keys.some((k) => k === null)
          ? null
          : cellKeyOf(keys.reduce<number>((s, k) => s - (k ?? 0), row.cellKey));
      return { ...row, count, cellKey };
    }),
  };
}
