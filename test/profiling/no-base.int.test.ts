/**
 * Records in areas the base has no figure for (issue 12, point 5): a Calderdale file had 553
 * records (4.5%) at postcodes whose output areas were missing from the base, and they were counted
 * in penetration without a word. Here three output areas have postcodes and a segment, but the base
 * file gives households for two: the records in the third are counted apart, kept out of every
 * rate, and said in the notes; the owner sees how many.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { profileDataset } from '../../src/profiling/index.ts';
import { profileToTable } from '../../src/outputs/index.ts';
import { FIXTURES, tempDir, TEST_KEY } from '../helpers/workspace.ts';

test('records in areas with no base figure are counted apart, kept out of every rate, and said', async () => {
  const tmp = tempDir('civic-no-base-');
  const ws = await createWorkspace(join(tmp.dir, 'w.civic'));
  try {
    // The base has E00000001 (120 households) and E00000002 (200), not E00000003.
    writeFileSync(join(tmp.dir, 'base.csv'), 'area_code,households\nE00000001,120\nE00000002,200\n');
    await importReference(ws.engine, {
      postcodes: FIXTURES + 'postcodes-small.csv',
      base: [join(tmp.dir, 'base.csv')],
      classification: [FIXTURES + 'classification-small.csv'],
      classificationName: 'small',
    });
    // Two records in E00000001 (group A), one in E00000002 (A), three in E00000003 (group B, no base).
    writeFileSync(
      join(tmp.dir, 'users.csv'),
      'id,postcode\n1,M15 4AB\n2,M15 4AD\n3,M1 1AE\n4,SW1A 2AA\n5,SB4 0QD\n6,SB4 0QD\n',
    );
    await importDataset(ws.engine, 'users', join(tmp.dir, 'users.csv'), { key: TEST_KEY });
    const r = await profileDataset(ws.engine, { dataset: 'users', classification: 'small', tier: 'group' });
    const a = r.rows.find((x) => x.code === 'A')!;
    const b = r.rows.find((x) => x.code === 'B')!;
    assert.equal(a.count, 3);
    assert.equal(a.base, 320);
    assert.equal(b.count, 0, 'records where there is no base are not counted in the segment');
    assert.equal(b.base, 0);
    assert.equal(r.total.count, 3);
    assert.ok(Math.abs(r.total.penetration! - (100 * 3) / 320) < 1e-9, `overall rate 3 / 320, not 6 / 320`);
    assert.deepEqual(r.notPlaced, { unmatched: 0, rejected: 0, noBase: 3, noSegment: 0 });
    assert.equal(r.unmatched, 3);
    const text = profileToTable(r);
    assert.match(
      text,
      /3 records \(50\.0% of the file\) are at postcodes in areas that the base has no households for: left out of every rate/,
    );

    // By area, the same: E00000003 has no rate and no records counted.
    const byArea = await profileDataset(ws.engine, { dataset: 'users', byArea: 'oa21' });
    assert.equal(r.coverage, null, 'every area the workspace names is reached by a postcode');
    assert.equal(byArea.rows.find((x) => x.code === 'E00000003')?.count ?? 0, 0);
    assert.equal(byArea.total.count, 3);
    assert.equal(byArea.notPlaced?.noBase, 3);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});

test("a postcode directory that reaches only part of the borough is said in the council's terms", async () => {
  // The area lookup names four output areas of the borough; the directory reaches three (no
  // postcode in E00000004). Of the borough's 500 households, 400 are in areas the directory reaches.
  const tmp = tempDir('civic-coverage-');
  const ws = await createWorkspace(join(tmp.dir, 'w.civic'));
  try {
    writeFileSync(
      join(tmp.dir, 'areas.csv'),
      'code,level,name,parent\nE00000001,oa21,,E01000001\nE00000002,oa21,,E01000001\nE00000003,oa21,,E01000002\nE00000004,oa21,,E01000002\n',
    );
    writeFileSync(
      join(tmp.dir, 'base.csv'),
      'area_code,households\nE00000001,120\nE00000002,200\nE00000003,80\nE00000004,100\n',
    );
    await importReference(ws.engine, {
      areas: [join(tmp.dir, 'areas.csv')],
      postcodes: FIXTURES + 'postcodes-small.csv',
      base: [join(tmp.dir, 'base.csv')],
      classification: [FIXTURES + 'classification-small.csv'],
      classificationName: 'small',
    });
    writeFileSync(join(tmp.dir, 'users.csv'), 'id,postcode\n1,M15 4AB\n2,M1 1AE\n3,SW1A 2AA\n');
    await importDataset(ws.engine, 'users', join(tmp.dir, 'users.csv'), { key: TEST_KEY });
    const r = await profileDataset(ws.engine, { dataset: 'users', classification: 'small', tier: 'group' });
    assert.deepEqual(r.coverage, { level: 'oa21', from: 'areas', areas: 4, reached: 3, base: 500, reachedBase: 400 });
    const text = profileToTable(r);
    assert.match(
      text,
      /The postcode directory reaches 3 of the borough's 4 output areas \(2021\) \(75%\), so your base covers 80% of the borough's households \(400 of 500\)\. .*import a postcode directory for all of it/,
    );
    assert.doesNotMatch(text, /left out of the base/);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});
