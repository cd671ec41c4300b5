import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostMatrix, Place } from '../../src/location/costs.ts';
import {
  centerRadii,
  greedySetCover,
  longestTrip,
  pCenterSearch,
  prepareProblem,
  setCoverSearch,
  solveHeuristic,
  type SiteProblem,
} from '../../src/location/sites.ts';
import { solve, solveExact } from '../../src/location/highs.ts';

const place = (id: string): Place => ({ id, lon: 0, lat: 0 });

/**
 * A 205 × 16 set cover on which the naive greedy opens 9 sites where 8 will do. 191 points lie in six
 * blocks (32, 32, 32, 32, 32, 31), each covered by one site of its own, and five decoy sites cover half
 * a block each. The other 14 points are the classic greedy trap: two rows of 7 (two sites, one per
 * row) and three "columns" of 8, 4 and 2 points taking half from each row. Greedy takes the blocks,
 * then the column of 8 (more than a row's 7), then 4 (more than the 3 left in a row), then 2: 6 + 3 = 9.
 * The optimum is the six blocks and the two rows: 8.
 */
function trapInstance(): SiteProblem {
  const covers: number[][] = []; // per candidate, the points within the standard
  const blocks: number[][] = [];
  let next = 0;
  for (const size of [32, 32, 32, 32, 32, 31]) blocks.push(Array.from({ length: size }, () => next++));
  const rowA = Array.from({ length: 7 }, () => next++);
  const rowB = Array.from({ length: 7 }, () => next++);
  assert.equal(next, 205);
  covers.push(...blocks);
  covers.push(rowA, rowB);
  covers.push([...rowA.slice(0, 4), ...rowB.slice(0, 4)]);
  covers.push([...rowA.slice(4, 6), ...rowB.slice(4, 6)]);
  covers.push([rowA[6], rowB[6]]);
  for (let k = 0; k < 5; k++) covers.push(blocks[k].slice(0, 16));
  assert.equal(covers.length, 16);
  const minutes = new Float32Array(205 * 16).fill(30);
  covers.forEach((list, j) => {
    for (const i of list) minutes[i * 16 + j] = 5 + (j % 3);
  });
  const costs: CostMatrix = {
    origins: Array.from({ length: 205 }, (_, i) => place(`O${i}`)),
    destinations: covers.map((_, j) => place(`S${j}`)),
    minutes,
    mode: 'car',
    source: 'test',
  };
  return { costs, weights: new Float64Array(205).fill(1), standard: 10 };
}

test('set cover on the 205 × 16 trap: naive greedy opens 9, the heuristic and HiGHS find the optimum 8', async () => {
  const problem = trapInstance();
  const pp = prepareProblem(problem, 'set-cover');
  assert.equal(greedySetCover(pp).length, 9);
  const search = setCoverSearch(pp);
  assert.equal(search.open.length, 8);
  assert.ok(search.bound <= 8 && search.bound >= 1);
  const heuristic = await solve(problem, 'set-cover', { method: 'heuristic' });
  assert.equal(heuristic.objective, 8);
  assert.equal(heuristic.coverage!.share, 1);
  assert.equal(heuristic.bound, search.bound);
  assert.equal(heuristic.gap, (8 - search.bound) / 8);
  const exact = await solve(problem, 'set-cover');
  assert.equal(exact.method, 'exact');
  assert.equal(exact.status, 'optimal');
  assert.equal(exact.objective, 8);
  assert.equal(exact.gap, 0);
});

test('a heuristic set cover reports a lower bound and gap that hold against the exact optimum', async () => {
  // A random instance: the Lagrangian bound must never exceed the proven optimum.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const n = 120,
    m = 30;
  const minutes = Float32Array.from({ length: n * m }, () => rand() * 40);
  const problem: SiteProblem = {
    costs: {
      origins: Array.from({ length: n }, (_, i) => place(`O${i}`)),
      destinations: Array.from({ length: m }, (_, j) => place(`S${j}`)),
      minutes,
      mode: 'car',
      source: 'test',
    },
    weights: new Float64Array(n).fill(1),
    standard: 8,
  };
  const h = await solve(problem, 'set-cover', { method: 'heuristic' });
  const x = await solveExact(problem, 'set-cover');
  assert.equal(x.status, 'optimal');
  assert.ok(h.bound !== null && h.bound <= x.objective, `bound ${h.bound} above optimum ${x.objective}`);
  assert.ok(h.objective >= x.objective);
  assert.ok(h.gap !== null && h.gap >= 0 && h.gap < 1);
});

