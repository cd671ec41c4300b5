/**
 * Issue 12, point 4: a base given as records — one row per household or person with its area code,
 * as a council's property list, a register extract or a census microdata-like file gives it. Built
 * from Trafford's real Census 2021 counts: each output area's TS041 households (and TS001 usual
 * residents) expanded into that many rows, shuffled deterministically, with a few rows that have
 * no area code, something else in it, or an area Trafford does not have. Imported both ways —
 * counting rows (`--base-rows`) and adding up 0/1 columns (`--base-sum`) — the base of every area
 * must equal the published count exactly, and every row must be accounted for.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace } from '../../src/store/index.ts';
import { snapshot, tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: T, skip } = sharedData('trafford');
const tmp = tempDir('civic-base-rows-');
after(() => tmp.cleanup());
const F = (name: string) => join(tmp.dir, name);
let n = 0;
const fresh = async () => {
  const ws = F(`w${++n}.civic`);
  assert.equal((await civic('init', ws)).code, 0);
  return ws;
};

/** A published count file (OA, count) as a map, read here without the Observatory. */
const counts = (file: string, col: string) => {
  const [head, ...lines] = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const i = head.split(',').indexOf(col);
  return new Map(lines.map((l) => l.split(',')).map((c) => [c[0], Number(c[i])]));
};
let households: Map<string, number>;
let residents: Map<string, number>;
const AREAS = () => `${T}/derived/trafford_oa21_to_lsoa21.csv`;
const TS041 = () => `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`;

/** Rows in a fixed shuffled order: position i goes to (i × step) mod n, step prime to n. */
function shuffle<X>(xs: X[]): X[] {
  let step = 7919;
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  while (gcd(step, xs.length) !== 1) step += 2;
  return xs.map((_, i) => xs[(i * step) % xs.length]);
}

// Rows that belong to no area of Trafford's, and what each should be counted as.
const ODD = [
  { code: '', reason: 'no area code' },
  { code: '   ', reason: 'no area code' },
  { code: 'UNKNOWN', reason: 'not an area code of the level' },
  { code: 'E99999999', reason: 'not an area code of the level' }, // ONS's pseudo-code: "no area"
  { code: 'E01006079', reason: 'not an area code of the level' }, // an LSOA, in an output area column
  { code: 'E00999999', reason: 'area not in the workspace' },
];
let oddRows: Map<string, number[]>; // reason → row numbers in the property list

before(() => {
  if (skip) return;
  households = counts(TS041(), 'ts0410001');
  residents = counts(`${T}/derived/trafford_census2021_ts001_usual_residents_by_oa21.csv`, 'ts0010001');
  // A property list: every household's home (occupied = 1), and for every area hh mod 5 empty homes.
  const props: string[][] = [];
  for (const [oa, hh] of households) {
    for (let k = 0; k < hh; k++) props.push([oa, '1']);
    for (let k = 0; k < hh % 5; k++) props.push([oa, '0']);
  }
  const list = shuffle(props);
  // The odd rows at fixed places among the others (row numbers count the header as row 1).
  oddRows = new Map();
  ODD.forEach((o, i) => {
    const at = 1000 + i * 9000;
    list.splice(at, 0, [o.code, '1']);
  });
  list.forEach((r, i) => {
    const o = ODD.find((x) => x.code === r[0]);
    if (o) oddRows.set(o.reason, [...(oddRows.get(o.reason) ?? []), i + 2]);
  });
  writeFileSync(
    F('property_list.csv'),
    ['uprn,OA21CD,occupied', ...list.map((r, i) => `${100000000 + i},${r[0]},${r[1]}`)].join('\n') + '\n',
  );
  // The same homes with households only, no count column: each row is one household.
  writeFileSync(
    F('households.csv'),
    [
      'uprn,address_ward,OA21CD',
      ...list.filter((r) => r[1] === '1').map((r, i) => `${200000000 + i},Ward ${i % 21},${r[0]}`),
    ].join('\n') + '\n',
  );
  // A census microdata-like file: one row per usual resident, sex as one-hot columns, and the
  // household reference person marked (one per household; the rest live with them or communally).
  const people: string[] = [];
  for (const [oa, pop] of residents)
    for (let k = 0; k < pop; k++) people.push(`${oa},${k % 2},${1 - (k % 2)},${k < households.get(oa)! ? 1 : 0}`);
  writeFileSync(
    F('people.csv'),
    ['person_id,oa21cd,m,f,hrp', ...shuffle(people).map((r, i) => `P${i + 1},${r}`)].join('\n') + '\n',
  );
});

