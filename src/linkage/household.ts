/**
 * The single customer view of one household (issue 13, point 4): every record, in every dataset
 * the caller may see, at one property reference — found from a UPRN, or from an address and
 * postcode standardised the way intake standardises them (so the derived key is the same). The
 * records' values are shown as stored: pseudonymised columns are keyed hashes and are named as
 * such, never shown. Who may see which datasets is decided by the caller (the boundary); this
 * reads only the datasets it is given.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { PropertyKeyer, validUprn } from '../geo/index.ts';
import { type Engine, type SqlValue, ident } from '../store/index.ts';

export const HOUSEHOLD_VIEW_VERSION = 1;

export const HouseholdRecordSchema = z.object({
  /** the row of the file (the header is row 1) */
  row: z.number(),
  /** the record's own identifier (--id-column), or null */
  id: z.string().nullable(),
  postcode: z.string().nullable(),
  /** how its property reference was made: its own UPRN, a matched one, or derived from the address */
  propertyKind: z.enum(['uprn', 'matched_uprn', 'derived']),
  /** the dataset's columns, as stored; a pseudonymised column's value is null here (see `pseudonymised`) */
  values: z.record(z.string(), z.string().nullable()),
});

export const HouseholdViewSchema = z.object({
  kind: z.literal('household'),
  version: z.literal(HOUSEHOLD_VIEW_VERSION),
  /** the property reference searched for: a UPRN, or a key derived from the address */
  property: z.string(),
  propertyKind: z.enum(['uprn', 'derived']),
  /** the gazetteer's address for a UPRN, when the workspace has one */
  gazetteerAddress: z.string().nullable(),
  /** every dataset searched (those the viewer may see and that have property references) */
  searched: z.array(z.string()),
  datasets: z.array(
    z.object({
      dataset: z.string(),
      title: z.string().nullable(),
      /** the dataset's columns, in order */
      columns: z.array(z.string()),
      /** columns stored as keyed hashes or Bloom encodings: never shown */
      pseudonymised: z.array(z.string()),
      records: z.array(HouseholdRecordSchema),
    }),
  ),
  /** records found in all */
  records: z.number(),
});
export type HouseholdView = z.infer<typeof HouseholdViewSchema>;

export interface HouseholdQuery {
  uprn?: string;
  /** an address, as one text or its lines */
  address?: string | string[];
  postcode?: string;
}

/** Most records shown per dataset: a property with more is a hostel or a data problem, and is said so. */
export const MAX_HOUSEHOLD_RECORDS = 200;

/** The property reference a query names: a valid UPRN, or the key derived from an address and postcode. */
export async function householdKey(
  engine: Engine,
  q: HouseholdQuery,
): Promise<{ key: string; kind: 'uprn' | 'derived' }> {
  if (q.uprn?.trim()) {
    const u = validUprn(q.uprn);
    if (!u)
      throw new ParameterError('That is not a UPRN.', 'A UPRN is a number of up to 12 digits, e.g. 100023336956.');
    return { key: u, kind: 'uprn' };
  }
  const lines = (Array.isArray(q.address) ? q.address : [q.address ?? '']).filter((l) => l?.trim());
  if (!lines.length)
    throw new ParameterError(
      'Enter a UPRN, or an address and its postcode.',
      'For example: Flat 2, 12 High Road, SB1 1AB.',
    );
  const keyer = await PropertyKeyer.forWorkspace(engine);
  const p = keyer.of(lines, q.postcode?.trim() ? q.postcode : undefined, null);
  if (!p.key)
    throw new ParameterError(
      'That address does not name one property.',
      'Give its postcode and its flat, house number or building name, or its UPRN.',
    );
  return { key: p.key, kind: p.kind === 'derived' ? 'derived' : 'uprn' };
}

/** Every record at the household's property reference in the datasets given (those the viewer may see). */
export async function householdView(
  engine: Engine,
  q: HouseholdQuery,
  allowed: readonly string[],
): Promise<HouseholdView> {
  const { key, kind } = await householdKey(engine, q);
  const rows = await engine.all<{
    name: string;
    title: string | null;
    table_name: string;
    columns: string;
    pseudonymised: string;
    id_column: string | null;
  }>(
    `SELECT name, title, table_name, columns, pseudonymised, id_column FROM dataset WHERE addressing IS NOT NULL ORDER BY name`,
  );
  const mine = rows.filter((r) => allowed.includes(r.name));
  const out: HouseholdView['datasets'] = [];
  let total = 0;
  for (const d of mine) {
    const columns = JSON.parse(d.columns) as string[];
    const hidden = new Set(JSON.parse(d.pseudonymised) as string[]);
    const shown = columns.filter((c) => !hidden.has(c));
    const recs = await engine.all<Record<string, SqlValue>>(
      `SELECT _row, _postcode, _property_kind${d.id_column ? `, CAST(${ident(d.id_column)} AS VARCHAR) AS _id` : ''}${shown.map((c, i) => `, CAST(${ident(c)} AS VARCHAR) AS c${i}`).join('')}
       FROM ${ident(d.table_name)} WHERE _property = $1 ORDER BY _row LIMIT ${MAX_HOUSEHOLD_RECORDS}`,
      [key],
    );
    if (!recs.length) continue;
    total += recs.length;
    out.push({
      dataset: d.name,
      title: d.title,
      columns,
      pseudonymised: columns.filter((c) => hidden.has(c)),
      records: recs.map((r) => ({
        row: Number(r._row),
        id: (r._id as string | null | undefined) ?? null,
        postcode: (r._postcode as string | null) ?? null,
        propertyKind: r._property_kind as 'uprn' | 'matched_uprn' | 'derived',
        values: Object.fromEntries(
          columns.map((c) => [c, hidden.has(c) ? null : ((r[`c${shown.indexOf(c)}`] as string | null) ?? null)]),
        ),
      })),
    });
  }
  const g =
    kind === 'uprn'
      ? await engine.one<{ address: string }>(`SELECT address FROM address_gazetteer WHERE uprn = $1`, [key])
      : undefined;
  return {
    kind: 'household',
    version: HOUSEHOLD_VIEW_VERSION,
    property: key,
    propertyKind: kind,
    gazetteerAddress: g?.address ?? null,
    searched: mine.map((d) => d.name),
    datasets: out,
    records: total,
  };
}
