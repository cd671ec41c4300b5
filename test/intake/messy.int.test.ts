import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importDataset, datasetIssues } from '../../src/intake/index.ts';
import { InputError, ObservatoryError } from '../../src/core/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { FIXTURES, smallWorkspace, snapshot, tempDir, TEST_KEY } from '../helpers/workspace.ts';

let ws: Workspace;
const tmp = tempDir();
before(async () => {
  ws = await smallWorkspace(tmp.dir);
});
after(() => {
  ws.close();
  tmp.cleanup();
});

test('a messy CSV imports with every row accounted for and the right reasons', async () => {
  const r = await importDataset(ws.engine, 'messy_csv', FIXTURES + 'messy.csv', {
    key: TEST_KEY,
    pseudonymise: ['Full Name'],
    keepInClear: ['Notes'],
  });
  assert.equal(r.format, 'csv');
  assert.equal(r.encoding, 'utf-8');
  assert.equal(r.postcodeColumn, 'Post Code');
  assert.deepEqual(
    {
      read: r.read,
      matched: r.matched,
      unmatched: r.unmatched,
      rejected: r.rejected,
      corrected: r.corrected,
      terminated: r.terminated,
    },
    { read: 12, matched: 7, unmatched: 1, rejected: 4, corrected: 1, terminated: 1 },
  );
  const issues = await datasetIssues(ws.engine, 'messy_csv');
  assert.deepEqual(
    issues.map((i) => [i.row, i.status]),
    [
      [7, 'rejected'],
      [8, 'rejected'],
      [10, 'unmatched'],
      [12, 'rejected'],
      [13, 'rejected'],
    ],
  );
  const byRow = new Map(issues.map((i) => [i.row, i]));
  assert.equal(byRow.get(7)!.reason, 'missing postcode');
  assert.equal(byRow.get(8)!.reason, 'not a valid UK postcode');
  assert.equal(byRow.get(8)!.value, 'NOT A PC');
  assert.match(byRow.get(10)!.reason, /not in the postcode directory/);
  assert.match(byRow.get(12)!.reason, /6 values but the header has 5 columns/);
  assert.match(byRow.get(13)!.reason, /2 values but the header has 5 columns/);
  assert.equal(byRow.get(13)!.column, 'Post Code');
  // Every record is kept, in the workspace, with its row number; the names are pseudonymised.
  const rows = await ws.engine.all<{
    _row: number;
    _status: string;
    _postcode: string | null;
    'Full Name': string | null;
    Notes: string | null;
  }>(`SELECT _row, _status, _postcode, "Full Name", "Notes" FROM ds_messy_csv ORDER BY _row`);
  assert.deepEqual(
    rows.map((x) => x._row),
    [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14],
  );
  assert.equal(rows.find((x) => x._row === 4)!._postcode, 'SB4 0QD');
  assert.equal(rows.find((x) => x._row === 3)!._postcode, 'M15 4AD');
  assert.equal(rows.find((x) => x._row === 8)!.Notes, 'note with\r\na line break');
  for (const x of rows) if (x['Full Name'] !== null) assert.match(x['Full Name'], /^p_[0-9a-f]{24}$/);
  assert.ok(!rows.some((x) => x['Full Name'] === 'Ann Smith'));
});

test('a messy XLSX (title row, rich text, formulas, dates, blank rows) imports with spreadsheet row numbers', async () => {
  const r = await importDataset(ws.engine, 'messy_xlsx', FIXTURES + 'messy.xlsx', {
    key: TEST_KEY,
    keepInClear: ['Name', 'Date of birth'],
  }); // this test checks how values are read
  assert.equal(r.format, 'xlsx');
  assert.deepEqual(
    {
      read: r.read,
      matched: r.matched,
      unmatched: r.unmatched,
      rejected: r.rejected,
      corrected: r.corrected,
      terminated: r.terminated,
    },
    { read: 7, matched: 4, unmatched: 1, rejected: 2, corrected: 1, terminated: 1 },
  );
  const issues = await datasetIssues(ws.engine, 'messy_xlsx');
  assert.deepEqual(
    issues.map((i) => [i.row, i.status, i.reason]),
    [
      [6, 'rejected', 'missing postcode'],
      [9, 'unmatched', 'postcode is not in the postcode directory'],
      [10, 'rejected', 'not a valid UK postcode'],
    ],
  );
  const rows = await ws.engine.all(
    `SELECT _row, "Member ID" AS id, "Name" AS name, "Date of birth" AS dob FROM ds_messy_xlsx ORDER BY _row`,
  );
  assert.equal(rows[0].id, '1001');
  assert.equal(rows[0].dob, '1980-05-17');
  assert.equal(rows.find((x) => x._row === 8)!.name, 'DAN');
});