async function baseOf(ws: string) {
  const w = await openWorkspace(ws);
  try {
    return await w.engine.all<{ area_code: string; households: number | null; population: number | null }>(
      `SELECT area_code, households, population FROM area_base WHERE level = 'oa21' ORDER BY area_code`,
    );
  } finally {
    w.close();
  }
}

test("a property list with a 0/1 'occupied' column, summed per area, gives TS041's households in every output area; every row accounted for", {
  skip,
}, async () => {
  const ws = await fresh();
  const r = await civic(
    'reference',
    'import',
    ws,
    '--areas',
    AREAS(),
    '--base',
    F('property_list.csv'),
    '--base-sum',
    'households=occupied',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout).base[0];
  const total = [...households.values()].reduce((a, x) => a + x, 0);
  assert.equal(total, 96271);
  assert.equal(b.level, 'oa21');
  assert.equal(b.areas, 738);
  assert.equal(b.households, total);
  assert.equal(b.population, null);
  const rows = b.rows;
  const vacant = [...households.values()].reduce((a, x) => a + (x % 5), 0);
  assert.equal(rows.read, total + vacant + ODD.length);
  assert.equal(rows.counted, total + vacant);
  assert.equal(rows.counted + rows.leftOut.reduce((a: number, x: { rows: number }) => a + x.rows, 0), rows.read);
  assert.deepEqual(rows.measures, [{ field: 'households', from: ['occupied'], total }]);
  assert.equal(rows.checkedAgainstAreas, true);
  assert.deepEqual(
    rows.leftOut.map((x: { reason: string; rows: number; firstRows: number[] }) => [x.reason, x.rows, x.firstRows]),
    [...oddRows].map(([reason, at]) => [reason, at.length, at]),
  );
  assert.deepEqual(rows.leftOut.at(-1).codes, ['E00999999']);
  const got = await baseOf(ws);
  assert.equal(got.length, 738);
  for (const g of got) assert.equal(g.households, households.get(g.area_code), g.area_code);
});

test('a list of households with no count column, --base-rows households, gives the same base, and the summary says what was done', {
  skip,
}, async () => {
  const ws = await fresh();
  const r = await civic(
    'reference',
    'import',
    ws,
    '--areas',
    AREAS(),
    '--base',
    F('households.csv'),
    '--base-rows',
    'households',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Base from households\.csv: 738 oa21 areas, 96,271 households\n/);
  assert.match(
    r.stdout,
    /one row per household or person: summed 96,271 rows into 738 areas: 96,271 households \(each row counts 1\)/,
  );
  assert.match(r.stdout, /6 rows of 96,277 left out:/);
  assert.match(r.stdout, /2 rows with no area code \(rows \d+, \d+\)/);
  assert.match(
    r.stdout,
    /3 rows with something that is not the code of an Output area \(2021\) \(rows \d+, \d+, \d+\)/,
  );
  assert.match(r.stdout, /1 row in oa21 areas the workspace does not have \(E00999999\)/);
  assert.match(r.stdout, /taken as 2021 areas: the column is named OA21CD/);
  const got = await baseOf(ws);
  assert.equal(got.length, 738);
  for (const g of got) assert.equal(g.households, households.get(g.area_code), g.area_code);
});

