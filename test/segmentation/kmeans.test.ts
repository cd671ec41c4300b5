import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/core/index.ts';
import {
  matrixFromRows,
  transform,
  weight,
  ihs,
  kmeans,
  kmeansParallel,
  silhouette,
  adjustedRandIndex,
  certainty,
  type Matrix,
} from '../../src/segmentation/index.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  seedCentres,
  lloydFrom,
  meanVariance,
  restartSeed,
  defaultLocalTrials,
  KMeansWorkspace,
  sqDist,
  sqDistBelow,
} from '../../src/segmentation/kmeans.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('transformations: inverse hyperbolic sine, log, z-score, range; constant columns become 0', () => {
  close(ihs(0), 0);
  close(ihs(1), Math.log(1 + Math.SQRT2));
  const m = matrixFromRows([
    [0, 5],
    [2, 5],
    [4, 5],
  ]);
  assert.deepEqual([...transform(m, 'range').data], [0, 0, 0.5, 0, 1, 0]);
  const z = transform(m, 'zscore').data;
  close(z[0], -Math.sqrt(1.5));
  close(z[2], 0);
  close(z[4], Math.sqrt(1.5));
  assert.equal(z[1], 0);
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
    for (let i = 0; i < n; i++) {
      labels[i] = c % k;
      c = Math.floor(c / k);
    }
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
    const m = matrixFromRows(
      Array.from({ length: 10 }, () => [rng.normal() + (rng.next() < 0.5 ? 3 : 0), rng.normal()]),
    );
    for (const k of [2, 3]) {
      const exact = bruteForceWcss(m, k);
      const r = kmeans(m, { k, seed: 7, restarts: 25 });
      close(r.wcss, exact, 1e-9 * Math.max(1, exact));
      assert.equal(
        r.sizes.reduce((a, b) => a + b, 0),
        10,
      );
    }
  }
});

test('the same seed gives the same answer; a single cluster is the grand mean', () => {
  const rng = createRandom(9);
  const m = matrixFromRows(
    Array.from({ length: 200 }, (_, i) => [rng.normal() + (i % 4) * 3, rng.normal() + (i % 2) * 3]),
  );
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

/** Plain Lloyd with scikit-learn's stopping rule, no bounds: the reference the bounded version must equal. */
function plainLloyd(m: Matrix, start: Float64Array, k: number, maxIterations: number, tolerance: number) {
  const { data, n, d } = m;
  const centres = Float64Array.from(start);
  const labels = new Int32Array(n).fill(-1);
  const assign = () => {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0,
        bestD = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (data[i * d + j] - centres[c * d + j]) ** 2;
        if (s < bestD) {
          bestD = s;
          best = c;
        }
      }
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    return changed;
  };
  let iterations = 0,
    strict = false;
  while (iterations < maxIterations) {
    const changed = assign();
    const sums = new Float64Array(k * d),
      counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[labels[i] * d + j] += data[i * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (!counts[c]) continue;
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / counts[c];
        shift += (v - centres[c * d + j]) ** 2;
        centres[c * d + j] = v;
      }
    }
    iterations++;
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  if (!strict) assign();
  let wcss = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) wcss += (data[i * d + j] - centres[labels[i] * d + j]) ** 2;
  return { labels, centres, wcss, iterations };
}

/** Overlapping blobs in d dimensions: many points near the boundaries, so the bounds are tested hard. */
function blobs(seed: number, n: number, d: number, groups: number, spread: number): Matrix {
  const rng = createRandom(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: d }, () => rng.next()));
  return matrixFromRows(
    Array.from({ length: n }, () => {
      const c = centres[rng.int(groups)];
      return c.map((x) => x + rng.normal() * spread);
    }),
  );
}

