/**
 * Census years that do not line up (issue 12, point 3): a file's year is told from its codes and
 * said with the reason; a directory of 2011 areas meets a Census 2021 base through the codes that did
 * not change, naming the ones that did; every message names the fix that works.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { firstUsedIn2021 } from '../../src/geo/index.ts';

const tmp = tempDir('civic-years-');
after(() => tmp.cleanup());
let n = 0;
const put = (text: string) => {
  const f = join(tmp.dir, `f${++n}.csv`);
  writeFileSync(f, text);
  return f;
};
// Five postcodes in three 2011 output areas; E00000003 was split in 2021 into E00176775 and E00176776.
const PCS = [
  ['M15 4AB', 53.4655, -2.2604, 'E00000001', 'E00000001'],
  ['M15 4AD', 53.4649, -2.2607, 'E00000001', 'E00000001'],
  ['M1 1AE', 53.4808, -2.2426, 'E00000002', 'E00000002'],
  ['SW1A 2AA', 51.5034, -0.1276, 'E00000003', 'E00176775'],
  ['SB4 0QD', 52.95, -1.15, 'E00000003', 'E00176776'],
] as const;
const dir2011 = () =>
  put('pcds,lat,long,oa11cd\n' + PCS.map((p) => [p[0], p[1], p[2], p[3]].join(',')).join('\n') + '\n');
const dirBoth = () => put('pcds,lat,long,oa11cd,oa21cd\n' + PCS.map((p) => p.join(',')).join('\n') + '\n');
const users = () => put('id,postcode\n' + PCS.map((p, i) => `${i + 1},${p[0]}`).join('\n') + '\n');
async function workspace(
  name: string,
  ...ref: string[]
): Promise<{ ws: string; out: Record<string, unknown>; text: string }> {
  const ws = join(tmp.dir, `${name}.civic`);
  assert.equal((await civic('init', ws)).code, 0);
  const r = await civic('reference', 'import', ws, ...ref, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const t = await civic('reference', 'status', ws);
  return { ws, out: JSON.parse(r.stdout), text: t.stdout };
}

test('codes first used in 2021 are told by their number', () => {
  assert.equal(firstUsedIn2021('E00176775'), true);
  assert.equal(firstUsedIn2021('E00176774'), false);
  assert.equal(firstUsedIn2021('E01033769'), true);
  assert.equal(firstUsedIn2021('W00010266'), true);
  assert.equal(firstUsedIn2021('E05000001'), false, 'wards have no census year');
});

test('a plain base of 2011 codes against a 2011 directory is taken as 2011, says why, and profiles with no --area-year', async () => {
  const base = put('area_code,households\nE00000001,100\nE00000002,200\nE00000003,300\n');
  const { ws, out } = await workspace('plain2011', '--postcodes', dir2011(), '--base', base);
  const b = (out.base as { level: string; year: { year: number; reason: string } }[])[0];
  assert.equal(b.level, 'oa11');
  assert.equal(b.year.year, 2011);
  assert.match(b.year.reason, /3 of its 3 codes are 2011 output areas the workspace knows, none a 2021 one/);
  assert.equal((await civic('dataset', 'import', ws, 'users', users())).code, 0);
  const p = await civic('profile', ws, 'users', '--by-area', 'oa11', '--min-cell', '0', '--format', 'json');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).total.count, 5);
});

test('a Census 2021 base against a directory of 2011 areas: unchanged codes carried across, the split area named with the fix', async () => {
  const base = put('geography code,households\nE00000001,100\nE00000002,200\nE00176775,150\nE00176776,160\n');
  const { ws, out } = await workspace('bridge', '--postcodes', dir2011(), '--base', base);
  const b = (out.base as { level: string; year: { year: number; reason: string } }[])[0];
  assert.equal(b.level, 'oa21');
  assert.match(
    b.year.reason,
    /2 of its 4 codes \(such as E00176775\) were first used in 2021: 2011 codes stop at E00176774/,
  );
  assert.deepEqual(out.bridges, [
    { from: 'oa11', to: 'oa21', postcodes: 3, left: 2, changedAreas: 1, changedExamples: ['E00000003'] },
  ]);
  const text = await civic('reference', 'import', ws, '--base', base);
  assert.match(text.stdout, /taken as 2021 areas: 2 of its 4 codes/);
  assert.equal((await civic('dataset', 'import', ws, 'users', users())).code, 0);
  const p = await civic('profile', ws, 'users', '--by-area', 'oa21', '--min-cell', '0', '--format', 'json');
  assert.equal(p.code, 0, p.stderr);
  const r = JSON.parse(p.stdout);
  assert.equal(r.total.count, 3, 'the three records in unchanged areas');
  assert.deepEqual(r.baseExcluded, { areas: 2, base: 310 }, 'the two new areas, which no postcode reaches');
  // The message for the split area names what works: the 2021 boundaries or a 2021 directory.
  const again = await civic('reference', 'import', ws, '--base', base);
  assert.match(
    again.stdout,
    /2 postcodes are in 1 2011 areas that were split or merged \(E00000003\) and have no 2021 area: import the 2021 boundaries \(--boundaries FILE --level oa21\)/,
  );
});

test('a 2011 file against a directory of both years is told by the codes only 2011 has', async () => {
  // E00000003 exists only in 2011: it was split.
  const cls = put('area_code,group\nE00000001,A\nE00000002,A\nE00000003,B\n');
  const { out } = await workspace(
    'both',
    '--postcodes',
    dirBoth(),
    '--classification',
    cls,
    '--classification-name',
    'old',
  );
  const c = (out.classifications as { areaLevel: string; year: { reason: string } }[])[0];
  assert.equal(c.areaLevel, 'oa11');
  assert.match(
    c.year.reason,
    /1 of its 3 codes are output areas of 2011 that the workspace knows and 2021 does not have/,
  );
  const cls21 = put('area_code,group\nE00000001,A\nE00176775,B\n');
  const { out: out21 } = await workspace('both21', '--postcodes', dirBoth(), '--classification', cls21);
  assert.equal((out21.classifications as { areaLevel: string }[])[0].areaLevel, 'oa21');
});

test('what the workspace cannot tell is said, and --area-year is obeyed', async () => {
  const base = put('area_code,households\nE00000001,100\n');
  const { out } = await workspace('unknown', '--base', base);
  assert.match(
    (out.base as { year: { reason: string } }[])[0].year.reason,
    /knows none of its codes yet, so they are taken as 2021 output areas; if they are 2011 ones, remove this and import it again with --area-year 2011/,
  );
  const { out: asked } = await workspace('asked', '--base', base, '--area-year', '2011');
  assert.equal((asked.base as { level: string }[])[0].level, 'oa11');
});

test('a base no postcode reaches names the fix that works, not the wrong one', async () => {
  // Only new 2021 codes: nothing to carry across from a 2011 directory.
  const base = put('area_code,households\nE00176775,150\nE00176776,160\n');
  const { ws } = await workspace('unreached', '--postcodes', dir2011(), '--base', base);
  assert.equal((await civic('dataset', 'import', ws, 'users', users())).code, 0);
  const p = await civic('profile', ws, 'users', '--by-area', 'oa11');
  assert.equal(p.code, 2);
  assert.match(
    p.stderr,
    /The base is by 2021 areas \(oa21\) and the postcode directory gives only 2011 areas \(oa11\)/,
  );
  assert.match(
    p.stderr,
    /Import the 2021 boundaries \(civic reference import WORKSPACE --boundaries FILE --level oa21\)/,
  );
});
