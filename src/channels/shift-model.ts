/**
 * The channel-shift model by segment (C8, issue 14 point 3): what moving contacts for one service
 * from one channel to another would save, planned on the segments that can make the move, and who
 * would be left behind.
 *
 * For the service (or every service), each segment's contacts a year are counted by channel from
 * the council's own contact log. A segment's **propensity** to self-serve is the share of its
 * contacts already made on the digital channels (the channel moved to, web, self-serve, app and
 * kiosk unless told), or a figure from an imported channel-preference table; its index against the
 * borough's share gives its band. Its **ceiling** is the most digital take-up it can be expected
 * to reach: by default the share of the segment that already shows the most for certain (the
 * highest lower end of a 95% interval: what the borough has shown is possible), or the table's. The scenario moves the share asked of each eligible segment's
 * contacts by the channel left, but never past its ceiling. Eligible: propensity at least the
 * band asked (Average by default) and not a segment the council protects. The rest are left behind,
 * with their contacts by that channel, so a shift is never planned on customers who cannot make it.
 *
 * Savings a year = contacts moved a year × (unit cost of the channel left − of the channel moved
 * to), to the penny. The range is the same sum with each ceiling at the ends of its 95% interval.
 * Contacts a year are the log's counted over the days it spans (its first to its last contact).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import Papa from 'papaparse';
import { InputError, ParameterError, wilsonInterval } from '../core/index.ts';
import { ident, type Engine } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import { CONTACT_AT, contactLogOf, contactTimeSql } from '../intake/index.ts';
import { channelName, costOf, type UnitCostSet } from './costs.ts';
import { channelMix } from './mix.ts';
import { pickContactColumn } from './contacts.ts';

export const SHIFT_MODEL_RESULT_VERSION = 1 as const;

/** The channels counted as self-service when none are named. */
export const DIGITAL_CHANNELS = ['web', 'self-serve', 'app', 'kiosk'] as const;

const Count = z.number().nullable();

export const ShiftModelSegmentSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  /** contacts for the service a year, all channels */
  contacts: Count,
  /** of which by the channel left */
  fromContacts: Count,
  /** share already digital, % (propensity), and its 95% interval */
  propensity: Count,
  propensityLow: Count,
  propensityHigh: Count,
  /** from the council's contacts, or a preference table */
  propensitySource: z.enum(['contacts', 'table']),
  index: Count,
  band: z.string().nullable(),
  /** the most digital take-up expected, % */
  ceiling: Count,
  /** planned on; null where the boundary hid the segment (its band would show) */
  eligible: z.boolean().nullable(),
  /** why not, in plain words, when not */
  leftBehind: z.string().nullable(),
  moved: Count,
  movedLow: Count,
  movedHigh: Count,
  saving: Count,
  savingLow: Count,
  savingHigh: Count,
  /** never shown: removed at the boundary */
  cellKey: Count,
});
export type ShiftModelSegment = z.infer<typeof ShiftModelSegmentSchema>;

export const ShiftModelResultSchema = z.object({
  version: z.literal(SHIFT_MODEL_RESULT_VERSION),
  dataset: z.string(),
  service: z.string().nullable(),
  serviceColumn: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  /** % of the channel's contacts asked to move, in each eligible segment */
  sharePct: z.number(),
  digital: z.array(z.string()),
  unitCosts: z.string(),
  fromCost: z.number(),
  toCost: z.number(),
  /** the days the log spans, and the factor from its contacts to a year's */
  days: z.number(),
  perYear: z.number(),
  level: z.string(),
  classification: z.string().nullable(),
  minBand: z.string(),
  protected: z.array(z.string()),
  segments: z.array(ShiftModelSegmentSchema),
  total: z.object({
    contacts: Count,
    fromContacts: Count,
    moved: Count,
    movedLow: Count,
    movedHigh: Count,
    saving: Count,
    savingLow: Count,
    savingHigh: Count,
    /** contacts by the channel left, a year, in segments left behind */
    leftBehind: Count,
  }),
  notPlaced: Count,
  disclosure: z.object({ minCell: z.number(), hidden: z.number() }).nullable(),
});
export type ShiftModelResult = z.infer<typeof ShiftModelResultSchema>;

export interface ShiftModelRequest {
  dataset: string;
  from: string;
  to: string;
  /** % of the channel's contacts to move in each eligible segment */
  sharePct: number;
  service?: string;
  serviceColumn?: string;
  channelColumn?: string;
  classification?: string;
  tier?: string;
  /** channels counted as digital (default: the channel moved to and DIGITAL_CHANNELS) */
  digital?: string[];
  /** the lowest band planned on (default Average) */
  minBand?: string;
  /** segments the council protects (vulnerable customers): never planned on */
  protect?: string[];
  /** a segment's propensity and ceiling, %, from a preference table */
  preferences?: Map<string, { propensity: number | null; ceiling: number | null }>;
}

