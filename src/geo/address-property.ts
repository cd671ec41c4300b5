/**
 * A record's property reference from its address (issue 13, point 2), as intake gives one to every
 * record imported with --address-columns or --uprn-column: the record's own UPRN when it is a valid
 * one; else, with a gazetteer in the workspace, the UPRN its address matches clearly; else a key
 * derived from the postcode and the flat and building number (or name), the same for the same
 * dwelling in any dataset and on any re-import. Lookups and gazetteer are read once per import.
 */
import type { Engine } from '../store/index.ts';
import { type AddressLookups, loadAddressLookups } from './address-lookups.ts';
import { gazetteerInfo, loadGazetteer } from './address-gazetteer.ts';
import { AddressIndex, DEFAULT_MATCH_PARAMETERS, type MatchStatus } from './address-match.ts';
import { type AddressProblem, type PropertyKeyKind, propertyKey, standardiseAddress } from './address-standardise.ts';

/** What a record's address gave: its property reference (or null, with the reason) and how the gazetteer saw it. */
export interface PropertyOfRecord {
  key: string | null;
  kind: PropertyKeyKind | null;
  /** null when the workspace has no gazetteer, or the record's own UPRN decided */
  gazetteer: Exclude<MatchStatus, 'unparsed'> | null;
  /** the address's problems (blank, no postcode, postcode not valid, no number or name) */
  problems: AddressProblem[];
}

/** Why a record has no property reference, in words for the dataset's owner (never quoting a value). */
export function noPropertyReason(p: PropertyOfRecord): string {
  if (p.problems.includes('blank')) return 'no address and no valid UPRN';
  if (p.problems.includes('no_postcode')) return 'the address has no postcode, and there is no valid UPRN';
  if (p.problems.includes('postcode_invalid'))
    return "the address's postcode is not a valid UK postcode, and there is no valid UPRN";
  if (p.problems.includes('no_number_or_name'))
    return 'the address names no flat, number or building, and there is no valid UPRN';
  return 'no property reference could be made';
}

export class PropertyKeyer {
  private readonly cache = new Map<string, PropertyOfRecord>();
  private constructor(
    readonly lookups: AddressLookups,
    private readonly index: AddressIndex | null,
    /** the gazetteer's file and size, or null */
    readonly gazetteer: { file: string; addresses: number } | null,
  ) {}

  /** Reads the workspace's address lookups and gazetteer (if any) once. */
  static async forWorkspace(engine: Engine): Promise<PropertyKeyer> {
    const lookups = await loadAddressLookups(engine);
    const info = await gazetteerInfo(engine);
    const index = info ? new AddressIndex(await loadGazetteer(engine, lookups)) : null;
    return new PropertyKeyer(lookups, index, info ? { file: info.file, addresses: info.addresses } : null);
  }

  /**
   * One record: its address fields in order, its postcode (from its own column; undefined: read from
   * the end of the address) and its own UPRN. The same inputs give the same answer, computed once.
   */
  of(fields: readonly (string | null)[], postcode: string | null | undefined, uprn: string | null): PropertyOfRecord {
    const memo = `${fields.join('\u0001')}\u0002${postcode === undefined ? '\u0003' : (postcode ?? '')}\u0002${uprn ?? ''}`;
    const seen = this.cache.get(memo);
    if (seen) return seen;
    const s = standardiseAddress(fields, this.lookups, postcode === undefined ? {} : { postcode });
    // No address written at all (a postcode of its own is not an address).
    if (!s.problems.includes('blank') && fields.every((f) => !f?.trim())) s.problems = ['blank'];
    const own = propertyKey(s, uprn, null);
    let gazetteer: PropertyOfRecord['gazetteer'] = null;
    let matched: string | null = null;
    if (own?.kind !== 'uprn' && this.index && !s.problems.includes('blank')) {
      const m = this.index.match(s, DEFAULT_MATCH_PARAMETERS);
      gazetteer = m.status === 'unparsed' ? 'no_match' : m.status;
      if (m.status === 'matched') matched = m.uprn;
    }
    const key = own?.kind === 'uprn' ? own : propertyKey(s, null, matched);
    const out: PropertyOfRecord = { key: key?.key ?? null, kind: key?.kind ?? null, gazetteer, problems: s.problems };
    if (this.cache.size < 500_000) this.cache.set(memo, out);
    return out;
  }
}
