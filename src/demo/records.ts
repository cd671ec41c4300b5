/**
 * Who each service file's rows are about, and how they were written down (issue 13, point 7). The
 * table PEOPLE says, for every file, whose name, date of birth and address a row carries, which
 * columns hold them (the file's own, and the address lines and UPRN added for linkage), and whether
 * the clerk's mistakes of corrupt.ts are made. Each row's truth — the person, the household, the
 * dwelling's UPRN, every mistake made — is kept for the truth files, never for the workspace.
 *
 * Rows are rewritten after the service's own stream has drawn everything it always drew, from a
 * stream of their own ('records:<service>'), so membership, categories and postcodes stay as they
 * were. Columns the guide's worked examples link on (council tax names and addresses, housing
 * benefit's address, the library's and children's centre's parent names) are kept exactly as they
 * were: see docs/sample-borough.md.
 */
import type { Random } from '../core/index.ts';
import { DEFAULT_ERROR_RATES, corruptPerson, type RecordError } from './corrupt.ts';
import type { Household, Person } from './people.ts';
import { TOWN, addressParts, entryAddress, type Resident, type Residents } from './residents.ts';
import { EXTRACT_DAY, dateOf, day, isoDate, ukDate, type Cell } from './util.ts';

export type DobFormat = 'uk' | 'iso' | 'excel';

export interface PeopleColumns {
  /** whose record it is: the household's lead, its oldest adult, or any adult (most often the lead) */
  who: 'lead' | 'oldest' | 'adult';
  /** the person's name: one column ("First Last" or "LAST, First") or two */
  name?: { column: string; style: 'first last' | 'last, first' } | { first: string; last: string };
  dob?: { column: string; format: DobFormat };
  /** the file's own one-line address column */
  address?: string;
  /** address lines added at the end of the file: first line, second line, town */
  addressLines?: readonly [string, string, string];
  /** a UPRN column added at the end of the file; some blank, a few a neighbour's */
  uprn?: { column: string; blank: number; wrong: number };
  /** a child of the household the row also names */
  child?: {
    name: string;
    dob: string;
    format: DobFormat;
    born: (row: readonly Cell[], columns: readonly string[]) => [number, number];
  };
  /** fields kept exactly as they were before people were added (the guide's examples link on them) */
  frozen?: readonly ('name' | 'address')[];
  /** whether the mistakes of corrupt.ts are made (not in the clean files: the register and a validated form) */
  errors: boolean;
}

const LINES = ['Address 1', 'Address 2', 'Town'] as const;

/**
 * Every service's people, in one place. The other options the demo imports a file with sit here
 * too (`addressColumns()`, `uprnColumn()` below), so an importer option for them is one line.
 */
export const PEOPLE: Readonly<Record<string, PeopleColumns>> = {
  council_tax_payment: {
    who: 'lead',
    name: { column: 'customer_name', style: 'first last' },
    address: 'address',
    uprn: { column: 'UPRN', blank: 0.02, wrong: 0.005 },
    frozen: ['name', 'address'],
    errors: false,
  },
  green_waste: {
    who: 'lead',
    name: { column: 'customer_name', style: 'first last' },
    address: 'address',
    errors: true,
  },
  library_members: {
    who: 'lead',
    name: { column: 'Name', style: 'first last' },
    dob: { column: 'Date of birth', format: 'excel' },
    addressLines: LINES,
    frozen: ['name'],
    errors: true,
  },
  childrens_centre_users: {
    who: 'lead',
    name: { column: 'parent_name', style: 'first last' },
    child: {
      name: 'child_name',
      dob: 'child_dob',
      format: 'uk',
      born: () => [EXTRACT_DAY - 5 * 365 + 30, EXTRACT_DAY - 30],
    },
    addressLines: LINES,
    frozen: ['name'],
    errors: true,
  },
  housing_benefit: {
    who: 'lead',
    name: { column: 'claimant_name', style: 'last, first' },
    dob: { column: 'date_of_birth', format: 'uk' },
    address: 'address',
    uprn: { column: 'uprn', blank: 0.2, wrong: 0.02 },
    frozen: ['address'],
    errors: true,
  },
  stop_smoking_clinic: {
    who: 'lead',
    name: { column: 'name', style: 'first last' },
    dob: { column: 'dob', format: 'iso' },
    addressLines: LINES,
    errors: true,
  },
  council_tax_support: {
    who: 'lead',
    name: { column: 'claimant_name', style: 'first last' },
    errors: true,
  },
  blue_badge: {
    who: 'oldest',
    name: { first: 'forename', last: 'surname' },
    dob: { column: 'date_of_birth', format: 'uk' },
    address: 'address',
    errors: true,
  },
  adult_social_care: {
    who: 'oldest',
    name: { column: 'name', style: 'first last' },
    dob: { column: 'date_of_birth', format: 'iso' },
    addressLines: LINES,
    errors: true,
  },
  homelessness: {
    who: 'adult',
    name: { column: 'applicant_name', style: 'first last' },
    dob: { column: 'date_of_birth', format: 'uk' },
    addressLines: LINES,
    errors: true,
  },
  school_admissions_online: {
    who: 'lead',
    name: { column: 'parent_name', style: 'first last' },
    child: {
      name: 'child_name',
      dob: 'child_dob',
      format: 'iso',
      born: (row, columns) =>
        row[columns.indexOf('phase')] === 'Reception'
          ? [day(2021, 9, 1), day(2022, 9, 1)]
          : [day(2014, 9, 1), day(2015, 9, 1)],
    },
    addressLines: LINES,
    // The online form looks the address up, so it carries the UPRN unless the address was typed in.
    uprn: { column: 'UPRN', blank: 0.1, wrong: 0 },
    errors: false,
  },
  garden_assisted_collection: {
    who: 'lead',
    name: { column: 'name', style: 'first last' },
    address: 'address',
    errors: true,
  },
  leisure_card: {
    who: 'adult',
    name: { column: 'name', style: 'first last' },
    dob: { column: 'date_of_birth', format: 'uk' },
    addressLines: LINES,
    errors: true,
  },
  contact_centre_callers: {
    who: 'lead',
    name: { column: 'caller_name', style: 'first last' },
    errors: true,
  },
};

