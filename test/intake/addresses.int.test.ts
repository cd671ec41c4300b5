/**
 * Property references at intake (issue 13, points 1–2): `--address-columns` and `--uprn-column`
 * give every record its own valid UPRN, the gazetteer's UPRN its address matches, or a key derived
 * from postcode and flat and building number; every record is accounted for, with the reason when
 * it has none; the keys are the same across datasets, re-imports and both readers; the address
 * itself is pseudonymised; and the choices are kept in a saved mapping. Worked by hand below.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { getMapping, importDataset } from '../../src/intake/index.ts';
import { importAddressLookups, loadAddressLookups } from '../../src/geo/index.ts';
import { importGazetteer } from '../../src/linkage/index.ts';
import { InputError } from '../../src/core/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';

const tmp = tempDir('civic-addresses-');
let ws: Workspace;
const file = (name: string, text: string) => {
  writeFileSync(join(tmp.dir, name), text);
  return join(tmp.dir, name);
};

const GAZETTEER = `UPRN,ADDRESS,POSTCODE,LAT,LON
2001,"FLAT 2, 12 HIGH ROAD, MANCHESTER",M15 4AB,53.4655,-2.2604
2002,"12 HIGH ROAD, MANCHESTER",M15 4AB,53.4655,-2.2604
2003,"FLAT 1, 12 HIGH ROAD, MANCHESTER",M15 4AB,53.4655,-2.2604
2004,"20 HIGH ROAD, MANCHESTER",M15 4AB,53.4656,-2.2605
`;

// Row 2: the gazetteer's FLAT 2 (RD is ROAD by the lookups); row 3: its own UPRN; rows 4 and 5 the
// same cottage written twice (no gazetteer entry: a derived key); row 6 nothing at all; row 7 no
// number or name; row 8 an invalid UPRN and an address not in the gazetteer (derived).
const SERVICE = `Ref,Address 1,Address 2,Town,Postcode,UPRN
A1,"Flat 2, 12 High Rd",,Manchester,M15 4AB,
A2,12 High Road,,Manchester,M15 4AB,2002
A3,Rose Cottage,Old Lane,Manchester,M15 4AD,
A4,ROSE COTTAGE,old lane,,m15 4ad,
A5,,,,M1 1AE,
A6,High Road,,Manchester,M15 4AB,
A7,14 High Road,,Manchester,M15 4AB,abc
`;

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const lookups = join(tmp.dir, 'lookups');
  mkdirSync(lookups);
  writeFileSync(join(lookups, 'ons_synonyms.csv'), 'from,to\nRD,ROAD\n');
  writeFileSync(join(lookups, 'ukam_address_abbreviations.json'), '[]');
  await importAddressLookups(ws.engine, lookups);
  await importGazetteer(ws.engine, await loadAddressLookups(ws.engine), { file: file('llpg.csv', GAZETTEER) });
});
after(async () => {
  await ws.close();
  tmp.cleanup();
});

const ADDRESS = ['Address 1', 'Address 2', 'Town'];

async function keys(
  table: string,
): Promise<{ _row: number; _property: string | null; _property_kind: string | null; _property_note: string | null }[]> {
  return ws.engine.all(`SELECT _row, _property, _property_kind, _property_note FROM ${table} ORDER BY _row`);
}

test('every record gets its UPRN, the matched UPRN or a derived key, or is counted with the reason it has none', async () => {
  const r = await importDataset(ws.engine, 'council_tax', file('ctax.csv', SERVICE), {
    addressColumns: ADDRESS,
    uprnColumn: 'UPRN',
    key: TEST_KEY,
    saveMapping: 'ctax_monthly',
  });
  const a = r.addressing!;
  assert.deepEqual(
    { records: a.records, uprn: a.uprn, matchedUprn: a.matchedUprn, derived: a.derived, none: a.none },
    { records: 7, uprn: 1, matchedUprn: 1, derived: 3, none: 2 },
  );
  assert.equal(a.records, r.read);
  assert.deepEqual(a.reasons, [
    { reason: 'no address and no valid UPRN', rows: 1 },
    { reason: 'the address names no flat, number or building, and there is no valid UPRN', rows: 1 },
  ]);
  assert.deepEqual(a.gazetteer, { file: 'llpg.csv', addresses: 4, matched: 1, ambiguous: 0, noMatch: 4 });
  assert.equal(a.lookups, true);

  const k = await keys('ds_council_tax');
  assert.deepEqual(
    k.map((x) => [x._row, x._property_kind]),
    [
      [2, 'matched_uprn'],
      [3, 'uprn'],
      [4, 'derived'],
      [5, 'derived'],
      [6, null],
      [7, null],
      [8, 'derived'],
    ],
  );
  assert.equal(k[0]._property, '2001');
  assert.equal(k[1]._property, '2002');
  // The same cottage, written in other capitals and without its town, is one property.
  assert.equal(k[2]._property, k[3]._property);
  assert.match(k[2]._property!, /^PK[0-9A-F]{16}$/);
  assert.notEqual(k[6]._property, k[2]._property);
  assert.equal(k[4]._property_note, 'no address and no valid UPRN');

  // The address is personal: stored as keyed hashes, never as written.
  const stored = await ws.engine.all<Record<string, string | null>>(`SELECT "Address 1" AS a FROM ds_council_tax`);
  assert.ok(stored.every((s) => s.a === null || !/high|rose/i.test(s.a)));
  assert.ok(r.pseudonymised.includes('Address 1'));

  // The saved mapping keeps the choices, so next month's file gets its keys the same way.
  const m = await getMapping(ws.engine, 'ctax_monthly', undefined);
  assert.deepEqual(m.addressColumns, ADDRESS);
  assert.equal(m.uprnColumn, 'UPRN');
});

test('the same dwelling gets the same key in another dataset, on a re-import and through either reader', async () => {
  const before = await keys('ds_council_tax');
  // Read by DuckDB directly (the fast path for big clean CSV files) instead of row by row.
  await importDataset(ws.engine, 'council_tax', join(tmp.dir, 'ctax.csv'), {
    mapping: 'ctax_monthly',
    key: TEST_KEY,
    replace: true,
    fastCsvMinBytes: 0,
  });
  assert.deepEqual(await keys('ds_council_tax'), before);

  const other = `Name,Line 1,Post code
X,"rose cottage, old lane",M15 4AD
Y,"flat 2 12 high road manchester",M15 4AB
`;
  const r = await importDataset(ws.engine, 'benefits', file('hb.csv', other), {
    addressColumns: ['Line 1'],
    key: TEST_KEY,
  });
  assert.equal(r.addressing!.uprnColumn, null);
  const k = await keys('ds_benefits');
  assert.equal(k[0]._property, before[2]._property);
  assert.equal(k[1]._property, '2001');
});

test('a UPRN column alone is enough; a missing column is named with the file', async () => {
  const r = await importDataset(ws.engine, 'uprn_only', join(tmp.dir, 'ctax.csv'), {
    uprnColumn: 'UPRN',
    key: TEST_KEY,
  });
  assert.deepEqual([r.addressing!.uprn, r.addressing!.none], [1, 6]);
  await assert.rejects(
    importDataset(ws.engine, 'bad', join(tmp.dir, 'ctax.csv'), { addressColumns: ['Address 9'], key: TEST_KEY }),
    (e: unknown) =>
      e instanceof InputError &&
      /--address-columns names a column "Address 9"/.test(e.message) &&
      /Address 1/.test(e.fix ?? ''),
  );
  assert.equal(await ws.engine.one(`SELECT name FROM dataset WHERE name = 'bad'`), undefined);
});

test('the command line reports the property references in words and in the JSON envelope', async () => {
  const wsFile = join(tmp.dir, 'small.civic');
  await ws.close();
  const keyFile = join(tmp.dir, 'k.key');
  writeFileSync(keyFile, 'ab'.repeat(32) + '\n', { mode: 0o600 });
  try {
    const t = await civic(
      'dataset',
      'import',
      wsFile,
      'ctax_cli',
      join(tmp.dir, 'ctax.csv'),
      '--address-columns',
      'Address 1,Address 2,Town',
      '--uprn-column',
      'UPRN',
      '--key-file',
      keyFile,
    );
    assert.equal(t.code, 0, t.stderr);
    assert.match(
      t.stdout,
      /property references \(households\) from addresses in "Address 1", "Address 2", "Town" and UPRNs in "UPRN":/,
    );
    assert.match(t.stdout, /7 = own UPRN 1 \+ matched to the gazetteer 1 \+ derived from the address 3 \+ none 2/);
    assert.match(t.stdout, /no property reference: 1 × no address and no valid UPRN/);
    const j = await civic(
      'dataset',
      'import',
      wsFile,
      'ctax_cli',
      join(tmp.dir, 'ctax.csv'),
      '--address-columns',
      'Address 1,Address 2,Town',
      '--key-file',
      keyFile,
      '--replace',
      '--format',
      'json',
    );
    assert.equal(j.code, 0, j.stderr);
    const env = JSON.parse(j.stdout);
    assert.equal(env.dataset, 'ctax_cli');
    assert.deepEqual([env.addressing.uprn, env.addressing.matchedUprn, env.addressing.derived], [0, 2, 3]);
  } finally {
    const { openWorkspace } = await import('../../src/store/index.ts');
    ws = await openWorkspace(wsFile);
  }
});

test('households: --distinct household counts the records at one property reference in profiles, SDF and targeting', async () => {
  const { profileDataset, serviceDeliveryFramework, ProfileResultSchema, SdfResultSchema } = await import(
    '../../src/profiling/index.ts'
  );
  const { targetAreas, TargetResultSchema } = await import('../../src/targeting/index.ts');
  // council_tax (rows 2–8): E00000001 (type A1) holds UPRNs 2001 and 2002, the cottage written twice
  // (one household), row 7 with no reference (a household of its own) and row 8's derived key: 5
  // households from 6 records. E00000002 (A2) holds row 6 alone: 1 household.
  const records = await profileDataset(ws.engine, { dataset: 'council_tax', classification: 'small', tier: 'type' });
  const households = ProfileResultSchema.parse(
    await profileDataset(ws.engine, {
      dataset: 'council_tax',
      classification: 'small',
      tier: 'type',
      distinct: 'household',
    }),
  );
  const counts = (p: typeof records) => Object.fromEntries(p.rows.map((r) => [r.code, r.count]));
  assert.deepEqual(counts(records), { A1: 6, A2: 1, B1: 0 });
  assert.deepEqual(counts(households), { A1: 5, A2: 1, B1: 0 });
  assert.equal(households.countOf, 'household');
  assert.equal(households.total.count, 6);

  const sdf = SdfResultSchema.parse(
    await serviceDeliveryFramework(ws.engine, {
      datasets: ['council_tax'],
      classification: 'small',
      tier: 'type',
      distinct: 'household',
    }),
  );
  assert.equal(sdf.services[0].countOf, 'household');
  assert.deepEqual(
    sdf.services[0].cells.map((c) => c.count),
    [5, 1, 0],
  );

  const t = TargetResultSchema.parse(
    await targetAreas(ws.engine, {
      dataset: 'council_tax',
      classification: 'small',
      tier: 'type',
      segments: 'all',
      areas: 'oa21',
      distinct: 'household',
    }),
  );
  assert.equal(t.countOf, 'household');
  const users = Object.fromEntries(t.areas.map((a) => [a.code, a.users]));
  assert.equal(users.E00000001, 5);

  // A dataset imported without addresses has no households to count, and says how to get them.
  await importDataset(ws.engine, 'plain', join(tmp.dir, 'hb.csv'), { key: TEST_KEY, replace: true });
  await assert.rejects(
    profileDataset(ws.engine, { dataset: 'plain', classification: 'small', distinct: 'household' }),
    /plain was imported without addresses, so its households are not known/,
  );
});

test('overlap links by property reference without --link-by when every dataset has them, and says so', async () => {
  const { overlapAnalysis } = await import('../../src/profiling/index.ts');
  // council_tax in segment A: 6 households (5 in E00000001, 1 in E00000002). benefits' two records
  // are the cottage and UPRN 2001, both council_tax households: 2 use benefits, 4 use none.
  const r = await overlapAnalysis(ws.engine, {
    segment: 'A',
    classification: 'small',
    datasets: ['benefits'],
    population: 'council_tax',
  });
  assert.equal(r.level, 'household');
  assert.match(r.method, /^Household level, by property/);
  assert.equal(r.total, 6);
  assert.equal(r.none.count, 4);
  assert.equal(r.services[0].users, 2);
  assert.equal(r.services[0].linkColumn, 'property reference');
  assert.equal(r.unlinkable, 2);
  // The same when asked for by name; refused, with the fix, for a dataset without addresses.
  const asked = await overlapAnalysis(ws.engine, {
    segment: 'A',
    classification: 'small',
    datasets: ['benefits'],
    population: 'council_tax',
    linkBy: ['household'],
  });
  assert.equal(asked.none.count, 4);
  await assert.rejects(
    overlapAnalysis(ws.engine, {
      segment: 'A',
      classification: 'small',
      datasets: ['plain'],
      population: 'council_tax',
      linkBy: ['household'],
    }),
    /plain was imported without addresses/,
  );
});

test('the match-rate report counts each dataset’s records by kind of reference and by the other datasets they reach', async () => {
  const { matchRates, MatchRateResultSchema } = await import('../../src/linkage/index.ts');
  const { matchRatesToCsv } = await import('../../src/outputs/index.ts');
  const r = MatchRateResultSchema.parse(await matchRates(ws.engine, ['council_tax', 'benefits', 'plain']));
  const ct = r.datasets[0];
  assert.deepEqual(
    [ct.records, ct.uprn!.count, ct.matchedUprn!.count, ct.derived!.count, ct.none!.count, ct.households],
    [7, 1, 1, 3, 2, 4],
  );
  // The cottage's two records share a household.
  assert.equal(ct.sharedHousehold!.count, 2);
  // council_tax reaches benefits by the cottage (2 records) and UPRN 2001 (1); benefits' 2 records both reach council_tax.
  assert.deepEqual(
    ct.linked.find((l) => l.dataset === 'benefits'),
    { dataset: 'benefits', count: 3, pct: (3 / 7) * 100 },
  );
  assert.equal(r.datasets[1].linked.find((l) => l.dataset === 'council_tax')!.count, 2);
  // council_tax's 4 households and benefits' 2 add up to 6; both of benefits' are council_tax's: 4 distinct.
  assert.deepEqual(r.union, { datasets: ['council_tax', 'benefits'], sumOfDatasets: 6, distinct: 4 });
  assert.equal(r.datasets[2].addressed, false);
  assert.equal(r.datasets[2].uprn, null);
  assert.match(r.notes[0], /^plain was imported without addresses/);
  const csv = matchRatesToCsv(r).split('\n');
  assert.match(
    csv[0],
    /^dataset,records,not_placed,own_uprn,matched_uprn,derived_key,no_reference,households,sharing_a_household,linked_to_/,
  );
});
