/**
 * The people living in Sample Borough's households and the borough's address gazetteer (issue 13,
 * point 7). Each household keeps the lead person the service files have always named; around them
 * live partners, children and other adults, as many as a household of its segment has. Every
 * dwelling has a UPRN in an LLPG-style gazetteer, which also lists addresses nobody in the files
 * lives at (the other side of the street, empty flats, a block's own entry, a few non-residential
 * places), so that matching an address has wrong answers close to the right one.
 *
 * Everything here draws from its own streams ('residents', 'gazetteer'), so the households, the
 * service files' membership and every figure drawn before this existed stay as they were.
 */
import type { Random } from '../core/index.ts';
import type { Household, Person } from './people.ts';
import { CHILD_NAMES, makePerson } from './people.ts';
import type { Postcode } from './postcodes.ts';
import { TYPES, type GroupCode } from './segments.ts';
import { EXTRACT_DAY, pad, uniform } from './util.ts';

/** The town every Sample Borough address is in. */
export const TOWN = 'Sample Borough';

export type Role = 'lead' | 'partner' | 'child' | 'adult';

export interface Resident {
  /** "P0000001": unique in the borough */
  id: string;
  household: number;
  role: Role;
  person: Person;
}

/** One address of the gazetteer. */
export interface GazetteerEntry {
  uprn: string;
  /** "Flat 3", or '' */
  subBuilding: string;
  /** a block or a named building, or '' */
  buildingName: string;
  /** a house number such as "12" or "12A", or '' */
  number: string;
  street: string;
  postcode: number;
  lat: number;
  lon: number;
  /** LLPG-style class: RD (dwelling), RD06 (flat), PP (a block's own entry), C (commercial), Z (other) */
  classification: string;
  /** the household living there, or -1 */
  household: number;
}

/** The household's address in the parts the service files and the gazetteer write. */
export interface AddressParts {
  subBuilding: string;
  buildingName: string;
  number: string;
  street: string;
}

/** Splits a household's address ("Flat 3, Oak Court, Elm Road" or "12 Elm Road") into its parts. */
export function addressParts(address: string): AddressParts {
  const flat = /^(Flat \d+[A-Z]?), (.+), (.+)$/.exec(address);
  if (flat) return { subBuilding: flat[1], buildingName: flat[2], number: '', street: flat[3] };
  const named = /^([^,\d][^,]*), (.+)$/.exec(address);
  if (named) return { subBuilding: '', buildingName: named[1], number: '', street: named[2] };
  const house = /^(\d+[A-Z]?) (.+)$/.exec(address);
  if (house) return { subBuilding: '', buildingName: '', number: house[1], street: house[2] };
  return { subBuilding: '', buildingName: '', number: '', street: address };
}

/** The one-line address of a gazetteer entry, written as the households' addresses are. */
export function entryAddress(e: Pick<GazetteerEntry, 'subBuilding' | 'buildingName' | 'number' | 'street'>): string {
  const first = e.number ? `${e.number} ${e.street}` : e.street;
  return [e.subBuilding, e.buildingName, first].filter(Boolean).join(', ');
}

/** Who lives with the lead, by group: partner's chance, mean number of children, other adults. */
const COMPOSITION: Record<
  GroupCode,
  { partner: number; children: number; childAge: [number, number]; adults: number; sharers?: boolean }
> = {
  A: { partner: 0.85, children: 1.6, childAge: [0, 21], adults: 0.03 },
  B: { partner: 0.65, children: 0.08, childAge: [18, 30], adults: 0.04 },
  C: { partner: 0.35, children: 0.15, childAge: [0, 6], adults: 0.15 },
  D: { partner: 0.8, children: 1.7, childAge: [0, 17], adults: 0.04 },
  E: { partner: 0.45, children: 1.9, childAge: [0, 17], adults: 0.08 },
  F: { partner: 0.3, children: 0, childAge: [0, 0], adults: 0.1 },
  G: { partner: 0.15, children: 0, childAge: [0, 0], adults: 2, sharers: true },
};

export interface Residents {
  /** each household's residents, the lead first */
  members: Resident[][];
  /** each household's UPRN */
  uprn: string[];
  gazetteer: GazetteerEntry[];
  /** gazetteer entries (indices) at each postcode */
  atPostcode: Map<number, number[]>;
  /** adds a resident (a child a service file names who was not drawn here) and returns it */
  add(household: number, role: Role, person: Person): Resident;
}

const ageOf = (p: Person) => (EXTRACT_DAY - p.dob) / 365.25;

function poisson(rng: Random, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit && k < 6) {
    k++;
    p *= rng.next();
  }
  return k;
}

