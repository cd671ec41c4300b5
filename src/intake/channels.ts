/**
 * Channel columns (C2): how a customer reached the council, as systems write it ("F2F", "Tel",
 * "Web form", "E-mail") put into one vocabulary, so that channels compare between services and
 * segments (`--where "channel=face to face"`). A column is found by its name, or named with
 * --channel-column. Values are written in the vocabulary in place; when any changed, the values as
 * written are kept beside them (`channel_as_written`), so nothing is lost. A value the vocabulary
 * does not know is kept as written and counted.
 */
import Papa from 'papaparse';
import { InputError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { columnIndex } from './columns.ts';

/** The vocabulary, with the ways councils' systems write each channel. */
export const CHANNELS: Readonly<Record<string, readonly string[]>> = {
  'face to face': [
    'f2f',
    'face to face',
    'in person',
    'counter',
    'reception',
    'walk in',
    'visit',
    'office visit',
    'one stop shop',
    'customer service centre',
    'customer service point',
    'gateway',
  ],
  phone: ['phone', 'telephone', 'tel', 'call', 'phone call', 'telephone call', 'contact centre', 'call centre'],
  web: ['web', 'website', 'online', 'web form', 'webform', 'online form', 'internet', 'e form', 'eform', 'my account'],
  email: ['email', 'e mail'],
  sms: ['sms', 'text', 'text message'],
  post: ['post', 'letter', 'postal', 'mail'],
  kiosk: ['kiosk', 'self service kiosk'],
  'self-serve': ['self serve', 'self service', 'selfserve'],
  'social media': ['social media', 'twitter', 'facebook'],
  app: ['app', 'mobile app'],
};

const CHANNEL_HEADER = [
  /^(contact[ _-]?)?channel$/i,
  /^channel[ _-]?(of[ _-]?contact|used|type)$/i,
  /^contact[ _-]?(method|type|route|mode)$/i,
  /^how[ _-]?(received|contacted|made)$/i,
  /^(source|received)[ _-]?(channel|via)$/i,
];

/** How a channel's name is compared: case, punctuation and spacing aside. */
export const channelKey = (v: string) =>
  v
    .toLowerCase()
    .replace(/[-_/.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const LOOKUP = new Map(
  Object.entries(CHANNELS).flatMap(([c, ways]) => [
    [channelKey(c), c] as const,
    ...ways.map((w) => [channelKey(w), c] as const),
  ]),
);

/** The channel a value names, or null when the vocabulary does not know it. */
export function readChannel(v: string | null | undefined): string | null {
  if (!v || !v.trim()) return null;
  return LOOKUP.get(channelKey(v)) ?? null;
}

/** The column whose name says it holds channels, or -1. */
export function findChannelColumn(header: readonly string[]): number {
  for (const p of CHANNEL_HEADER) {
    const i = header.findIndex((h) => p.test(h.trim()));
    if (i >= 0) return i;
  }
  return -1;
}

export interface ChannelSummary {
  column: string;
  /** How it was chosen: named with --channel-column, or found by its name. */
  found: 'named' | 'by name';
  /** Rows per channel of the vocabulary, most first. */
  channels: { channel: string; rows: number }[];
  /** Rows with a value the vocabulary does not know (kept as written), and blank rows. */
  unknown: number;
  blank: number;
  /** The column keeping the values as written, when any was changed. */
  asWritten: string | null;
}

/**
 * Writes the channel column's values in the vocabulary, in the staging table. A column found by its
 * name whose values are mostly not channels (under half known) is left alone: it is not a channel
 * column. Returns what was done and the column added for the values as written, if any.
 */
export async function normaliseChannels(
  engine: Engine,
  staging: string,
  header: string[],
  named: string | undefined,
  file: string,
  pseudonymised: readonly string[],
  extra: ReadonlyMap<string, string> = new Map(),
): Promise<{ added: string[]; summary: ChannelSummary | null }> {
  const extended = new Map([...extra].map(([w, c]) => [channelKey(w), c]));
  let col: string;
  if (named) {
    const i = columnIndex(header, named);
    if (i < 0)
      throw new InputError(`--channel-column names a column "${named}" that is not in the file.`, {
        location: { file, column: named },
        fix: `Columns in the file: ${header.join(', ')}.`,
      });
    col = header[i];
  } else {
    const i = findChannelColumn(header);
    if (i < 0) return { added: [], summary: null };
    col = header[i];
  }
  if (pseudonymised.includes(col)) return { added: [], summary: null };
  const values = await engine.all<{ v: string | null; n: number }>(
    `SELECT ${ident(col)} AS v, count(*)::BIGINT AS n FROM ${ident(staging)} GROUP BY 1`,
  );
  const counts = new Map<string, number>();
  let unknown = 0,
    blank = 0;
  const map: [string, string][] = [];
  for (const { v, n } of values) {
    if (v === null || !v.trim()) {
      blank += n;
      continue;
    }
    const c = extended.get(channelKey(v)) ?? readChannel(v);
    if (c === null) unknown += n;
    else {
      counts.set(c, (counts.get(c) ?? 0) + n);
      if (c !== v) map.push([v, c]);
    }
  }
  const known = [...counts.values()].reduce((a, b) => a + b, 0);
  if (!named && known < unknown) return { added: [], summary: null };
  let asWritten: string | null = null;
  if (map.length) {
    asWritten = `${col}_as_written`.slice(0, 64);
    if (header.some((h) => h.toLowerCase() === asWritten!.toLowerCase()))
      throw new InputError(
        `The file already has a column "${asWritten}", where the channels as written would be kept.`,
        {
          location: { file, column: asWritten },
          fix: `Rename it on the way in, e.g. --map "${asWritten}=${asWritten}_source".`,
        },
      );
    await engine.run(`ALTER TABLE ${ident(staging)} ADD COLUMN ${ident(asWritten)} VARCHAR`);
    await engine.run(`UPDATE ${ident(staging)} SET ${ident(asWritten)} = ${ident(col)}`);
    await engine.run(`CREATE OR REPLACE TEMP TABLE channel_map (v VARCHAR, c VARCHAR)`);
    await engine.append('channel_map', map);
    await engine.run(
      `UPDATE ${ident(staging)} SET ${ident(col)} = m.c FROM channel_map m WHERE ${ident(staging)}.${ident(col)} = m.v`,
    );
    await engine.run(`DROP TABLE channel_map`);
  }
  return {
    added: asWritten ? [asWritten] : [],
    summary: {
      column: col,
      found: named ? 'named' : 'by name',
      channels: [...counts]
        .map(([channel, rows]) => ({ channel, rows }))
        .sort((a, b) => b.rows - a.rows || (a.channel < b.channel ? -1 : 1)),
      unknown,
      blank,
      asWritten,
    },
  };
}

/** For the import's report to the owner. */
export function describeChannels(s: ChannelSummary): string {
  return (
    `${s.column} holds channels (${s.found === 'named' ? 'as named' : 'found by its name'}): ` +
    s.channels.map((c) => `${c.channel} ${c.rows}`).join(', ') +
    (s.unknown ? `; ${s.unknown} rows name a channel not in the vocabulary, kept as written` : '') +
    (s.blank ? `; ${s.blank} blank` : '') +
    (s.asWritten ? `. The values as written are kept in ${s.asWritten}.` : '.')
  );
}

/**
 * The workspace's own names for channels (civic dataset import --channel-names), beyond the
 * vocabulary: what a council's system writes, and the channel it means ("IVR" → phone, "webchat"
 * → web chat, a channel of its own). Names given at an import are kept for the next.
 */
export async function savedChannelNames(engine: Engine): Promise<Map<string, string>> {
  const rows = await engine.all<{ written: string; channel: string }>(`SELECT written, channel FROM channel_name`);
  return new Map(rows.map((r) => [r.written, r.channel]));
}

export async function saveChannelNames(engine: Engine, names: ReadonlyMap<string, string>): Promise<void> {
  for (const [written, channel] of names) {
    await engine.run(`DELETE FROM channel_name WHERE written = $1`, [channelKey(written)]);
    await engine.run(`INSERT INTO channel_name VALUES ($1, $2)`, [channelKey(written), channel.trim()]);
  }
}

/** A CSV file of `written,channel` (a header row naming both), as names to add; bad rows are named. */
export function readChannelNames(text: string, file: string): Map<string, string> {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  for (const need of ['written', 'channel'])
    if (!(parsed.meta.fields ?? []).includes(need))
      throw new InputError(`The channel names file has no "${need}" column.`, {
        location: { file, row: 1 },
        fix: 'Give it a header row, written,channel, then one name per row, e.g. IVR,phone.',
      });
  const out = new Map<string, string>();
  parsed.data.forEach((r, i) => {
    const written = (r.written ?? '').trim();
    const channel = (r.channel ?? '').trim();
    if (!written || !channel)
      throw new InputError(
        `Row ${i + 2} of the channel names file has no ${written ? 'channel' : 'name as written'}.`,
        {
          location: { file, row: i + 2, column: written ? 'channel' : 'written' },
          fix: 'Give each row a name as written and the channel it means.',
        },
      );
    out.set(written, readChannel(channel) ?? channel.toLowerCase());
  });
  return out;
}
