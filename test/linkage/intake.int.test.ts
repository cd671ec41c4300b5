/**
 * Intake for linkage (issue 13, point 3): a dataset used only for linkage imports without
 * geography (--no-postcode), every row accounted as not placed, with no postcode directory needed;
 * --id-column names the records' own identifiers, which must tell every record apart.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-link-intake-');
after(() => tmp.cleanup());

test('--no-postcode imports into a workspace with no postcode directory; every row is counted as not placed', async () => {
  const ws = join(tmp.dir, 'a.civic');
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, 'ref,first_name,postcode\nP1,Ann,4011\nP2,Bob,\nP3,Cy,not one\n');
  assert.equal((await civic('init', ws)).code, 0);
  const r = await civic(
    'dataset',
    'import',
    ws,
    'people',
    file,
    '--no-postcode',
    '--id-column',
    'ref',
    '--keep-in-clear',
    'first_name',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.postcodeColumn, null);
  assert.equal(out.idColumn, 'ref');
  assert.deepEqual([out.read, out.matched, out.unmatched, out.rejected], [3, 0, 3, 0]);
  assert.deepEqual(out.reasons, [
    { status: 'unmatched', reason: 'not placed: imported without geography (--no-postcode)', rows: 3 },
  ]);
  // The column called postcode is an ordinary column here.
  assert.ok(out.columns.includes('postcode'));
  const text = await civic('dataset', 'import', ws, 'people2', file, '--no-postcode', '--keep-in-clear', 'first_name');
  assert.match(text.stdout, /without geography \(--no-postcode\)/);
  assert.match(text.stdout, /read 3 = matched 0 \+ unmatched 3 \+ rejected 0/);
});

test('an import with geography still needs the directory and a postcode column, and says --no-postcode is there', async () => {
  const ws = join(tmp.dir, 'b.civic');
  const file = join(tmp.dir, 'nopc.csv');
  writeFileSync(file, 'ref,first_name\nP1,Ann\n');
  await civic('init', ws);
  const r = await civic('dataset', 'import', ws, 'x', file, '--keep-in-clear', 'first_name', '--format', 'json');
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'workspace_state');
  const both = await civic(
    'dataset',
    'import',
    ws,
    'x',
    file,
    '--no-postcode',
    '--postcode-column',
    'ref',
    '--format',
    'json',
  );
  assert.equal(JSON.parse(both.stdout).error.code, 'parameter_invalid');
});

test('--id-column refuses identifiers that are blank or repeated, with counts and never a value, leaving nothing behind', async () => {
  const ws = join(tmp.dir, 'c.civic');
  const file = join(tmp.dir, 'dups.csv');
  writeFileSync(file, 'ref,first_name\nSECRET-1,Ann\nSECRET-1,Bob\n,Cy\n');
  await civic('init', ws);
  const r = await civic(
    'dataset',
    'import',
    ws,
    'd',
    file,
    '--no-postcode',
    '--id-column',
    'ref',
    '--keep-in-clear',
    'first_name',
    '--format',
    'json',
  );
  assert.equal(r.code, 2);
  const e = JSON.parse(r.stdout).error;
  assert.equal(e.code, 'input_identifiers');
  assert.match(e.message, /1 blank and 1 repeated/);
  assert.doesNotMatch(r.stdout + r.stderr, /SECRET/);
  const list = JSON.parse((await civic('dataset', 'list', ws, '--format', 'json')).stdout);
  assert.deepEqual(list.datasets, []);
  const missing = await civic(
    'dataset',
    'import',
    ws,
    'd',
    file,
    '--no-postcode',
    '--id-column',
    'nope',
    '--format',
    'json',
  );
  assert.match(JSON.parse(missing.stdout).error.message, /--id-column names a column "nope"/);
});
