/**
 * Address standardisation and parsing. An address (one text, or several fields such as "Address 1,
 * Address 2, Town") becomes upper-case words with punctuation removed, every word replaced as the
 * lookups say (ONS synonyms, uk_address_matcher abbreviations: data, see address-lookups.ts), and
 * is then parsed into sub-building, building number or range, building name, street, locality,
 * town and postcode.
 *
 * The rules written here are structural only: what punctuation does, how a number range and a
 * number with a letter are written, which words introduce a flat, which words end a street name.
 * Parsing a free-text address is best effort (the same words can be a building or a street); the
 * matcher (address-match.ts) therefore leans on the identifiers — numbers and flat letters — and
 * on word frequencies rather than on the parse, which is for reading and for the property key.
 */
import { createHash } from 'node:crypto';
import { checkPostcode } from './postcode.ts';
import type { AddressLookups } from './address-lookups.ts';

/** Words that introduce a flat or unit (after the lookups: APARTMENT, ROOM, STUDIO become FLAT). */
const FLAT_WORDS = new Set(['FLAT', 'UNIT', 'SUITE', 'MAISONETTE']);
/** Words that end a street's name, strongest first: a ROAD after a COURT makes the COURT a building. */
const STREET_WORDS = new Set([
  'ROAD',
  'STREET',
  'AVENUE',
  'LANE',
  'DRIVE',
  'CLOSE',
  'CRESCENT',
  'TERRACE',
  'WAY',
  'PLACE',
  'GARDENS',
  'GROVE',
  'SQUARE',
  'MEWS',
  'WALK',
  'ROW',
  'PARADE',
  'BOULEVARD',
  'ESPLANADE',
  'PROMENADE',
  'HIGHWAY',
]);
const WEAK_STREET_WORDS = new Set([
  'COURT',
  'HILL',
  'PARK',
  'GREEN',
  'VIEW',
  'QUAY',
  'WHARF',
  'GATE',
  'YARD',
  'VALE',
  'RISE',
  'END',
  'BANK',
  'CROFT',
  'MOUNT',
  'PASSAGE',
  'CAUSEWAY',
  'CIRCUS',
  'HEIGHTS',
  'MEADOW',
  'FIELDS',
  'BROW',
  'DALE',
]);

/** Whether a word can end a street's name (ROAD, STREET … COURT, HILL …). */
export function isStreetWord(w: string): boolean {
  return STREET_WORDS.has(w) || WEAK_STREET_WORDS.has(w);
}

export interface AddressParts {
  /** the flat or unit: "FLAT 2", "FLAT A", "FLAT 3" for "apartment 3" */
  subBuilding: string | null;
  /** the building's number, with its letter or as a range: "12", "2A", "12-14" */
  buildingNumber: string | null;
  buildingName: string | null;
  street: string | null;
  locality: string | null;
  town: string | null;
  /** as it should be written ("LS13 4BU"), or null */
  postcode: string | null;
}

/** Why an address could not be parsed, or what is missing from it. */
export type AddressProblem = 'blank' | 'no_postcode' | 'postcode_invalid' | 'no_number_or_name';

export const PROBLEM_TEXT: Record<AddressProblem, string> = {
  blank: 'the address is blank',
  no_postcode: 'no postcode in the address',
  postcode_invalid: 'the postcode is not a valid UK postcode',
  no_number_or_name: 'no building number, flat or building name',
};

export interface StandardisedAddress {
  /** the standardised words, without the postcode, separated by single spaces */
  text: string;
  /** compact postcode ("LS134BU"), or null */
  pcKey: string | null;
  /** whether the postcode had to be corrected (O for 0, a missing space) */
  postcodeCorrected: boolean;
  parts: AddressParts;
  /** what is wrong with the address; blank and no_number_or_name mean it could not be parsed */
  problems: AddressProblem[];
}

export interface StandardiseOptions {
  /** the postcode, when it has a column of its own (otherwise it is looked for at the end) */
  postcode?: string | null;
}

const isNumberToken = (t: string) => /\d/.test(t);
const isBareNumber = (t: string) => /^\d+$/.test(t);

