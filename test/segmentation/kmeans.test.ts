import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/core/index.ts';
import { matrixFromRows, transform, weight, ihs, kmeans, silhouette, adjustedRandIndex, certainty, type Matrix } from '../../src/segmentation/index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('transformations: inverse hyperbolic sine, log, z-score, range; constant columns become 0', () => {
  close(ihs(0), 0);
  close(ihs(1), Math.log(1 + Math.SQRT2));
  const m = matrixFromRows([[0, 5], [2, 5], [4, 5]]);
  assert.deepEqual([...transform(m, 'range').data], [0, 0, 0.5, 0, 1, 0]);
  const z = transform(m, 'zscore').data;
  close(z[0], -Math.sqrt(1.5)); close(z[2], 0); close(z[4], Math.sqrt(1.5)); assert.equal(z[1], 0);
  close(transform(m, 'log').data[2], Math.log(3));
  assert.throws(() => transform(matrixFromRows([[-1]]), 'log'), /zero or more/);
  assert.deepEqual([...weight(matrixFromRows([[1, 1]]), [4, 1]).data], [2, 1]);
});

/** The exact optimum by trying every assignment of n points to k clusters. */
function bruteForceWcss(m: Matrix, k: number): number {
  const { n, d, data } = m;
  let best = Infinity;
  const labels = new Array(n).fill(0);
  const total = k ** n;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < n; i++) { labels[i] = c % k; c = Math.floor(c / k); }
    let wcss = 0;
    for (let g = 0; g < k; g++) {
      const members = labels.map((l, i) => (l === g ? i : -1)).filter((i) => i >= 0);
      if (!members.length) continue;
      for (let j = 0; j < d; j++) {
        const mean = members.reduce((s, i) => s + data[i * d + j], 0) / members.length;
        for (const i of members) wcss += (data[i * d + j] - mean) ** 2;
      }
    }
    if (wcss < best) best = wcss;
  }
  return best;
}

test('k-means with restarts reaches the exact optimum on small problems solved by brute force', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rng = createRandom(seed);
    const m = matrixFromRows(Array.from({ length: 10 }, () => [rng.normal() + (rng.next() < 0.5 ? 3 : 0), rng.normal()]));
    for (const k of [2, 3]) {
      const exact = bruteForceWcss(m, k);
      const r = kmeans(m, { k, seed: 7, restarts: 25 });
      close(r.wcss, exact, 1e-9 * Math.max(1, exact));
      assert.equal(r.sizes.reduce((a, b) => a + b, 0), 10);
    }
  }
});

test('the same seed gives the same answer; a single cluster is the grand mean', () => {
  const rng = createRandom(9);
  const m = matrixFromRows(Array.from({ length: 200 }, (_, i) => [rng.normal() + (i % 4) * 3, rng.normal() + (i % 2) * 3]));
  const a = kmeans(m, { k: 4, seed: 42, restarts: 5 });
  const b = kmeans(m, { k: 4, seed: 42, restarts: 5 });
  assert.deepEqual([...a.labels], [...b.labels]);
  assert.equal(a.wcss, b.wcss);
  const one = kmeans(m, { k: 1, seed: 1, restarts: 1 });
  let mean0 = 0;
  for (let i = 0; i < 200; i++) mean0 += m.data[i * 2] / 200;
  close(one.centres[0], mean0, 1e-12);
  assert.throws(() => kmeans(m, { k: 0 }), /whole number/);
  assert.throws(() => kmeans(matrixFromRows([[1], [2]]), { k: 3 }), /cannot be more/);
});

test('adjusted Rand index: identical and relabelled partitions score 1; a hand-worked pair scores 0.2424', () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1]), 1);
  assert.equal(adjustedRandIndex([0, 0, 1, 1], ['b', 'b', 'a', 'a']), 1);
  // Contingency [[2,1,0],[0,1,2]]: Σ C(nij,2) = 2, rows 6, columns 3, C(6,2) = 15 → (2 − 1.2) / (4.5 − 1.2).
  close(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 0.8 / 3.3);
});

test('silhouette and certainty, worked by hand on four points', () => {
  const m = matrixFromRows([[0], [1], [10], [11]]);
  const labels = new Int32Array([0, 0, 1, 1]);
  // s = (10.5 − 1)/10.5, (9.5 − 1)/9.5, (9.5 − 1)/9.5, (10.5 − 1)/10.5
  close(silhouette(m, labels, 2), (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 4);
  const centres = new Float64Array([0.5, 10.5]);
  const c = certainty(m, centres, 2, labels);
  close(c[0], 1 - 0.5 / 10.5);
  const mid = certainty(matrixFromRows([[5.5]]), centres, 2, new Int32Array([0]));
  close(mid[0], 0);
});
