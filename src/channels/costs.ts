/**
 * Unit costs of contact by channel (C8, issue 14 point 3): the published sets the seeds quote
 * (unit-costs.csv beside this file, each figure with its source), or a council's own table in a
 * CSV file it edits (`channel,cost`, optionally `what` and `source`). Money is worked in whole
 * pence so that totals are exact: 750,000 × £4.62 + 312,500 × £7.03 + 187,500 × £0.40 is
 * £5,736,875.00, not a float near it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import Papa from 'papaparse';
import { z } from 'zod';
import { InputError, ParameterError } from '../core/index.ts';
import { readChannel } from '../intake/index.ts';

export const UnitCostSchema = z.object({
  /** a channel of the vocabulary (face to face, phone, web …), or the council's own (internal email) */
  channel: z.string(),
  /** pounds per contact */
  cost: z.number(),
  /** what one contact is, in words ("a visit to the Gateway") */
  what: z.string().nullable(),
  source: z.string().nullable(),
});
export type UnitCost = z.infer<typeof UnitCostSchema>;

export const UnitCostSetSchema = z.object({
  /** the set's name (bristol), or the file it was read from */
  name: z.string(),
  /** published with the product, or the council's own file */
  published: z.boolean(),
  costs: z.array(UnitCostSchema),
});
export type UnitCostSet = z.infer<typeof UnitCostSetSchema>;