/** The columns holding a service's address, in order (its own one column, or the lines added). */
export const addressColumns = (service: string): string[] => {
  const p = PEOPLE[service];
  return p?.address ? [p.address] : p?.addressLines ? [...p.addressLines] : [];
};
/** The column holding a service's UPRNs, or null. */
export const uprnColumn = (service: string): string | null => PEOPLE[service]?.uprn?.column ?? null;

/** What a row truly is: who, where, and the mistakes made writing it down. */
export interface RecordTruth {
  dataset: string;
  /** the row's number among the file's data rows, from 1 */
  row: number;
  /** the row's own identifier (its first column) */
  recordId: string;
  person: string;
  household: number;
  propertyRef: string;
  /** the UPRN of the dwelling the person lives at */
  uprn: string;
  /** the UPRN of the address as written (an old address's, or a block's when the flat is missing), '' when the row has no address */
  addressUprn: string;
  /** the child the row also names, or null */
  child: string | null;
  /** every mistake made: "first:nickname", "address:old address", "uprn:blank", "child.last:drop" … */
  errors: string[];
}

export interface RecordContext {
  households: readonly Household[];
  residents: Residents;
}

const ageOf = (p: Person) => (EXTRACT_DAY - p.dob) / 365.25;
const errorName = (e: RecordError | { field: string; kind: string }, prefix = '') => `${prefix}${e.field}:${e.kind}`;

function dobCell(dob: number, format: DobFormat): Cell {
  return format === 'uk' ? ukDate(dob) : format === 'iso' ? isoDate(dob) : dateOf(dob);
}