/**
 * A channel-preference table: a CSV with `segment` and one or both of `propensity` and `ceiling`
 * (per cent, 0 to 100), such as a commercial classification's channel file rescaled to shares.
 */
export function readPreferenceFile(file: string): Map<string, { propensity: number | null; ceiling: number | null }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('Cannot read the channel-preference file.', { location: { file }, fix: 'Check the path.' });
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('segment') || !(fields.includes('propensity') || fields.includes('ceiling')))
    throw new InputError('The channel-preference file needs a segment column and a propensity or ceiling column.', {
      location: { file, row: 1 },
      fix: 'Give it a header row such as: segment,propensity,ceiling (shares in %).',
    });
  const out = new Map<string, { propensity: number | null; ceiling: number | null }>();
  parsed.data.forEach((r, i) => {
    const row = i + 2;
    const segment = (r.segment ?? '').trim();
    if (!segment) return;
    const pct = (column: 'propensity' | 'ceiling') => {
      const v = (r[column] ?? '').trim().replace(/%$/, '');
      if (!v) return null;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 100)
        throw new InputError(`The ${column} of segment ${segment} is not a share from 0 to 100.`, {
          location: { file, row, column },
          fix: 'Write shares in per cent, e.g. 45 or 45%.',
        });
      return n;
    };
    out.set(segment, { propensity: pct('propensity'), ceiling: pct('ceiling') });
  });
  return out;
}

/** The days from the log's first contact to its last (at least one). */
async function daysSpanned(engine: Engine, dataset: string, datetime: string | null): Promise<number> {
  if (!datetime)
    throw new ParameterError(
      'Contacts a year are worked out from the dates the log spans, and it has no date column.',
      'Name it with --datetime-column.',
    );
  const ds = await getDataset(engine, dataset);
  const log = await contactLogOf(engine, dataset);
  const ts = log && datetime === log.columns.datetime ? ident(CONTACT_AT) : contactTimeSql(datetime);
  const r = await engine.one<{ first: number | null; last: number | null }>(
    `SELECT epoch(min(${ts})) AS first, epoch(max(${ts})) AS last FROM ${ident(ds.table_name)}`,
  );
  if (r?.first === null || r?.first === undefined || r.last === null)
    throw new ParameterError(
      'No contact in the log has a date that can be read, so contacts a year cannot be counted.',
    );
  return Math.max(1, (Number(r.last) - Number(r.first)) / 86_400);
}

