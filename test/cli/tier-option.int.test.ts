/**
 * Issue 11, point 5: --tier names a tier in every command that takes one; --level, which means an
 * area level elsewhere, stays as its hidden older name.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { importDataset } from '../../src/intake/index.ts';
import { civic } from '../helpers/cli.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-tier-');
const ws = join(tmp.dir, 'small.civic');
before(async () => {
  const w = await smallWorkspace(tmp.dir);
  const file = join(tmp.dir, 'users.csv');
  writeFileSync(
    file,
    ['ref,postcode', ...Array.from({ length: 40 }, (_, i) => `${i},${['M15 4AB', 'M1 1AE', 'SW1A 2AA'][i % 3]}`)].join(
      '\n',
    ) + '\n',
  );
  await importDataset(w.engine, 'users', file, { key: TEST_KEY });
  w.close();
});
after(() => tmp.cleanup());

for (const command of [
  ['profile', ws, 'users'],
  ['represent', ws, 'users'],
])
  test(`civic ${command[0]}: --tier gives what --level gave; both, differing, are refused plainly`, async () => {
    const tier = await civic(...command, '--tier', 'type', '--format', 'json');
    assert.equal(tier.code, 0, tier.stderr);
    const level = await civic(...command, '--level', 'type', '--format', 'json');
    assert.equal(level.code, 0, level.stderr);
    assert.deepEqual(JSON.parse(tier.stdout), JSON.parse(level.stdout));
    assert.equal(JSON.parse(tier.stdout).result?.level ?? JSON.parse(tier.stdout).level, 'type');
    const both = await civic(...command, '--tier', 'type', '--level', 'group', '--format', 'json');
    assert.equal(both.code, 2);
    assert.match(both.stdout + both.stderr, /Give either --tier or --level/);
    const help = await civic(command[0], '--help');
    assert.match(help.stdout, /--tier <tier>/);
    assert.doesNotMatch(help.stdout, /--level <tier>/, 'the older name is not offered');
  });