function parseDob(v: Cell): number | null {
  if (v instanceof Date) return Math.round(v.getTime() / 86_400_000);
  const s = String(v ?? '');
  let m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (m) return day(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? day(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function pickPerson(rng: Random, who: PeopleColumns['who'], members: readonly Resident[]): Resident {
  const lead = members[0];
  if (who === 'lead') return lead;
  const adults = members.filter((m) => ageOf(m.person) >= 16);
  if (who === 'oldest') return adults.reduce((a, b) => (b.person.dob < a.person.dob ? b : a), lead);
  return rng.next() < 0.6 || adults.length < 2 ? lead : rng.pick(adults);
}

/** Splits a one-line address into the three lines a council export gives. */
export function addressLines(address: string): [string, string, string] {
  const parts = address.split(', ');
  if (parts.length >= 3) return [`${parts[0]}, ${parts[1]}`, parts.slice(2).join(', '), TOWN];
  if (parts.length === 2) return [parts[0], parts[1], TOWN];
  return [address, '', TOWN];
}

/**
 * Rewrites the people in a service's finished rows and returns the columns added and each row's
 * truth. `householdOfRow[i]` is the household of rows[i].
 */
export function writePeople(
  rng: Random,
  service: string,
  columns: readonly string[],
  rows: Cell[][],
  householdOfRow: readonly number[],
  ctx: RecordContext,
): { added: string[]; truth: RecordTruth[] } {
  const spec = PEOPLE[service];
  const added = [...(spec?.addressLines ?? []), ...(spec?.uprn ? [spec.uprn.column] : [])];
  const truth: RecordTruth[] = [];
  if (!spec) return { added, truth };
  const col = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`${service}: no column ${name}`);
    return i;
  };
  const { residents } = ctx;
  const frozen = new Set(spec.frozen ?? []);
  rows.forEach((row, i) => {
    const hid = householdOfRow[i];
    const h = ctx.households[hid];
    const members = residents.members[hid];
    const who = pickPerson(rng, spec.who, members);
    const uprn = residents.uprn[hid];
    const errors: string[] = [];
    // An old address: another dwelling at the same postcode (people move along the street).
    let oldUprn = '';
    const oldAddress = () => {
      const here = (residents.atPostcode.get(h.postcode) ?? [])
        .map((k) => residents.gazetteer[k])
        .filter((e) => e.uprn !== uprn && e.classification.startsWith('RD'));
      if (!here.length) return null;
      const e = rng.pick(here);
      oldUprn = e.uprn;
      return entryAddress(e);
    };
    const truthFields = { first: who.person.first, last: who.person.last, dob: who.person.dob, address: h.address };
    const made = spec.errors ? corruptPerson(rng, truthFields, oldAddress, DEFAULT_ERROR_RATES) : null;
    const written = { ...truthFields, ...(made?.person ?? {}) };
    for (const e of made?.errors ?? []) {
      const isName = e.field === 'first' || e.field === 'last' || e.field === 'name';
      if (isName && (frozen.has('name') || !spec.name)) continue;
      if (e.field === 'dob' && !spec.dob) continue;
      if (e.field === 'address' && (frozen.has('address') || !(spec.address || spec.addressLines))) continue;
      errors.push(errorName(e));
    }
    const kept = (field: string) => errors.some((e) => e.startsWith(`${field}:`));
    if (!errors.some((e) => /^(first|last|name):/.test(e))) {
      written.first = truthFields.first;
      written.last = truthFields.last;
    }
    if (!kept('dob')) written.dob = truthFields.dob;
    if (!kept('address')) {
      written.address = truthFields.address;
      oldUprn = '';
    } else if (errors.includes('address:no flat')) {
      // Without its flat number the address is the block's own entry.
      const block = (residents.atPostcode.get(h.postcode) ?? [])
        .map((k) => residents.gazetteer[k])
        .find(
          (e) => e.classification === 'PP' && entryAddress(e) === truthFields.address.replace(/^Flat \d+[A-Z]?, /, ''),
        );
      oldUprn = block?.uprn ?? '';
    }
    if (spec.name) {
      if ('column' in spec.name)
        row[col(spec.name.column)] =
          spec.name.style === 'first last'
            ? `${written.first} ${written.last}`
            : `${written.last.toUpperCase()}, ${written.first}`;
      else {
        row[col(spec.name.first)] = written.first;
        row[col(spec.name.last)] = written.last;
      }
    }
    if (spec.dob) row[col(spec.dob.column)] = dobCell(written.dob, spec.dob.format);
    if (spec.address) row[col(spec.address)] = written.address;
    if (spec.addressLines) row.push(...addressLines(written.address));
    if (spec.uprn) {
      const r = rng.next();
      if (r < spec.uprn.blank) {
        row.push('');
        errors.push('uprn:blank');
      } else if (r < spec.uprn.blank + spec.uprn.wrong) {
        const near = (residents.atPostcode.get(h.postcode) ?? [])
          .map((k) => residents.gazetteer[k].uprn)
          .filter((u) => u !== uprn);
        if (near.length) {
          row.push(rng.pick(near));
          errors.push('uprn:wrong');
        } else row.push(uprn);
      } else row.push(uprn);
    }
    let child: string | null = null;
    if (spec.child) {
      const [from, to] = spec.child.born(row, columns);
      const fits = members.filter((m) => m.role === 'child' && m.person.dob >= from && m.person.dob < to);
      let c: Resident;
      if (fits.length) c = rng.pick(fits);
      else {
        // The service named a child the household was not drawn with: they live there too.
        const name = String(row[col(spec.child.name)]);
        const dob = parseDob(row[col(spec.child.dob)]) ?? from;
        c = residents.add(hid, 'child', {
          first: name.slice(0, name.indexOf(' ')),
          last: h.lead.last,
          sex: rng.next() < 0.5 ? 'F' : 'M',
          dob,
        });
      }
      child = c.id;
      const cw = spec.errors
        ? corruptPerson(rng, { first: c.person.first, last: c.person.last, dob: c.person.dob, address: '' }, () => null)
        : null;
      const p = cw?.person ?? { first: c.person.first, last: c.person.last, dob: c.person.dob };
      for (const e of cw?.errors ?? []) if (e.field !== 'address') errors.push(errorName(e, 'child.'));
      row[col(spec.child.name)] = `${p.first} ${p.last}`;
      row[col(spec.child.dob)] = dobCell(p.dob, spec.child.format);
    }
    truth.push({
      dataset: service,
      row: i + 1,
      recordId: String(row[0] ?? ''),
      person: who.id,
      household: hid,
      propertyRef: h.propertyRef,
      uprn,
      addressUprn: spec.address || spec.addressLines ? oldUprn || uprn : '',
      child,
      errors,
    });
  });
  return { added, truth };
}
