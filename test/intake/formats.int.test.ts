import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset } from '../../src/intake/index.ts';
import { profileDataset, checkFilterMatches } from '../../src/profiling/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir();
let ws: Workspace;
before(async () => {
  ws = await smallWorkspace(tmp.dir);
});
after(() => {
  ws.close();
  tmp.cleanup();
});

const RECORDS = [
  { ref: 'A1', postcode: 'M15 4AB', method: 'Direct Debit', amount: 12.5 },
  { ref: 'A2', postcode: 'M1 1AE', method: 'Cash', amount: 3 },
  { ref: 'A3', postcode: 'sw1a2aa', method: 'direct debit', amount: null },
  { ref: 'A4', postcode: 'XX', method: 'Cash', amount: 1 },
];

test('a JSON array of records imports', async () => {
  const f = join(tmp.dir, 'r.json');
  writeFileSync(f, JSON.stringify(RECORDS));
  const r = await importDataset(ws.engine, 'json_records', f, { key: TEST_KEY });
  assert.equal(r.format, 'json');
  assert.deepEqual([r.read, r.matched, r.unmatched, r.rejected], [4, 3, 0, 1]);
});

test('newline-delimited JSON imports with record numbers', async () => {
  const f = join(tmp.dir, 'r.ndjson');
  writeFileSync(f, RECORDS.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const r = await importDataset(ws.engine, 'ndjson_records', f, { key: TEST_KEY });
  assert.deepEqual([r.read, r.matched, r.rejected], [4, 3, 1]);
});

test('a Parquet file imports', async () => {
  const csv = join(tmp.dir, 'r.csv');
  writeFileSync(
    csv,
    'ref,postcode,method\n' + RECORDS.map((x) => `${x.ref},${x.postcode},${x.method}`).join('\n') + '\n',
  );
  const pq = join(tmp.dir, 'r.parquet');
  await ws.engine.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${pq}' (FORMAT parquet)`);
  const r = await importDataset(ws.engine, 'parquet_records', pq, { key: TEST_KEY });
  assert.equal(r.format, 'parquet');
  assert.deepEqual([r.read, r.matched, r.rejected], [4, 3, 1]);
});

test('--where profiles only the records with a value (case and spaces ignored)', async () => {
  const all = await profileDataset(ws.engine, { dataset: 'json_records', tier: 'type' });
  assert.equal(all.total.count, 3);
  const dd = await profileDataset(ws.engine, {
    dataset: 'json_records',
    tier: 'type',
    where: { column: 'method', values: ['Direct Debit'] },
  });
  assert.equal(dd.filter, 'method = Direct Debit');
  assert.equal(dd.total.count, 2);
  assert.deepEqual(
    dd.rows.map((r) => [r.code, r.count]),
    [
      ['A1', 1],
      ['A2', 0],
      ['B1', 1],
    ],
  );
  const cash = await profileDataset(ws.engine, {
    dataset: 'json_records',
    tier: 'type',
    where: { column: 'METHOD', values: ['cash'] },
  });
  assert.equal(cash.total.count, 1);
  assert.equal(cash.notPlaced!.rejected, 1);
  await assert.rejects(
    profileDataset(ws.engine, { dataset: 'json_records', where: { column: 'nope', values: ['x'] } }),
    /no column "nope"/,
  );
});

test('population as the base, and by-area profiles sum to the same total', async () => {
  const pop = await profileDataset(ws.engine, { dataset: 'json_records', tier: 'group', base: 'population' });
  assert.equal(pop.total.base, 860);
  const byOa = await profileDataset(ws.engine, { dataset: 'json_records', byArea: 'oa' });
  assert.equal(byOa.level, 'oa21');
  assert.equal(byOa.total.count, 3);
  assert.equal(byOa.total.base, 400);
  await assert.rejects(profileDataset(ws.engine, { dataset: 'json_records', byArea: 'parish' }), /Unknown area level/);
  await assert.rejects(profileDataset(ws.engine, { dataset: 'json_records', tier: 'nope' }), /no tier "nope"/);
  await assert.rejects(profileDataset(ws.engine, { dataset: 'missing' }), /no dataset called "missing"/);
});

test('base areas no postcode reaches are left out of the base and reported', async () => {
  // A second authority's OA in the base file, with no postcodes in this workspace.
  await ws.engine.run(`INSERT INTO area_base VALUES ('E00999999', 'oa21', 5000, 11000, 'test')`);
  try {
    const p = await profileDataset(ws.engine, { dataset: 'json_records', tier: 'group' });
    assert.equal(p.total.base, 400);
    assert.deepEqual(p.baseExcluded, { areas: 1, base: 5000 });
  } finally {
    await ws.engine.run(`DELETE FROM area_base WHERE area_code = 'E00999999'`);
  }
});

test('a classification whose areas no postcode reaches is refused with what to import', async () => {
  await ws.engine.run(
    `INSERT INTO classification VALUES ('dep', 'Deprivation', 'lsoa11', '["decile"]', 'deprivation', 'x', '2099')`,
  );
  try {
    await assert.rejects(
      profileDataset(ws.engine, { dataset: 'json_records', classification: 'dep' }),
      /None of the postcodes has an LSOA \(2011\) code/,
    );
  } finally {
    await ws.engine.run(`DELETE FROM classification WHERE name = 'dep'`);
  }
});

test('a tiny pipe-delimited file and a CSV with a title row above the table are read correctly', async () => {
  const pipe = join(tmp.dir, 'pipe.csv');
  writeFileSync(pipe, 'id|postcode\n1|M15 4AB\n');
  const r = await importDataset(ws.engine, 'pipe', pipe, { key: TEST_KEY });
  assert.equal(r.postcodeColumn, 'postcode');
  assert.equal(r.matched, 1);
  const titled = join(tmp.dir, 'titled.csv');
  writeFileSync(titled, 'Garden waste subscribers - March 2024,,\n,,\nref,postcode,bins\nG1,M15 4AB,2\nG2,M1 1AE,1\n');
  const t = await importDataset(ws.engine, 'titled', titled, { key: TEST_KEY });
  assert.equal(t.postcodeColumn, 'postcode');
  assert.deepEqual([t.read, t.matched], [2, 2]);
  const rows = await ws.engine.all(`SELECT _row FROM ds_titled ORDER BY _row`);
  assert.deepEqual(
    rows.map((x) => x._row),
    [4, 5],
  );
});

test('a --where that matches no record is explained to the owner, listing the values there are; the profile itself answers with empty cells', async () => {
  await assert.rejects(
    checkFilterMatches(ws.engine, 'json_records', { column: 'method', values: ['Cheque'] }),
    (e: Error & { fix?: string }) => /No record has method = Cheque/.test(e.message) && /"Cash"/.test(e.fix ?? ''),
  );
  const empty = await profileDataset(ws.engine, {
    dataset: 'json_records',
    where: { column: 'method', values: ['Cheque'] },
  });
  assert.equal(empty.total.count, 0);
  assert.ok(empty.rows.every((r) => r.count === 0));
});

test('datasets whose names differ only by - and _ are kept apart', async () => {
  const f = join(tmp.dir, 'r2.json');
  writeFileSync(f, JSON.stringify(RECORDS.slice(0, 2)));
  const a = await importDataset(ws.engine, 'green-waste', f, { key: TEST_KEY });
  const b = await importDataset(ws.engine, 'green_waste', join(tmp.dir, 'r.json'), { key: TEST_KEY });
  assert.equal(a.read, 2);
  assert.equal(b.read, 4);
  const p = await profileDataset(ws.engine, { dataset: 'green-waste', tier: 'group' });
  assert.equal(p.total.count, 2);
});

test('--distinct counts customers, not records: repeat contacts count once', async () => {
  const f = join(tmp.dir, 'contacts.csv');
  // C1 calls three times from M15 4AB, C2 once from M1 1AE, one caller gives no reference.
  writeFileSync(
    f,
    'contact,caller,postcode\n1,C1,M15 4AB\n2,C1,M15 4AB\n3,C1,M15 4AB\n4,C2,M1 1AE\n5,,M1 1AE\n6,C3,ZZ9 9ZZ\n7,C3,ZZ9 9ZZ\n',
  );
  await importDataset(ws.engine, 'contacts', f, { key: TEST_KEY });
  const records = await profileDataset(ws.engine, { dataset: 'contacts', tier: 'type' });
  assert.equal(records.total.count, 5);
  const callers = await profileDataset(ws.engine, { dataset: 'contacts', tier: 'type', distinct: 'caller' });
  assert.equal(callers.countOf, 'caller');
  assert.deepEqual(
    callers.rows.map((r) => [r.code, r.count]),
    [
      ['A1', 1],
      ['A2', 2],
      ['B1', 0],
    ],
  );
  assert.equal(callers.total.count, 3);
  assert.equal(callers.notPlaced!.unmatched, 1);
  await assert.rejects(profileDataset(ws.engine, { dataset: 'contacts', distinct: 'nope' }), /no column "nope"/);
});
