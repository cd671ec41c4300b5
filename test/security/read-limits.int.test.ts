/**
 * Issue 10, finding 5 (the limits themselves, and the command line): `civic dataset import`
 * refuses a zip bomb with exit code 2 and a plain message; a workbook whose zip directory lies
 * about its size is stopped by counting the bytes actually unpacked; a CSV over the rows limit is
 * refused on both the careful and the fast path, without being parsed to the end.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceTable, importDataset } from '../../src/intake/index.ts';
import { InputError } from '../../src/core/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { writeBombXlsx } from './zip-bomb.ts';
import { civicRun } from '../helpers/cli.ts';

const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
const tmp = tempDir('civic-read-limits-');
let ws: Workspace;
let bomb = '';

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  bomb = join(tmp.dir, 'bomb.xlsx');
  await writeBombXlsx(bomb, { rows: 2_300_000, identical: true, lie: true });
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test('civic dataset import refuses a zip bomb with exit code 2, a plain message and what to do; nothing is imported', async () => {
  const cliWs = join(tmp.dir, 'cli.civic');
  // A workspace of its own for the CLI: the test's workspace stays open in this process.
  // Making it is set-up, run in process; the refusals below are the point, each in a process of its own.
  const init = await civicRun('init', cliWs);
  assert.equal(init.status, 0, init.stderr);
  const ref = await civicRun(
    'reference',
    'import',
    cliWs,
    '--postcodes',
    new URL('../fixtures/postcodes-small.csv', import.meta.url).pathname,
  );
  assert.equal(ref.status, 0, ref.stderr);
  const t = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'dataset', 'import', cliWs, 'members', bomb], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /more than 2,000,000 rows/);
  assert.match(r.stderr, /What to do: Save the sheet as CSV, or split it into smaller files/);
  assert.doesNotMatch(r.stderr, /Unexpected error|at .*\.ts:\d+/, 'no stack trace');
  assert.ok(Date.now() - t < 15_000, `took ${Date.now() - t} ms`);
  const lower = spawnSync(
    process.execPath,
    [BIN, 'dataset', 'import', cliWs, 'members', bomb, '--max-unpacked-mb', '20'],
    { encoding: 'utf8', env: { ...process.env, CI: '1' } },
  );
  assert.equal(lower.status, 2, lower.stderr);
  assert.match(lower.stderr, /unpacks to more than 20 MB/);
  const list = await civicRun('dataset', 'list', cliWs);
  assert.match(list.stdout, /No datasets yet/);
});

test('declared sizes can lie: the bytes actually unpacked are counted and reading stops at the limit', async () => {
  const t = Date.now();
  await assert.rejects(readSourceTable(bomb, { limits: { maxUnpackedBytes: 10 * 1024 * 1024 } }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.code, 'input_too_large');
    assert.match(e.message, /unpacks to more than 10 MB/);
    return true;
  });
  assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
});

test('a CSV over the rows limit is refused, on the careful path and on the fast path', async () => {
  const file = join(tmp.dir, 'big.csv');
  writeFileSync(file, ['ref,postcode', ...Array.from({ length: 1500 }, (_, i) => `R${i},M15 4AB`)].join('\n') + '\n');
  await assert.rejects(readSourceTable(file, { limits: { maxRows: 1000 } }), /more than 1,000 rows/);
  await assert.rejects(
    importDataset(ws.engine, 'big_careful', file, { limits: { maxRows: 1000 } }),
    /more than 1,000 rows/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'big_fast', file, { limits: { maxRows: 1000 }, fastCsvMinBytes: 0 }),
    /more than 1,000 rows/,
  );
  await assert.rejects(
    importDataset(ws.engine, 'big_cells', file, { limits: { maxCells: 2000 }, fastCsvMinBytes: 0 }),
    /more than 2,000 cells/,
  );
  const ok = await importDataset(ws.engine, 'big_ok', file, { limits: { maxRows: 1500 } });
  assert.equal(ok.read, 1500);
  assert.equal(await ws.engine.one(`SELECT name FROM dataset WHERE name = 'big_fast'`), undefined);
});