test("Lloyd with Elkan's bounds gives exactly the labels, iterations and (to rounding) the sum of squares of plain Lloyd from the same centres", () => {
  let compared = 0;
  for (const [seed, n, d, k, spread, tol] of [
    [1, 400, 2, 5, 0.2, 1e-4],
    [2, 300, 7, 8, 0.3, 1e-4],
    [3, 500, 30, 6, 0.4, 0],
    [4, 250, 3, 12, 1, 1e-6],
    [5, 200, 1, 4, 0.5, 0],
  ] as const) {
    const m = blobs(seed, n, d, 5, spread);
    const tolerance = tol * meanVariance(m);
    for (let r = 0; r < 4; r++) {
      for (const trials of [1, defaultLocalTrials(k)]) {
        for (const maxIterations of [300, 3]) {
          // Both ways in: from bare centres (a first pass over every distance), and straight after
          // seeding in the same workspace (the first pass uses the bounds the seeding left).
          for (const fromSeeding of [false, true]) {
            const ws = new KMeansWorkspace(m.n, m.d, k, trials);
            const start = seedCentres(m, k, createRandom(restartSeed(seed, r)), trials, ws);
            const ref = plainLloyd(m, start, k, maxIterations, tolerance);
            const ours = lloydFrom(m, start, k, maxIterations, tolerance, ws, fromSeeding);
            assert.deepEqual(
              [...ours.labels],
              [...ref.labels],
              `labels, case ${seed}/${r}/${trials}/${maxIterations}/${fromSeeding}`,
            );
            assert.equal(ours.iterations, ref.iterations);
            close(ours.wcss, ref.wcss, 1e-12 * ref.wcss);
            for (let j = 0; j < k * d; j++) close(ours.centres[j], ref.centres[j], 1e-12);
            compared++;
          }
        }
      }
    }
  }
  assert.equal(compared, 160);
});

test('kmeansParallel gives exactly the answer of kmeans for the same seed, with 1 or 2 workers', async () => {
  const m = blobs(11, 600, 5, 6, 0.35);
  for (const opts of [
    { k: 6, seed: 3, restarts: 7 },
    { k: 3, seed: 99, restarts: 2, maxIterations: 4 },
  ]) {
    const sync = kmeans(m, opts);
    for (const workers of [1, 2]) {
      const par = await kmeansParallel(m, { ...opts, workers });
      assert.deepEqual([...par.labels], [...sync.labels]);
      assert.equal(par.wcss, sync.wcss);
      assert.deepEqual([...par.centres], [...sync.centres]);
      assert.equal(par.restart, sync.restart);
      assert.equal(par.iterations, sync.iterations);
      assert.deepEqual(par.sizes, sync.sizes);
      assert.equal(par.threads, workers);
    }
    // Without a worker count, a problem this small runs in this thread, and gives the same answer.
    const auto = await kmeansParallel(m, opts);
    assert.equal(auto.threads, 1);
    assert.equal(auto.wcss, sync.wcss);
  }
  await assert.rejects(kmeansParallel(m, { k: 0 }), /whole number/);
});

test('the best restart is the lowest sum of squares, ties to the lowest restart index', () => {
  // Two far-apart pairs: every restart finds the same optimum, so restart 0 must be the one kept.
  const m = matrixFromRows([
    [0, 0],
    [0, 1],
    [10, 0],
    [10, 1],
  ]);
  const r = kmeans(m, { k: 2, seed: 5, restarts: 6 });
  close(r.wcss, 1);
  assert.equal(r.restart, 0);
});

test('the committed WebAssembly kernel is the one its WAT source compiles to', () => {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../../scripts/build-wasm.mjs', import.meta.url)), '--check'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

test("the kernel's distances are bit-for-bit those of sqDist and sqDistBelow, for every remainder of d modulo 4", () => {
  const rng = createRandom(17);
  for (const d of [1, 2, 3, 4, 5, 7, 8, 9, 60, 167]) {
    const m = matrixFromRows(Array.from({ length: 6 }, () => Array.from({ length: d }, () => rng.normal() * 10)));
    const ws = new KMeansWorkspace(m.n, d, 2, 1);
    const data = ws.bind(m);
    for (let a = 0; a < m.n; a++) {
      for (let b = 0; b < m.n; b++) {
        const full = sqDist(data, a * d, data, b * d, d);
        assert.equal(ws.kernel.sqDist(ws.ptr.data + a * d * 8, ws.ptr.data + b * d * 8, d), full);
        for (const limit of [Infinity, full, full / 2, 0]) {
          assert.equal(
            ws.kernel.sqDistBelow(ws.ptr.data + a * d * 8, ws.ptr.data + b * d * 8, d, limit),
            sqDistBelow(data, a * d, data, b * d, d, limit),
          );
        }
      }
    }
  }
});