test('one row per person: --base-rows population with one-hot sex columns and the household reference person gives TS001 and TS041 together', {
  skip,
}, async () => {
  const ws = await fresh();
  // With the published TS041 beside it in the same command: that file is read as counts, as before.
  const r = await civic(
    'reference',
    'import',
    ws,
    '--base',
    TS041(),
    '--base',
    F('people.csv'),
    '--base-sum',
    'population=m+f',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const [counted, people] = JSON.parse(r.stdout).base;
  assert.equal(counted.rows, null, 'TS041 lists every area once: read as counts');
  assert.equal(counted.households, 96271);
  assert.equal(people.population, 235016);
  assert.deepEqual(people.rows.measures, [{ field: 'population', from: ['m', 'f'], total: 235016 }]);
  assert.deepEqual(people.rows.leftOut, []);
  assert.equal(people.rows.checkedAgainstAreas, true, "checked against the areas of TS041's base");
  for (const g of await baseOf(ws)) {
    assert.equal(g.population, residents.get(g.area_code), g.area_code);
    assert.equal(g.households, households.get(g.area_code), g.area_code);
  }
  // Both from the person file alone: each row a person, households where hrp is 1.
  const ws2 = await fresh();
  const r2 = await civic(
    'reference',
    'import',
    ws2,
    '--base',
    F('people.csv'),
    '--base-rows',
    'population',
    '--base-sum',
    'households=hrp',
  );
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(
    r2.stdout,
    /summed 235,016 rows into 738 areas: 235,016 people \(each row counts 1\), 96,271 households \(the rows with 1 in "hrp"\)/,
  );
  assert.match(r2.stdout, /not checked against the borough's oa21 areas: the workspace has no list of them yet/);
  for (const g of await baseOf(ws2)) {
    assert.equal(g.population, residents.get(g.area_code), g.area_code);
    assert.equal(g.households, households.get(g.area_code), g.area_code);
  }
});

/** A refused import: exit 2, nothing written, and the message matched. */
async function refused(args: string[], message: RegExp): Promise<string> {
  const ws = await fresh();
  const w = await openWorkspace(ws);
  const before = await snapshot(w.engine);
  w.close();
  const r = await civic('reference', 'import', ws, ...args);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, message);
  const w2 = await openWorkspace(ws);
  assert.deepEqual(await snapshot(w2.engine), before, 'the workspace changed');
  w2.close();
  return r.stderr;
}

test('a Trafford property list given with no instruction is refused, naming both fixes', { skip }, async () => {
  const err = await refused(
    ['--base', F('households.csv')],
    /The base file lists 738 areas more than once, e\.g\. E00\d+ on rows \d+, \d+, \d+ and [\d,]+ more: each area would be counted more than once/,
  );
  assert.match(err, /file households\.csv, row \d+, column "OA21CD"/);
  assert.match(err, /keep one row per area/);
  assert.match(err, /--base-rows households \(or population\) counts the rows in each area/);
  assert.match(err, /--base-sum households=COLUMN \(or population=COLUMN\) adds up a column of 1s and 0s/);
});

test('a value other than 0 or 1 deep in the Trafford property list names the file, row, column and what to do', {
  skip,
}, async () => {
  const lines = readFileSync(F('property_list.csv'), 'utf8').split('\n');
  lines[50_000] = lines[50_000].replace(/,[01]$/, ',2'); // row 50,001
  lines[60_000] = lines[60_000].replace(/,[01]$/, ',yes');
  writeFileSync(F('property_list_bad.csv'), lines.join('\n'));
  const err = await refused(
    ['--base', F('property_list_bad.csv'), '--base-sum', 'households=occupied'],
    /lists 738 areas more than once, .*so each row was read as one household or person, but column "occupied" has "2" on row 50001, not 0 or 1 \(2 rows have something other than 0 or 1\)/,
  );
  assert.match(err, /file property_list_bad\.csv, row 50001, column "occupied"/);
  assert.match(err, /must hold 1 \(the row counts\) or 0 \(it does not\) on every row/);
  assert.match(err, /If the file gives counts per area instead, keep one row per area/);
});

const small = (name: string, text: string) => {
  const p = F(name);
  writeFileSync(p, text);
  return p;
};

test('0/1 columns: blanks, a person counted twice, and --base-rows where it does not fit are refused with the fix', async () => {
  const blank = small('blank.csv', 'area_code,resident\nE00000001,1\nE00000001,\nE00000002,1\n');
  await refused(
    ['--base', blank, '--base-rows', 'households', '--base-sum', 'population=resident'],
    /With --base-rows each row is one household or person, but column "resident" is empty on row 3, not 0 or 1\. \(file blank\.csv, row 3, column "resident"\)/,
  );
  const both = small('both.csv', 'area_code,m,f\nE00000001,1,0\nE00000001,0,1\nE00000002,1,1\n');
  await refused(
    ['--base', both, '--base-sum', 'population=m+f'],
    /Row 4 of the base file has 1 in more than one of "m", "f": a person would be counted more than once/,
  );
  // A file of counts, one row per area: counting its rows would give one household per area.
  const countsFile = small('counts.csv', 'area_code,households\nE00000001,120\nE00000002,200\n');
  await refused(
    ['--base', countsFile, '--base-rows', 'households'],
    /--base-rows households counts the rows of a base file with one row per household, but no --base file in this command lists an area more than once[\s\S]*leave out --base-rows/,
  );
  await refused(
    ['--base', both, '--base-rows', 'population', '--base-sum', 'population=m+f'],
    /--base-rows population and --base-sum population=m\+f both say how to count population/,
  );
  await refused(
    ['--base', both, '--base-sum', 'population=men'],
    /counted more than once \(--base-sum names "men", not a column of it\)[\s\S]*\(columns: m, f\)/,
  );
  await refused(
    ['--base', both, '--base-sum', 'population=m+men'],
    /--base-sum population= names "men", not columns of the base file/,
  );
  await refused(
    ['--base', both, '--base-rows', 'people'],
    /--base-rows.*people.*Allowed choices are households, population/,
  );
});

test('a small register: rows with no or odd codes are counted with their reasons; a count file with a repeated area still says so', async () => {
  const ws = await fresh();
  const reg = small(
    'register.csv',
    'id,area_code,household,person\n1,E00000001,1,1\n2,e00000001 ,1,0\n3,E00000002,0,1\n4,,1,1\n5,n/a,1,1\n6,E00000002,1,1\n',
  );
  const r = await civic(
    'reference',
    'import',
    ws,
    '--base',
    reg,
    '--base-sum',
    'households=household',
    '--base-sum',
    'population=person',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout).base[0];
  assert.equal(b.areas, 2);
  assert.equal(b.households, 3, 'E00000001: 2 (codes trimmed and upper-cased), E00000002: 1');
  assert.equal(b.population, 3);
  assert.deepEqual(b.rows.leftOut, [
    { reason: 'no area code', rows: 1, firstRows: [5] },
    { reason: 'not an area code of the level', rows: 1, firstRows: [6] },
  ]);
  assert.equal(b.rows.checkedAgainstAreas, false);
  assert.deepEqual(
    (await baseOf(ws)).map((x) => [x.area_code, x.households, x.population]),
    [
      ['E00000001', 2, 1],
      ['E00000002', 1, 2],
    ],
  );
  // The duplicate refusal as before for a file of counts with an area listed twice.
  const err = await refused(
    [
      '--base',
      small('dup.csv', 'area_code,households,population\nE00000001,120,260\nE00000002,200,450\nE00000001,120,260\n'),
    ],
    /more than once.*E00000001 on rows 2, 4/,
  );
  assert.match(err, /row 2, column "area_code"/);
});

test('reference import --help shows --base-rows and an example with a council’s own records', async () => {
  const r = await civic('reference', 'import', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--base-rows <measure>/);
  assert.match(r.stdout, /--base property_list\.csv --base-rows households/);
  assert.match(r.stdout, /--base-sum households=household --base-sum population=person/);
});
