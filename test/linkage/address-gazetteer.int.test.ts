/**
 * The gazetteer and the address lookups through the command line, as a council imports them
 * (`civic reference import W --address-lookups DIR --addresses FILE`), and `civic address match`
 * on a small hand-made file: each matching step, ambiguity, no match, a blank address, the property
 * keys, and the errors that name the file, row and column.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { createWorkspace, withWorkspace } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import {
  AddressMatchResultSchema,
  importGazetteer,
  NO_LOOKUPS,
  type AddressMatchRecord,
  type AddressMatchResult,
} from '../../src/linkage/index.ts';

const tmp = tempDir('civic-gazetteer-');
const WS = join(tmp.dir, 'g.civic');
const LOOKUPS = join(tmp.dir, 'lookups');
const f = (name: string, text: string) => {
  writeFileSync(join(tmp.dir, name), text);
  return join(tmp.dir, name);
};

// An LLPG-style extract: secondary and primary addressable objects, street, locality, town, BNG coordinates.
const LLPG = `UPRN,SAO_TEXT,PAO_START_NUMBER,PAO_START_SUFFIX,PAO_END_NUMBER,PAO_TEXT,STREET_DESCRIPTION,LOCALITY,TOWN_NAME,POSTCODE_LOCATOR,X_COORDINATE,Y_COORDINATE
1001,,12,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AA,428000,435000
1002,,14,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AA,428010,435000
1003,FLAT A,16,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AA,428020,435000
1004,FLAT B,16,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AA,428020,435000
1005,,18,,20,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428030,435000
1006,,,,,ROSE COTTAGE,MOOR LANE,ADEL,LEEDS,LS16 8AA,427000,439000
1007,,,,,IVY HOUSE,MOOR LANE,ADEL,LEEDS,LS16 8AA,427010,439000
1008,,22,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428040,435000
1008,,22,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428040,435000
abc,,24,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428050,435000
1010,,,,,,,,,,,
1011,,30,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428060,435000
1012,,30,,,,HIGH ROAD,HEADINGLEY,LEEDS,LS6 2AB,428060,435000
`;

before(async () => {
  mkdirSync(LOOKUPS);
  writeFileSync(join(LOOKUPS, 'ons_synonyms.csv'), 'from,to\nRD,ROAD\nLN,LANE\n');
  writeFileSync(
    join(LOOKUPS, 'ukam_address_abbreviations.json'),
    JSON.stringify([
      { token: 'APT', replacement: 'FLAT' },
      { token: 'COTT', replacement: 'COTTAGE' },
    ]),
  );
  const init = await civic('init', WS);
  assert.equal(init.code, 0, init.stderr);
});
after(() => tmp.cleanup());

test('the gazetteer: LLPG fields found by name, every row accounted for, BNG coordinates made WGS84', async () => {
  // The gazetteer first, without lookups: it is standardised again when the lookups come.
  const r = await civic('reference', 'import', WS, '--addresses', f('llpg.csv', LLPG), '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout).addresses;
  assert.equal(g.read, 13);
  assert.equal(g.imported, 10);
  assert.equal(g.rejected, 3);
  assert.equal(g.imported + g.rejected, g.read);
  assert.deepEqual(g.rejectedByReason, {
    'UPRN repeated (the first row kept)': 1,
    'UPRN not 1 to 12 digits': 1,
    'no address': 1,
  });
  assert.deepEqual(
    g.rejectedExamples.map((e: { row: number }) => e.row),
    [10, 11, 12],
  );
  assert.equal(g.columns.uprn, 'UPRN');
  assert.equal(g.columns.postcode, 'POSTCODE_LOCATOR');
  assert.deepEqual(g.columns.address, [
    'SAO_TEXT',
    'PAO_TEXT',
    'PAO_START_NUMBER',
    'PAO_START_SUFFIX',
    'PAO_END_NUMBER',
    'STREET_DESCRIPTION',
    'LOCALITY',
    'TOWN_NAME',
  ]);
  assert.equal(g.withLookups, false);
  const stored = await withWorkspace(WS, (ws) =>
    ws.engine.one<{ lat: number; lon: number; street: string; number: string; postcode: string; key: string }>(
      `SELECT lat, lon, street, building_number AS number, postcode, property_key AS key FROM address_gazetteer WHERE uprn = '1005'`,
    ),
  );
  // Easting 428030, northing 435000 is in Headingley, Leeds.
  assert.ok(Math.abs(stored!.lat - 53.81) < 0.02 && Math.abs(stored!.lon + 1.58) < 0.02, JSON.stringify(stored));
  assert.equal(stored!.street, 'HIGH ROAD');
  assert.equal(stored!.number, '18-20');
  assert.equal(stored!.postcode, 'LS6 2AB');
  assert.match(stored!.key, /^PK/);
  // Lookups after: reported, and the next match standardises the gazetteer with them.
  const l = await civic('reference', 'import', WS, '--address-lookups', LOOKUPS, '--format', 'json');
  assert.equal(l.code, 0, l.stderr);
  assert.deepEqual(JSON.parse(l.stdout).addressLookups, {
    folder: 'lookups',
    synonyms: 2,
    abbreviations: 2,
    counties: 0,
  });
});

test('gazetteer errors name the file, the row and the column, and say what to do', async () => {
  const noUprn = await civic(
    'reference',
    'import',
    WS,
    '--addresses',
    f('nouprn.csv', 'ID,ADDRESS\n1,12 HIGH ROAD LS6 2AA\n'),
    '--format',
    'json',
  );
  assert.equal(noUprn.code, 2);
  const e = JSON.parse(noUprn.stdout).error;
  assert.equal(e.file, 'nouprn.csv');
  assert.equal(e.row, 1);
  assert.match(e.fix, /--address-map COLUMN=uprn/);
  const mapped = await civic(
    'reference',
    'import',
    WS,
    '--addresses',
    join(tmp.dir, 'nouprn.csv'),
    '--address-map',
    'Property=uprn',
    '--format',
    'json',
  );
  assert.equal(mapped.code, 2);
  assert.equal(JSON.parse(mapped.stdout).error.column, 'Property');
  const badMap = await civic(
    'reference',
    'import',
    WS,
    '--addresses',
    join(tmp.dir, 'nouprn.csv'),
    '--address-map',
    'ID',
    '--format',
    'json',
  );
  assert.equal(badMap.code, 2);
  // The refused imports left the gazetteer as it was.
  const still = await civic(
    'address',
    'match',
    WS,
    f('one.csv', 'a\n12 High Road LS6 2AA\n'),
    '--address-columns',
    'a',
    '--format',
    'json',
  );
  assert.equal(JSON.parse(still.stdout).gazetteer.addresses, 10);
});

let result: AddressMatchResult;

test('address match: exact, in the postcode, on the street with a wrong postcode, ambiguous, no match, blank', async () => {
  const messy = f(
    'messy.csv',
    [
      'Ref,Address 1,Address 2,Postcode,UPRN',
      'a,12 High Rd,Headingley Leeds,LS6 2AA,', // exact once standardised (RD → ROAD)
      'b,Flat A 16 High Road,Leeds,ls6 2aa,', // in the postcode: FLAT A 16, not FLAT B
      'c,16A High Road,Leeds,LS6 2AA,', // 16A is FLAT A at 16
      'd,20 High Road,Leeds,LS6 2AZ,', // wrong postcode: on the street, 18-20 in LS6 2AB
      'e,Rose Cott,Moor Ln Adel,LS16 8AA,', // a named house, abbreviations from the lookups
      'f,16 High Road,Leeds,LS6 2AA,', // flat A or flat B: ambiguous
      'g,99 Nowhere Street,Leeds,LS6 2AA,', // no such house
      'h,,,,', // blank
      'i,12 High Road,Leeds,LS6 2AA,100023336956', // its own UPRN is its property reference
    ].join('\n') + '\n',
  );
  const r = await civic(
    'address',
    'match',
    WS,
    messy,
    '--address-columns',
    'Address 1,Address 2',
    '--postcode-column',
    'Postcode',
    '--uprn-column',
    'UPRN',
    '--id-column',
    'Ref',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  result = AddressMatchResultSchema.parse(JSON.parse(r.stdout));
  const by: Record<string, AddressMatchRecord> = Object.fromEntries(result.records.map((x) => [x.id ?? '', x]));
  assert.deepEqual([by.a.status, by.a.uprn, by.a.step], ['matched', '1001', 'exact']);
  assert.deepEqual([by.b.status, by.b.uprn, by.b.step], ['matched', '1003', 'postcode']);
  assert.deepEqual([by.c.status, by.c.uprn], ['matched', '1003']);
  assert.deepEqual([by.d.status, by.d.uprn, by.d.step], ['matched', '1005', 'street']);
  assert.deepEqual([by.e.status, by.e.uprn], ['matched', '1006']);
  assert.equal(by.f.status, 'ambiguous');
  assert.deepEqual(
    by.f.candidates
      .slice(0, 2)
      .map((c) => c.uprn)
      .sort(),
    ['1003', '1004'],
  );
  assert.equal(by.g.status, 'no_match');
  assert.equal(by.g.uprn, null);
  assert.equal(by.h.status, 'unparsed');
  assert.deepEqual(by.h.problems, ['blank']);
  // Property references: own UPRN, matched UPRN, derived key.
  assert.deepEqual([by.i.propertyKey, by.i.propertyKeyKind], ['100023336956', 'uprn']);
  assert.deepEqual([by.a.propertyKey, by.a.propertyKeyKind], ['1001', 'matched_uprn']);
  assert.equal(by.g.propertyKeyKind, 'derived');
  assert.match(by.g.propertyKey!, /^PK/);
  // The counts add up.
  const c = result.counts;
  assert.equal(c.read, 9);
  assert.equal(c.matched + c.ambiguous + c.noMatch + c.blank, 9);
  assert.deepEqual(c.byStep, { exact: 1, postcode: 4, street: 1 });
  assert.deepEqual(c.propertyKeys, { uprn: 1, matchedUprn: 5, derived: 2, none: 1 });
  assert.equal(c.problems.blank, 1);
});

test('address match as CSV, and its --help', async () => {
  const out = join(tmp.dir, 'out.csv');
  const r = await civic(
    'address',
    'match',
    WS,
    join(tmp.dir, 'messy.csv'),
    '--address-columns',
    'Address 1,Address 2',
    '--postcode-column',
    'Postcode',
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /9 addresses: 6 matched \(1 exactly, 4 in their postcode, 1 on their street\), 1 ambiguous, 1 no match, 1 blank/,
  );
  const help = await civic('address', 'match', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--address-columns/);
  assert.match(help.stdout, /--postcode-column/);
});

test('a gazetteer of address lines and a town column: all of them make the address, easting and northing the place', async () => {
  const file = f(
    'lines.csv',
    'UPRN,Address 1,Address 2,Town,Postcode,Easting,Northing\n5,Flat 2,12 High St,Leeds,LS1 4AB,430000,433000\n',
  );
  const ws = await createWorkspace(join(tmp.dir, 'lines.civic'));
  try {
    const g = await importGazetteer(ws.engine, NO_LOOKUPS, { file });
    assert.deepEqual(g.columns, {
      uprn: 'UPRN',
      address: ['Address 1', 'Address 2', 'Town'],
      postcode: 'Postcode',
      coordinates: ['Easting', 'Northing'],
    });
    const row = await ws.engine.one<{ sub: string; num: string; town: string; lat: number }>(
      `SELECT sub_building AS sub, building_number AS num, town, lat FROM address_gazetteer`,
    );
    assert.deepEqual([row!.sub, row!.num, row!.town], ['FLAT 2', '12', 'LEEDS']);
    assert.ok(Math.abs(row!.lat - 53.79) < 0.01);
  } finally {
    ws.close();
  }
});