/** Case, punctuation and the shape of numbers, for one field: the words it is made of. */
function structuralWords(field: string): string[] {
  let s = field.toUpperCase().replace(/&/g, ' AND ').replace(/['’`]/g, '');
  // A range keeps its hyphen ("12-14", "2B-2C"); every other hyphen separates words.
  s = s.replace(/(\d+[A-Z]?)\s*-\s*(\d+[A-Z]?)\b/g, '$1\u0001$2');
  s = s.replace(/[^A-Z0-9\u0001]+/g, ' ').replace(/\u0001/g, '-');
  return s.split(' ').filter(Boolean);
}

/** A word glued to a number ("FLT10") is two words (after the postcode, which looks the same, is taken). */
function unglue(words: string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const glued = /^([A-Z]{2,})(\d+[A-Z]?)$/.exec(w);
    if (glued) out.push(glued[1], glued[2]);
    else out.push(w);
  }
  return out;
}

/** The lookups applied word by word; ST becomes SAINT where it starts a name (ST JOHN STREET), else STREET. */
function replaceWords(words: string[], lookups: AddressLookups): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'ST') {
      const prev = out[out.length - 1];
      const next = words[i + 1];
      const startsName =
        next !== undefined &&
        !isNumberToken(next) &&
        (prev === undefined || isNumberToken(prev) || STREET_WORDS.has(prev) || WEAK_STREET_WORDS.has(prev));
      if (startsName) {
        out.push('SAINT');
        continue;
      }
    }
    const r = isNumberToken(w) ? undefined : lookups.replacements.get(w);
    if (r) out.push(...r);
    else out.push(w);
  }
  return out;
}

