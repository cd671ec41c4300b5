import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeProfile } from '../../src/profiling/index.ts';

// Seed 003: Mosaic Public Sector groups, stop-smoking clinic attendees against households.
const GROUPS: [string, number, number][] = [
  ['A', 0, 2733],
  ['B', 322, 12851],
  ['C', 1225, 16090],
  ['D', 1330, 23297],
  ['E', 0, 10902],
  ['F', 114, 9139],
  ['G', 2143, 10258],
  ['H', 1440, 14984],
  ['I', 145, 2618],
  ['J', 223, 6946],
  ['K', 0, 7],
];

test('the seed 003 stop-smoking table is reproduced from its counts', () => {
  const p = computeProfile(GROUPS.map(([code, count, base]) => ({ code, name: null, count, base })));
  assert.deepEqual(
    p.rows.map((r) => Math.round(r.index!)),
    [0, 40, 120, 90, 0, 20, 331, 152, 88, 51, 0],
  );
  assert.equal(p.total.count, 6942);
  assert.equal(p.total.base, 109825);
  assert.equal(p.total.penetration!.toFixed(2), '6.32');
  const g = p.rows[6];
  assert.equal(g.filePct!.toFixed(2), '30.87');
  assert.equal(g.basePct!.toFixed(2), '9.34');
  assert.equal(g.penetration!.toFixed(2), '20.89');
  assert.equal(g.band, 'High');
  assert.equal(g.significant, true);
  // Published % Pen. column: 0.00, 2.51, 7.61, 5.71, 0.00, 1.25, 20.89, 9.61, 5.54, 3.21, 0.00
  assert.deepEqual(
    p.rows.map((r) => r.penetration!.toFixed(2)),
    ['0.00', '2.51', '7.61', '5.71', '0.00', '1.25', '20.89', '9.61', '5.54', '3.21', '0.00'],
  );
  assert.deepEqual(
    p.rows.map((r) => r.band),
    ['Low', 'Low', 'High', 'Average', 'Low', 'Low', 'High', 'High', 'Below average', 'Low', 'Low'],
  );
  // Group I (index 88) is below average but not significantly different: 145 of 2,618.
  assert.equal(p.rows[8].significant, false);
  // K: 0 of 7 households; the interval is still defined.
  assert.equal(p.rows[10].ciLow, 0);
});

test('a cell with no base has no penetration or index', () => {
  const p = computeProfile([
    { code: 'X', name: null, count: 3, base: 0 },
    { code: 'Y', name: null, count: 7, base: 100 },
  ]);
  assert.equal(p.rows[0].penetration, null);
  assert.equal(p.rows[0].index, null);
  assert.equal(p.rows[0].band, null);
  assert.ok(Math.abs(p.rows[1].penetration! - 7) < 1e-12);
});
