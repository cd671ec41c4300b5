/**
 * Property references at intake (issue 13, points 1 and 2): every record of a dataset imported with
 * --address-columns (one column or several, in order) and/or --uprn-column gets a property
 * reference — its own valid UPRN, the gazetteer's UPRN its address matches clearly, or a key
 * derived from its postcode and flat and building number — worked out from the values as read,
 * before any column is pseudonymised. Households are the records at one property reference.
 * Every record is accounted for: with a reference (by kind) or without one, with the reason.
 */
import { z } from 'zod';
import { noPropertyReason, PropertyKeyer, type PropertyOfRecord } from '../geo/index.ts';
import type { Engine, SqlValue } from '../store/index.ts';

export const AddressingSummarySchema = z.object({
  addressColumns: z.array(z.string()),
  uprnColumn: z.string().nullable(),
  /** records = uprn + matchedUprn + derived + none */
  records: z.number(),
  /** the record's own UPRN, valid */
  uprn: z.number(),
  /** a UPRN found by matching the address to the gazetteer */
  matchedUprn: z.number(),
  /** a key derived from the postcode and the flat and building number or name */
  derived: z.number(),
  /** no property reference: each counts as a household of its own */
  none: z.number(),
  /** why records have no property reference, most common first */
  reasons: z.array(z.object({ reason: z.string(), rows: z.number() })),
  /** how the gazetteer matched the records without a valid UPRN of their own; null without a gazetteer */
  gazetteer: z
    .object({
      file: z.string(),
      addresses: z.number(),
      matched: z.number(),
      ambiguous: z.number(),
      noMatch: z.number(),
    })
    .nullable(),
  /** whether the workspace's address lookups (synonyms, abbreviations) were used */
  lookups: z.boolean(),
});
export type AddressingSummary = z.infer<typeof AddressingSummarySchema>;

/** The hidden columns a dataset's table gains when it is imported with addresses. */
export const PROPERTY_COLUMNS = ['_property', '_property_kind', '_property_note'] as const;

/**
 * Works out each record's property reference. `records` yields each record's row number, its
 * address fields in order, its postcode (undefined: read from the end of the address; the postcode
 * column when there is one) and its own UPRN. Returns the rows for the property table (row, key,
 * kind, note) and the summary.
 */
export async function propertyRows(
  engine: Engine,
  records: Iterable<{
    row: number;
    fields: (string | null)[];
    postcode: string | null | undefined;
    uprn: string | null;
  }>,
  columns: { addressColumns: string[]; uprnColumn: string | null },
  onRecord?: (n: number) => void,
): Promise<{ rows: SqlValue[][]; summary: AddressingSummary }> {
  const keyer = await PropertyKeyer.forWorkspace(engine);
  const rows: SqlValue[][] = [];
  const counts = { uprn: 0, matchedUprn: 0, derived: 0, none: 0 };
  const g = { matched: 0, ambiguous: 0, noMatch: 0 };
  const reasons = new Map<string, number>();
  let n = 0;
  for (const r of records) {
    const p: PropertyOfRecord = keyer.of(r.fields, r.postcode, r.uprn);
    if (p.gazetteer === 'matched') g.matched++;
    else if (p.gazetteer === 'ambiguous') g.ambiguous++;
    else if (p.gazetteer === 'no_match') g.noMatch++;
    let note: string | null = null;
    if (!p.key) {
      counts.none++;
      note = noPropertyReason(p);
      reasons.set(note, (reasons.get(note) ?? 0) + 1);
    } else if (p.kind === 'uprn') counts.uprn++;
    else if (p.kind === 'matched_uprn') counts.matchedUprn++;
    else {
      counts.derived++;
      if (p.gazetteer === 'ambiguous') note = 'the gazetteer has several addresses that fit: the derived key is used';
    }
    rows.push([r.row, p.key, p.kind, note]);
    if (++n % 10_000 === 0) onRecord?.(n);
  }
  onRecord?.(n);
  return {
    rows,
    summary: {
      addressColumns: columns.addressColumns,
      uprnColumn: columns.uprnColumn,
      records: n,
      ...counts,
      reasons: [...reasons]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([reason, rows]) => ({ reason, rows })),
      gazetteer: keyer.gazetteer ? { ...keyer.gazetteer, ...g } : null,
      lookups: keyer.lookups.counts.synonym + keyer.lookups.counts.abbreviation > 0,
    },
  };
}

/** The summary in words, for the import's report (counts only). */
export function describeAddressing(a: AddressingSummary): string[] {
  const n = (x: number) => x.toLocaleString('en-GB');
  const from = [
    a.addressColumns.length ? `addresses in ${a.addressColumns.map((c) => `"${c}"`).join(', ')}` : null,
    a.uprnColumn ? `UPRNs in "${a.uprnColumn}"` : null,
  ].filter(Boolean);
  const lines = [
    `property references (households) from ${from.join(' and ')}:`,
    `  ${n(a.records)} = own UPRN ${n(a.uprn)} + matched to the gazetteer ${n(a.matchedUprn)} + derived from the address ${n(a.derived)} + none ${n(a.none)}`,
  ];
  if (a.gazetteer)
    lines.push(
      `  gazetteer ${a.gazetteer.file} (${n(a.gazetteer.addresses)} addresses): matched ${n(a.gazetteer.matched)}, ambiguous ${n(a.gazetteer.ambiguous)}, no match ${n(a.gazetteer.noMatch)}`,
    );
  else lines.push('  no gazetteer in the workspace: import one with civic reference import WORKSPACE --addresses FILE');
  if (!a.lookups)
    lines.push('  no address lookups: import them with civic reference import WORKSPACE --address-lookups DIR');
  for (const r of a.reasons) lines.push(`  no property reference: ${n(r.rows)} × ${r.reason}`);
  return lines;
}
