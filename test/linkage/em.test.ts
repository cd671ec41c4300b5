/**
 * EM recovers the m and u it was generated with (acceptance 3): comparison vectors drawn from a
 * known model (λ, and m and u for each level of three comparisons, one with a null level) by a
 * seeded generator, then estimated from nothing but the vectors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/core/index.ts';
import { estimatePrior, estimateU, runEm, startingM, type Pattern } from '../../src/linkage/index.ts';

const LAMBDA = 0.2;
// Level 0 of the third comparison is a null level (the pair cannot be compared): no m or u.
const IS_NULL = [
  [false, false, false],
  [false, false],
  [true, false, false, false],
];
const M = [
  [0.85, 0.1, 0.05],
  [0.9, 0.1],
  [0, 0.7, 0.2, 0.1],
];
const U = [
  [0.02, 0.08, 0.9],
  [0.3, 0.7],
  [0, 0.05, 0.15, 0.8],
];
const NULL_SHARE = 0.1;

function draw(p: number[], r: () => number): number {
  let x = r();
  for (let i = 0; i < p.length; i++) {
    x -= p[i];
    if (x < 0) return i;
  }
  return p.length - 1;
}

function generate(pairs: number, seed: number): Pattern[] {
  const rnd = createRandom(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < pairs; i++) {
    const match = rnd.next() < LAMBDA;
    const g = M.map((m, k) => {
      if (IS_NULL[k][0] && rnd.next() < NULL_SHARE) return 0;
      return draw(match ? m : U[k], rnd.next);
    });
    const key = g.join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, count]) => ({ gammas: k.split(',').map(Number), count }));
}

const comparisons = IS_NULL.map((isNull) => ({ isNull }));

test('EM with u free recovers λ, m and u from 200,000 generated pairs', () => {
  const patterns = generate(200_000, 7);
  const r = runEm({
    patterns,
    comparisons,
    m: comparisons.map((c) => startingM(c)),
    u: comparisons.map((c) => c.isNull.map((n) => (n ? 0 : 1 / c.isNull.filter((x) => !x).length))),
    lambda: 0.5,
    estimateU: true,
    maxIterations: 500,
    convergence: 1e-7,
  });
  assert.ok(r.converged, `converged in ${r.iterations}`);
  assert.ok(Math.abs(r.lambda - LAMBDA) < 0.01, `λ ${r.lambda}`);
  M.forEach((row, k) =>
    row.forEach((m, g) => {
      if (IS_NULL[k][g]) return assert.equal(r.m[k][g], 0);
      assert.ok(Math.abs(r.m[k][g] - m) < 0.02, `m[${k}][${g}] ${r.m[k][g]} vs ${m}`);
      assert.ok(Math.abs(r.u[k][g] - U[k][g]) < 0.02, `u[${k}][${g}] ${r.u[k][g]} vs ${U[k][g]}`);
    }),
  );
});

test('with u fixed (as sampled), EM recovers m and λ; a comparison left out of the session keeps its m', () => {
  const patterns = generate(100_000, 11);
  const start = comparisons.map((c) => startingM(c));
  const r = runEm({ patterns, comparisons, m: start, u: U, lambda: 0.5, maxIterations: 200, convergence: 1e-7 });
  assert.ok(Math.abs(r.lambda - LAMBDA) < 0.01, `λ ${r.lambda}`);
  for (const [k, row] of M.entries())
    for (const [g, m] of row.entries()) if (!IS_NULL[k][g]) assert.ok(Math.abs(r.m[k][g] - m) < 0.02);
  const fixed = runEm({ patterns, comparisons, m: start, u: U, lambda: 0.5, active: [true, false, true] });
  assert.deepEqual(fixed.m[1], start[1]);
  assert.notDeepEqual(fixed.m[0], start[0]);
});

test('u from random pairs is each level’s share among the pairs that could be compared; a level never seen gets one pair’s share', () => {
  const u = estimateU(
    [
      { gammas: [0, 1], count: 10 },
      { gammas: [1, 2], count: 30 },
      { gammas: [1, 0], count: 60 },
    ],
    [{ isNull: [false, false, false] }, { isNull: [true, false, false] }],
  );
  // First comparison: level 0 10, level 1 90, level 2 none → floored to 1 of 101.
  assert.deepEqual(
    u[0].map((x) => +x.toFixed(6)),
    [10 / 101, 90 / 101, 1 / 101].map((x) => +x.toFixed(6)),
  );
  // Second: 60 null pairs left out; 10 at level 1 and 30 at level 2.
  assert.deepEqual(u[1], [0, 0.25, 0.75]);
});

test('the prior is the fixed point of λ = Σ P(match | weight) ÷ all pairs', () => {
  // 100 pairs of weight 20 (certain matches) and 1,000 of weight −20 among 1,000,000 pairs: λ ≈ 1e-4.
  const lambda = estimatePrior(
    [
      { weight: 20, pairs: 100 },
      { weight: -20, pairs: 1000 },
    ],
    1_000_000,
  );
  assert.ok(Math.abs(lambda - 1e-4) < 2e-6, `${lambda}`);
});
