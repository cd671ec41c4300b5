/**
 * `civic reference remove` (issue 12, point 3): reference data imported wrongly can be removed and
 * imported again; what would break is refused with what to do.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';

const tmp = tempDir('civic-ref-remove-');
after(() => tmp.cleanup());

test('a base, a classification, boundaries and the directory: removed, refused or replaced, each as it should be', async () => {
  const ws = join(tmp.dir, 'small.civic');
  (await smallWorkspace(tmp.dir)).close();
  // A wrong base over the right one: remove it and import the right one again.
  const wrong = join(tmp.dir, 'wrong.csv');
  writeFileSync(wrong, 'area_code,households\nE00000001,9999\nE00000002,9999\nE00000003,9999\n');
  assert.equal((await civic('reference', 'import', ws, '--base', wrong)).code, 0);
  const status = async () => JSON.parse((await civic('reference', 'status', ws, '--format', 'json')).stdout);
  const before = await status();
  const r = await civic('reference', 'remove', ws, '--base', 'oa21', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { removed: 'the base by oa21', rows: 3, notes: [] });
  assert.deepEqual(
    before.base.map((b: { level: string }) => b.level),
    ['oa21'],
  );
  assert.deepEqual((await status()).base, []);
  const profileless = await civic('profile', ws, 'x');
  assert.notEqual(profileless.code, 0);
  const again = await civic('reference', 'remove', ws, '--base', 'oa21');
  assert.equal(again.code, 2);
  assert.match(again.stderr, /no base by oa21/);
  assert.equal(
    (await civic('reference', 'import', ws, '--base', join(import.meta.dirname, '../fixtures/base-small.csv'))).code,
    0,
  );
  writeFileSync(join(tmp.dir, 'users.csv'), 'id,postcode\n1,M15 4AB\n2,M1 1AE\n');
  assert.equal((await civic('dataset', 'import', ws, 'users', join(tmp.dir, 'users.csv'))).code, 0);
  const prof = await civic('profile', ws, 'users', '--classification', 'small', '--min-cell', '0', '--format', 'json');
  assert.equal(prof.code, 0, prof.stderr);
  assert.equal(JSON.parse(prof.stdout).total.base, 400, 'the right base: 120 + 200 + 80 households');

  // Only one measure of a base.
  const pop = await civic('reference', 'remove', ws, '--base', 'oa21', '--measure', 'population', '--format', 'json');
  assert.equal(JSON.parse(pop.stdout).removed, 'the base of population by oa21');
  assert.equal((await civic('profile', ws, 'users', '--classification', 'small', '--base', 'population')).code, 2);

  // A classification; a name that is not there lists those that are.
  const missing = await civic('reference', 'remove', ws, '--classification', 'oac');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no classification called "oac".*small/s);
  const cls = await civic('reference', 'remove', ws, '--classification', 'small', '--format', 'json');
  assert.equal(cls.code, 0, cls.stderr);
  assert.equal(JSON.parse(cls.stdout).removed, 'the classification small');
  const after = await status();
  assert.deepEqual(
    after.classifications.map((c: { name: string }) => c.name),
    [],
    'the only classification is gone',
  );
  assert.equal(after.base[0].population, null, 'the population went, the households stayed');
  assert.equal(after.base[0].households, 400);

  // The directory cannot go from under a dataset matched against it.
  const pcs = await civic('reference', 'remove', ws, '--postcodes');
  assert.equal(pcs.code, 2);
  assert.match(pcs.stderr, /users were matched against this postcode directory/);
  // One thing at a time.
  const two = await civic('reference', 'remove', ws, '--base', 'oa21', '--areas', 'lad');
  assert.equal(two.code, 2);
  assert.match(two.stderr, /one piece of reference data at a time/);
  const none = await civic('reference', 'remove', ws);
  assert.match(none.stderr, /Say what to remove/);
});
