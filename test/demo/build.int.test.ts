import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSampleBorough, type DemoBuild } from '../../src/demo/index.ts';
import { profileDataset } from '../../src/profiling/index.ts';
import { referenceStatus } from '../../src/reference/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';

const tmp = tempDir();
let built: DemoBuild;
// The run's shared borough: buildSampleBorough made it, from this very source (the cache is keyed
// by a hash of src/), so what is asserted here is what the builder made.
before(async () => {
  built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
});
after(() => {
  built?.workspace.close();
  tmp.cleanup();
});

test('Sample Borough imports through the real importers with every row accounted for', async () => {
  const s = await referenceStatus(built.workspace.engine);
  assert.ok(Math.abs((s.base[0].households ?? 0) - 20_000) <= 100);
  assert.equal(s.postcodes.byLevel.oa21, s.postcodes.total);
  assert.ok(s.postcodes.terminated > 0);
  assert.ok(s.classifications.some((c) => c.name === 'sample' && c.tiers.join() === 'group,type'));
  assert.ok(s.deprivation.some((d) => d.name === 'imd'));
  assert.ok(built.datasets.length >= 12);
  for (const d of built.datasets) assert.equal(d.read, d.matched + d.unmatched + d.rejected, d.dataset);
  // The generator's slips are found: some corrected, some unknown, some blank.
  assert.ok(built.datasets.some((d) => d.corrected > 0));
  assert.ok(built.datasets.some((d) => d.unmatched > 0));
  assert.ok(built.datasets.some((d) => d.rejected > 0));
  // The gazetteer, standardised with the demo's own address lookups (nothing from outside its files).
  const gazetteerRows = readFileSync(built.manifest.files.gazetteer, 'utf8').trim().split('\n').length - 1;
  assert.equal(built.addresses.read, gazetteerRows);
  assert.equal(built.addresses.imported, gazetteerRows);
  assert.equal(built.addresses.rejected, 0);
  assert.equal(built.addresses.withLookups, true);
  const n = await built.workspace.engine.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM address_gazetteer`);
  assert.equal(n?.n, gazetteerRows);
});

test('profiles tell the story the generator wrote: stop smoking is concentrated in group E', async () => {
  const p = await profileDataset(built.workspace.engine, { dataset: 'stop_smoking_clinic', tier: 'group' });
  const e = p.rows.find((r) => r.code === 'E')!;
  assert.equal(e.band, 'High');
  assert.ok(e.index! > 200, `index ${e.index}`);
  assert.equal(e.significant, true);
  const names = p.rows.map((r) => r.name);
  assert.ok(
    names.every((n) => n && !/^Group /.test(n)),
    'segments carry their names',
  );
});

test('the demo never replaces a workspace or folder it did not make, and checks its options first', async () => {
  const t = tempDir();
  try {
    const { createWorkspace } = await import('../../src/store/index.ts');
    const { writeFileSync, existsSync, mkdirSync } = await import('node:fs');
    const mine = join(t.dir, 'mine.civic');
    (await createWorkspace(mine)).close();
    await assert.rejects(buildSampleBorough(mine, { households: 20_000 }), /not a Sample Borough workspace/);
    assert.ok(existsSync(mine));
    mkdirSync(join(t.dir, 'other-files'));
    writeFileSync(join(t.dir, 'other-files', 'notes.txt'), 'keep me');
    await assert.rejects(buildSampleBorough(join(t.dir, 'other.civic'), { households: 20_000 }), /did not make/);
    assert.ok(existsSync(join(t.dir, 'other-files', 'notes.txt')));
    await assert.rejects(
      buildSampleBorough(join(t.dir, 'x.civic'), { households: 5000 }),
      /between 10,000 and 1,000,000/,
    );
  } finally {
    t.cleanup();
  }
});
