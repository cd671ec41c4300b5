/**
 * The council's service extracts. Each file lists households (or their contacts) at live
 * postcodes; a household's chance of being in a file depends on its segment type, and for some
 * services on deprivation or distance to the nearest facility, so that profiling the files
 * against the base tells a story. The chances are written to truth.json for checking.
 */
import type { Random } from '../core/index.ts';
import type { Geography } from './geography.ts';
import { metresBetween } from './geography.ts';
import type { Facility, FacilityType } from './facilities.ts';
import { Messer, noMess, type MessCounts } from './messiness.ts';
import { CHILD_NAMES, personName, type Household, type Person } from './people.ts';
import type { Postcode } from './postcodes.ts';
import { writePeople, type RecordTruth } from './records.ts';
import type { Residents } from './residents.ts';
import { TYPES, type GroupCode } from './segments.ts';
import {
  EXTRACT_DAY,
  asciiFold,
  clamp,
  dateOf,
  day,
  isoDate,
  pad,
  shuffle,
  stream,
  ukDate,
  uniform,
  weighted,
  type Cell,
} from './util.ts';

export interface ServiceContext {
  geo: Geography;
  postcodes: readonly Postcode[];
  households: readonly Household[];
  facilities: readonly Facility[];
  /** IMD decile of each OA's LSOA. */
  imdDecileOfOa: readonly number[];
  /** Each household's chance of being vulnerable, and whether it is (the generator's truth, by household id). */
  vulnerabilityChance: readonly number[];
  vulnerable: readonly boolean[];
  /** Council tax account reference of each household (shared by council tax support). */
  accountRef: readonly string[];
  nearest(h: Household, type: FacilityType): { facility: Facility; metres: number };
  /** Who lives in each household, and the gazetteer (records.ts writes them into the rows). */
  residents: Residents;
}

export interface ServiceSpec {
  name: string;
  file: string;
  title: string;
  description: string;
  columns: string[];
  postcodeColumn: string;
  personalColumns: string[];
  /** Whether postcode mistakes are injected. */
  messy: boolean;
  encoding?: 'windows-1252';
  eol?: '\r\n';
  bom?: boolean;
  /** Probability a household of each group is in the file, before type and other factors. */
  rates: Record<GroupCode, number>;
  typeFactor?: Record<string, number>;
  modifier?: { note: string; factor: (h: Household, ctx: ServiceContext) => number };
  /** The row(s) for one household; `ref` numbers households in the file from 1. */
  rows: (h: Household, ref: number, rng: Random, ctx: ServiceContext) => Cell[][];
  /** Reorders or renumbers the finished rows (e.g. a contact log sorted by time). */
  finish?: (rows: Cell[][], rng: Random) => Cell[][];
  /** `contacts`: a contact log, imported as one (civic dataset import --kind contacts). */
  kind?: 'contacts';
  /** For a contact log: the chance of each channel for a household's contacts (written to the truth). */
  channelMix?: (h: Household, ctx: ServiceContext) => Record<string, number>;
  /**
   * How many times likelier a truly vulnerable household is to be in the file than one that is not
   * (the generator's vulnerability, issue 15): each household's chance is split between the two so
   * that its expected chance stays what the rates above give.
   */
  vulnerabilityLift?: number;
}

export interface ServiceTruth {
  name: string;
  file: string;
  rows: number;
  households: number;
  messy: boolean;
  mess: MessCounts;
  modifier: string | null;
  /** How many times likelier a vulnerable household is to be in the file (null: no likelier). */
  vulnerabilityLift: number | null;
  /** Mean probability of being in the file, per segment type (what profiling should recover). */
  propensityByType: Record<string, number>;
  expectedTotal: number;
  /** Expected number of households in the file, per OA. */
  expectedByOa: Record<string, number>;
  /**
   * For a contact log: each group's expected channel mix, the mean over its rows of the chance of
   * each channel (what channel mix by segment should recover), as shares summing to 1.
   */
  channelMixByGroup?: Record<string, Record<string, number>>;
}

export interface ServiceOutput {
  spec: ServiceSpec;
  /** the file's header: the spec's columns and any added for linkage (records.ts) */
  columns: string[];
  rows: Cell[][];
  truth: ServiceTruth;
  /** each row's person, household and mistakes (records.ts) */
  records: RecordTruth[];
}

// ---------------------------------------------------------------------------------------------
// Helpers for row content

