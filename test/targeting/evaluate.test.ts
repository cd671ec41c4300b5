/**
 * The arithmetic of targeting and campaign evaluation, against hand-worked values and Newcombe's
 * (1998) published intervals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  newcombeDifference,
  ratioInterval,
  expectedNewCustomers,
  parseAreaList,
  rankGaps,
  targetCount,
  deliveryRounds,
} from '../../src/targeting/index.ts';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

test('Newcombe hybrid score interval reproduces the published examples (Newcombe 1998, method 10)', () => {
  // Table II of the paper: (a) 56/70 − 48/80, (b) 9/10 − 3/10, (g) 5/56 − 0/29, (h) 0/10 − 0/20, to 4 decimals.
  const cases: [number, number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.2, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.6, 0.1705, 0.809],
    [5, 56, 0, 29, 0.0893, -0.0381, 0.1926],
    [0, 10, 0, 20, 0, -0.1611, 0.2775],
  ];
  for (const [x1, n1, x2, n2, d, low, high] of cases) {
    const ci = newcombeDifference(x1, n1, x2, n2)!;
    const what = `${x1}/${n1} − ${x2}/${n2}`;
    close(ci.value, d, 0.00005, `${what} difference`);
    close(ci.low, low, 0.00005, `${what} low`);
    close(ci.high, high, 0.00005, `${what} high`);
  }
  assert.equal(newcombeDifference(1, 0, 1, 10), null);
});

test('Dartford: 16% take-up where targeted against 4% elsewhere (160/1000 v 40/1000), worked by hand', () => {
  // Wilson limits, z = 1.96: 160/1000 → 0.138585 to 0.184017; 40/1000 → 0.029511 to 0.054010.
  // low  = 0.12 − √((0.16 − 0.138585)² + (0.054010 − 0.04)²) = 0.12 − √(0.00045860 + 0.00019627) = 0.12 − 0.025591 = 0.094410
  // high = 0.12 + √((0.184017 − 0.16)² + (0.04 − 0.029511)²) = 0.12 + √(0.00057681 + 0.00011002) = 0.12 + 0.026207 = 0.146207
  const d = newcombeDifference(160, 1000, 40, 1000)!;
  close(d.value, 0.12, 1e-12, 'uplift');
  close(d.low, 0.09441, 0.000005, 'low');
  close(d.high, 0.146207, 0.000005, 'high');
  // Ratio 4: se of the log = √(1/160 − 1/1000 + 1/40 − 1/1000) = √0.02925 = 0.171026;
  // 4 × exp(∓1.96 × 0.171026) = 2.8608 to 5.5929.
  const r = ratioInterval(160, 1000, 40, 1000)!;
  close(r.value, 4, 1e-12, 'ratio');
  close(r.low, 2.8608, 0.00005, 'ratio low');
  close(r.high, 5.5929, 0.00005, 'ratio high');
  assert.equal(ratioInterval(0, 1000, 40, 1000), null);
});

test('expected new customers: Σ over chosen segments of max(0, penetration × base − users), worked by hand', () => {
  const penetration = new Map([
    ['A', 0.2],
    ['B', 0.1],
  ]); // C is not chosen
  const gaps = expectedNewCustomers(
    [
      // X's part of A arrives in two pieces: 60 households with 3 users and 40 with 2.
      // Cell keys add up mod 256 (X's: 200 + 100 + 50 + 10 = 360 → 104; its chosen A and B: 350 → 94).
      { area: 'X', segment: 'A', base: 60, users: 3, usersKey: 200 },
      { area: 'X', segment: 'A', base: 40, users: 2, usersKey: 100 },
      { area: 'X', segment: 'B', base: 50, users: 10, usersKey: 50 },
      { area: 'X', segment: 'C', base: 30, users: 3, usersKey: 10 },
      { area: 'Y', segment: 'A', base: 40, users: 8, usersKey: 255 },
      { area: 'Y', segment: 'B', base: 200, users: 4, usersKey: 2 },
      { area: 'Z', segment: 'C', base: 100, users: 0, usersKey: 0 },
      // a cell whose key is not known makes its area's key unknown
      { area: 'Z', segment: null, base: 5, users: 1 },
    ],
    penetration,
  );
  const by = new Map(gaps.map((g) => [g.area, g]));
  // X: A 0.2 × 100 − 5 = 15; B 0.1 × 50 − 10 = −5 → 0 (already above the rate); total 15.
  assert.deepEqual(by.get('X'), {
    area: 'X',
    base: 180,
    users: 18,
    targetBase: 150,
    targetUsers: 15,
    usersKey: 104,
    targetUsersKey: 94,
    nonUsers: 95 + 40,
    expectedNew: 15,
  });
  // Y: A 0.2 × 40 − 8 = 0; B 0.1 × 200 − 4 = 16; total 16.
  assert.deepEqual(by.get('Y'), {
    area: 'Y',
    base: 240,
    users: 12,
    targetBase: 240,
    targetUsers: 12,
    usersKey: 1,
    targetUsersKey: 1,
    nonUsers: 32 + 196,
    expectedNew: 16,
  });
  // Z has no chosen segment.
  assert.deepEqual(by.get('Z'), {
    area: 'Z',
    base: 105,
    users: 1,
    targetBase: 0,
    targetUsers: 0,
    usersKey: null,
    targetUsersKey: 0,
    nonUsers: 0,
    expectedNew: 0,
  });
  assert.deepEqual(
    rankGaps(gaps).map((g) => g.area),
    ['Y', 'X', 'Z'],
  );
});

test('ties rank by more non-users, then by code', () => {
  const ranked = rankGaps([
    { area: 'E2', expectedNew: 0, nonUsers: 10 },
    { area: 'E10', expectedNew: 0, nonUsers: 10 },
    { area: 'E1', expectedNew: 0, nonUsers: 50 },
    { area: 'E9', expectedNew: 3, nonUsers: 1 },
  ]);
  assert.deepEqual(
    ranked.map((g) => g.area),
    ['E9', 'E1', 'E2', 'E10'],
  );
});

test('how many areas to target: by coverage of the expected new customers, or the top n', () => {
  const ranked = [16, 15, 0, 0];
  assert.equal(targetCount(ranked, { coverage: 0.5 }), 1); // 16 ≥ 15.5
  assert.equal(targetCount(ranked, { coverage: 0.6 }), 2); // 16 < 18.6 ≤ 31
  assert.equal(targetCount(ranked, { coverage: 1 }), 2);
  assert.equal(targetCount(ranked, { top: 3 }), 2); // only areas with any expected new customers
  assert.equal(targetCount(ranked, { top: 1 }), 1);
  assert.equal(targetCount([0, 0], { coverage: 0.5 }), 0);
});

test('delivery rounds keep neighbours together, balance the work and put the best round first', () => {
  // Two clusters a long way apart east–west; within each, two areas a little apart north–south.
  const items = [
    { id: 'w1', lat: 52.0, lon: -1.5, weight: 100, value: 1 },
    { id: 'e1', lat: 52.0, lon: -1.0, weight: 100, value: 5 },
    { id: 'w2', lat: 52.01, lon: -1.5, weight: 100, value: 1 },
    { id: 'e2', lat: 52.01, lon: -1.0, weight: 100, value: 5 },
  ];
  // Two rounds: west and east; the east (value 10) is round 1.
  assert.deepEqual(deliveryRounds(items, 2), [2, 1, 2, 1]);
  // Four rounds: one area each, numbered by value (ties in the order the split made them: south before north).
  assert.deepEqual(deliveryRounds(items, 4), [3, 1, 4, 2]);
  // More rounds than areas: one area each. One round: all together.
  assert.deepEqual(deliveryRounds(items.slice(0, 2), 5).sort(), [1, 2]);
  assert.deepEqual(deliveryRounds(items, 1), [1, 1, 1, 1]);
  // Unequal work: one big area on the west balances three small ones on the east.
  const uneven = [
    { id: 'a', lat: 52, lon: -1.5, weight: 300, value: 1 },
    { id: 'b', lat: 52, lon: -1.2, weight: 100, value: 1 },
    { id: 'c', lat: 52, lon: -1.1, weight: 100, value: 1 },
    { id: 'd', lat: 52, lon: -1.0, weight: 100, value: 2 },
  ];
  assert.deepEqual(deliveryRounds(uneven, 2), [2, 1, 1, 1]);
  assert.deepEqual(deliveryRounds([], 3), []);
});

test('a pasted list of areas: one per line or separated by commas, semicolons, tabs or spaces, never cutting a postcode in two', () => {
  assert.deepEqual(parseAreaList('E05000001\nE05000002, E05000003;E05000004\tE05000005'), [
    'E05000001',
    'E05000002',
    'E05000003',
    'E05000004',
    'E05000005',
  ]);
  assert.deepEqual(parseAreaList('SB8 1QY\r\nsb8  1qz\nSB81QA'), ['SB8 1QY', 'sb8 1qz', 'SB81QA']);
  assert.deepEqual(parseAreaList('SB8 1QY SB8 1QZ E05000001 E05000002'), [
    'SB8 1QY',
    'SB8 1QZ',
    'E05000001',
    'E05000002',
  ]);
  assert.deepEqual(parseAreaList(' \n, ;'), []);
});
