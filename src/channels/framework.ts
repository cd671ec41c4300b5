/**
 * The communications framework (Kent and Medway, C8 issue 14 point 4): for each segment, how
 * likely it is to use each channel, banded High / Above average / Average / Below average / Low,
 * kept apart for **information** channels (how people find things out: internet, local papers,
 * text messages) and **service** channels (how they get things done: phone, web, face to face).
 * Kent's partners found the two differ: some people look things up online but will not transact
 * there.
 *
 * Service channels come from the council's own contacts (each segment's channel mix index, banded
 * as every index is) and, for either kind, from an imported preference table such as a commercial
 * classification's channel file. Where both speak of a channel, both are given, so the framework
 * shows where the council's own contacts agree with the bought-in picture. The framework is worked
 * from a channel mix as the viewer may see it, so it shows no band a hidden count would give.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import Papa from 'papaparse';
import { InputError, bandOf, DEFAULT_BANDS, type BandDefinition } from '../core/index.ts';
import { channelName } from './costs.ts';
import type { ChannelMixResult } from './mix.ts';

export const FRAMEWORK_RESULT_VERSION = 1 as const;
export const CHANNEL_KINDS = ['information', 'service'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const FrameworkResultSchema = z.object({
  version: z.literal(FRAMEWORK_RESULT_VERSION),
  dataset: z.string().nullable(),
  level: z.string().nullable(),
  classification: z.string().nullable(),
  /** the channels of each kind, in order */
  channels: z.object({ information: z.array(z.string()), service: z.array(z.string()) }),
  segments: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      cells: z.array(
        z.object({
          kind: z.enum(CHANNEL_KINDS),
          channel: z.string(),
          /** from the council's contacts: the channel mix index and its band (null: none, or hidden) */
          contactsIndex: z.number().nullable(),
          contactsBand: z.string().nullable(),
          /** from the preference table */
          tableBand: z.string().nullable(),
          /** the band to read: the council's own where it has one, else the table's */
          band: z.string().nullable(),
        }),
      ),
    }),
  ),
  bands: z.array(z.string()),
  /** the preference table's name, when one was given */
  table: z.string().nullable(),
});
export type FrameworkResult = z.infer<typeof FrameworkResultSchema>;

export interface PreferenceRow {
  segment: string;
  kind: ChannelKind;
  channel: string;
  band: string;
}

/**
 * A preference table: a CSV of `segment,kind,channel,value`, one row per segment and channel. The
 * kind is information or service; the value a band's name (High, Above average …, as Kent's
 * framework gives them) or an index (100 = average), banded like every index.
 */
export function readFrameworkFile(file: string, bands: readonly BandDefinition[] = DEFAULT_BANDS): PreferenceRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('Cannot read the preference table.', { location: { file }, fix: 'Check the path.' });
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  for (const need of ['segment', 'kind', 'channel', 'value'])
    if (!(parsed.meta.fields ?? []).includes(need))
      throw new InputError(`The preference table has no "${need}" column.`, {
        location: { file, row: 1 },
        fix: 'Give it a header row: segment,kind,channel,value.',
      });
  const byName = new Map(bands.map((b) => [b.name.toLowerCase().replace(/\s+/g, ' '), b.name]));
  const seen = new Map<string, number>();
  return parsed.data.flatMap((r, i) => {
    const row = i + 2;
    const segment = (r.segment ?? '').trim();
    if (!segment) return [];
    const kind = (r.kind ?? '').trim().toLowerCase();
    if (!(CHANNEL_KINDS as readonly string[]).includes(kind))
      throw new InputError(`The kind "${r.kind ?? ''}" is not information or service.`, {
        location: { file, row, column: 'kind' },
        fix: 'Write information (finding things out) or service (getting things done).',
      });
    const channel = (r.channel ?? '').trim();
    if (!channel)
      throw new InputError('A row has no channel.', {
        location: { file, row, column: 'channel' },
        fix: 'Name the channel.',
      });
    const value = (r.value ?? '').trim();
    const asIndex = Number(value);
    const band =
      value && Number.isFinite(asIndex)
        ? bandOf(Math.round(asIndex), bands)
        : (byName.get(value.toLowerCase().replace(/\s+/g, ' ')) ?? null);
    if (!band)
      throw new InputError(`"${value}" is not a band or an index.`, {
        location: { file, row, column: 'value' },
        fix: `Write one of ${bands.map((b) => b.name).join(', ')}, or an index such as 120.`,
      });
    const key = `${segment}\u0000${kind}\u0000${channelName(channel)}`;
    if (seen.has(key))
      throw new InputError(
        `Segment ${segment}'s ${kind} channel ${channel} is given twice (rows ${seen.get(key)} and ${row}).`,
        {
          location: { file, row },
          fix: 'Give each segment, kind and channel once.',
        },
      );
    seen.set(key, row);
    return [{ segment, kind: kind as ChannelKind, channel: channelName(channel), band }];
  });
}

/** The framework from a channel mix (as the viewer may see it) and a preference table; either may be absent. */
export function communicationsFramework(
  mix: ChannelMixResult | null,
  table: PreferenceRow[] | null,
  opts: { tableName?: string; segments?: { code: string; name: string | null }[] } = {},
): FrameworkResult {
  const segments = mix
    ? mix.groups.map((g) => ({ code: g.code, name: g.name }))
    : (opts.segments ?? [...new Set((table ?? []).map((r) => r.segment))].map((code) => ({ code, name: null })));
  const inTable = (kind: ChannelKind) => [
    ...new Set((table ?? []).filter((r) => r.kind === kind).map((r) => r.channel)),
  ];
  const service = [...new Set([...(mix?.channels.map((c) => c.channel) ?? []), ...inTable('service')])];
  const information = inTable('information');
  const tableBand = new Map((table ?? []).map((r) => [`${r.segment}\u0000${r.kind}\u0000${r.channel}`, r.band]));
  return {
    version: FRAMEWORK_RESULT_VERSION,
    dataset: mix?.dataset ?? null,
    level: mix?.level ?? null,
    classification: mix?.classification ?? null,
    channels: { information, service },
    segments: segments.map((s) => ({
      ...s,
      cells: [
        ...information.map((channel) => ({ kind: 'information' as const, channel })),
        ...service.map((channel) => ({ kind: 'service' as const, channel })),
      ].map(({ kind, channel }) => {
        const cell =
          kind === 'service' ? mix?.cells.find((c) => c.code === s.code && c.channel === channel) : undefined;
        const t = tableBand.get(`${s.code}\u0000${kind}\u0000${channel}`) ?? null;
        const own = cell?.band ?? null;
        return {
          kind,
          channel,
          contactsIndex: cell?.index ?? null,
          contactsBand: own,
          tableBand: t,
          band: own ?? t,
        };
      }),
    })),
    bands: (mix?.bands ?? DEFAULT_BANDS).map((b) => b.name),
    table: opts.tableName ?? null,
  };
}
