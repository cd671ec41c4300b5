/**
 * Options columns and saved column mappings (issue 12, point 6), through the command line, with the
 * counts worked by hand. Postcodes of the small fixture: M15 4AB, M15 4AD (E00000001, segment A),
 * M1 1AE (E00000002, A), SW1A 2AA and SB4 0QD (E00000003, B).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { civic, smallGroupCounts } from '../helpers/cli.ts';
import { listedOptions, optionColumnName, readYesNo } from '../../src/intake/index.ts';

const tmp = tempDir('civic-options-');
const ws = join(tmp.dir, 'small.civic');
const file = (name: string, lines: string[]) => {
  writeFileSync(join(tmp.dir, name), lines.join('\n') + '\n');
  return join(tmp.dir, name);
};
// Seed 003's recycling example: a column listing the services asked for, and one yes/no column.
const APRIL = file('april.csv', [
  'Ref,Post Code,Services,Assisted collection',
  'R1,M15 4AB,Garden waste; Recycling bags,YES',
  'R2,M15 4AD,garden waste: yes / recycling bags: no,x',
  'R3,M1 1AE,,',
  'R4,SW1A 2AA,Recycling Bags,no',
  'R5,SB4 0QD,Garden Waste,maybe',
]);

before(async () => {
  (await smallWorkspace(tmp.dir)).close();
});
after(() => tmp.cleanup());

const profileCounts = async (dataset: string, where: string) => {
  const c = await smallGroupCounts(ws, dataset, where);
  return [c.A, c.B];
};

test('a column listing options becomes a yes/no column per option, a yes/no column is read as yes or no, and profiles use them', async () => {
  const r = await civic(
    'dataset',
    'import',
    ws,
    'april',
    APRIL,
    '--options',
    'Services',
    '--option-columns',
    'Assisted collection',
    '--save-mapping',
    'recycling',
    '--map',
    'Post Code=postcode',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.read, 5);
  assert.equal(out.matched, 5);
  assert.deepEqual(out.options.flags, [{ column: 'Assisted collection', yes: 2, no: 2, other: 1 }]);
  assert.deepEqual(out.options.listed, [
    {
      column: 'Services',
      options: [
        { option: 'Garden waste', column: 'services_garden_waste', yes: 3 },
        { option: 'Recycling bags', column: 'services_recycling_bags', yes: 2 },
      ],
    },
  ]);
  assert.ok(out.columns.includes('services_garden_waste') && out.columns.includes('Services'));
  assert.equal(out.savedMapping, 'recycling');
  // Garden waste: R1, R2 (A) and R5 (B). Recycling bags: R1 (A), R4 (B). Assisted: R1, R2 (A).
  assert.deepEqual(await profileCounts('april', 'services_garden_waste=yes'), [2, 1]);
  assert.deepEqual(await profileCounts('april', 'services_recycling_bags=yes'), [1, 1]);
  assert.deepEqual(await profileCounts('april', 'services_garden_waste=no'), [1, 1]);
  assert.deepEqual(await profileCounts('april', 'Assisted collection=yes'), [2, 0]);
  assert.deepEqual(await profileCounts('april', 'Assisted collection=maybe'), [0, 1], 'kept as written, and counted');
  const text = await civic(
    'dataset',
    'import',
    ws,
    'april_text',
    APRIL,
    '--options',
    'Services',
    '--option-columns',
    'Assisted collection',
  );
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Assisted collection: 2 yes, 2 no \(blank counts as no\); 1 rows say something else/);
  assert.match(text.stdout, /services_garden_waste \(3 yes\), services_recycling_bags \(2 yes\)/);
});

test("next month's extract imports with the saved mapping; a changed extract says which column is missing and how to save new choices", async () => {
  const may = file('may.csv', [
    'Ref,Post Code,Services,Assisted collection',
    'R6,M15 4AB,Recycling bags,Y',
    'R7,SB4 0QD,Garden waste,',
  ]);
  const r = await civic('dataset', 'import', ws, 'may', may, '--mapping', 'recycling', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.postcodeColumn, 'postcode', 'the rename came from the mapping');
  assert.deepEqual(out.options.flags, [{ column: 'Assisted collection', yes: 1, no: 1, other: 0 }]);
  assert.deepEqual(await profileCounts('may', 'services_garden_waste=yes'), [0, 1]);

  const list = await civic('dataset', 'mappings', ws, '--format', 'json');
  assert.equal(list.code, 0, list.stderr);
  const m = JSON.parse(list.stdout).mappings;
  assert.equal(m.length, 1);
  assert.deepEqual(m[0].mapping, {
    postcodeColumn: 'postcode',
    map: { 'Post Code': 'postcode' },
    options: { flags: ['Assisted collection'], listed: ['Services'] },
  });
  // Nothing from the file is kept in a mapping: only column names and choices.
  assert.ok(!JSON.stringify(m).includes('Garden'), 'no value from the file');

  const changed = file('june.csv', ['Ref,Postcode,Services,Assisted collection', 'R8,M15 4AB,Garden waste,Y']);
  const bad = await civic('dataset', 'import', ws, 'june', changed, '--mapping', 'recycling');
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /The saved mapping "recycling" renames a column "Post Code" that is not in the file/);
  assert.match(bad.stderr, /--save-mapping recycling to replace the mapping/);
  const none = await civic('dataset', 'import', ws, 'june', changed, '--mapping', 'recyling');
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /There is no saved mapping called "recyling".*Saved mappings: recycling/s);
  // Another organisation has mappings of its own and cannot use or see the council's.
  const other = await civic(
    'dataset',
    'import',
    ws,
    'june',
    changed,
    '--mapping',
    'recycling',
    '--partner',
    'Leisure Trust',
  );
  assert.match(other.stderr, /There is no saved mapping called "recycling"/);
  assert.doesNotMatch(other.stderr, /Saved mappings:/);
  const theirs = await civic('dataset', 'mappings', ws, '--partner', 'Leisure Trust', '--format', 'json');
  assert.deepEqual(JSON.parse(theirs.stdout).mappings, []);
  const removed = await civic('dataset', 'mappings', ws, '--remove', 'recycling', '--format', 'json');
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse(removed.stdout).mappings, []);
});

test('options as forms write them', () => {
  for (const v of ['YES', 'y', 'x', 'True', '1', '✓']) assert.equal(readYesNo(v), true, v);
  for (const v of ['', null, 'No', 'n', '0', 'false']) assert.equal(readYesNo(v), false, String(v));
  assert.equal(readYesNo('maybe'), null);
  assert.deepEqual(listedOptions('Garden waste; Recycling bags'), ['Garden waste', 'Recycling bags']);
  assert.deepEqual(listedOptions('garden waste: YES / recycling bags: no'), ['garden waste']);
  assert.deepEqual(listedOptions('Bulky  waste | Bulky waste'), ['Bulky waste']);
  assert.deepEqual(
    listedOptions('Time: 10:30'),
    ['Time: 10:30'],
    'a colon not followed by yes or no is part of the name',
  );
  assert.equal(optionColumnName('Services', 'Garden waste (brown bin)'), 'services_garden_waste_brown_bin');
});