/*
 * p-center by hand: 4 demand points × 3 candidates, p = 1 and p = 2.
 *          A   B   C
 *   O0     1   8   6
 *   O1     2   7   5
 *   O2     9   2   6
 *   O3     8   1   7
 * p = 1: longest trips A 9, B 8, C 7 → C, 7.  p = 2: {A,B}: max(1,2,2,1) = 2; {A,C} 6; {B,C} 5 → {A,B}, 2.
 */
function handCenter(p: number): SiteProblem {
  return {
    costs: {
      origins: ['O0', 'O1', 'O2', 'O3'].map(place),
      destinations: ['A', 'B', 'C'].map(place),
      minutes: Float32Array.from([1, 8, 6, 2, 7, 5, 9, 2, 6, 8, 1, 7]),
      mode: 'car',
      source: 'test',
    },
    weights: Float64Array.from([1, 1, 1, 1]),
    p,
  };
}

test('p-center reproduces the hand-worked optima, exactly and by the heuristic', async () => {
  for (const [p, value, sites] of [
    [1, 7, ['C']],
    [2, 2, ['A', 'B']],
  ] as const) {
    const exact = await solveExact(handCenter(p), 'p-center');
    assert.equal(exact.status, 'optimal');
    assert.equal(exact.objective, value);
    assert.equal(exact.maxMinutes, value);
    assert.deepEqual(exact.openIds, sites);
    assert.equal(exact.gap, 0);
    const h = solveHeuristic(handCenter(p), 'p-center');
    assert.equal(h.objective, value);
  }
  // Zero-weight demand does not count: O2 and O3 weigh nothing, so A alone (trips 1, 2) is best at p = 1.
  const light = handCenter(1);
  light.weights = Float64Array.from([1, 1, 0, 0]);
  assert.equal((await solveExact(light, 'p-center')).objective, 2);
});

test('p-center: exact solve matches brute force on random instances, and the heuristic bound holds', async () => {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let t = 0; t < 4; t++) {
    const n = 25,
      m = 8,
      p = 2 + (t % 2);
    const minutes = Float32Array.from({ length: n * m }, () => Math.round(rand() * 60));
    const problem: SiteProblem = {
      costs: {
        origins: Array.from({ length: n }, (_, i) => place(`O${i}`)),
        destinations: Array.from({ length: m }, (_, j) => place(`S${j}`)),
        minutes,
        mode: 'car',
        source: 'test',
      },
      weights: new Float64Array(n).fill(1),
      p,
    };
    const pp = prepareProblem(problem, 'p-center');
    let brute = Infinity;
    const pick = (from: number, chosen: number[]) => {
      if (chosen.length === p) {
        brute = Math.min(brute, longestTrip(pp, chosen));
        return;
      }
      for (let j = from; j < m; j++) pick(j + 1, [...chosen, j]);
    };
    pick(0, []);
    const exact = await solve(problem, 'p-center');
    assert.equal(exact.status, 'optimal');
    assert.equal(exact.objective, brute);
    assert.equal(exact.open.length, p);
    const h = pCenterSearch(pp);
    assert.ok(h.bound <= brute, `bound ${h.bound} above the optimum ${brute}`);
    assert.ok(longestTrip(pp, h.open) >= brute);
    assert.ok(centerRadii(pp).includes(brute));
  }
});

test('p-center needs the number of sites', () => {
  const problem = handCenter(1);
  delete problem.p;
  assert.throws(() => prepareProblem(problem, 'p-center'), /p-center needs the number of sites/);
});
