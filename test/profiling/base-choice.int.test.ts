/**
 * A profile chooses its base when the workspace has several (issue 12, point 3): households by 2021
 * output areas and by 2011 output areas. By default the finest level the postcode directory reaches;
 * --base-level picks one; a level with no base is refused with the bases there are.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';

const tmp = tempDir('civic-base-choice-');
after(() => tmp.cleanup());
const put = (name: string, text: string) => {
  writeFileSync(join(tmp.dir, name), text);
  return join(tmp.dir, name);
};

test('several bases: the finest the postcodes reach by default, another by --base-level, and a missing one named', async () => {
  const base21 = put('base21.csv', 'OA21CD,households\nE00000001,100\nE00000002,300\n');
  const base11 = put('base11.csv', 'OA11CD,households\nE00000001,80\nE00000002,320\nE00000009,50\n');
  const users = put('users.csv', 'id,postcode\n1,M15 4AB\n2,M15 4AD\n3,M1 1AE\n');
  // A directory of both years, and one of 2011 areas only (an NSPL from before 2022), where
  // M1 1AE's 2011 area E00000009 was split in 2021 (so the 2021 base does not have it).
  const both = put(
    'pc-both.csv',
    'pcds,lat,long,oa21cd,oa11cd\nM15 4AB,53.4655,-2.2604,E00000001,E00000001\nM15 4AD,53.4649,-2.2607,E00000001,E00000001\nM1 1AE,53.4808,-2.2426,E00000002,E00000002\n',
  );
  const only11 = put(
    'pc-2011.csv',
    'pcds,lat,long,oa11cd\nM15 4AB,53.4655,-2.2604,E00000001\nM15 4AD,53.4649,-2.2607,E00000001\nM1 1AE,53.4808,-2.2426,E00000009\n',
  );
  for (const [name, pcs] of [
    ['both', both],
    ['only11', only11],
  ] as const) {
    const path = join(tmp.dir, `${name}.civic`);
    const ws = await createWorkspace(path);
    await importReference(ws.engine, { postcodes: pcs, base: [base21, base11] });
    ws.close();
    assert.equal((await civic('dataset', 'import', path, 'users', users)).code, 0);
  }
  const rate = async (ws: string, ...more: string[]) => {
    const r = await civic(
      'profile',
      join(tmp.dir, ws),
      'users',
      '--by-area',
      'oa21',
      '--min-cell',
      '0',
      '--format',
      'json',
      ...more,
    );
    return r;
  };
  // Both years reached: the 2021 base (400 households) by default; the 2011 base when asked.
  const by21 = await civic(
    'profile',
    join(tmp.dir, 'both.civic'),
    'users',
    '--by-area',
    'oa21',
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  assert.equal(by21.code, 0, by21.stderr);
  assert.equal(JSON.parse(by21.stdout).rows.find((x: { code: string }) => x.code === 'E00000001').base, 100);
  const by11 = await civic(
    'profile',
    join(tmp.dir, 'both.civic'),
    'users',
    '--by-area',
    'oa11',
    '--base-level',
    'oa11',
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  assert.equal(by11.code, 0, by11.stderr);
  const r11 = JSON.parse(by11.stdout);
  assert.equal(r11.rows.find((x: { code: string }) => x.code === 'E00000001').base, 80);
  assert.match(r11.baseMethod, /oa11/);
  // Only 2011 areas in the directory: the 2011 base is chosen, not refused for the 2021 one.
  const auto = await civic(
    'profile',
    join(tmp.dir, 'only11.civic'),
    'users',
    '--by-area',
    'oa11',
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(JSON.parse(auto.stdout).total.count, 3);
  assert.match(JSON.parse(auto.stdout).baseMethod, /per oa11/);
  // A level with no base: refused, naming the bases there are.
  const none = await rate('both.civic', '--base-level', 'lsoa21');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no base of households by lsoa21/);
  assert.match(none.stderr, /oa21 \(2 areas, from base21\.csv\); oa11 \(3 areas, from base11\.csv\)/);
});
