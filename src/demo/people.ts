/**
 * The households of Sample Borough: an address at a live postcode, a segment type, and one named
 * person who appears on the council's records for that household. The same person appears in
 * every service file the household is in, so later record-linkage code has something real to link.
 */
import type { Random } from '../core/index.ts';
import type { Postcode } from './postcodes.ts';
import { TYPES, groupOf } from './segments.ts';
import { EXTRACT_DAY, asciiFold, uniform } from './util.ts';

export interface Person {
  first: string;
  last: string;
  sex: 'F' | 'M';
  /** Day number (days since 1970-01-01). */
  dob: number;
}

export interface Household {
  id: number;
  /** Index into the postcode directory (always a live postcode). */
  postcode: number;
  oa: number;
  /** Index into TYPES. */
  type: number;
  propertyRef: string;
  address: string;
  lead: Person;
  phone: string;
  /** Empty when the council holds none. */
  email: string;
}

// First names by decade of birth, so a record's name and age agree.
const NAMES: { bornBefore: number; F: string[]; M: string[] }[] = [
  {
    bornBefore: 1960,
    F: [
      'Margaret',
      'Patricia',
      'Susan',
      'Christine',
      'Linda',
      'Janet',
      'Elizabeth',
      'Mary',
      'Barbara',
      'Jean',
      'Carol',
      'Sandra',
      'Pauline',
      'Maureen',
      'Brenda',
      'Irene',
      'Dorothy',
      'Joan',
      'Valerie',
      'Gillian',
      'Sheila',
      'Ann',
      'Kathleen',
      'Doreen',
    ],
    M: [
      'John',
      'David',
      'Michael',
      'Peter',
      'Robert',
      'Alan',
      'Brian',
      'Keith',
      'Terence',
      'Colin',
      'Barry',
      'Graham',
      'Roger',
      'Geoffrey',
      'Kenneth',
      'Derek',
      'Raymond',
      'Anthony',
      'Malcolm',
      'Trevor',
      'Dennis',
      'Bernard',
      'Harold',
      'Ronald',
    ],
  },
  {
    bornBefore: 1986,
    F: [
      'Sarah',
      'Claire',
      'Emma',
      'Nicola',
      'Joanne',
      'Lisa',
      'Karen',
      'Rachel',
      'Helen',
      'Louise',
      'Michelle',
      'Amanda',
      'Victoria',
      'Kelly',
      'Samantha',
      'Julie',
      'Donna',
      'Rebecca',
      'Natalie',
      'Gemma',
      'Priya',
      'Aisha',
      'Kirsty',
      'Tracey',
    ],
    M: [
      'Paul',
      'Mark',
      'Andrew',
      'Richard',
      'Stephen',
      'Darren',
      'Lee',
      'Jason',
      'Simon',
      'Matthew',
      'Gary',
      'Craig',
      'Neil',
      'Christopher',
      'James',
      'Daniel',
      'Wayne',
      'Mohammed',
      'Imran',
      'Tomasz',
      'Sanjay',
      'Carl',
      'Dean',
      'Martin',
    ],
  },
  {
    bornBefore: 9999,
    F: [
      'Olivia',
      'Amelia',
      'Jessica',
      'Chloe',
      'Sophie',
      'Hannah',
      'Emily',
      'Megan',
      'Lauren',
      'Holly',
      'Charlotte',
      'Ellie',
      'Grace',
      'Amy',
      'Zara',
      'Aaliyah',
      'Maya',
      'Freya',
      'Evie',
      'Leah',
      'Jade',
      'Niamh',
      'Ruby',
      'Katie',
    ],
    M: [
      'Jack',
      'Harry',
      'Oliver',
      'Thomas',
      'Joshua',
      'Liam',
      'Ryan',
      'Callum',
      'Jacob',
      'Adam',
      'Ben',
      'Connor',
      'Kieran',
      'Jordan',
      'Luke',
      'Nathan',
      'Reece',
      'Ethan',
      'Aaron',
      'Ali',
      'Yusuf',
      'Kacper',
      'Tyler',
      'Jamie',
    ],
  },
];
/** A few names with accents (all within Latin-1, so the Windows-1252 file can hold them). */
const ACCENTED = {
  F: ['Zoë', 'Renée', 'Chloë', 'Siân', 'Inès', 'Anaïs', 'Mónica', 'Bríd', 'Élodie', 'Dóra'],
  M: ['José', 'André', 'Noël', 'Seán', 'François', 'Jürgen', 'Rubén', 'Stéphane', 'Björn', 'Ángel'],
};
export const CHILD_NAMES = [
  'Oliver',
  'Muhammad',
  'Noah',
  'George',
  'Leo',
  'Arthur',
  'Freddie',
  'Theo',
  'Archie',
  'Oscar',
  'Olivia',
  'Amelia',
  'Isla',
  'Lily',
  'Ivy',
  'Ava',
  'Mia',
  'Florence',
  'Sophia',
  'Freya',
  'Harper',
  'Rosie',
  'Alfie',
  'Maryam',
];
const SURNAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Patel',
  'Khan',
  'Lewis',
  'James',
  'Phillips',
  'Mason',
  'Mitchell',
  'Rose',
  'Davis',
  'Cox',
  'Morgan',
  'Moore',
  'Martin',
  'Allen',
  'Harris',
  'Scott',
  'Turner',
  'Hughes',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Baker',
  'Harrison',
  'King',
  'Clark',
  'Lee',
  'Young',
  'Carter',
  'Bennett',
  'Shaw',
  'Cook',
  'Marshall',
  'Watson',
  'Barker',
  'Holmes',
  'Chapman',
  'Bailey',
  'Atkinson',
  'Kaur',
  'Singh',
  'Hussain',
  'Ahmed',
  'Begum',
  'Nowak',
  'Kowalski',
  'Okafor',
  'Mensah',
  "O'Brien",
  "O'Connor",
  'McDonald',
  'Murphy',
  'Kelly',
  'Gallagher',
  'Fletcher',
  'Pearson',
  'Parker',
  'Simpson',
  'Webb',
  'Stevens',
  'Hudson',
  'Booth',
  'Dixon',
  'Hewitt',
  'Kirk',
  'Hardy',
  'Sutton',
  'Whitehead',
  'Foster',
  'Lowe',
  'Ellis',
  'Ashworth',
  'Bradley',
  'Spencer',
  'Gill',
  'Chowdhury',
  'Nguyen',
  'Ferreira',
  'Fraser-Hill',
  'Mahmood',
  'Osei',
  'Lewandowski',
  'Brennan',
  'Doyle',
  'Hartley',
  'Pickering',
  'Rowe',
];
const STREET_STEMS = [
  'Oak',
  'Elm',
  'Ash',
  'Beech',
  'Willow',
  'Chestnut',
  'Hawthorn',
  'Maple',
  'Birch',
  'Holly',
  'Station',
  'Church',
  'Mill',
  'Park',
  'Victoria',
  'Albert',
  "Queen's",
  "King's",
  'Manor',
  'Grange',
  'Meadow',
  'Orchard',
  'Brook',
  'River',
  'Bridge',
  'Castle',
  'Abbey',
  'Priory',
  'Chapel',
  'School',
  'Market',
  'Hall',
  'Moor',
  'Heath',
  'Forest',
  'Windmill',
  'Coronation',
  'Jubilee',
  'Nelson',
  'Wellington',
  'Cromwell',
  'Byron',
  'Tennyson',
  'Milton',
  'Chaucer',
  'Kingsley',
  'Trent',
  'Derwent',
  'Lime',
  'Poplar',
  'Sycamore',
  'Larch',
  'Rowan',
  'Cedar',
  'Hazel',
  'Laurel',
  'Primrose',
  'Bluebell',
  'Foxglove',
  'Heather',
  'Fern',
  'Clover',
  'Sandy',
  'Stony',
  'Long',
  'Broad',
  'Green',
  'Hollow',
  'Spring',
  'Well',
  'Cross',
  'Regent',
  'Raleigh',
  'Sherwood',
  'Lindley',
  'Pelham',
  'Hampden',
  'Carlton',
  'Mansfield',
  'Bentinck',
];
const STREET_KINDS = [
  'Road',
  'Street',
  'Avenue',
  'Close',
  'Lane',
  'Drive',
  'Way',
  'Crescent',
  'Gardens',
  'Grove',
  'Place',
  'Walk',
  'Rise',
  'View',
  'Terrace',
  'Mews',
];
const BLOCK_KINDS = ['Court', 'House', 'Heights', 'Lodge', 'Point'];
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