export function buildResidents(
  rng: Random,
  gazetteerRng: Random,
  households: readonly Household[],
  postcodes: readonly Postcode[],
): Residents {
  let next = 0;
  const newId = () => `P${pad(++next, 7)}`;
  const members: Resident[][] = households.map((h) => {
    const out: Resident[] = [{ id: newId(), household: h.id, role: 'lead', person: h.lead }];
    const c = COMPOSITION[TYPES[h.type].group];
    const leadAge = ageOf(h.lead);
    if (rng.next() < c.partner) {
      const age = Math.floor(Math.max(18, leadAge + uniform(rng, -6, 6)));
      const last = rng.next() < 0.7 ? h.lead.last : undefined;
      // Most partners are of the other sex; the first name is drawn with the sex, so draw again.
      const otherSex = rng.next() < 0.95;
      let p = makePerson(rng, age, age, last);
      for (let t = 0; t < 6 && otherSex && p.sex === h.lead.sex; t++) p = makePerson(rng, age, age, last);
      out.push({ id: newId(), household: h.id, role: 'partner', person: p });
    }
    const oldest = Math.min(c.childAge[1], leadAge - 18);
    if (oldest >= c.childAge[0]) {
      const n = poisson(rng, c.children);
      for (let k = 0; k < n; k++) {
        const age = uniform(rng, c.childAge[0], oldest + 1);
        const dob = Math.floor(EXTRACT_DAY - age * 365.25);
        const person: Person =
          age < 16
            ? {
                first: rng.pick(CHILD_NAMES),
                last: rng.next() < 0.9 ? h.lead.last : (out[1]?.person.last ?? h.lead.last),
                sex: rng.next() < 0.5 ? 'F' : 'M',
                dob,
              }
            : { ...makePerson(rng, Math.floor(age), Math.floor(age), h.lead.last), dob };
        out.push({ id: newId(), household: h.id, role: 'child', person });
      }
    }
    const adults = c.sharers ? rng.int(4) : rng.next() < c.adults ? 1 : 0;
    for (let k = 0; k < adults; k++) {
      const [lo, hi] = c.sharers ? [18, 27] : TYPES[h.type].group === 'F' ? [40, 66] : [18, 80];
      out.push({ id: newId(), household: h.id, role: 'adult', person: makePerson(rng, lo, hi) });
    }
    return out;
  });
  const { gazetteer, uprn, atPostcode } = buildGazetteer(gazetteerRng, households, postcodes);
  return {
    members,
    uprn,
    gazetteer,
    atPostcode,
    add(household, role, person) {
      const r: Resident = { id: newId(), household, role, person };
      members[household].push(r);
      return r;
    },
  };
}

const NON_RESIDENTIAL = [
  'Garage Block',
  'Electricity Substation',
  'Community Hall',
  'Corner Shop',
  'Telephone Exchange',
];

/**
 * The gazetteer: every household's dwelling, and around them addresses nobody in the files lives
 * at. UPRNs are 12 digits, rising through the borough with gaps, as an LLPG's do.
 */
function buildGazetteer(rng: Random, households: readonly Household[], postcodes: readonly Postcode[]) {
  const byPostcode = new Map<number, Household[]>();
  for (const h of households) {
    const list = byPostcode.get(h.postcode);
    if (list) list.push(h);
    else byPostcode.set(h.postcode, [h]);
  }
  const entries: Omit<GazetteerEntry, 'uprn'>[] = [];
  const jitter = () => (rng.next() - 0.5) * 0.0012;
  for (const [pc, list] of byPostcode) {
    const p = postcodes[pc];
    const seen = new Set<string>();
    const add = (parts: AddressParts, classification: string, household: number) => {
      const key = entryAddress(parts).toUpperCase();
      if (seen.has(key)) return;
      seen.add(key);
      entries.push({ ...parts, postcode: pc, lat: p.lat + jitter(), lon: p.lon + jitter(), classification, household });
    };
    for (const h of list) {
      const parts = addressParts(h.address);
      add(parts, parts.subBuilding ? 'RD06' : 'RD', h.id);
    }
    const first = addressParts(list[0].address);
    if (first.subBuilding) {
      // A block: its own entry, and flats whose people are on none of the files.
      add({ subBuilding: '', buildingName: first.buildingName, number: '', street: first.street }, 'PP', -1);
      const extra = 1 + rng.int(4);
      for (let k = 1; k <= extra; k++) add({ ...first, subBuilding: `Flat ${list.length + k}` }, 'RD06', -1);
    } else {
      // Houses: the other side of the street, a few "A" numbers, a house past the end.
      for (const h of list) {
        const parts = addressParts(h.address);
        const n = Number(parts.number);
        if (!Number.isFinite(n) || !parts.number) continue;
        if (rng.next() < 0.45) add({ ...parts, number: String(n + 1) }, 'RD', -1);
        if (rng.next() < 0.03) add({ ...parts, number: `${n}A` }, 'RD', -1);
      }
      const last = addressParts(list[list.length - 1].address);
      if (last.number && rng.next() < 0.5) add({ ...last, number: String(Number(last.number) + 2) }, 'RD', -1);
    }
    if (rng.next() < 0.08)
      add(
        { subBuilding: '', buildingName: rng.pick(NON_RESIDENTIAL), number: '', street: first.street },
        rng.next() < 0.5 ? 'C' : 'Z',
        -1,
      );
  }
  const uprn = new Array<string>(households.length).fill('');
  const atPostcode = new Map<number, number[]>();
  let u = 100_030_000_000 + rng.int(1000);
  const gazetteer = entries.map((e, i) => {
    u += 1 + rng.int(3);
    const g: GazetteerEntry = { uprn: String(u), ...e };
    if (g.household >= 0) uprn[g.household] = g.uprn;
    const at = atPostcode.get(g.postcode);
    if (at) at.push(i);
    else atPostcode.set(g.postcode, [i]);
    return g;
  });
  return { gazetteer, uprn, atPostcode };
}
