/**
 * A profile's record filters beyond categories (issue 12, point 6): blank cells and periods of a
 * column's dates, through the command line, with the counts worked by hand. Records: two output
 * areas of segment A (E00000001, E00000002) and one of B (E00000003).
 *
 *   id  area  visit_date   newsletter
 *   1   A     2024-03-31   yes
 *   2   A     01/04/2024   (blank)
 *   3   A     15 Jun 2024  yes
 *   4   B     2025-03-31   (blank)
 *   5   B     31/03/2025   no
 *   6   B     not known    yes
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { civic, smallGroupCounts } from '../helpers/cli.ts';
import { parseWhere } from '../../src/profiling/index.ts';

const tmp = tempDir('civic-filters-');
const ws = join(tmp.dir, 'small.civic');

before(async () => {
  (await smallWorkspace(tmp.dir)).close();
  writeFileSync(
    join(tmp.dir, 'visits.csv'),
    [
      'id,postcode,visit_date,newsletter',
      '1,M15 4AB,2024-03-31,yes',
      '2,M15 4AD,01/04/2024,',
      '3,M1 1AE,15 Jun 2024,Yes',
      '4,SW1A 2AA,2025-03-31,',
      '5,SB4 0QD,31/03/2025,no',
      '6,SB4 0QD,not known,yes',
    ].join('\n') + '\n',
  );
  const r = await civic('dataset', 'import', ws, 'visits', join(tmp.dir, 'visits.csv'), '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
});
after(() => tmp.cleanup());

const counts = (where: string) => smallGroupCounts(ws, 'visits', where);

test('blank cells are selected with (blank) or nothing after =, alone or with other values', async () => {
  assert.deepEqual(await counts('newsletter=(blank)'), { A: 1, B: 1, filter: 'newsletter = (blank)' });
  assert.deepEqual((await counts('newsletter=')).A, 1);
  const both = await counts('newsletter=yes|(blank)');
  assert.deepEqual([both.A, both.B], [3, 2]);
  assert.equal(both.filter, 'newsletter = yes or (blank)');
});

test('periods: a range, one end, and the last n months counted back from the latest date in the column', async () => {
  const last = await counts('visit_date=last 12 months');
  assert.deepEqual([last.A, last.B], [2, 2], 'records 2, 3 (A) and 4, 5 (B): 2024-04-01 to 2025-03-31');
  assert.match(last.filter, /from 2024-04-01 to 2025-03-31/);
  assert.match(last.filter, /cannot be read are left out/, 'record 6 has no readable date, and the profile says so');
  const since = await counts('visit_date>=2024-04-01');
  assert.deepEqual([since.A, since.B], [2, 2]);
  const before = await counts('visit_date<2024-04-01');
  assert.deepEqual([before.A, before.B], [1, 0], 'only record 1');
  const in2024 = await counts('visit_date=2024-01-01..31/12/2024');
  assert.deepEqual([in2024.A, in2024.B], [3, 0]);
  const open = await counts('visit_date=2024-06-15..');
  assert.deepEqual([open.A, open.B], [1, 2]);
  const week = await counts('visit_date=last 1 week');
  assert.deepEqual([week.A, week.B], [0, 2]);
});

test('a period that matches nothing, or a column with no dates, says what the column holds (to its owner)', async () => {
  const none = await civic('profile', ws, 'visits', '--classification', 'small', '--where', 'visit_date=2030-01-01..');
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /No record has visit_date in that period/);
  assert.match(none.stderr, /run from 2024-03-31 to 2025-03-31/);
  const noDates = await civic(
    'profile',
    ws,
    'visits',
    '--classification',
    'small',
    '--where',
    'newsletter>=2024-01-01',
  );
  assert.equal(noDates.code, 2);
  assert.match(noDates.stderr, /newsletter holds no dates that can be read/);
  const bad = await civic('profile', ws, 'visits', '--classification', 'small', '--where', 'visit_date>=31/02/2024');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"31\/02\/2024" .* is not a date/);
});

test('the filter language: what is a period, what is a category, and what is refused', () => {
  assert.deepEqual(parseWhere('d=2024-04-01..2025-03-31', 'w'), {
    column: 'd',
    values: [],
    period: { from: '2024-04-01', to: '2025-03-31' },
  });
  assert.deepEqual(parseWhere('d>2024-04-01', 'w').period, { from: '2024-04-02', to: null });
  assert.deepEqual(parseWhere('d<2024-03-01', 'w').period, { from: null, to: '2024-02-29' });
  assert.deepEqual(parseWhere('d=last 3 years', 'w').period, { from: null, to: null, last: { n: 3, unit: 'years' } });
  // Not dates on both sides: a category that happens to hold two dots.
  assert.deepEqual(parseWhere('ref=A..B', 'w'), { column: 'ref', values: ['A..B'] });
  assert.deepEqual(parseWhere('x=a|(BLANK)| b', 'w').values, ['a', '', 'b']);
  assert.throws(() => parseWhere('d=2025-01-01..2024-01-01', 'w'), /ends before it starts/);
  assert.throws(() => parseWhere('d=last month', 'w'), /Cannot read the period "last month"/);
  assert.throws(() => parseWhere('d=last 0 days', 'w'), /no length/);
});

test('filters joined with ";" must all match: a period and a category, two periods, and which part matches nothing', async () => {
  // Last 12 months (records 2, 3, 4, 5) and newsletter yes (1, 3, 6): record 3 only, in A.
  const both = await counts('visit_date=last 12 months; newsletter=yes');
  assert.deepEqual([both.A, both.B], [1, 0]);
  assert.match(both.filter, /^visit_date in the last 12 months .* and newsletter = yes$/);
  // The same two the other way round count the same records.
  const swapped = await counts('newsletter=yes;visit_date=last 12 months');
  assert.deepEqual([swapped.A, swapped.B], [1, 0]);
  // Two periods, each with its own working table: 2024-04-01 on (2, 3, 4, 5) and up to 2024-12-31 (1, 2, 3): records 2 and 3.
  const two = await counts('visit_date>=2024-04-01; visit_date<=2024-12-31');
  assert.deepEqual([two.A, two.B], [2, 0]);
  // Blank newsletter (2, 4) in 2025 (4, 5): record 4, in B.
  const blank = await counts('newsletter=(blank); visit_date>=2025-01-01');
  assert.deepEqual([blank.A, blank.B], [0, 1]);
  // Each part alone matches records, but not together: the owner is told so.
  const none = await civic(
    'profile',
    ws,
    'visits',
    '--classification',
    'small',
    '--where',
    'newsletter=no; visit_date<2025-01-01',
  );
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /No record has newsletter = no and visit_date on or before 2024-12-31/);
  assert.match(none.stderr, /no record matches them all/);
  // One part matching nothing is named on its own.
  const part = await civic(
    'profile',
    ws,
    'visits',
    '--classification',
    'small',
    '--where',
    'newsletter=yes; newsletter=maybe',
  );
  assert.equal(part.code, 2);
  assert.match(part.stderr, /No record has newsletter = maybe/);
  const f = parseWhere('a=1; b=last 2 weeks;c>=2024-01-01', '--where');
  assert.deepEqual([f.column, f.also!.column, f.also!.also!.column, f.also!.also!.also], ['a', 'b', 'c', undefined]);
  assert.throws(
    () => parseWhere(Array.from({ length: 9 }, (_, i) => `c${i}=x`).join(';'), '--where'),
    /at most 8 can be joined/,
  );
});
