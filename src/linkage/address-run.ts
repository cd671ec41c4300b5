/**
 * `civic address match`: every address of a file standardised, parsed, given a property reference
 * and matched to the workspace's gazetteer. The result is a typed, versioned object (zod) that the
 * CLI writes as CSV or JSON; it is for the file's owner, who holds the addresses already.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/index.ts';
import { columnIndex, readSourceTable } from '../intake/index.ts';
import type { Engine } from '../store/index.ts';
import {
  loadAddressLookups,
  gazetteerInfo,
  loadGazetteer,
  AddressIndex,
  DEFAULT_MATCH_PARAMETERS,
  type MatchParameters,
  isParsed,
  propertyKey,
  standardiseAddress,
  type AddressProblem,
} from '../geo/index.ts';

export const ADDRESS_MATCH_RESULT_VERSION = 1;

const PartsSchema = z.object({
  subBuilding: z.string().nullable(),
  buildingNumber: z.string().nullable(),
  buildingName: z.string().nullable(),
  street: z.string().nullable(),
  locality: z.string().nullable(),
  town: z.string().nullable(),
  postcode: z.string().nullable(),
});

export const AddressMatchRecordSchema = z.object({
  /** the row of the file (the header is row 1) */
  row: z.number(),
  /** the record's own identifier (--id-column), or null */
  id: z.string().nullable(),
  /** unparsed: a blank address, not matched */
  status: z.enum(['matched', 'ambiguous', 'no_match', 'unparsed']),
  uprn: z.string().nullable(),
  score: z.number().nullable(),
  margin: z.number().nullable(),
  step: z.enum(['exact', 'postcode', 'street']).nullable(),
  /** the best candidates (UPRN and score); for a match, the UPRN given */
  candidates: z.array(z.object({ uprn: z.string(), score: z.number() })),
  /** the record's own UPRN if valid, else the matched UPRN, else the key derived from its address */
  propertyKey: z.string().nullable(),
  propertyKeyKind: z.enum(['uprn', 'matched_uprn', 'derived']).nullable(),
  standardised: z.string(),
  parts: PartsSchema,
  problems: z.array(z.enum(['blank', 'no_postcode', 'postcode_invalid', 'no_number_or_name'])),
  /** the gazetteer's address for the UPRN given */
  matchedAddress: z.string().nullable(),
});
export type AddressMatchRecord = z.infer<typeof AddressMatchRecordSchema>;

export const AddressMatchResultSchema = z.object({
  kind: z.literal('address-match'),
  version: z.literal(ADDRESS_MATCH_RESULT_VERSION),
  file: z.string(),
  gazetteer: z.object({ file: z.string(), addresses: z.number() }).nullable(),
  lookups: z.object({ synonyms: z.number(), abbreviations: z.number(), counties: z.number() }),
  parameters: z.object({
    minScore: z.number(),
    minMargin: z.number(),
    clearMargin: z.number(),
    keepCandidates: z.number(),
  }),
  counts: z.object({
    /** read = matched + ambiguous + noMatch + blank */
    read: z.number(),
    matched: z.number(),
    ambiguous: z.number(),
    noMatch: z.number(),
    /** blank addresses, not matched */
    blank: z.number(),
    /** addresses that could not be parsed (blank, or naming no number, flat or building), still matched if not blank */
    unparsed: z.number(),
    byStep: z.object({ exact: z.number(), postcode: z.number(), street: z.number() }),
    /** records with each problem (a record may have several) */
    problems: z.record(z.string(), z.number()),
    propertyKeys: z.object({ uprn: z.number(), matchedUprn: z.number(), derived: z.number(), none: z.number() }),
  }),
  records: z.array(AddressMatchRecordSchema),
});
export type AddressMatchResult = z.infer<typeof AddressMatchResultSchema>;

