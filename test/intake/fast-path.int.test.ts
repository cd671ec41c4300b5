import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset, datasetIssues } from '../../src/intake/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { FIXTURES, smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir();
let ws: Workspace;
const CLEAN = join(tmp.dir, 'clean.csv');
before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const pcs = ['M15 4AB', 'm154ad', 'SB4 OQD', 'M1  1AE', '', 'NOT A PC', 'ZZ9 9ZZ', 'M15 4ZZ', 'SW1A2AA'];
  const lines = ['ref,name,postcode,option,notes'];
  for (let i = 0; i < 3000; i++)
    lines.push(
      `R${i},"Person ${i % 50}, Jr",${pcs[i % pcs.length]},${i % 3 ? 'garden waste' : ''},"${i % 100 === 0 ? 'two\nlines' : 'note'}"`,
    );
  writeFileSync(CLEAN, lines.join('\n') + '\n');
});
after(() => {
  ws.close();
  tmp.cleanup();
});

test('the DuckDB fast path and the careful path give the same rows, accounts, issues and pseudonyms', async () => {
  const fast = await importDataset(ws.engine, 'fast', CLEAN, {
    key: TEST_KEY,
    fastCsvMinBytes: 0,
    pseudonymise: ['name'],
    keepInClear: ['notes'],
  });
  const careful = await importDataset(ws.engine, 'careful', CLEAN, {
    key: TEST_KEY,
    fastCsvMinBytes: Number.POSITIVE_INFINITY,
    pseudonymise: ['name'],
    keepInClear: ['notes'],
  });
  const strip = (r: typeof fast) => ({ ...r, dataset: '' });
  assert.deepEqual(strip(fast), strip(careful));
  assert.deepEqual([fast.read, fast.matched, fast.unmatched, fast.rejected], [3000, 2001, 333, 666]);
  const rowsOf = (t: string) => ws.engine.all(`SELECT * EXCLUDE (_rkey) FROM ${t} ORDER BY _row`);
  assert.deepEqual(await rowsOf('ds_fast'), await rowsOf('ds_careful'));
  const issues = (n: string) => datasetIssues(ws.engine, n);
  assert.deepEqual(await issues('fast'), await issues('careful'));
  // A record with a line break inside quotes is still one row, numbered as a spreadsheet shows it.
  const r = await ws.engine.one(`SELECT _row, notes FROM ds_fast WHERE ref = 'R100'`);
  assert.deepEqual(r, { _row: 102, notes: 'two\nlines' });
});

test('irregular files never take the fast path', async () => {
  // messy.csv has blank lines and rows of the wrong length: the careful path keeps and explains them.
  const r = await importDataset(ws.engine, 'messy_fast', FIXTURES + 'messy.csv', { key: TEST_KEY, fastCsvMinBytes: 0 });
  assert.deepEqual([r.read, r.matched, r.unmatched, r.rejected], [12, 7, 1, 4]);
  const issues = await datasetIssues(ws.engine, 'messy_fast');
  assert.deepEqual(
    issues.map((i) => i.row),
    [7, 8, 10, 12, 13],
  );
});

test('a title line above a large clean CSV keeps row numbers right (the fast path never skips lines)', async () => {
  const { readFileSync } = await import('node:fs');
  const titled = join(tmp.dir, 'titled.csv');
  writeFileSync(titled, 'Extract 1 March 2024\n' + readFileSync(CLEAN, 'utf8'));
  const r = await importDataset(ws.engine, 'titled_fast', titled, { key: TEST_KEY, fastCsvMinBytes: 0 });
  assert.equal(r.read, 3000);
  const first = (await datasetIssues(ws.engine, 'titled_fast'))[0];
  const plain = (await datasetIssues(ws.engine, 'fast'))[0];
  assert.equal(first.row, plain.row + 1);
});