export function personName(p: Person): string {
  return `${p.first} ${p.last}`;
}

/** A person aged within [minAge, maxAge] on the extract date. */
export function makePerson(rng: Random, minAge: number, maxAge: number, last?: string): Person {
  const sex = rng.next() < 0.5 ? 'F' : 'M';
  const age = uniform(rng, minAge, maxAge + 1);
  const dob = Math.floor(EXTRACT_DAY - age * 365.25);
  const year = new Date(dob * 86_400_000).getUTCFullYear();
  const cohort = NAMES.find((c) => year < c.bornBefore)!;
  const first = rng.next() < 0.015 ? rng.pick(ACCENTED[sex]) : rng.pick(cohort[sex]);
  return { first, last: last ?? rng.pick(SURNAMES), sex, dob };
}

export function buildHouseholds(rng: Random, postcodes: readonly Postcode[], typeOfOa: readonly number[]): Household[] {
  const out: Household[] = [];
  let street = '';
  let number = 0;
  let lastSector = -1;
  postcodes.forEach((pc, pIdx) => {
    if (!pc.households) return;
    // Runs of neighbouring postcodes share a street, with house numbers carrying on.
    const sectorKey = pc.district * 10 + pc.sector;
    if (sectorKey !== lastSector || rng.next() < 0.6) {
      street = `${rng.pick(STREET_STEMS)} ${rng.pick(STREET_KINDS)}`;
      number = 1 + rng.int(30);
      lastSector = sectorKey;
    }
    const type = typeOfOa[pc.oa];
    const t = TYPES[type];
    const step = rng.next() < 0.7 ? 2 : 1;
    const block = t.flats ? `${rng.pick(STREET_STEMS)} ${rng.pick(BLOCK_KINDS)}` : '';
    for (let k = 0; k < pc.households; k++) {
      const [minAge, maxAge] = t.leadAge ?? groupOf(t.group).leadAge;
      const lead = makePerson(rng, minAge, maxAge);
      const address = t.flats ? `Flat ${k + 1}, ${block}, ${street}` : `${number} ${street}`;
      if (!t.flats) number += step;
      out.push({
        id: out.length,
        postcode: pIdx,
        oa: pc.oa,
        type,
        propertyRef: `P${String(out.length + 1).padStart(8, '0')}`,
        address,
        lead,
        phone: phoneFor(rng, lead),
        email: rng.next() < 0.75 ? emailFor(rng, lead) : '',
      });
    }
    if (t.flats) number += step;
  });
  return out;
}

/** Ofcom's numbers reserved for drama: mobiles 07700 900xxx, landlines 01632 960xxx. */
function phoneFor(rng: Random, p: Person): string {
  const born = new Date(p.dob * 86_400_000).getUTCFullYear();
  const landline = rng.next() < (born < 1960 ? 0.6 : 0.1);
  const n = String(rng.int(1000)).padStart(3, '0');
  return landline ? `01632 960${n}` : `07700 900${n}`;
}

function emailFor(rng: Random, p: Person): string {
  const first = asciiFold(p.first).toLowerCase();
  const last = asciiFold(p.last).toLowerCase();
  const style = rng.int(3);
  const local =
    style === 0
      ? `${first}.${last}`
      : style === 1
        ? `${first[0]}${last}${rng.int(100)}`
        : `${first}${last}${1950 + rng.int(60)}`;
  return `${local}@${rng.pick(EMAIL_DOMAINS)}`;
}
