/**
 * The mistakes people and systems make when the same person is written down twice, for record
 * linkage to be tested against (issue 13): a typing slip in a name (a letter changed, dropped,
 * doubled or two swapped, mostly next to each other on the keyboard), a nickname, first and last
 * names swapped, a date of birth with day and month swapped or one digit wrong, and an address
 * with its flat number missing, a street word abbreviated, or an old address. Every change is
 * returned with its kind, so the truth of what was done is known; nothing here is random without
 * the generator it is given.
 */
import type { Random } from '../core/index.ts';

export type NameSlip = 'substitute' | 'drop' | 'double' | 'swap';
export type RecordError =
  | { field: 'first' | 'last'; kind: NameSlip }
  | { field: 'first'; kind: 'nickname' }
  | { field: 'name'; kind: 'swapped' }
  | { field: 'dob'; kind: 'day-month' | 'digit' }
  | { field: 'address'; kind: 'no flat' | 'abbreviated' | 'old address' };

/** Chances per record of each kind of error (the published FEBRL and Splink generators use rates of this order). */
export interface ErrorRates {
  nameSlip: number;
  nickname: number;
  swapped: number;
  dobDayMonth: number;
  dobDigit: number;
  noFlat: number;
  abbreviated: number;
  oldAddress: number;
}

export const DEFAULT_ERROR_RATES: Readonly<ErrorRates> = {
  nameSlip: 0.06,
  nickname: 0.03,
  swapped: 0.01,
  dobDayMonth: 0.01,
  dobDigit: 0.02,
  noFlat: 0.3,
  abbreviated: 0.1,
  oldAddress: 0.02,
};

/** Letters next to each other on a UK keyboard: a typing slip usually hits one of them. */
const NEIGHBOURS: Record<string, string> = {
  a: 'qwsz',
  b: 'vghn',
  c: 'xdfv',
  d: 'serfcx',
  e: 'wsdr',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  i: 'ujko',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  m: 'njk',
  n: 'bhjm',
  o: 'iklp',
  p: 'ol',
  q: 'wa',
  r: 'edft',
  s: 'awedxz',
  t: 'rfgy',
  u: 'yhji',
  v: 'cfgb',
  w: 'qase',
  x: 'zsdc',
  y: 'tghu',
  z: 'asx',
};

/** Common short forms of first names, as councils find them on their own systems. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  Margaret: ['Maggie', 'Peggy', 'Margo'],
  Elizabeth: ['Liz', 'Beth', 'Lizzie'],
  Patricia: ['Pat', 'Trish'],
  Christine: ['Chris', 'Chrissie'],
  Susan: ['Sue', 'Susie'],
  Barbara: ['Babs'],
  Catherine: ['Cath', 'Kate'],
  Katherine: ['Kate', 'Kathy'],
  Jennifer: ['Jen', 'Jenny'],
  Rebecca: ['Becky', 'Becca'],
  Samantha: ['Sam'],
  Victoria: ['Vicky', 'Tori'],
  Alexandra: ['Alex'],
  Deborah: ['Debbie', 'Deb'],
  Kimberley: ['Kim'],
  Jacqueline: ['Jackie'],
  Gillian: ['Gill'],
  Valerie: ['Val'],
  Kathleen: ['Kath'],
  Dorothy: ['Dot'],
  John: ['Jack', 'Johnny'],
  William: ['Bill', 'Will', 'Billy'],
  Robert: ['Bob', 'Rob', 'Bobby'],
  Michael: ['Mike', 'Mick'],
  David: ['Dave'],
  Richard: ['Rick', 'Dick', 'Rich'],
  Thomas: ['Tom', 'Tommy'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  Anthony: ['Tony'],
  Christopher: ['Chris'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Andrew: ['Andy', 'Drew'],
  Joseph: ['Joe'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Stephen: ['Steve'],
  Steven: ['Steve'],
  Peter: ['Pete'],
  Kenneth: ['Ken'],
  Terence: ['Terry'],
  Geoffrey: ['Geoff'],
  Nicholas: ['Nick'],
  Benjamin: ['Ben'],
  Samuel: ['Sam'],
  Alexander: ['Alex'],
  Jonathan: ['Jon'],
  Timothy: ['Tim'],
  Gregory: ['Greg'],
};

/** Street words and the short forms people write (also the demo's own address lookups: generate.ts). */
export const STREET_WORDS: readonly (readonly [word: string, short: string])[] = [
  ['Road', 'Rd'],
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Drive', 'Dr'],
  ['Close', 'Cl'],
  ['Crescent', 'Cres'],
  ['Lane', 'Ln'],
  ['Gardens', 'Gdns'],
  ['Place', 'Pl'],
  ['Terrace', 'Terr'],
  ['Court', 'Ct'],
  ['Square', 'Sq'],
];
const STREET_SHORT: readonly [RegExp, string][] = STREET_WORDS.map(([w, s]) => [new RegExp(`\\b${w}\\b`), s]);

