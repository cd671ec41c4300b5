/**
 * k-means with k-means++ starts and many restarts, keeping the run with the lowest total
 * within-cluster sum of squares (as the ONS OAC does). Typed arrays throughout; the same seed
 * gives the same answer.
 */
import { createRandom, type Random } from '../core/index.ts';
import type { Matrix } from './transform.ts';

export interface KMeansOptions { k: number; seed?: number; restarts?: number; maxIterations?: number; tolerance?: number }
export interface KMeansResult {
  k: number;
  /** k × d, row-major */
  centres: Float64Array;
  labels: Int32Array;
  /** total within-cluster sum of squares */
  wcss: number;
  iterations: number;
  restarts: number;
  sizes: number[];
}

function sqDist(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) { const x = a[ai + j] - b[bi + j]; s += x * x; }
  return s;
}

/** k-means++: each next centre drawn with probability proportional to squared distance to the nearest chosen. */
function seedCentres(m: Matrix, k: number, rng: Random): Float64Array {
  const { data, n, d } = m;
  const centres = new Float64Array(k * d);
  const first = rng.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = sqDist(data, i * d, centres, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i];
    let pick = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) { r -= nearest[i]; if (r <= 0) { pick = i; break; } }
    } else pick = rng.int(n);
    centres.set(data.subarray(pick * d, pick * d + d), c * d);
    for (let i = 0; i < n; i++) {
      const dist = sqDist(data, i * d, centres, c * d, d);
      if (dist < nearest[i]) nearest[i] = dist;
    }
  }
  return centres;
}

/** Mean variance of the columns: the scale the convergence tolerance is measured against. */
function meanVariance(m: Matrix): number {
  const { data, n, d } = m;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let s = 0, ss = 0;
    for (let i = 0; i < n; i++) { const x = data[i * d + j]; s += x; ss += x * x; }
    total += Math.max(0, ss / n - (s / n) ** 2);
  }
  return total / d;
}

function lloyd(m: Matrix, centres: Float64Array, k: number, maxIterations: number, tolerance: number) {
  const { data, n, d } = m;
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  labels.fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0, bestD = Infinity;
      const row = i * d;
      for (let c = 0; c < k; c++) {
        // Inlined distance with early exit once it cannot beat the best so far.
        const cr = c * d;
        let dist = 0;
        for (let j = 0; j < d && dist < bestD; j++) { const x = data[row + j] - centres[cr + j]; dist += x * x; }
        if (dist < bestD) { bestD = dist; best = c; }
      }
      if (labels[i] !== best) { labels[i] = best; changed++; }
    }
    sums.fill(0); counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centre
      for (let j = 0; j < d; j++) {
        const next = sums[c * d + j] / counts[c];
        const x = next - centres[c * d + j];
        shift += x * x;
        centres[c * d + j] = next;
      }
    }
    // Converged when no area changed segment, or the centres moved by less than the tolerance
    // (relative to the data's variance, as scikit-learn measures it): slow creeping of a poor
    // start is not worth hundreds of passes, and the best of the restarts is kept anyway.
    if (changed === 0 || shift <= tolerance) { iterations++; break; }
  }
  // Final sum of squares against the final centres.
  let final = 0;
  for (let i = 0; i < n; i++) final += sqDist(data, i * d, centres, labels[i] * d, d);
  return { labels, wcss: final, iterations };
}

export function kmeans(m: Matrix, opts: KMeansOptions): KMeansResult {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number of 1 or more, not ${k}.`);
  if (k > m.n) throw new Error(`k (${k}) cannot be more than the number of areas (${m.n}).`);
  const restarts = opts.restarts ?? 10;
  const rng = createRandom(opts.seed ?? 1);
  const tolerance = (opts.tolerance ?? 1e-4) * meanVariance(m);
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const centres = seedCentres(m, k, rng);
    const run = lloyd(m, centres, k, opts.maxIterations ?? 300, tolerance);
    if (!best || run.wcss < best.wcss) {
      const sizes = new Array(k).fill(0);
      for (const l of run.labels) sizes[l]++;
      best = { k, centres, labels: run.labels, wcss: run.wcss, iterations: run.iterations, restarts, sizes };
    }
  }
  return best!;
}