test('a Windows-1252 file with a semicolon delimiter is read correctly', async () => {
  const r = await importDataset(ws.engine, 'cp1252', FIXTURES + 'messy-1252.csv', {
    key: TEST_KEY,
    keepInClear: ['Name', 'Note'],
  }); // this test checks how values are read
  assert.equal(r.encoding, 'windows-1252');
  assert.equal(r.matched, 2);
  const names = await ws.engine.all<{ Name: string; Note: string }>(
    `SELECT "Name", "Note" FROM ds_cp1252 ORDER BY _row`,
  );
  assert.deepEqual(
    names.map((n) => n.Name),
    ['Zoë Hart', 'Renée Blanc'],
  );
  assert.equal(names[0].Note, 'paid £5');
});

const MALFORMED: [string, string, RegExp, Record<string, unknown>?][] = [
  ['not CSV', 'not-a-csv.csv', /binary data|does not look like CSV/],
  ['empty', 'empty.csv', /empty/],
  ['header only', 'header-only.csv', /header row but no records/],
  ['UTF-16 without a byte-order mark', 'utf16-no-bom.csv', /binary data|UTF-16/],
  ['wrong encoding named', 'messy-1252.csv', /not valid utf-8/, { encoding: 'utf-8' }],
  ['missing file', 'no-such-file.csv', /File not found/],
];

for (const [label, file, message, opts] of MALFORMED) {
  test(`a malformed file (${label}) gets a clear error and changes nothing`, async () => {
    const before = await snapshot(ws.engine);
    await assert.rejects(importDataset(ws.engine, 'bad', FIXTURES + file, opts as never), (e: unknown) => {
      assert.ok(e instanceof InputError, `expected an InputError, got ${e}`);
      assert.match((e as Error).message, message);
      assert.ok(
        (e as ObservatoryError).describe().includes(file === 'no-such-file.csv' ? 'no-such-file' : file) ||
          (e as ObservatoryError).location.file,
      );
      return true;
    });
    assert.deepEqual(await snapshot(ws.engine), before);
  });
}

test('the wrong-encoding error names the row of the first bad byte', async () => {
  await assert.rejects(
    importDataset(ws.engine, 'bad', FIXTURES + 'messy-1252.csv', { key: TEST_KEY, encoding: 'utf-8' }),
    (e: unknown) => (e as ObservatoryError).location.row === 2,
  );
});

test('a missing postcode column, an unknown --map column and a duplicate name are refused before anything is written', async () => {
  const before = await snapshot(ws.engine);
  await assert.rejects(
    importDataset(ws.engine, 'x', FIXTURES + 'messy.csv', { key: TEST_KEY, postcodeColumn: 'Zip' }),
    /no column "Zip"/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'x', FIXTURES + 'messy.csv', { key: TEST_KEY, map: { Nope: 'y' } }),
    /not in the file/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'x', FIXTURES + 'messy.csv', { key: TEST_KEY, pseudonymise: ['Post Code'] }),
    /cannot be pseudonymised/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'messy_csv', FIXTURES + 'messy.csv', { key: TEST_KEY }),
    /already exists/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'Bad Name', FIXTURES + 'messy.csv', { key: TEST_KEY }),
    /cannot be used as a dataset name/,
  );
  // an empty name (an upload form sent without one) is asked for, not quoted back as ""
  await assert.rejects(importDataset(ws.engine, '', FIXTURES + 'messy.csv', { key: TEST_KEY }), (e: Error) =>
    /^Enter a name for the dataset\.$/.test(e.message),
  );
  assert.deepEqual(await snapshot(ws.engine), before);
});

test('--replace swaps a dataset in one step', async () => {
  const r = await importDataset(ws.engine, 'messy_csv', FIXTURES + 'messy.csv', {
    key: TEST_KEY,
    replace: true,
    map: { 'Service Option': 'option' },
  });
  assert.ok(r.columns.includes('option'));
  assert.equal((await datasetIssues(ws.engine, 'messy_csv')).length, 5);
});