/** "39 A" is 39A; "12 14" after a number that is not a flat's is the range 12-14; "282 282" is 282. */
function joinNumbers(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const prev = out[out.length - 1];
    if (/^[A-Z]$/.test(w) && prev !== undefined && isBareNumber(prev)) {
      out[out.length - 1] = prev + w;
      continue;
    }
    if (
      isBareNumber(w) &&
      prev !== undefined &&
      isBareNumber(prev) &&
      !FLAT_WORDS.has(out[out.length - 2] ?? '') &&
      Number(w) >= Number(prev)
    ) {
      out[out.length - 1] = Number(w) === Number(prev) ? prev : `${prev}-${w}`;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Finds a postcode at the end of the last field: its last two words, or its last word. */
function takePostcode(fields: string[][]): { raw: string | null } {
  const last = fields[fields.length - 1];
  if (!last?.length) return { raw: null };
  for (const n of [2, 1]) {
    if (last.length < n) continue;
    const candidate = last.slice(-n).join(' ');
    // Only what has a postcode's shape (letters, digits, then digit and two letters) is looked at.
    if (!/^[A-Z][A-Z0-9]{1,3}[0-9OI][A-Z]{2}$/.test(candidate.replace(' ', ''))) continue;
    const c = checkPostcode(candidate);
    if (c.kind === 'valid' || (c.kind === 'corrected' && n === 2)) {
      last.splice(last.length - n, n);
      if (!last.length) fields.pop();
      return { raw: candidate };
    }
  }
  return { raw: null };
}

/** Identifiers: numbers (39A counts as 39 and A, 12-14 as 12 and 14) and single letters. */
export function addressIds(text: string): string[] {
  const ids = new Set<string>();
  const tokens = text.split(' ');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    // A road's number in a street description (FROM THE C1001 TO THE A596T) is not the property's.
    if (tokens[i - 1] === 'THE' && /^[ABCMU]\d+[A-Z]?$/.test(t)) continue;
    if (/^[A-Z]$/.test(t)) ids.add(t);
    else if (isNumberToken(t))
      for (const part of t.split('-')) {
        const m = /^(\d+)([A-Z])$/.exec(part);
        if (m) {
          ids.add(m[1]);
          ids.add(m[2]);
        } else if (part) ids.add(part);
      }
  }
  return [...ids].sort(compareIds);
}

function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The words of a standardised address that are not identifiers. */
export function addressWords(text: string): string[] {
  const tokens = text.split(' ');
  return [
    ...new Set(
      tokens.filter(
        (t, i) =>
          t.length > 1 &&
          !FLAT_WORDS.has(t) &&
          (!isNumberToken(t) || (tokens[i - 1] === 'THE' && /^[ABCMU]\d+[A-Z]?$/.test(t))),
      ),
    ),
  ];
}

function parse(fields: string[][], lookups: AddressLookups): Omit<AddressParts, 'postcode'> {
  const parts: Omit<AddressParts, 'postcode'> = {
    subBuilding: null,
    buildingNumber: null,
    buildingName: null,
    street: null,
    locality: null,
    town: null,
  };
  // Words with the field each came from.
  const words: { w: string; f: number }[] = [];
  fields.forEach((ws, f) => {
    for (const w of ws) words.push({ w, f });
  });
  const multiField = fields.length > 1;
  // Trailing county (as the lookups list them) is dropped from the parse.
  if (lookups.counties.size)
    for (let n = Math.min(4, words.length - 1); n >= 1; n--) {
      const tail = words
        .slice(-n)
        .map((x) => x.w)
        .join(' ');
      if (lookups.counties.has(tail)) {
        words.splice(words.length - n, n);
        break;
      }
    }
  let i = 0;
  const sub: string[] = [];
  // Flats first: FLAT 2, FLAT A, FLAT 2 FLAT A (a room in a flat).
  while (i < words.length) {
    const w = words[i].w;
    if (
      FLAT_WORDS.has(w) &&
      i + 1 < words.length &&
      (isNumberToken(words[i + 1].w) || /^[A-Z]$/.test(words[i + 1].w))
    ) {
      sub.push(`${w} ${words[i + 1].w}`);
      i += 2;
    } else if (
      sub.length === 0 &&
      (w === 'THE' ||
        w === 'GROUND' ||
        w === 'FLOOR' ||
        w === 'BASEMENT' ||
        w === 'FIRST' ||
        w === 'SECOND' ||
        w === 'TOP') &&
      words.slice(i, i + 4).some((x) => FLAT_WORDS.has(x.w))
    ) {
      i++;
    } else break;
  }
  // Identifiers and names before the street: [name] [number] or [number] [name] [number].
  const rest = words.slice(i);
  const numberAt = rest.map((x, k) => (isNumberToken(x.w) || /^[A-Z]$/.test(x.w) ? k : -1)).filter((k) => k >= 0);
  let streetFrom = 0;
  if (numberAt.length) {
    // The last identifier before the street words is the building number; an earlier one with
    // words between (33 GAYHURST HOUSE 23 MALLORY STREET) is a flat in a named building.
    const firstStreetWord = rest.findIndex((x) => STREET_WORDS.has(x.w) || WEAK_STREET_WORDS.has(x.w));
    const before = numberAt.filter((k) => firstStreetWord < 0 || k < firstStreetWord);
    const numberIdx = before.length ? before[before.length - 1] : numberAt[0];
    parts.buildingNumber = rest[numberIdx].w;
    const earlier = numberAt.filter((k) => k < numberIdx);
    let nameFrom = 0;
    if (earlier.length) {
      const e = earlier[earlier.length - 1];
      sub.push(rest[e].w);
      nameFrom = e + 1;
      for (const k of earlier.slice(0, -1)) sub.unshift(rest[k].w);
    }
    const name = rest
      .slice(nameFrom, numberIdx)
      .map((x) => x.w)
      .filter((w, k, a) => !(k === 0 && w === 'THE' && a.length === 1));
    if (name.length) parts.buildingName = name.join(' ');
    streetFrom = numberIdx + 1;
  }
  if (sub.length) parts.subBuilding = sub.join(' ');
  const tail = rest.slice(streetFrom);
  // The street ends at its strongest street word; with none, at a weak one.
  let end = tail.findIndex((x) => STREET_WORDS.has(x.w));
  // Without a number, a weak street word among the first two is part of a house's name (FURZE HILL HOUSE).
  if (end < 0) end = tail.findIndex((x, k) => WEAK_STREET_WORDS.has(x.w) && (numberAt.length > 0 || k >= 2));
  let afterStreet = tail;
  if (end >= 0) {
    let start = 0;
    if (!numberAt.length) {
      // No number: the name is what comes before the street — the field before it, or one word before.
      if (multiField && tail[end].f > tail[0].f) start = tail.findIndex((x) => x.f === tail[end].f);
      else start = Math.max(0, end - 1);
      if (start > 0)
        parts.buildingName = tail
          .slice(0, start)
          .map((x) => x.w)
          .join(' ');
    }
    parts.street = tail
      .slice(start, end + 1)
      .map((x) => x.w)
      .join(' ');
    afterStreet = tail.slice(end + 1);
  } else if (!numberAt.length && tail.length) {
    // Neither number nor street word: the first field, or the first two words, name the building.
    const named =
      multiField && fields.length > 1
        ? tail.filter((x) => x.f === tail[0].f).length
        : tail.length > 1
          ? Math.min(tail.length - 1, 2)
          : 0;
    if (named)
      parts.buildingName = tail
        .slice(0, named)
        .map((x) => x.w)
        .join(' ');
    afterStreet = tail.slice(named);
  } else if (numberAt.length && tail.length) {
    // A number but no street word: the street is the rest of the number's field, or the next word or two.
    const n = multiField ? tail.filter((x) => x.f === tail[0].f).length : Math.min(tail.length - 1, 2);
    parts.street =
      tail
        .slice(0, Math.max(1, n))
        .map((x) => x.w)
        .join(' ') || null;
    afterStreet = tail.slice(Math.max(1, n));
  }
  if (afterStreet.length) {
    if (multiField) {
      const lastField = afterStreet[afterStreet.length - 1].f;
      parts.town =
        afterStreet
          .filter((x) => x.f === lastField)
          .map((x) => x.w)
          .join(' ') || null;
      const loc = afterStreet.filter((x) => x.f !== lastField).map((x) => x.w);
      if (loc.length) parts.locality = loc.join(' ');
    } else {
      parts.town = afterStreet[afterStreet.length - 1].w;
      const loc = afterStreet.slice(0, -1).map((x) => x.w);
      if (loc.length) parts.locality = loc.join(' ');
    }
  }
  if (parts.buildingName === '') parts.buildingName = null;
  return parts;
}

/**
 * Standardises and parses one address: a text ("FLAT 2, 12-14 HIGH ST, LEEDS LS1 4AB") or its
 * fields in order. The postcode is taken from `opts.postcode` when given, else from the end.
 */
export function standardiseAddress(
  input: string | readonly (string | null | undefined)[],
  lookups: AddressLookups,
  opts: StandardiseOptions = {},
): StandardisedAddress {
  const raw = typeof input === 'string' ? input.split(',') : input.flatMap((f) => (f ?? '').split(','));
  const fields = raw.map(structuralWords).filter((f) => f.length);
  const problems: AddressProblem[] = [];
  let pcRaw: string | null = null;
  if (opts.postcode !== undefined) pcRaw = opts.postcode?.trim() || null;
  else pcRaw = takePostcode(fields).raw;
  // Remove the postcode if it is also written at the end of the address.
  if (opts.postcode !== undefined && pcRaw) takePostcode(fields);
  const words = fields.map((f) => joinNumbers(replaceWords(unglue(f), lookups)));
  const nonEmpty = words.filter((f) => f.length);
  const text = nonEmpty.flat().join(' ');
  let pcKey: string | null = null;
  let postcode: string | null = null;
  let corrected = false;
  if (!pcRaw) {
    if (text) problems.push('no_postcode');
  } else {
    const c = checkPostcode(pcRaw);
    if (c.kind === 'valid' || c.kind === 'corrected') {
      pcKey = c.key;
      postcode = c.postcode;
      corrected = c.kind === 'corrected';
    } else problems.push('postcode_invalid');
  }
  if (!text && !pcKey) {
    return {
      text: '',
      pcKey: null,
      postcodeCorrected: false,
      parts: emptyParts(),
      problems: ['blank'],
    };
  }
  const parts = { ...parse(nonEmpty, lookups), postcode };
  if (!parts.subBuilding && !parts.buildingNumber && !parts.buildingName) problems.push('no_number_or_name');
  return { text, pcKey, postcodeCorrected: corrected, parts, problems };
}

function emptyParts(): AddressParts {
  return {
    subBuilding: null,
    buildingNumber: null,
    buildingName: null,
    street: null,
    locality: null,
    town: null,
    postcode: null,
  };
}

/** Whether an address could be parsed (it names a property: a number, a flat or a building). */
export function isParsed(a: StandardisedAddress): boolean {
  return !a.problems.includes('blank') && !a.problems.includes('no_number_or_name');
}

/** A UPRN as it should be written (digits, 1–12, no leading zeros), or null if the value is not one. */
export function validUprn(raw: string | number | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  const m = /^(\d{1,12})(?:\.0+)?$/.exec(s);
  if (!m) return null;
  const n = m[1].replace(/^0+/, '');
  return n ? n : null;
}

/**
 * A property key that needs no UPRN: from the postcode and the address's identifiers (flat and
 * building numbers and letters, so FLAT A 6 and 6A are the same), or, with no number, the building
 * name. The same dwelling written differently gets the same key; null when the address has no
 * postcode or nothing that names the property.
 */
export function derivedPropertyKey(a: StandardisedAddress): string | null {
  if (!a.pcKey || !isParsed(a)) return null;
  const ids = addressIds([a.parts.subBuilding, a.parts.buildingNumber].filter(Boolean).join(' '));
  let what: string;
  if (ids.length) what = `#${ids.join(' ')}`;
  else {
    const name = (a.parts.buildingName ?? '').split(' ').filter((w) => w && w !== 'THE');
    if (!name.length) return null;
    what = `@${name.join(' ')}`;
  }
  const digest = createHash('sha256').update(`${a.pcKey}|${what}`).digest('hex');
  return `PK${digest.slice(0, 16).toUpperCase()}`;
}

export type PropertyKeyKind = 'uprn' | 'matched_uprn' | 'derived';

/** The property reference: the record's own valid UPRN, else a matched one, else the derived key. */
export function propertyKey(
  a: StandardisedAddress,
  uprn?: string | null,
  matchedUprn?: string | null,
): { key: string; kind: PropertyKeyKind } | null {
  const own = validUprn(uprn);
  if (own) return { key: own, kind: 'uprn' };
  if (matchedUprn) return { key: matchedUprn, kind: 'matched_uprn' };
  const d = derivedPropertyKey(a);
  return d ? { key: d, kind: 'derived' } : null;
}