export async function channelShiftModel(
  engine: Engine,
  req: ShiftModelRequest,
  costs: UnitCostSet,
): Promise<ShiftModelResult> {
  const from = channelName(req.from);
  const to = channelName(req.to);
  if (from === to) throw new ParameterError(`The contacts would move from ${from} to itself.`, 'Name two channels.');
  if (!(req.sharePct > 0 && req.sharePct <= 100))
    throw new ParameterError(`The share of contacts to move is a % above 0, not ${req.sharePct}.`);
  const fromCost = costOf(costs, from) / 100;
  const toCost = costOf(costs, to) / 100;
  const ds = await getDataset(engine, req.dataset);
  const columns = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
  const log = await contactLogOf(engine, req.dataset);
  const serviceColumn = req.service
    ? pickContactColumn(columns, 'service', req.serviceColumn ?? log?.columns.service ?? undefined, true)
    : null;
  const datetime = pickContactColumn(columns, 'datetime', log?.columns.datetime ?? undefined, false);
  const days = await daysSpanned(engine, req.dataset, datetime);
  const perYear = 365.25 / days;
  const mix = await channelMix(engine, {
    dataset: req.dataset,
    channelColumn: req.channelColumn ?? log?.columns.channel ?? undefined,
    classification: req.classification,
    tier: req.tier,
    where: serviceColumn && req.service ? { column: serviceColumn, values: [req.service] } : undefined,
  });
  if (!mix.channels.some((c) => c.channel === from && (c.contacts ?? 0) > 0))
    throw new ParameterError(
      `No contact${req.service ? ` for ${req.service}` : ''} was made by ${from}.`,
      `The channels in the log: ${mix.channels.map((c) => c.channel).join(', ')}.`,
    );
  const digital = [...new Set([to, ...(req.digital?.map(channelName) ?? DIGITAL_CHANNELS)])];
  const minBand = req.minBand ?? 'Average';
  const bandOrder = mix.bands.map((b) => b.name);
  if (!bandOrder.includes(minBand))
    throw new ParameterError(`"${minBand}" is not a band.`, `The bands: ${bandOrder.join(', ')}.`);
  const protect = new Set((req.protect ?? []).map((p) => p.trim()));
  for (const p of protect)
    if (!mix.groups.some((g) => g.code === p))
      throw new ParameterError(
        `There is no segment ${p} to protect.`,
        `The segments: ${mix.groups.map((g) => g.code).join(', ')}.`,
      );

  const count = (code: string, channels: readonly string[]) =>
    mix.cells.filter((c) => c.code === code && channels.includes(c.channel)).reduce((s, c) => s + (c.contacts ?? 0), 0);
  const totalAll = mix.groups.reduce((s, g) => s + (g.contacts ?? 0), 0);
  const totalDigital = mix.groups.reduce((s, g) => s + count(g.code, digital), 0);
  const boroughShare = totalAll ? totalDigital / totalAll : 0;
  const observed = mix.groups.map((g) => {
    const n = g.contacts ?? 0;
    const d = count(g.code, digital);
    const ci = n > 0 ? wilsonInterval(d, n) : null;
    return { g, n, d, share: n ? d / n : null, ci };
  });
  // The default ceiling: the digital share of the segment that shows the most for certain (the
  // highest lower end of its 95% interval, so that a handful of contacts does not set it), with its interval.
  const best = observed.filter((o) => o.ci !== null).sort((a, b) => b.ci!.low - a.ci!.low)[0];
  const pref = req.preferences;
  if (pref)
    for (const k of pref.keys())
      if (!mix.groups.some((g) => g.code === k))
        throw new ParameterError(
          `The preference table names a segment ${k} that is not in ${mix.classification ?? 'the segmentation'}.`,
        );
  const bandOf = (index: number | null) => {
    if (index === null) return null;
    const shown = Math.round(index);
    return mix.bands.find((b) => shown >= (b.min ?? -Infinity))?.name ?? null;
  };
  const rank = (band: string | null) => (band === null ? Infinity : bandOrder.indexOf(band));

  const segments: ShiftModelSegment[] = observed.map(({ g, n, d, share, ci }) => {
    const p = pref?.get(g.code);
    const propensity = p?.propensity ?? (share === null ? null : share * 100);
    const index = propensity === null || !(boroughShare > 0) ? null : (propensity / (boroughShare * 100)) * 100;
    const band = bandOf(index);
    const ceiling = p?.ceiling ?? (best ? best.share! * 100 : null);
    const ceilingLow = p?.ceiling ?? (best?.ci ? best.ci.low * 100 : ceiling);
    const ceilingHigh = p?.ceiling ?? (best?.ci ? best.ci.high * 100 : ceiling);
    const fromN = count(g.code, [from]);
    const leftBehind = protect.has(g.code)
      ? 'protected: the council plans no shift on this segment'
      : rank(band) > rank(minBand)
        ? `propensity ${band ?? 'unknown'}, below ${minBand}`
        : null;
    const movedAt = (cap: number | null) => {
      if (leftBehind || cap === null) return 0;
      const headroom = Math.max(0, (cap / 100) * n - d);
      return Math.min((req.sharePct / 100) * fromN, headroom) * perYear;
    };
    const moved = movedAt(ceiling);
    const movedLow = movedAt(ceilingLow);
    const movedHigh = movedAt(ceilingHigh);
    const save = (m: number) => Math.round(m * (fromCost - toCost) * 100) / 100;
    return {
      code: g.code,
      name: g.name,
      contacts: n * perYear,
      fromContacts: fromN * perYear,
      propensity,
      propensityLow: p?.propensity ?? (ci ? ci.low * 100 : null),
      propensityHigh: p?.propensity ?? (ci ? ci.high * 100 : null),
      propensitySource: p?.propensity !== undefined && p?.propensity !== null ? 'table' : 'contacts',
      index,
      band,
      ceiling,
      eligible: leftBehind === null,
      leftBehind,
      moved,
      movedLow: Math.min(movedLow, movedHigh),
      movedHigh: Math.max(movedLow, movedHigh),
      saving: save(moved),
      savingLow: save(Math.min(movedLow, movedHigh)),
      savingHigh: save(Math.max(movedLow, movedHigh)),
      cellKey: g.cellKey,
    };
  });
  const sum = (k: keyof ShiftModelSegment) => segments.reduce((s, x) => s + ((x[k] as number | null) ?? 0), 0);
  return {
    version: SHIFT_MODEL_RESULT_VERSION,
    dataset: req.dataset,
    service: req.service ?? null,
    serviceColumn,
    from,
    to,
    sharePct: req.sharePct,
    digital,
    unitCosts: costs.name,
    fromCost,
    toCost,
    days,
    perYear,
    level: mix.level,
    classification: mix.classification,
    minBand,
    protected: [...protect],
    segments,
    total: {
      contacts: sum('contacts'),
      fromContacts: sum('fromContacts'),
      moved: sum('moved'),
      movedLow: sum('movedLow'),
      movedHigh: sum('movedHigh'),
      saving: Math.round(sum('saving') * 100) / 100,
      savingLow: Math.round(sum('savingLow') * 100) / 100,
      savingHigh: Math.round(sum('savingHigh') * 100) / 100,
      leftBehind: segments.filter((s) => s.eligible === false).reduce((a, s) => a + (s.fromContacts ?? 0), 0),
    },
    notPlaced: mix.notPlaced === null ? null : mix.notPlaced,
    disclosure: null,
  };
}