const groupOfHh = (h: Household): GroupCode => TYPES[h.type].group;
const typeCode = (h: Household) => TYPES[h.type].code;
const ageOn = (dob: number, at = EXTRACT_DAY) => Math.floor((at - dob) / 365.25);
const between = (rng: Random, from: number, to: number) => from + rng.int(Math.max(1, to - from));
const wardOf = (h: Household, ctx: ServiceContext) => ctx.geo.wards[ctx.geo.oas[h.oa].ward].name;
const dateTime = (d: number, minutes: number) =>
  `${isoDate(d)} ${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
const yesNo = (b: boolean) => (b ? 'Y' : 'N');
const money = (x: number) => x.toFixed(2);

/** A child of the household's lead person, born between two days. */
function child(rng: Random, h: Household, bornFrom: number, bornTo: number): Person {
  return {
    first: rng.pick(CHILD_NAMES),
    last: h.lead.last,
    sex: rng.next() < 0.5 ? 'F' : 'M',
    dob: between(rng, bornFrom, bornTo),
  };
}

/** Distance decay: `floor` far away, rising to `floor + lift` at the door. */
const nearness =
  (type: FacilityType, scale: number, floor: number, lift: number) => (h: Household, ctx: ServiceContext) =>
    floor + lift * Math.exp(-ctx.nearest(h, type).metres / scale);

const byGroup = <T>(h: Household, table: Record<GroupCode, T>): T => table[groupOfHh(h)];

// ---------------------------------------------------------------------------------------------
// The services

const PAYMENT: Record<GroupCode, Record<string, number>> = {
  A: { 'Direct Debit': 0.9, Card: 0.05, 'Bank transfer': 0.04, Cash: 0.01 },
  B: { 'Direct Debit': 0.84, Card: 0.06, 'Bank transfer': 0.05, Cash: 0.05 },
  C: { 'Direct Debit': 0.55, Card: 0.3, 'Bank transfer': 0.12, Cash: 0.03 },
  D: { 'Direct Debit': 0.78, Card: 0.12, 'Bank transfer': 0.06, Cash: 0.04 },
  E: { 'Direct Debit': 0.38, Card: 0.22, 'Bank transfer': 0.08, Cash: 0.32 },
  F: { 'Direct Debit': 0.45, Card: 0.1, 'Bank transfer': 0.08, Cash: 0.37 },
  G: { 'Direct Debit': 0.3, Card: 0.45, 'Bank transfer': 0.2, Cash: 0.05 },
};
const BAND: Record<GroupCode, Record<string, number>> = {
  A: { D: 0.15, E: 0.35, F: 0.3, G: 0.15, H: 0.05 },
  B: { C: 0.2, D: 0.35, E: 0.3, F: 0.15 },
  C: { A: 0.35, B: 0.4, C: 0.25 },
  D: { B: 0.35, C: 0.45, D: 0.2 },
  E: { A: 0.65, B: 0.35 },
  F: { A: 0.6, B: 0.3, C: 0.1 },
  G: { A: 0.4, B: 0.45, C: 0.15 },
};
const SINGLE_PERSON: Record<GroupCode, number> = { A: 0.05, B: 0.25, C: 0.4, D: 0.1, E: 0.35, F: 0.7, G: 0.05 };
const CHANNEL: Record<GroupCode, Record<string, number>> = {
  A: { web: 0.65, phone: 0.3, 'face to face': 0.05 },
  B: { phone: 0.55, web: 0.35, 'face to face': 0.1 },
  C: { web: 0.75, phone: 0.2, 'face to face': 0.05 },
  D: { web: 0.55, phone: 0.38, 'face to face': 0.07 },
  E: { phone: 0.5, web: 0.2, 'face to face': 0.3 },
  F: { phone: 0.6, 'face to face': 0.32, web: 0.08 },
  G: { web: 0.86, phone: 0.12, 'face to face': 0.02 },
};
const CONTACT_SERVICE: Record<GroupCode, Record<string, number>> = {
  A: {
    'Council tax': 3,
    Waste: 4,
    Planning: 2,
    Streets: 2,
    Schools: 2,
    Benefits: 0.2,
    Housing: 0.2,
    'Adult social care': 0.3,
  },
  B: {
    'Council tax': 3,
    Waste: 4,
    Planning: 1.5,
    Streets: 2,
    Schools: 0.2,
    Benefits: 0.5,
    Housing: 0.3,
    'Adult social care': 1,
  },
  C: {
    'Council tax': 4,
    Waste: 2,
    Planning: 0.3,
    Streets: 1,
    Schools: 0.3,
    Benefits: 1,
    Housing: 1.5,
    'Adult social care': 0.1,
  },
  D: {
    'Council tax': 4,
    Waste: 3,
    Planning: 0.8,
    Streets: 1.5,
    Schools: 2.5,
    Benefits: 1,
    Housing: 0.8,
    'Adult social care': 0.3,
  },
  E: {
    'Council tax': 4,
    Waste: 1.5,
    Planning: 0.1,
    Streets: 1,
    Schools: 1.5,
    Benefits: 5,
    Housing: 4,
    'Adult social care': 0.8,
  },
  F: {
    'Council tax': 2.5,
    Waste: 1.5,
    Planning: 0.1,
    Streets: 0.8,
    Schools: 0.1,
    Benefits: 4,
    Housing: 3,
    'Adult social care': 4,
  },
  G: {
    'Council tax': 5,
    Waste: 2,
    Planning: 0.1,
    Streets: 0.5,
    Schools: 0.1,
    Benefits: 0.2,
    Housing: 1,
    'Adult social care': 0.05,
  },
};
const CONTACT_REASONS: Record<string, string[]> = {
  'Council tax': [
    'Bill query',
    'Moving home',
    'Payment arrangement',
    'Discount or exemption',
    'Arrears, reminder received',
  ],
  Waste: ['Missed bin', 'New or replacement bin', 'Green waste subscription', 'Bulky waste collection'],
  Planning: ['Planning application enquiry', 'Building control'],
  Streets: ['Pothole', 'Fly-tipping', 'Street lighting', 'Parking permit'],
  Schools: ['School place', 'Free school meals', 'School transport'],
  Benefits: ['Housing benefit claim progress', 'Change of circumstances', 'Council tax support, new claim'],
  Housing: ['Repair request', 'Rent account', 'Homelessness advice', 'Housing register'],
  'Adult social care': ['Care needs assessment', 'Blue badge', 'Equipment and adaptations', 'Safeguarding concern'],
};

/**
 * Barking & Dagenham's resolution tiers for the reasons: 1 simple and high volume, 2 needing
 * service knowledge, 3 needing professional expertise. Written into the demo as tiers.csv.
 */
export const CONTACT_TIER: Readonly<Record<string, '1' | '2' | '3'>> = {
  'Bill query': '1',
  'Moving home': '1',
  'Payment arrangement': '2',
  'Discount or exemption': '2',
  'Arrears, reminder received': '2',
  'Missed bin': '1',
  'New or replacement bin': '1',
  'Green waste subscription': '1',
  'Bulky waste collection': '1',
  'Planning application enquiry': '2',
  'Building control': '3',
  Pothole: '1',
  'Fly-tipping': '1',
  'Street lighting': '1',
  'Parking permit': '1',
  'School place': '2',
  'Free school meals': '2',
  'School transport': '2',
  'Housing benefit claim progress': '2',
  'Change of circumstances': '2',
  'Council tax support, new claim': '3',
  'Repair request': '2',
  'Rent account': '2',
  'Homelessness advice': '3',
  'Housing register': '2',
  'Care needs assessment': '3',
  'Blue badge': '2',
  'Equipment and adaptations': '3',
  'Safeguarding concern': '3',
  'Chasing progress': '1',
};
/** The reason a follow-up is often given: the avoidable contact of NI14. */
export const CHASING = 'Chasing progress';
/** Chance of a first follow-up contact, by tier (each further one is 0.6 times as likely). */
const FOLLOW_UP: Record<'1' | '2' | '3', number> = { '1': 0.08, '2': 0.22, '3': 0.4 };
/** Mean minutes of a phone call, by service; face to face takes 1.7 times as long, email less. */
const PHONE_MINUTES: Record<string, number> = {
  'Council tax': 7,
  Waste: 4,
  Planning: 9,
  Streets: 5,
  Schools: 7,
  Benefits: 14,
  Housing: 10,
  'Adult social care': 16,
};

function handlingMinutes(rng: Random, channel: string, service: string, reason: string): string {
  if (channel === 'web') return '';
  const mean = reason === CHASING ? 3 : PHONE_MINUTES[service];
  const m = channel === 'face to face' ? mean * 1.7 : channel === 'email' ? 3 + mean / 2 : mean;
  return String(Math.max(1, Math.round(m * Math.exp(0.4 * rng.normal() - 0.08))));
}

/** A household's chances of each channel: its group's, with face to face falling off with distance. */
function contactChannelMix(h: Household, ctx: ServiceContext): Record<string, number> {
  const mix = { ...CHANNEL[groupOfHh(h)] };
  mix['face to face'] *= 0.4 + 1.2 * Math.exp(-ctx.nearest(h, 'customer_service_point').metres / 2500);
  return mix;
}

const SERVICES: ServiceSpec[] = [
  {
    name: 'council_tax_payment',
    file: 'council_tax_payment.csv',
    title: 'Council tax accounts and payment method',
    description:
      "Every household's council tax account with its band and how it pays. Direct Debit dominates in the owner-occupied suburbs; cash payments concentrate in the estates and among older people.",
    columns: [
      'account_ref',
      'property_ref',
      'customer_name',
      'address',
      'postcode',
      'band',
      'payment_method',
      'single_person_discount',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['customer_name', 'address'],
    messy: false,
    rates: { A: 1, B: 1, C: 1, D: 1, E: 1, F: 1, G: 1 },
    rows: (h, _ref, rng, ctx) => [
      [
        ctx.accountRef[h.id],
        h.propertyRef,
        personName(h.lead),
        h.address,
        '',
        weighted(rng, byGroup(h, BAND)),
        weighted(rng, byGroup(h, PAYMENT)),
        yesNo(rng.next() < byGroup(h, SINGLE_PERSON)),
      ],
    ],
    finish: (rows) => rows.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
  },
  {
    name: 'green_waste',
    file: 'green_waste.csv',
    title: 'Garden waste subscribers',
    description:
      'Households paying for the fortnightly garden waste collection in 2025. Strong in the suburbs with gardens, almost absent among town-centre renters and students.',
    columns: [
      'subscription_ref',
      'customer_name',
      'address',
      'Post Code',
      'email',
      'phone',
      'bins',
      'start_date',
      'paid_by',
    ],
    postcodeColumn: 'Post Code',
    personalColumns: ['customer_name', 'address', 'email', 'phone'],
    messy: true,
    rates: { A: 0.16, B: 0.18, C: 0.006, D: 0.11, E: 0.02, F: 0.025, G: 0.002 },
    typeFactor: { A3: 1.2, B1: 0.8, C1: 0.3, D3: 0.5, E1: 1.8, F3: 1.6 },
    rows: (h, ref, rng) => [
      [
        `GW25-${pad(ref, 6)}`,
        personName(h.lead),
        h.address,
        '',
        h.email,
        rng.next() < 0.8 ? h.phone : '',
        rng.next() < 0.85 ? 1 : 2,
        ukDate(between(rng, day(2025, 3, 1), day(2025, 5, 31))),
        weighted(rng, { Online: 0.65, Telephone: 0.25, 'Direct Debit renewal': 0.1 }),
      ],
    ],
  },
  {
    name: 'library_members',
    file: 'library_members.xlsx',
    title: 'Library members',
    description:
      'Active library members with their home branch. Students, families and older owners use libraries most, and membership falls away with distance from a branch.',
    columns: ['Member ID', 'Name', 'Date of birth', 'Postcode', 'Branch', 'Joined'],
    postcodeColumn: 'Postcode',
    personalColumns: ['Name', 'Date of birth'],
    messy: true,
    rates: { A: 0.09, B: 0.08, C: 0.05, D: 0.07, E: 0.03, F: 0.05, G: 0.11 },
    modifier: {
      note: 'times 0.45 + 1.3·exp(−d/1500 m), d = distance to the nearest library',
      factor: nearness('library', 1500, 0.45, 1.3),
    },
    rows: (h, ref, rng, ctx) => {
      const branch =
        rng.next() < 0.85
          ? ctx.nearest(h, 'library').facility.name
          : rng.pick(ctx.facilities.filter((f) => f.type === 'library')).name;
      return [
        [
          `M${pad(100000 + ref * 7 + rng.int(7), 7)}`,
          personName(h.lead),
          dateOf(h.lead.dob),
          '',
          branch,
          dateOf(between(rng, Math.max(h.lead.dob + 3650, day(2004, 1, 5)), EXTRACT_DAY)),
        ],
      ];
    },
  },
  {
    name: 'childrens_centre_users',
    file: 'childrens_centre_users.csv',
    title: "Children's centre users",
    description:
      "Families with a child under five who used a children's centre in the last year. Young parents on the estates are the core users; use drops with distance from a centre.",
    columns: [
      'user_ref',
      'parent_name',
      'child_name',
      'child_dob',
      'postcode',
      'centre',
      'first_visit',
      'visits_last_12_months',
      'phone',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['parent_name', 'child_name', 'child_dob', 'phone'],
    messy: true,
    rates: { A: 0.008, B: 0, C: 0.012, D: 0.045, E: 0.09, F: 0, G: 0.001 },
    typeFactor: { A2: 0.2, C2: 1.6, D2: 1.4, E1: 0.6, E2: 1.7, E3: 0.4 },
    modifier: {
      note: "times 0.4 + 1.4·exp(−d/1200 m), d = distance to the nearest children's centre",
      factor: nearness('childrens_centre', 1200, 0.4, 1.4),
    },
    rows: (h, ref, rng, ctx) => {
      const c = child(rng, h, EXTRACT_DAY - 5 * 365 + 30, EXTRACT_DAY - 30);
      return [
        [
          `CC${pad(ref, 5)}`,
          personName(h.lead),
          personName(c),
          ukDate(c.dob),
          '',
          ctx.nearest(h, 'childrens_centre').facility.name,
          ukDate(between(rng, Math.max(c.dob, day(2024, 12, 1)), EXTRACT_DAY)),
          1 + Math.floor(-Math.log(1 - rng.next()) * 6),
          rng.next() < 0.9 ? h.phone : '',
        ],
      ];
    },
  },
  {
    name: 'housing_benefit',
    file: 'housing_benefit.csv',
    title: 'Housing benefit claimants',
    description:
      'Live housing benefit claims. Concentrated among estate families and older people in social housing, and more common the more deprived the neighbourhood.',
    columns: [
      'claim_ref',
      'claimant_name',
      'date_of_birth',
      'ni_number',
      'address',
      'postcode',
      'tenure',
      'weekly_award',
      'claim_start',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['claimant_name', 'date_of_birth', 'ni_number', 'address'],
    messy: true,
    vulnerabilityLift: 4,
    rates: { A: 0.002, B: 0.005, C: 0.04, D: 0.025, E: 0.175, F: 0.16, G: 0.01 },
    typeFactor: { E1: 0.7, E3: 1.3, F3: 0.4, C2: 1.5 },
    modifier: {
      note: 'times 1.25 − 0.05·(IMD decile − 1)',
      factor: (h, ctx) => 1.25 - 0.05 * (ctx.imdDecileOfOa[h.oa] - 1),
    },
    rows: (h, ref, rng) => {
      const tenure = weighted(
        rng,
        byGroup(h, {
          A: { 'Private rented': 0.6, 'Housing association': 0.3, Council: 0.1 },
          B: { 'Private rented': 0.4, 'Housing association': 0.4, Council: 0.2 },
          C: { 'Private rented': 0.8, 'Housing association': 0.12, Council: 0.08 },
          D: { 'Private rented': 0.5, 'Housing association': 0.3, Council: 0.2 },
          E: { Council: 0.55, 'Housing association': 0.35, 'Private rented': 0.1 },
          F: { Council: 0.6, 'Housing association': 0.3, 'Private rented': 0.1 },
          G: { 'Private rented': 0.9, 'Housing association': 0.1, Council: 0 },
        }),
      );
      const rent =
        tenure === 'Council'
          ? uniform(rng, 85, 115)
          : tenure === 'Housing association'
            ? uniform(rng, 95, 130)
            : uniform(rng, 110, 190);
      return [
        [
          `HB${pad(1000000 + ref * 3 + rng.int(3), 7)}`,
          `${h.lead.last.toUpperCase()}, ${h.lead.first}`,
          ukDate(h.lead.dob),
          `QQ${pad(rng.int(1_000_000), 6)}${'ABCD'[rng.int(4)]}`,
          h.address,
          '',
          tenure,
          money(rent * (rng.next() < 0.7 ? 1 : uniform(rng, 0.3, 0.95))),
          isoDate(between(rng, day(2012, 4, 1), EXTRACT_DAY)),
        ],
      ];
    },
  },
  {
    name: 'stop_smoking_clinic',
    file: 'stop_smoking_clinic.csv',
    title: 'Stop smoking clinic clients',
    description:
      'People who set a quit date with the stop smoking service in 2024–25. Hard-pressed estate families attend at several times the borough rate, like Group G in the original Mosaic profile.',
    columns: [
      'client_id',
      'name',
      'dob',
      'sex',
      'postcode',
      'venue',
      'referral_source',
      'first_appointment',
      'quit_at_4_weeks',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['name', 'dob'],
    messy: true,
    rates: { A: 0.002, B: 0.003, C: 0.01, D: 0.01, E: 0.045, F: 0.015, G: 0.004 },
    typeFactor: { E3: 1.2, E1: 0.85, F3: 0.7 },
    rows: (h, ref, rng, ctx) => [
      [
        `SS-${pad(ref, 5)}`,
        personName(h.lead),
        isoDate(h.lead.dob),
        h.lead.sex,
        '',
        rng.next() < 0.7 ? ctx.nearest(h, 'gp_surgery').facility.name : 'Town Centre Community Pharmacy',
        weighted(rng, { GP: 0.4, 'Self-referral': 0.3, Pharmacy: 0.15, Midwife: 0.08, Hospital: 0.07 }),
        isoDate(between(rng, day(2024, 4, 1), day(2025, 3, 31))),
        weighted(rng, { Yes: 0.5, No: 0.3, 'Lost to follow-up': 0.2 }),
      ],
    ],
  },
  {
    name: 'council_tax_support',
    file: 'council_tax_support.csv',
    title: 'Council tax support recipients',
    description:
      'Households receiving council tax support (reduction), linked to their council tax account. Follows low income: estates, older people in social housing, deprived areas.',
    columns: ['ctr_ref', 'account_ref', 'claimant_name', 'postcode', 'pensioner', 'award_percent', 'start_date'],
    postcodeColumn: 'postcode',
    personalColumns: ['claimant_name'],
    messy: true,
    rates: { A: 0.0025, B: 0.01, C: 0.035, D: 0.03, E: 0.19, F: 0.19, G: 0.003 },
    typeFactor: { E1: 0.75, F3: 0.8 },
    modifier: {
      note: 'times 1.35 − 0.07·(IMD decile − 1)',
      factor: (h, ctx) => 1.35 - 0.07 * (ctx.imdDecileOfOa[h.oa] - 1),
    },
    rows: (h, ref, rng, ctx) => {
      const pensioner = ageOn(h.lead.dob) >= 66;
      return [
        [
          `CTR${pad(ref, 6)}`,
          ctx.accountRef[h.id],
          personName(h.lead),
          '',
          yesNo(pensioner),
          pensioner ? 100 : weighted(rng, { '100': 0.35, '85': 0.4, '75': 0.15, '50': 0.1 }),
          isoDate(between(rng, day(2013, 4, 1), EXTRACT_DAY)),
        ],
      ];
    },
  },
  {
    name: 'blue_badge',
    file: 'blue_badge.csv',
    title: 'Blue badge holders',
    description:
      'Current blue badge (disabled parking) holders. Mostly older people, above all the frail elderly. Exported from a legacy system as Windows-1252 with CRLF line endings.',
    columns: [
      'badge_number',
      'surname',
      'forename',
      'date_of_birth',
      'address',
      'postcode',
      'eligibility',
      'issued',
      'expires',
      'notes',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['surname', 'forename', 'date_of_birth', 'address'],
    messy: true,
    encoding: 'windows-1252',
    eol: '\r\n',
    vulnerabilityLift: 6,
    rates: { A: 0.01, B: 0.045, C: 0.004, D: 0.015, E: 0.045, F: 0.12, G: 0.001 },
    typeFactor: { B1: 1.5, B2: 0.5, F2: 1.5, E3: 1.4 },
    rows: (h, ref, rng) => {
      const issued = between(rng, day(2023, 1, 1), EXTRACT_DAY);
      return [
        [
          `BB${pad(2000000 + ref * 11 + rng.int(11), 7)}`,
          h.lead.last,
          h.lead.first,
          ukDate(h.lead.dob),
          h.address,
          '',
          weighted(rng, {
            'PIP mobility (automatic)': 0.35,
            'Walking difficulty (assessed)': 0.4,
            'Non-visible condition (assessed)': 0.15,
            'Registered blind (automatic)': 0.06,
            'War pensioner (automatic)': 0.04,
          }),
          ukDate(issued),
          ukDate(issued + 3 * 365),
          weighted(rng, { '£10 fee paid': 0.55, 'Renewal, £10 fee paid': 0.25, 'Fee waived': 0.1, '': 0.1 }),
        ],
      ];
    },
  },
  {
    name: 'adult_social_care',
    file: 'adult_social_care.csv',
    title: 'Adult social care clients',
    description:
      'People receiving long-term adult social care support. Dominated by older people needing support, especially the frail elderly in sheltered housing.',
    columns: [
      'person_id',
      'name',
      'date_of_birth',
      'postcode',
      'support_type',
      'primary_support_reason',
      'start_date',
      'contact_phone',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['name', 'date_of_birth', 'contact_phone'],
    messy: true,
    vulnerabilityLift: 15,
    rates: { A: 0.002, B: 0.012, C: 0.003, D: 0.005, E: 0.02, F: 0.09, G: 0.0005 },
    typeFactor: { B1: 1.6, F2: 1.7, F3: 0.8, E3: 1.5 },
    rows: (h, ref, rng) => [
      [
        `ASC${pad(ref * 13 + rng.int(13), 7)}`,
        personName(h.lead),
        isoDate(h.lead.dob),
        '',
        weighted(rng, {
          'Home care': 0.4,
          'Direct payment': 0.15,
          'Day opportunities': 0.1,
          'Residential care': 0.12,
          'Nursing care': 0.06,
          Telecare: 0.1,
          Reablement: 0.07,
        }),
        weighted(rng, {
          'Physical support: personal care': 0.45,
          'Physical support: access and mobility': 0.15,
          'Memory and cognition': 0.15,
          'Mental health support': 0.12,
          'Learning disability support': 0.08,
          'Social support': 0.05,
        }),
        isoDate(between(rng, day(2015, 1, 1), EXTRACT_DAY)),
        rng.next() < 0.85 ? h.phone : '',
      ],
    ],
  },
  {
    name: 'homelessness',
    file: 'homelessness.csv',
    title: 'Homelessness presentations',
    description:
      'People who presented as homeless or at risk of it, with the duty owed. Rare, far likelier among the vulnerable households, among estate families and young renters, and in the more deprived neighbourhoods.',
    columns: ['case_ref', 'applicant_name', 'date_of_birth', 'postcode', 'presented', 'reason', 'outcome'],
    postcodeColumn: 'postcode',
    personalColumns: ['applicant_name', 'date_of_birth'],
    messy: true,
    vulnerabilityLift: 20,
    rates: { A: 0.001, B: 0.002, C: 0.006, D: 0.004, E: 0.012, F: 0.004, G: 0.008 },
    modifier: {
      note: 'times 1.3 − 0.06·(IMD decile − 1)',
      factor: (h, ctx) => 1.3 - 0.06 * (ctx.imdDecileOfOa[h.oa] - 1),
    },
    rows: (h, ref, rng) => [
      [
        `HL${pad(20000 + ref * 7 + rng.int(7), 6)}`,
        personName(h.lead),
        ukDate(h.lead.dob),
        '',
        isoDate(between(rng, day(2019, 4, 1), EXTRACT_DAY)),
        weighted(rng, {
          'Family or friends no longer able to accommodate': 0.3,
          'End of private rented tenancy': 0.25,
          'Domestic abuse': 0.15,
          'Relationship breakdown': 0.12,
          'Rent or mortgage arrears': 0.1,
          'Leaving hospital or care': 0.08,
        }),
        weighted(rng, {
          'Prevention duty': 0.45,
          'Relief duty': 0.35,
          'Main duty accepted': 0.15,
          'Not homeless': 0.05,
        }),
      ],
    ],
  },
  {
    name: 'school_admissions_online',
    file: 'school_admissions_online.csv',
    title: 'Online school admission applications',
    description:
      'Applications for a Reception or Year 7 place for September 2026 made online. Families in the suburbs apply online most; the validated form means the file is clean.',
    columns: [
      'application_id',
      'parent_name',
      'parent_email',
      'child_name',
      'child_dob',
      'postcode',
      'phase',
      'first_preference',
      'submitted',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['parent_name', 'parent_email', 'child_name', 'child_dob'],
    messy: false,
    rates: { A: 0.05, B: 0.006, C: 0.006, D: 0.048, E: 0.02, F: 0.001, G: 0.001 },
    typeFactor: { A2: 1.3, A3: 1.4, D2: 1.3, E2: 1.2, C2: 1.8 },
    rows: (h, ref, rng, ctx) => {
      // A Year 7 child needs a parent old enough to have one.
      const reception = ageOn(h.lead.dob) < 30 || rng.next() < 0.55;
      // Children starting school in September 2026: born in the school year 2021–22 or 2014–15.
      const c = reception
        ? child(rng, h, day(2021, 9, 1), day(2022, 9, 1))
        : child(rng, h, day(2014, 9, 1), day(2015, 9, 1));
      const school = reception ? `${wardOf(h, ctx)} Primary School` : `${wardOf(h, ctx)} Academy`;
      const submitted = between(rng, day(2025, 9, 1), reception ? day(2026, 1, 15) : day(2025, 10, 31));
      return [
        [
          `SA26-${pad(ref, 5)}`,
          personName(h.lead),
          h.email || `${asciiFold(h.lead.first)}.${asciiFold(h.lead.last)}${ref}@example.com`.toLowerCase(),
          personName(c),
          isoDate(c.dob),
          '',
          reception ? 'Reception' : 'Secondary',
          school,
          dateTime(Math.min(submitted, EXTRACT_DAY - 1), 7 * 60 + rng.int(16 * 60)),
        ],
      ];
    },
  },
  {
    name: 'garden_assisted_collection',
    file: 'garden_assisted_collection.csv',
    title: 'Assisted bin collections',
    description:
      'Households whose bins are collected from the property because nobody can take them to the kerb. Almost all older people, many of them in bungalows or sheltered housing.',
    columns: ['request_ref', 'name', 'address', 'postcode', 'phone', 'reason', 'bin_location', 'approved'],
    postcodeColumn: 'postcode',
    personalColumns: ['name', 'address', 'phone'],
    messy: true,
    rates: { A: 0.002, B: 0.03, C: 0.001, D: 0.004, E: 0.006, F: 0.045, G: 0 },
    typeFactor: { B1: 1.8, B2: 0.3, F2: 1.3 },
    rows: (h, ref, rng) => [
      [
        `AC${pad(ref, 5)}`,
        personName(h.lead),
        h.address,
        '',
        h.phone,
        weighted(rng, { Age: 0.5, Disability: 0.35, 'Temporary illness': 0.15 }),
        rng.pick([
          'Side gate, left of garage',
          'Back garden, by the shed',
          'Front garden',
          'Bin store, ground floor',
          'Driveway, behind car',
          'Rear yard, via alley',
        ]),
        ukDate(between(rng, day(2016, 1, 1), EXTRACT_DAY)),
      ],
    ],
  },
  {
    name: 'leisure_card',
    file: 'leisure_card.csv',
    title: 'Leisure card holders',
    description:
      'Holders of the borough leisure card. Young adults, students and families join most; membership falls with distance from a leisure centre.',
    columns: ['card_number', 'name', 'date_of_birth', 'email', 'postcode', 'card_type', 'home_centre', 'joined'],
    postcodeColumn: 'postcode',
    personalColumns: ['name', 'date_of_birth', 'email'],
    messy: true,
    rates: { A: 0.05, B: 0.025, C: 0.045, D: 0.05, E: 0.025, F: 0.007, G: 0.06 },
    modifier: {
      note: 'times 0.5 + 1.2·exp(−d/2000 m), d = distance to the nearest leisure centre',
      factor: nearness('leisure_centre', 2000, 0.5, 1.2),
    },
    rows: (h, ref, rng, ctx) => {
      const g = groupOfHh(h);
      const cardType =
        g === 'E' || g === 'F'
          ? 'Concession'
          : g === 'G'
            ? 'Student'
            : g === 'B'
              ? 'Over 60'
              : rng.next() < 0.3
                ? 'Family'
                : 'Adult';
      return [
        [
          `LC${pad(500000 + ref, 7)}`,
          personName(h.lead),
          ukDate(h.lead.dob),
          h.email,
          '',
          cardType,
          ctx.nearest(h, 'leisure_centre').facility.name,
          ukDate(between(rng, day(2018, 1, 1), EXTRACT_DAY)),
        ],
      ];
    },
  },
  {
    name: 'contact_centre_callers',
    file: 'contact_centre_callers.csv',
    title: 'Contact centre contacts',
    description:
      'Contacts with the customer contact centre in 2025, one row per contact, with channel, service, reason, request and handling time. Estate families and older people contact most, most often by phone or in person, and chase more; students and young renters use the web.',
    columns: [
      'contact_id',
      'caller_ref',
      'caller_name',
      'phone',
      'postcode',
      'request_ref',
      'contact_datetime',
      'channel',
      'service',
      'reason',
      'handling_minutes',
      'resolved_first_time',
    ],
    postcodeColumn: 'postcode',
    personalColumns: ['caller_name', 'phone'],
    messy: true,
    bom: true,
    rates: { A: 0.03, B: 0.04, C: 0.04, D: 0.042, E: 0.085, F: 0.085, G: 0.025 },
    kind: 'contacts',
    channelMix: contactChannelMix,
    rows: (h, ref, rng, ctx) => {
      const g = groupOfHh(h);
      const mix = contactChannelMix(h, ctx);
      // Requests per household; each request is one or more contacts (NI14 counts them).
      const requests = Math.min(9, 1 + Math.floor(-Math.log(1 - rng.next()) * (g === 'E' || g === 'F' ? 0.6 : 0.25)));
      const out: Cell[][] = [];
      for (let j = 0; j < requests; j++) {
        const service = weighted(rng, CONTACT_SERVICE[g]);
        const reason = rng.pick(CONTACT_REASONS[service]);
        const tier = CONTACT_TIER[reason];
        // Follow-ups are likelier for harder requests and for the groups that chase most.
        let follow = Math.min(0.85, FOLLOW_UP[tier] * (g === 'E' || g === 'F' ? 1.6 : 1));
        let followUps = 0;
        while (followUps < 6 && rng.next() < follow) {
          followUps++;
          follow *= 0.6;
        }
        const resolvedFirst = followUps === 0 && rng.next() < (tier === '3' ? 0.55 : 0.93);
        let d = between(rng, day(2025, 1, 1), day(2025, 11, 17));
        for (let k = 0; k <= followUps; k++) {
          if (k > 0) d = Math.min(day(2025, 12, 1), d + 1 + rng.int(14));
          const channel = weighted(rng, mix);
          const why = k > 0 && rng.next() < 0.4 ? CHASING : reason;
          const minutes = channel === 'web' ? rng.int(24 * 60) : 8 * 60 + rng.int(9 * 60);
          out.push([
            '',
            `CR${pad(ref, 6)}`,
            personName(h.lead),
            channel === 'web' ? '' : h.phone,
            '',
            `${ref}:${j}`,
            dateTime(d, minutes),
            channel,
            service,
            why,
            handlingMinutes(rng, channel, service, why),
            yesNo(k === 0 && resolvedFirst),
          ]);
        }
      }
      return out;
    },
    finish: (rows) => {
      rows.sort((a, b) =>
        String(a[6]) < String(b[6]) ? -1 : String(a[6]) > String(b[6]) ? 1 : String(a[1]) < String(b[1]) ? -1 : 1,
      );
      // Requests are numbered in the order they were first made, as a case system would.
      const requestRef = new Map<string, string>();
      rows.forEach((r, k) => {
        r[0] = `C${pad(k + 1, 7)}`;
        const key = String(r[5]);
        let sr = requestRef.get(key);
        if (!sr) requestRef.set(key, (sr = `SR${pad(requestRef.size + 1, 6)}`));
        r[5] = sr;
      });
      return rows;
    },
  },
];

export const SERVICE_SPECS: readonly ServiceSpec[] = SERVICES;

/**
 * A household's chance of being in a file whose vulnerable households are `lift` times likelier:
 * with q its chance of being vulnerable, p·lift/(1 + q(lift − 1)) if it is and p/(1 + q(lift − 1))
 * if not, so that its expected chance is still p (less where the first would pass 1, as `expected` says).
 */
export function withVulnerability(
  p: number,
  lift: number | undefined,
  ctx: Pick<ServiceContext, 'vulnerabilityChance' | 'vulnerable'>,
  h: Pick<Household, 'id'>,
): { p: number; expected: number } {
  if (!lift) return { p, expected: p };
  const q = ctx.vulnerabilityChance[h.id];
  const d = 1 + q * (lift - 1);
  const yes = Math.min(1, (p * lift) / d);
  const no = p / d;
  return { p: ctx.vulnerable[h.id] ? yes : no, expected: q * yes + (1 - q) * no };
}

/** Draws every service's members and rows; deterministic for a seed, one stream per service. */
export function buildServices(seed: number, ctx: ServiceContext): ServiceOutput[] {
  const messer = new Messer(ctx.postcodes);
  return SERVICES.map((spec) => {
    const rng = stream(seed, `service:${spec.name}`);
    const pcCol = spec.columns.indexOf(spec.postcodeColumn);
    const sumByType = new Array(TYPES.length).fill(0);
    const countByType = new Array(TYPES.length).fill(0);
    const expectedByOa = new Array(ctx.geo.oas.length).fill(0);
    const members: Household[] = [];
    for (const h of ctx.households) {
      const base = clamp(
        spec.rates[groupOfHh(h)] * (spec.typeFactor?.[typeCode(h)] ?? 1) * (spec.modifier?.factor(h, ctx) ?? 1),
        0,
        1,
      );
      const { p, expected } = withVulnerability(base, spec.vulnerabilityLift, ctx, h);
      sumByType[h.type] += expected;
      countByType[h.type]++;
      expectedByOa[h.oa] += expected;
      if (rng.next() < p) members.push(h);
    }
    shuffle(rng, members);
    let rows: Cell[][] = [];
    const width = spec.columns.length;
    members.forEach((h, k) => {
      for (const row of spec.rows(h, k + 1, rng, ctx)) {
        row[pcCol] = h.postcode; // placeholder: the directory index, replaced below
        row[width] = h.id; // the household, carried through finish and taken off below
        rows.push(row);
      }
    });
    if (spec.finish) rows = spec.finish(rows, rng);
    const mess = noMess();
    for (const row of rows) {
      const pc = row[pcCol] as number;
      row[pcCol] = spec.messy ? messer.spoil(rng, pc, mess) : ctx.postcodes[pc].pcds;
    }
    const householdOfRow = rows.map((row) => row.pop() as number);
    // People are written from a stream of their own, after everything above has been drawn.
    const people = writePeople(stream(seed, `records:${spec.name}`), spec.name, spec.columns, rows, householdOfRow, {
      households: ctx.households,
      residents: ctx.residents,
    });
    const truth: ServiceTruth = {
      name: spec.name,
      file: spec.file,
      rows: rows.length,
      households: members.length,
      messy: spec.messy,
      mess,
      modifier: spec.modifier?.note ?? null,
      vulnerabilityLift: spec.vulnerabilityLift ?? null,
      propensityByType: Object.fromEntries(
        TYPES.map((t, i) => [t.code, countByType[i] ? round(sumByType[i] / countByType[i], 5) : 0]),
      ),
      expectedTotal: round(
        expectedByOa.reduce((a, b) => a + b, 0),
        2,
      ),
      expectedByOa: Object.fromEntries(ctx.geo.oas.map((o, i) => [o.code, round(expectedByOa[i], 3)])),
      ...(spec.channelMix ? { channelMixByGroup: mixByGroup(spec.channelMix, householdOfRow, ctx) } : {}),
    };
    return { spec, columns: [...spec.columns, ...people.added], rows, truth, records: people.truth };
  });
}

/** The mean over the rows of each row's household's chance of each channel, by group. */
function mixByGroup(
  mixOf: NonNullable<ServiceSpec['channelMix']>,
  householdOfRow: readonly number[],
  ctx: ServiceContext,
): Record<string, Record<string, number>> {
  const byId = new Map(ctx.households.map((h) => [h.id, h]));
  const sums = new Map<string, Map<string, number>>();
  for (const id of householdOfRow) {
    const h = byId.get(id)!;
    const mix = mixOf(h, ctx);
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    const g = sums.get(groupOfHh(h)) ?? new Map<string, number>();
    for (const [c, w] of Object.entries(mix)) g.set(c, (g.get(c) ?? 0) + w / total);
    sums.set(groupOfHh(h), g);
  }
  return Object.fromEntries(
    [...sums]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([g, m]) => {
        const n = [...m.values()].reduce((a, b) => a + b, 0);
        return [g, Object.fromEntries([...m].map(([c, w]) => [c, round(w / n, 5)]))];
      }),
  );
}

const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;

/** Nearest facility of each type for every postcode, computed once. */
export function nearestFacilities(postcodes: readonly Postcode[], facilities: readonly Facility[]) {
  const types = [...new Set(facilities.map((f) => f.type))];
  const table = new Map<FacilityType, { list: Facility[]; idx: Int32Array; metres: Float64Array }>();
  for (const type of types) {
    const list = facilities.filter((f) => f.type === type);
    const idx = new Int32Array(postcodes.length);
    const metres = new Float64Array(postcodes.length);
    postcodes.forEach((p, i) => {
      let best = 0,
        bestD = Infinity;
      list.forEach((f, k) => {
        const d = metresBetween(p.lon, p.lat, f.lon, f.lat);
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      });
      idx[i] = best;
      metres[i] = bestD;
    });
    table.set(type, { list, idx, metres });
  }
  return (h: Household, type: FacilityType) => {
    const t = table.get(type)!;
    return { facility: t.list[t.idx[h.postcode]], metres: t.metres[h.postcode] };
  };
}