export interface AddressMatchRequest {
  file: string;
  /** the address's columns, in order (one or several) */
  addressColumns: string[];
  /** a postcode column of its own; otherwise the postcode is looked for at the end of the address */
  postcodeColumn?: string;
  /** the records' own UPRNs, used as their property reference when valid */
  uprnColumn?: string;
  idColumn?: string;
  parameters?: Partial<MatchParameters>;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

export async function matchAddressFile(engine: Engine, req: AddressMatchRequest): Promise<AddressMatchResult> {
  const file = basename(req.file);
  const table = await readSourceTable(req.file, {}, engine);
  const col = (name: string, what: string) => {
    const i = columnIndex(table.header, name);
    if (i < 0)
      throw new InputError(`The file has no column "${name}" (${what}).`, {
        location: { file, row: 1, column: name },
        fix: `Name one of its columns: ${table.header.join(', ')}.`,
      });
    return i;
  };
  if (!req.addressColumns.length)
    throw new InputError('Name the address columns.', {
      location: { file },
      fix: 'Add --address-columns "Address 1,Address 2,Town" (one column or several, in order).',
    });
  const addressCols = req.addressColumns.map((c) => col(c, 'an address column'));
  const pcCol = req.postcodeColumn ? col(req.postcodeColumn, 'the postcode column') : -1;
  const uprnCol = req.uprnColumn ? col(req.uprnColumn, 'the UPRN column') : -1;
  const idCol = req.idColumn ? col(req.idColumn, 'the id column') : -1;
  const lookups = await loadAddressLookups(engine);
  const info = await gazetteerInfo(engine);
  req.onProgress?.({ stage: 'Gazetteer', done: 0, total: info?.addresses ?? 0 });
  const gazetteer = info ? await loadGazetteer(engine, lookups) : [];
  const index = new AddressIndex(gazetteer);
  const addressOf = new Map(gazetteer.map((g) => [g.uprn, g.address]));
  req.onProgress?.({ stage: 'Gazetteer', done: gazetteer.length, total: gazetteer.length });
  const p: MatchParameters = { ...DEFAULT_MATCH_PARAMETERS, ...req.parameters };
  const counts: AddressMatchResult['counts'] = {
    read: table.rows.length,
    matched: 0,
    ambiguous: 0,
    noMatch: 0,
    blank: 0,
    unparsed: 0,
    byStep: { exact: 0, postcode: 0, street: 0 },
    problems: {},
    propertyKeys: { uprn: 0, matchedUprn: 0, derived: 0, none: 0 },
  };
  const records: AddressMatchRecord[] = [];
  const total = table.rows.length;
  table.rows.forEach((r, k) => {
    if (k % 5000 === 0) req.onProgress?.({ stage: 'Matching', done: k, total });
    const fields = addressCols.map((i) => r.values[i]);
    const s = standardiseAddress(fields, lookups, pcCol >= 0 ? { postcode: r.values[pcCol] } : {});
    for (const pr of s.problems) counts.problems[pr] = (counts.problems[pr] ?? 0) + 1;
    const blank = s.problems.includes('blank');
    if (!isParsed(s)) counts.unparsed++;
    const m = !blank && info ? index.match(s, p) : null;
    const status = blank ? 'unparsed' : (m?.status ?? 'no_match');
    if (status === 'matched') {
      counts.matched++;
      counts.byStep[m!.step!]++;
    } else if (status === 'ambiguous') counts.ambiguous++;
    else if (status === 'unparsed') counts.blank++;
    else counts.noMatch++;
    const key = propertyKey(s, uprnCol >= 0 ? r.values[uprnCol] : null, m?.uprn ?? null);
    if (!key) counts.propertyKeys.none++;
    else if (key.kind === 'uprn') counts.propertyKeys.uprn++;
    else if (key.kind === 'matched_uprn') counts.propertyKeys.matchedUprn++;
    else counts.propertyKeys.derived++;
    records.push({
      row: r.rowNo,
      id: idCol >= 0 ? (r.values[idCol] ?? null) : null,
      status,
      uprn: m?.uprn ?? null,
      score: m?.score ?? null,
      margin: m?.margin ?? null,
      step: m?.step ?? null,
      candidates: m?.candidates ?? [],
      propertyKey: key?.key ?? null,
      propertyKeyKind: key?.kind ?? null,
      standardised: s.text,
      parts: s.parts,
      problems: s.problems as AddressProblem[],
      matchedAddress: m?.uprn ? (addressOf.get(m.uprn) ?? null) : null,
    });
  });
  req.onProgress?.({ stage: 'Matching', done: total, total });
  return {
    kind: 'address-match',
    version: ADDRESS_MATCH_RESULT_VERSION,
    file,
    gazetteer: info ? { file: info.file, addresses: info.addresses } : null,
    lookups: {
      synonyms: lookups.counts.synonym,
      abbreviations: lookups.counts.abbreviation,
      counties: lookups.counts.county,
    },
    parameters: p,
    counts,
    records,
  };
}
