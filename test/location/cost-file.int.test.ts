/**
 * Site choice from a cost matrix file (issue 12, point 7), through the command line:
 * `civic location choose --costs FILE [--demand FILE]` reproduces hand-worked optima for set cover,
 * maximal coverage, p-median and p-center, including a tied optimum (asserted by its objective, not
 * by which of the tied site sets comes back), and refuses bad files naming the row, column and fix.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-costfile-');
after(() => tmp.cleanup());
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};

/*
 * The hand-worked instance (as in test/location/sites.test.ts): 5 origins (weights 10…50) × 4 sites.
 *          A   B   C   D       within 5 minutes: A {D0,D1}, B {D1,D2}, C {D2,D3}, D {D4}
 *   D0     2   9  12  20
 *   D1     4   5  14  18       set cover (5 min): D0 needs A, D3 needs C, D4 needs D → A,C,D = 3 sites
 *   D2    12   3   4  16       MCLP p=2 (5 min): CD covers 30+40+50 = 120 (AC 100, BD 100, …)
 *   D3    15  11   5   9       p-median p=2, weighted minutes: AB 1430, AC 770, AD 970, BC 830, BD 790, CD 870 → AC 770
 *   D4    20  16   7   3       p-center p=2, longest trip: AB 16, AC 7, AD 12, BC 9, BD 9, CD 14 → AC 7
 */
const ROWS = [
  [2, 9, 12, 20],
  [4, 5, 14, 18],
  [12, 3, 4, 16],
  [15, 11, 5, 9],
  [20, 16, 7, 3],
];
const SITES = ['A', 'B', 'C', 'D'];
const LONG = file(
  'long.csv',
  `origin,destination,cost\n${ROWS.flatMap((r, i) => r.map((c, j) => `D${i},${SITES[j]},${c}`)).join('\n')}\n`,
);
const DEMAND = file('demand.csv', `origin,weight\n${[10, 20, 30, 40, 50].map((w, i) => `D${i},${w}`).join('\n')}\n`);
/*
 * A tie, wide form: three origins, each site within 10 minutes of two of them (X {O0,O1}, Y {O1,O2},
 * Z {O0,O2}); no site covers all three, and any two do: set cover = 2, three tied optima.
 */
const TIED = file('tied.csv', 'origin,X,Y,Z\nO0,5,20,5\nO1,5,5,20\nO2,20,5,5\n');