/** A channel as the vocabulary writes it ("Tel" → phone); a name it does not know, trimmed and in lower case. */
export function channelName(v: string): string {
  return readChannel(v) ?? v.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Pounds to whole pence, refusing what is not money. */
function pence(v: string, location: { file: string; row: number; column: string }): number {
  const t = v.trim().replace(/^£/, '');
  if (!/^\d+(\.\d{1,2})?$/.test(t))
    throw new InputError(`"${v}" is not a cost in pounds.`, {
      location,
      fix: 'Write it as pounds and pence, e.g. 4.62.',
    });
  return Math.round(Number(t) * 100);
}

function readCsv(text: string, file: string, published: boolean, set?: string): UnitCost[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  const fields = parsed.meta.fields ?? [];
  for (const need of ['channel', 'cost'])
    if (!fields.includes(need))
      throw new InputError(`${basename(file)} has no "${need}" column.`, {
        location: { file },
        fix: 'A unit-cost file has a header row with channel and cost (and, if you like, what and source).',
      });
  const out: UnitCost[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((r, i) => {
    const row = i + 2;
    if (set !== undefined && r.set !== set) return;
    const raw = (r.channel ?? '').trim();
    if (!raw)
      throw new InputError('The channel is blank.', {
        location: { file, row, column: 'channel' },
        fix: 'Name the channel, e.g. phone.',
      });
    const channel = channelName(raw);
    if (seen.has(channel))
      throw new InputError(`${channel} already has a cost on row ${seen.get(channel)}.`, {
        location: { file, row, column: 'channel' },
        fix: 'Give each channel one cost.',
      });
    seen.set(channel, row);
    out.push({
      channel,
      cost: pence(r.cost ?? '', { file, row, column: 'cost' }) / 100,
      what: r.what?.trim() || null,
      source: r.source?.trim() || (published ? null : `${basename(file)}, row ${row}`),
    });
  });
  return out;
}

let publishedSets: UnitCostSet[] | null = null;

/** The published sets, in the order of unit-costs.csv. */
export function publishedUnitCosts(): UnitCostSet[] {
  if (publishedSets) return publishedSets;
  const text = readFileSync(new URL('./unit-costs.csv', import.meta.url), 'utf8');
  const names = [
    ...new Set(
      Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' }).data.map((r) => r.set),
    ),
  ];
  publishedSets = names.map((name) => ({
    name,
    published: true,
    costs: readCsv(text, 'unit-costs.csv', true, name),
  }));
  return publishedSets;
}

/**
 * A set of unit costs: a published set by name (bristol, maidstone, socitm-2012 …), or a CSV file
 * of the council's own (any name ending .csv).
 */
export function unitCosts(nameOrFile: string): UnitCostSet {
  if (/\.csv$/i.test(nameOrFile)) {
    let text: string;
    try {
      text = readFileSync(nameOrFile, 'utf8');
    } catch {
      throw new InputError('Cannot read the unit-cost file.', {
        location: { file: nameOrFile },
        fix: 'Check the path.',
      });
    }
    const costs = readCsv(text, nameOrFile, false);
    if (!costs.length)
      throw new InputError('The unit-cost file has no costs in it.', {
        location: { file: nameOrFile },
        fix: 'Add a row for each channel.',
      });
    return { name: nameOrFile, published: false, costs };
  }
  const set = publishedUnitCosts().find((s) => s.name === nameOrFile.trim().toLowerCase());
  if (!set)
    throw new ParameterError(
      `There is no published set of unit costs called "${nameOrFile}".`,
      `Published sets: ${publishedUnitCosts()
        .map((s) => s.name)
        .join(', ')}; or give your own as a CSV file (channel,cost).`,
    );
  return set;
}

/** A channel's unit cost in a set, in pence; a channel the set does not cost is named. */
export function costOf(set: UnitCostSet, channel: string): number {
  const c = set.costs.find((x) => x.channel === channelName(channel));
  if (!c)
    throw new ParameterError(
      `The unit costs ${set.name} have no cost for ${channelName(channel)}.`,
      `They cost ${set.costs.map((x) => x.channel).join(', ')}. Choose another set, or add ${channelName(channel)} to your own file.`,
    );
  return Math.round(c.cost * 100);
}

export const CONTACT_COST_RESULT_VERSION = 1 as const;
export const ContactCostResultSchema = z.object({
  version: z.literal(CONTACT_COST_RESULT_VERSION),
  unitCosts: z.string(),
  lines: z.array(
    z.object({
      channel: z.string(),
      contacts: z.number(),
      unitCost: z.number(),
      cost: z.number(),
      /** share of all contacts, % */
      pct: z.number(),
    }),
  ),
  contacts: z.number(),
  /** pounds, exact to the penny */
  total: z.number(),
  /** the cost of the average contact */
  perContact: z.number(),
});
export type ContactCostResult = z.infer<typeof ContactCostResultSchema>;

/** What contacts cost: each channel's volume times its unit cost, added up to the penny. */
export function contactCost(
  volumes: readonly { channel: string; contacts: number }[],
  set: UnitCostSet,
): ContactCostResult {
  if (!volumes.length)
    throw new ParameterError('Give the contacts by channel.', 'For example phone=750000,web=187500.');
  const merged = new Map<string, number>();
  for (const v of volumes) {
    if (!Number.isFinite(v.contacts) || v.contacts < 0)
      throw new ParameterError(`The contacts by ${v.channel} must be a number of 0 or more.`);
    const c = channelName(v.channel);
    merged.set(c, (merged.get(c) ?? 0) + v.contacts);
  }
  const contacts = [...merged.values()].reduce((a, b) => a + b, 0);
  let totalPence = 0;
  const lines = [...merged].map(([channel, n]) => {
    const unit = costOf(set, channel);
    const p = Math.round(unit * n);
    totalPence += p;
    return { channel, contacts: n, unitCost: unit / 100, cost: p / 100, pct: contacts ? (100 * n) / contacts : 0 };
  });
  return {
    version: CONTACT_COST_RESULT_VERSION,
    unitCosts: set.name,
    lines,
    contacts,
    total: totalPence / 100,
    perContact: contacts ? totalPence / 100 / contacts : 0,
  };
}

/**
 * Volumes from a total and each channel's share in % (Bristol: 1.25 million at phone 60, face to
 * face 25, self-serve 15). The shares must add up to 100; volumes are rounded to whole contacts.
 */
export function volumesFromShares(
  total: number,
  shares: readonly { channel: string; pct: number }[],
): { channel: string; contacts: number }[] {
  const sum = shares.reduce((a, s) => a + s.pct, 0);
  if (Math.abs(sum - 100) > 1e-9)
    throw new ParameterError(`The channels' shares add up to ${sum}%, not 100%.`, 'Give a share for every channel.');
  return shares.map((s) => ({ channel: s.channel, contacts: Math.round((total * s.pct) / 100) }));
}

export const SHIFT_RESULT_VERSION = 1 as const;
export const ShiftResultSchema = z.object({
  version: z.literal(SHIFT_RESULT_VERSION),
  unitCosts: z.string(),
  from: z.string(),
  to: z.string(),
  contactsPerMonth: z.number(),
  contactsPerYear: z.number(),
  fromCost: z.number(),
  toCost: z.number(),
  /** pounds a year: contacts moved × (cost of the old channel − cost of the new) */
  savingPerYear: z.number(),
});
export type ShiftResult = z.infer<typeof ShiftResultSchema>;

/** Moving contacts from one channel to another: Bristol's (400 + 1,500) a month from £3 to £1 is £45,600 a year. */
export function shiftSaving(o: { from: string; to: string; contactsPerMonth: number }, set: UnitCostSet): ShiftResult {
  if (!Number.isFinite(o.contactsPerMonth) || o.contactsPerMonth < 0)
    throw new ParameterError('The contacts moved each month must be a number of 0 or more.');
  if (channelName(o.from) === channelName(o.to))
    throw new ParameterError(`The contacts would move from ${channelName(o.from)} to itself.`, 'Name two channels.');
  const from = costOf(set, o.from);
  const to = costOf(set, o.to);
  const perYear = o.contactsPerMonth * 12;
  return {
    version: SHIFT_RESULT_VERSION,
    unitCosts: set.name,
    from: channelName(o.from),
    to: channelName(o.to),
    contactsPerMonth: o.contactsPerMonth,
    contactsPerYear: perYear,
    fromCost: from / 100,
    toCost: to / 100,
    savingPerYear: Math.round(perYear * (from - to)) / 100,
  };
}
