/**
 * Sample Borough's people (issue 13, point 7): residents, the gazetteer, the service files' names,
 * dates of birth and addresses, and the truth files that say who each row is and what mistakes
 * were made writing it down. Checked on a 20,000-household borough against the files themselves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import {
  PEOPLE,
  TOWN,
  addressLines,
  generateSampleBorough,
  readPeopleTruth,
  type PeopleTruth,
  type ResidentTruth,
  type SampleBoroughManifest,
} from '../../src/demo/index.ts';

type Row = Record<string, string>;
let root: string;
let m: SampleBoroughManifest;
let truth: PeopleTruth;
let residents: Map<string, ResidentTruth>;
let gazetteer: Row[];
const files = new Map<string, Row[]>();

function serviceRows(name: string): Row[] {
  const s = m.services.find((x) => x.name === name)!;
  const text =
    name === 'blue_badge' ? new TextDecoder('windows-1252').decode(readFileSync(s.file)) : readFileSync(s.file, 'utf8');
  return Papa.parse<Row>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
}

const ukToIso = (s: string) => s.replace(/^(\d{2})\/(\d{2})\/(\d{4})$/, '$3-$2-$1');
const fullAddress = (r: Row, cols: readonly string[]) => cols.map((c) => r[c]).filter((v) => v && v !== TOWN);

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sample-borough-people-'));
  m = await generateSampleBorough(join(root, 'b'), { seed: 7, households: 20_000 });
  truth = readPeopleTruth(m.dir);
  residents = new Map(truth.residents.map((r) => [r.person, r]));
  gazetteer = Papa.parse<Row>(readFileSync(m.files.gazetteer, 'utf8'), { header: true, skipEmptyLines: true }).data;
  for (const s of m.services) {
    if (s.file.endsWith('.xlsx')) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(s.file);
      const ws = wb.worksheets[0];
      const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
      const rows: Row[] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const v = (row.values as unknown[]).slice(1);
        rows.push(
          Object.fromEntries(
            header.map((h, i) => [
              h,
              v[i] instanceof Date ? (v[i] as Date).toISOString().slice(0, 10) : String(v[i] ?? ''),
            ]),
          ),
        );
      });
      files.set(s.name, rows);
    } else files.set(s.name, serviceRows(s.name));
  }
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('residents and the gazetteer', () => {
  test('households have several people where their segment does; each lives at one UPRN of the gazetteer', () => {
    const perHousehold = new Map<number, ResidentTruth[]>();
    for (const r of residents.values()) perHousehold.set(r.household, [...(perHousehold.get(r.household) ?? []), r]);
    assert.equal(perHousehold.size, 20_000);
    const size = truth.residents.length / perHousehold.size;
    assert.ok(size > 1.9 && size < 3.2, `${size.toFixed(2)} people per household`);
    for (const [, list] of perHousehold) {
      assert.equal(list.filter((r) => r.role === 'lead').length, 1);
      assert.equal(new Set(list.map((r) => r.uprn)).size, 1);
    }
    assert.ok(
      [...perHousehold.values()].some((l) => l.length >= 4),
      'no large households',
    );
    const uprns = new Set(gazetteer.map((g) => g.UPRN));
    assert.equal(uprns.size, gazetteer.length, 'UPRNs are unique');
    const homes = new Set(truth.residents.map((r) => r.uprn));
    assert.equal(homes.size, 20_000, 'one UPRN per household');
    for (const u of homes) assert.ok(uprns.has(u), `UPRN ${u} is not in the gazetteer`);
  });

  test('the gazetteer lists addresses nobody lives at on the same streets and postcodes', () => {
    const homes = new Set(truth.residents.map((r) => r.uprn));
    const empty = gazetteer.filter((g) => !homes.has(g.UPRN));
    assert.ok(empty.length >= 0.2 * homes.size, `${empty.length} distractors for ${homes.size} homes`);
    const streets = new Set(
      gazetteer.filter((g) => homes.has(g.UPRN)).map((g) => `${g.POSTCODE}|${g.STREET_DESCRIPTION}`),
    );
    const onStreets = empty.filter((g) => streets.has(`${g.POSTCODE}|${g.STREET_DESCRIPTION}`)).length;
    assert.equal(onStreets, empty.length, 'every distractor is on a street and postcode where someone lives');
    assert.ok(empty.some((g) => g.BLPU_CLASS === 'PP') && empty.some((g) => g.SUB_BUILDING_NAME));
    for (const g of gazetteer) assert.ok(Number(g.LATITUDE) > 50 && Number(g.LONGITUDE) < 0 && g.TOWN_NAME === TOWN);
  });
});

describe('the service files and their truth', () => {
  test('every row has its truth, in the file order, naming a person of the household', () => {
    for (const s of m.services) {
      const rows = files.get(s.name)!;
      const t = truth.recordsOf(s.name);
      assert.equal(t.length, rows.length, s.name);
      const idColumn = Object.keys(rows[0])[0];
      t.forEach((r, i) => {
        assert.equal(r.row, i + 1);
        assert.equal(r.recordId, rows[i][idColumn], `${s.name} row ${i + 1}`);
        const who = residents.get(r.person)!;
        assert.equal(who.household, r.household, `${s.name} row ${i + 1}: the person lives elsewhere`);
        assert.equal(who.uprn, r.uprn);
        if (r.child) assert.equal(residents.get(r.child)!.household, r.household);
      });
    }
  });

  test('names and dates of birth are the person’s own unless a mistake is recorded', () => {
    let checked = 0;
    for (const s of m.services) {
      const p = PEOPLE[s.name];
      const rows = files.get(s.name)!;
      truth.recordsOf(s.name).forEach((r, i) => {
        const who = residents.get(r.person)!;
        const row = rows[i];
        const nameError = r.errors.some((e) => /^(first|last|name):/.test(e));
        if (p.name) {
          const written = 'column' in p.name ? row[p.name.column] : `${row[p.name.first]} ${row[p.name.last]}`;
          const own =
            'column' in p.name && p.name.style === 'last, first'
              ? `${who.last.toUpperCase()}, ${who.first}`
              : `${who.first} ${who.last}`;
          if (nameError) assert.notEqual(written, own, `${s.name} row ${i + 1}: ${r.errors.join(';')}`);
          else assert.equal(written, own, `${s.name} row ${i + 1}`);
          checked++;
        }
        if (p.dob) {
          const written = ukToIso(row[p.dob.column]);
          if (r.errors.some((e) => e.startsWith('dob:'))) assert.notEqual(written, who.dob);
          else assert.equal(written, who.dob, `${s.name} row ${i + 1}`);
        }
        if (p.child && r.child) {
          const c = residents.get(r.child)!;
          const ok = !r.errors.some((e) => e.startsWith('child.'));
          if (ok) assert.equal(`${row[p.child.name]} ${ukToIso(row[p.child.dob])}`, `${c.first} ${c.last} ${c.dob}`);
        }
      });
    }
    assert.ok(checked > 30_000, `${checked} names checked`);
  });

  test('addresses: the home as the gazetteer has it, or the mistake recorded (no flat, abbreviated, an old address)', () => {
    const byUprn = new Map(gazetteer.map((g) => [g.UPRN, g]));
    const line = (g: Row) =>
      [
        g.SUB_BUILDING_NAME,
        g.BUILDING_NAME,
        g.BUILDING_NUMBER ? `${g.BUILDING_NUMBER} ${g.STREET_DESCRIPTION}` : g.STREET_DESCRIPTION,
      ]
        .filter(Boolean)
        .join(', ');
    const counts: Record<string, number> = {};
    for (const s of m.services) {
      const p = PEOPLE[s.name];
      const cols = p.address ? [p.address] : p.addressLines ? [...p.addressLines] : [];
      if (!cols.length) continue;
      const rows = files.get(s.name)!;
      truth.recordsOf(s.name).forEach((r, i) => {
        const written = fullAddress(rows[i], cols).join(', ');
        const home = line(byUprn.get(r.uprn)!);
        const errs = r.errors.filter((e) => e.startsWith('address:'));
        for (const e of errs) counts[e] = (counts[e] ?? 0) + 1;
        if (!errs.length) assert.equal(written, home, `${s.name} row ${i + 1}`);
        else if (errs.includes('address:old address')) {
          assert.notEqual(r.addressUprn, r.uprn);
          assert.equal(written, line(byUprn.get(r.addressUprn)!));
          assert.equal(byUprn.get(r.addressUprn)!.POSTCODE, byUprn.get(r.uprn)!.POSTCODE, 'moved along the street');
        } else if (errs.includes('address:no flat')) {
          const block = byUprn.get(r.addressUprn)!;
          assert.equal(block.BLPU_CLASS, 'PP', 'the address without its flat is the block');
          if (!errs.includes('address:abbreviated')) assert.equal(written, line(block));
          assert.notEqual(written, home);
        } else assert.notEqual(written, home);
        if (p.addressLines) assert.equal(rows[i][p.addressLines[2]], TOWN);
      });
    }
    for (const k of ['address:no flat', 'address:abbreviated', 'address:old address'])
      assert.ok((counts[k] ?? 0) > 20, `${k}: ${counts[k] ?? 0}`);
    assert.deepEqual(addressLines('Flat 3, Oak Court, Elm Road'), ['Flat 3, Oak Court', 'Elm Road', TOWN]);
  });

  test('UPRN columns hold the home’s UPRN, blank or another at the postcode exactly when recorded', () => {
    for (const s of m.services) {
      const p = PEOPLE[s.name];
      if (!p.uprn) continue;
      const rows = files.get(s.name)!;
      let blank = 0;
      truth.recordsOf(s.name).forEach((r, i) => {
        const v = rows[i][p.uprn!.column];
        if (r.errors.includes('uprn:blank')) {
          assert.equal(v, '');
          blank++;
        } else if (r.errors.includes('uprn:wrong')) assert.ok(v && v !== r.uprn);
        else assert.equal(v, r.uprn, `${s.name} row ${i + 1}`);
      });
      const share = blank / rows.length;
      assert.ok(Math.abs(share - p.uprn.blank) < 0.03, `${s.name}: ${share} blank`);
    }
  });

  test('the same person twice in one file is known: repeat contacts, each written down afresh', () => {
    const t = truth.recordsOf('contact_centre_callers');
    const rows = files.get('contact_centre_callers')!;
    const byPerson = new Map<string, number[]>();
    t.forEach((r, i) => byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), i]));
    const repeated = [...byPerson.values()].filter((l) => l.length > 1);
    assert.ok(repeated.length > 100, `${repeated.length} people with repeat contacts`);
    // Some repeats are written differently from each other: deduplication has work to do.
    const differ = repeated.filter((l) => new Set(l.map((i) => rows[i].caller_name)).size > 1).length;
    assert.ok(differ > 5, `${differ} people written two ways`);
  });

  test('people are in several files; clean files have no mistakes; each kind of mistake occurs', () => {
    const filesOf = new Map<string, Set<string>>();
    for (const r of truth.records) filesOf.set(r.person, (filesOf.get(r.person) ?? new Set()).add(r.dataset));
    const inThree = [...filesOf.values()].filter((f) => f.size >= 3).length;
    assert.ok(inThree > 200, `${inThree} people in three or more files`);
    for (const s of m.services)
      if (!PEOPLE[s.name].errors)
        assert.ok(
          truth.recordsOf(s.name).every((r) => r.errors.every((e) => e.startsWith('uprn:'))),
          s.name,
        );
    const kinds = new Set(truth.records.flatMap((r) => r.errors));
    for (const k of [
      'first:nickname',
      'name:swapped',
      'dob:day-month',
      'dob:digit',
      'last:drop',
      'child.first:substitute',
    ])
      assert.ok(kinds.has(k), k);
    // Children named by both the children's centre and the school admissions are the same children.
    const cc = new Set(truth.recordsOf('childrens_centre_users').map((r) => r.child));
    assert.ok(truth.recordsOf('school_admissions_online').some((r) => cc.has(r.child)));
  });
});