async function choose(...args: string[]) {
  const r = await civic('location', 'choose', ...args, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('cost file: set cover, maximal coverage, p-median and p-center reproduce the hand-worked optima', async () => {
  const withDemand = ['--costs', LONG, '--demand', DEMAND];
  const cover = await choose(...withDemand, '--problem', 'set-cover', '--standard', '5');
  assert.equal(cover.objective, 3);
  assert.deepEqual(cover.openIds, ['A', 'C', 'D']);
  assert.equal(cover.status, 'optimal');
  assert.equal(cover.coverage.share, 1);
  const mclp = await choose(...withDemand, '--problem', 'mclp', '--sites', '2', '--standard', '5');
  assert.equal(mclp.objective, 120);
  assert.deepEqual(mclp.openIds, ['C', 'D']);
  const median = await choose(...withDemand, '--problem', 'p-median', '--sites', '2');
  assert.equal(median.objective, 770);
  assert.deepEqual(median.openIds, ['A', 'C']);
  const center = await choose(...withDemand, '--problem', 'p-center', '--sites', '2');
  assert.equal(center.objective, 7);
  assert.equal(center.maxMinutes, 7);
  assert.deepEqual(center.openIds, ['A', 'C']);
  assert.equal(center.status, 'optimal');
  assert.equal(center.gap, 0);
  // The same by the heuristics, which say how far from the optimum they can be.
  const h = await choose(...withDemand, '--problem', 'p-center', '--sites', '2', '--method', 'heuristic');
  assert.equal(h.objective, 7);
  assert.ok(h.bound <= 7 && h.gap >= 0);
  // Every row accounted for in the notes: 20 rows read, 20 pairs.
  assert.ok(
    cover.inputNotes.some((n: string) => /20 rows read, 5 origins × 4 candidate sites = 20 pairs/.test(n)),
    cover.inputNotes.join('\n'),
  );
});

test('cost file: a tied optimum is asserted by its objective', async () => {
  for (const method of ['exact', 'heuristic']) {
    const r = await choose('--costs', TIED, '--problem', 'set-cover', '--standard', '10', '--method', method);
    assert.equal(r.objective, 2, method);
    assert.equal(r.coverage.share, 1, method);
    assert.equal(r.openIds.length, 2);
  }
  // Without --demand each origin weighs 1; p-center with 2 sites: every tied pair has longest trip 5.
  const c = await choose('--costs', TIED, '--problem', 'p-center', '--sites', '2');
  assert.equal(c.objective, 5);
  assert.equal(c.totalWeight, 3);
});

test('cost file: the table says what was chosen, and --keep names a site of the file', async () => {
  const r = await civic('location', 'choose', '--costs', LONG, '--problem', 'p-center', '--sites', '2', '--keep', 'B');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /p-center/);
  assert.doesNotMatch(r.stdout, /by car/, 'a cost file is no mode of travel');
  assert.match(r.stdout, /as the cost file gives them/);
  // With B kept: BC and BD both give 9, better than AB's 16.
  const j = await choose('--costs', LONG, '--problem', 'p-center', '--sites', '2', '--keep', 'B');
  assert.equal(j.objective, 9);
  assert.ok(j.openIds.includes('B'));
});

test('cost file: bad cells and shapes are refused with the file, row, column and fix', async () => {
  const cases: [string, string, RegExp][] = [
    ['blank.csv', 'origin,destination,cost\nO1,A,3\nO1,B,\n', /row 3.*column "cost"|blank/s],
    ['negative.csv', 'origin,destination,cost\nO1,A,-3\n', /cannot be negative/],
    ['text.csv', 'origin,X,Y\nO1,3,ten\n', /"ten", which is not a number/],
    ['dup.csv', 'origin,destination,cost\nO1,A,3\nO1,A,4\n', /given twice, in rows 2 and 3/],
    ['missing.csv', 'origin,destination,cost\nO1,A,3\nO1,B,4\nO2,A,5\n', /1 origin–site pair is missing.*O2 → B/],
    ['duporigin.csv', 'origin,X\nO1,3\nO1,4\n', /"O1" has two rows, 2 and 3/],
  ];
  for (const [name, text, want] of cases) {
    const r = await civic('location', 'choose', '--costs', file(name, text), '--problem', 'p-median', '--sites', '1');
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, want, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(name.replace('.', '\\.')), `${name} names the file`);
  }
  const blank = await civic(
    'location',
    'choose',
    '--costs',
    join(tmp.dir, 'blank.csv'),
    '--problem',
    'p-median',
    '--sites',
    '1',
  );
  assert.match(blank.stderr, /row 3/);
  assert.match(blank.stderr, /unreachable/);
  // Demand for an origin the cost file lacks, and an origin with no weight.
  const unknown = await civic(
    'location',
    'choose',
    '--costs',
    LONG,
    '--demand',
    file('d1.csv', 'origin,weight\nD0,1\nD9,2\n'),
    '--problem',
    'p-median',
    '--sites',
    '1',
  );
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /"D9" is not in the cost file/);
  assert.match(unknown.stderr, /row 3/);
  const short = await civic(
    'location',
    'choose',
    '--costs',
    LONG,
    '--demand',
    file('d2.csv', 'origin,weight\nD0,1\n'),
    '--problem',
    'p-median',
    '--sites',
    '1',
  );
  assert.match(short.stderr, /4 origins of the cost file have no weight: D1, D2, D3, D4/);
  // "unreachable" is a cost: D1 cannot reach B.
  const gap = file('gap.csv', 'origin,A,B\nD0,1,4\nD1,2,unreachable\n');
  const ok = await choose('--costs', gap, '--problem', 'p-center', '--sites', '1');
  assert.equal(ok.objective, 2);
  assert.deepEqual(ok.openIds, ['A']);
  // A workspace's options do not go with --costs.
  const clash = await civic(
    'location',
    'choose',
    '--costs',
    LONG,
    '--kind',
    'library',
    '--problem',
    'p-median',
    '--sites',
    '1',
  );
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /--kind describes a workspace/);
});