/** One typing slip in a word of at least 3 letters (shorter words are left as they are). */
export function nameSlip(rng: Random, word: string, kind: NameSlip): string {
  if (word.length < 3) return word;
  // Not the first letter: people rarely get that wrong.
  const i = 1 + rng.int(word.length - 1);
  const c = word[i];
  const upper = c !== c.toLowerCase();
  switch (kind) {
    case 'substitute': {
      const near = NEIGHBOURS[c.toLowerCase()];
      const r = near ? near[rng.int(near.length)] : 'e';
      return word.slice(0, i) + (upper ? r.toUpperCase() : r) + word.slice(i + 1);
    }
    case 'drop':
      return word.slice(0, i) + word.slice(i + 1);
    case 'double':
      return word.slice(0, i) + c + word.slice(i);
    case 'swap': {
      const j = i === word.length - 1 ? i - 1 : i;
      if (j < 1 || word[j] === word[j + 1]) return nameSlip(rng, word, 'substitute');
      return word.slice(0, j) + word[j + 1] + word[j] + word.slice(j + 2);
    }
  }
}

/** A date of birth (a day number) with day and month swapped (only when that is still a date and a different one). */
export function swapDayMonth(dob: number): number | null {
  const d = new Date(dob * 86_400_000);
  const day = d.getUTCDate(),
    month = d.getUTCMonth() + 1;
  if (day > 12 || day === month) return null;
  return Date.UTC(d.getUTCFullYear(), day - 1, month) / 86_400_000;
}

/** One digit of the day or the year (not the century) typed wrong, giving a real date. */
export function dobDigit(rng: Random, dob: number): number {
  const d = new Date(dob * 86_400_000);
  const y = d.getUTCFullYear(),
    m = d.getUTCMonth(),
    day = d.getUTCDate();
  if (rng.next() < 0.5) {
    const y2 = y - (y % 10) + (((y % 10) + 1 + rng.int(9)) % 10);
    return Date.UTC(y2, m, Math.min(day, 28)) / 86_400_000;
  }
  const units = day % 10;
  let d2 = day - units + ((units + 1 + rng.int(9)) % 10);
  if (d2 < 1 || d2 > 28 || d2 === day) d2 = day === 1 ? 11 : 1;
  return Date.UTC(y, m, d2) / 86_400_000;
}

export interface PersonFields {
  first: string;
  last: string;
  dob: number;
  address: string;
}

/**
 * The same person written down again, with errors at the given rates; `oldAddress` gives an
 * address they lived at before (or null when there is none to give). The errors made are listed.
 */
export function corruptPerson(
  rng: Random,
  p: PersonFields,
  oldAddress: () => string | null,
  rates: Readonly<ErrorRates> = DEFAULT_ERROR_RATES,
): { person: PersonFields; errors: RecordError[] } {
  const out = { ...p };
  const errors: RecordError[] = [];
  const nick = NICKNAMES[out.first];
  if (nick && rng.next() < rates.nickname) {
    out.first = nick[rng.int(nick.length)];
    errors.push({ field: 'first', kind: 'nickname' });
  }
  if (rng.next() < rates.nameSlip) {
    const field = rng.next() < 0.5 ? 'first' : 'last';
    const kinds: NameSlip[] = ['substitute', 'drop', 'double', 'swap'];
    const kind = kinds[rng.int(kinds.length)];
    const before = out[field];
    out[field] = nameSlip(rng, before, kind);
    if (out[field] !== before) errors.push({ field, kind });
  }
  if (rng.next() < rates.swapped) {
    [out.first, out.last] = [out.last, out.first];
    errors.push({ field: 'name', kind: 'swapped' });
  }
  if (rng.next() < rates.dobDayMonth) {
    const s = swapDayMonth(out.dob);
    if (s !== null) {
      out.dob = s;
      errors.push({ field: 'dob', kind: 'day-month' });
    }
  } else if (rng.next() < rates.dobDigit) {
    out.dob = dobDigit(rng, out.dob);
    errors.push({ field: 'dob', kind: 'digit' });
  }
  if (rng.next() < rates.oldAddress) {
    const old = oldAddress();
    if (old !== null && old !== out.address) {
      out.address = old;
      errors.push({ field: 'address', kind: 'old address' });
    }
  } else {
    if (/^Flat \d+[A-Z]?, /.test(out.address) && rng.next() < rates.noFlat) {
      out.address = out.address.replace(/^Flat \d+[A-Z]?, /, '');
      errors.push({ field: 'address', kind: 'no flat' });
    }
    if (rng.next() < rates.abbreviated) {
      const hit = STREET_SHORT.find(([re]) => re.test(out.address));
      if (hit) {
        out.address = out.address.replace(hit[0], hit[1]);
        errors.push({ field: 'address', kind: 'abbreviated' });
      }
    }
  }
  return { person: out, errors };
}
