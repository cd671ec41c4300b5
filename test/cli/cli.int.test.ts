import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, tempDir } from '../helpers/workspace.ts';
import { civicRun } from '../helpers/cli.ts';

const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
// In this process (test/helpers/cli.ts): the same code as bin/civic.js, without a process per command.
const run = civicRun;

const COMMANDS = [
  ['init'],
  ['reference', 'import'],
  ['reference', 'status'],
  ['dataset', 'import'],
  ['key', 'generate'],
  ['key', 'export-from-workspace'],
  ['key', 'status'],
  ['dataset', 'list'],
  ['dataset', 'rejects'],
  ['dataset', 'remove'],
  ['profile'],
  ['segment'],
  ['sdf'],
  ['rag'],
  ['overlap'],
  ['represent'],
  ['map'],
  ['postcodes', 'enrich'],
  ['serve'],
  ['user', 'add'],
  ['user', 'token'],
  ['demo'],
];

test('civic --help lists the commands (through the bin entry)', async () => {
  const out = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  for (const c of [
    'init',
    'reference',
    'dataset',
    'profile',
    'segment',
    'sdf',
    'rag',
    'overlap',
    'represent',
    'map',
    'postcodes',
    'serve',
    'user',
    'demo',
  ])
    assert.match(out, new RegExp(`\\n\\s+${c}\\b`));
});

for (const cmd of COMMANDS) {
  test(`civic ${cmd.join(' ')} --help explains itself`, async () => {
    const r = await run(...cmd, '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: civic/);
    assert.ok(r.stdout.length > 200);
  });
}

test('a whole session from the command line: init, reference import, dataset import, rejects, profile as JSON', async () => {
  const tmp = tempDir();
  try {
    const ws = join(tmp.dir, 'w.civic');
    assert.equal((await run('init', ws)).status, 0);
    const again = await run('init', ws);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
    const ref = await run(
      'reference',
      'import',
      ws,
      '--postcodes',
      FIXTURES + 'postcodes-small.csv',
      '--base',
      FIXTURES + 'base-small.csv',
      '--classification',
      FIXTURES + 'classification-small.csv',
      '--classification-name',
      'small',
      '--format',
      'json',
    );
    assert.equal(ref.status, 0, ref.stderr);
    assert.equal(JSON.parse(ref.stdout).postcodes.imported, 6);
    const imp = await run(
      'dataset',
      'import',
      ws,
      'messy',
      FIXTURES + 'messy.csv',
      '--pseudonymise',
      'Full Name',
      '--format',
      'json',
    );
    assert.equal(imp.status, 0, imp.stderr);
    const summary = JSON.parse(imp.stdout);
    assert.deepEqual([summary.read, summary.matched, summary.unmatched, summary.rejected], [12, 7, 1, 4]);
    const rejects = JSON.parse((await run('dataset', 'rejects', ws, 'messy', '--format', 'json')).stdout).rows;
    assert.deepEqual(
      rejects.map((r: { row: number }) => r.row),
      [7, 8, 10, 12, 13],
    );
    const csv = (await run('dataset', 'rejects', ws, 'messy', '--format', 'csv')).stdout;
    assert.match(csv, /^row,status,column,value,reason/);
    const profile = JSON.parse(
      (await run('profile', ws, 'messy', '--level', 'type', '--format', 'json', '--min-cell', '0')).stdout,
    );
    assert.deepEqual(
      Object.keys(profile)
        .filter((k) => ['dataset', 'level', 'baseMeasure', 'rows', 'total', 'unmatched'].includes(k))
        .sort(),
      ['baseMeasure', 'dataset', 'level', 'rows', 'total', 'unmatched'],
    );
    assert.deepEqual(
      Object.keys(profile.rows[0]).sort(),
      [
        'band',
        'base',
        'basePct',
        'cellKey',
        'ciHigh',
        'ciLow',
        'code',
        'count',
        'filePct',
        'index',
        'name',
        'penetration',
        'significant',
        'suppressed',
        'z',
      ].sort(),
    );
    // A cell's key (cell key method) never leaves the boundary.
    assert.ok(profile.rows.every((r: { cellKey: unknown }) => r.cellKey === null));
    assert.equal(profile.total.count, 7);
    assert.equal(profile.unmatched, 5);
    const list = JSON.parse((await run('dataset', 'list', ws, '--format', 'json')).stdout).datasets;
    assert.equal(list[0].name, 'messy');
    const status = JSON.parse((await run('reference', 'status', ws, '--format', 'json')).stdout);
    assert.equal(status.postcodes.total, 6);
    const removed = await run('dataset', 'remove', ws, 'messy', '--format', 'json');
    assert.deepEqual(JSON.parse(removed.stdout), { dataset: 'messy', rows: 12 });
    assert.deepEqual(JSON.parse((await run('dataset', 'list', ws, '--format', 'json')).stdout), { datasets: [] });
    const gone = await run('dataset', 'remove', ws, 'messy', '--format', 'json');
    assert.equal(gone.status, 2);
    assert.equal(JSON.parse(gone.stdout).error.code, 'not_found');
    assert.equal(
      JSON.parse((await run('dataset', 'rejects', ws, 'messy', '--format', 'json')).stdout).error.code,
      'not_found',
    );
  } finally {
    tmp.cleanup();
  }
});

test('errors are plain English with a non-zero exit, and JSON when asked', async () => {
  const r = await run('profile', '/nonexistent/w.civic', 'x', '--format', 'json');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /There is no workspace/);
  assert.match(r.stderr, /civic init/);
  assert.equal(JSON.parse(r.stdout).error.code, 'workspace_missing');
  const bad = await run('profile', 'w', 'x', '--format', 'pdf');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /argument 'pdf' is invalid. Allowed choices are table, csv, xlsx, json/);
  const usage = await run('profile', 'w');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /missing required argument 'dataset'/);
  const status = await run('dataset', 'rejects', 'w', 'x', '--status', 'bogus');
  assert.equal(status.status, 2);
  assert.match(status.stderr, /Allowed choices are unmatched, rejected, corrected/);
  const usageJson = await run('profile', 'w', '--format', 'json');
  assert.equal(usageJson.status, 2);
  assert.equal(JSON.parse(usageJson.stdout).error.code, 'usage');
  const eq = await run('profile', '/nonexistent/w.civic', 'x', '--format=json');
  assert.equal(JSON.parse(eq.stdout).error.code, 'workspace_missing');
});

test('the import summary names the workspace in its hints, and corrected postcodes can be listed', async () => {
  const tmp = tempDir();
  try {
    const ws = join(tmp.dir, 'w.civic');
    await run('init', ws);
    await run(
      'reference',
      'import',
      ws,
      '--postcodes',
      FIXTURES + 'postcodes-small.csv',
      '--base',
      FIXTURES + 'base-small.csv',
    );
    const imp = await run('dataset', 'import', ws, 'messy', FIXTURES + 'messy.csv');
    assert.match(imp.stdout, new RegExp(`civic dataset rejects ${ws.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} messy`));
    const corrected = JSON.parse(
      (await run('dataset', 'rejects', ws, 'messy', '--status', 'corrected', '--format', 'json')).stdout,
    ).rows;
    assert.deepEqual(
      corrected.map((c: { row: number; value: string }) => [c.row, c.value]),
      [[4, 'SB4 OQD']],
    );
    assert.match(corrected[0].reason, /corrected from "SB4 OQD" to "SB4 0QD"/);
    const table = await run('profile', ws, 'messy', '--by-area', 'oa', '--out', join(tmp.dir, 'p.txt'));
    assert.equal(table.status, 0, table.stderr);
  } finally {
    tmp.cleanup();
  }
});
