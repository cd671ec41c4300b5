/**
 * k-means with k-means++ starts and many restarts, keeping the run with the lowest total
 * within-cluster sum of squares (as the ONS OAC does). Typed arrays throughout; the same seed
 * gives the same answer, however many threads the restarts are spread over.
 *
 * What each restart does, and why it matches scikit-learn's KMeans(algorithm="lloyd"):
 * - Seeding is scikit-learn's "greedy" k-means++: for each next centre, `localTrials`
 *   (2 + ⌊ln k⌋) candidates are drawn in proportion to the squared distance to the nearest centre
 *   already chosen, and the one that lowers the potential most is kept.
 * - Iterations give the assignments of plain Lloyd (assign every point to its nearest centre,
 *   lowest index on ties; move every centre to its members' mean), but Elkan's bounds (for every
 *   point, an upper bound on the distance to its own centre and a lower bound on the distance to
 *   each other centre; half the distance between every two centres) skip the distance
 *   calculations that cannot change an assignment. The first pass starts from what the seeding
 *   already knows (each point's nearest seed, and bounds on its distance to every seed). Each
 *   cluster's sum is updated as points move, so a pass costs little more than the points near a
 *   boundary; the centres agree with plain Lloyd's to rounding (test/segmentation/kmeans.test.ts
 *   checks labels, iterations and sums of squares against a plain Lloyd from the same centres).
 * - Convergence as scikit-learn: stop when no point changed cluster ("strict" convergence), or
 *   when the sum of squared centre movements is at most tolerance × the mean column variance, or
 *   after maxIterations passes; if not strictly converged, points are assigned once more to the
 *   final centres, and the sum of squares is measured against those centres.
 * - Restart r draws from its own random stream, derived from (seed, r); the best restart is the
 *   lowest sum of squares, ties to the lowest restart index.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRandom, type Random } from '../core/index.ts';
import type { Matrix } from './transform.ts';

export interface KMeansOptions {
  k: number;
  seed?: number;
  restarts?: number;
  maxIterations?: number;
  /** Relative to the mean column variance (scikit-learn's `tol`); default 1e-4. */
  tolerance?: number;
  /** Candidates tried for each k-means++ centre; default 2 + ⌊ln k⌋ as scikit-learn; 1 = classic k-means++. */
  localTrials?: number;
}
export interface KMeansResult {
  k: number;
  /** k × d, row-major */
  centres: Float64Array;
  labels: Int32Array;
  /** total within-cluster sum of squares */
  wcss: number;
  /** passes of the best restart */
  iterations: number;
  restarts: number;
  sizes: number[];
  /** index of the restart kept (0-based) */
  restart: number;
  /** threads the restarts ran on (1 = this thread) */
  threads: number;
}

/** One restart's outcome. */
export interface KMeansRun { centres: Float64Array; labels: Int32Array; wcss: number; iterations: number; converged: boolean }

/**
 * Squared Euclidean distance between a[ai..ai+d) and b[bi..bi+d). Four running sums, so that the
 * additions do not wait on each other (about three times faster than one sum in V8).
 */
export function sqDist(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < d; j += 4) {
    const x0 = a[ai + j] - b[bi + j], x1 = a[ai + j + 1] - b[bi + j + 1];
    const x2 = a[ai + j + 2] - b[bi + j + 2], x3 = a[ai + j + 3] - b[bi + j + 3];
    s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
  }
  for (; j < d; j++) { const x = a[ai + j] - b[bi + j]; s0 += x * x; }
  return (s0 + s1) + (s2 + s3);
}

/**
 * The same squared distance, abandoned once a partial sum reaches `limit` (the partial sum is then
 * returned: it is at least `limit`, and never more than the whole). Below `limit`, the value is
 * exactly sqDist's.
 */
export function sqDistBelow(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number, limit: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 3 < d; j += 4) {
    const x0 = a[ai + j] - b[bi + j], x1 = a[ai + j + 1] - b[bi + j + 1];
    const x2 = a[ai + j + 2] - b[bi + j + 2], x3 = a[ai + j + 3] - b[bi + j + 3];
    s0 += x0 * x0; s1 += x1 * x1; s2 += x2 * x2; s3 += x3 * x3;
    if ((s0 + s1) + (s2 + s3) >= limit) return (s0 + s1) + (s2 + s3);
  }
  for (; j < d; j++) { const x = a[ai + j] - b[bi + j]; s0 += x * x; }
  return (s0 + s1) + (s2 + s3);
}

/** 32-bit finaliser (murmur3's fmix32). */
function fmix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of restart r's random stream: depends only on (seed, r), not on which thread runs it. */
export function restartSeed(seed: number, r: number): number {
  return fmix32(fmix32(seed >>> 0) ^ Math.imul(r + 1, 0x9e3779b9));
}

export function defaultLocalTrials(k: number): number { return 2 + Math.floor(Math.log(k)); }

/** Mean variance of the columns (two-pass): the scale the convergence tolerance is measured against. */
export function meanVariance(m: Matrix): number {
  const { data, n, d } = m;
  if (n === 0 || d === 0) return 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) { const row = i * d; for (let j = 0; j < d; j++) mean[j] += data[row + j]; }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const ss = new Float64Array(d);
  for (let i = 0; i < n; i++) { const row = i * d; for (let j = 0; j < d; j++) { const x = data[row + j] - mean[j]; ss[j] += x * x; } }
  let total = 0;
  for (let j = 0; j < d; j++) total += ss[j] / n;
  return total / d;
}

/**
 * Buffers for one (n, k) problem, allocated once and reused by every restart a thread runs,
 * so that nothing is allocated inside the loops.
 */
export class KMeansWorkspace {
  readonly near: Float64Array; readonly nearRoot: Float64Array; readonly nearIdx: Int32Array;
  readonly cumulative: Float64Array; readonly trial: Float64Array; readonly trialLower: Float64Array;
  /** n: upper bound on each point's distance to its own centre; n × k: lower bounds on its distance to each centre */
  readonly upper: Float64Array; readonly lower: Float64Array; readonly between: Float64Array;
  readonly sums: Float64Array; readonly counts: Int32Array; readonly move: Float64Array; readonly half: Float64Array;
  readonly candDist: Float64Array; readonly candIds: Int32Array; readonly candPot: Float64Array;
  constructor(readonly n: number, readonly d: number, readonly k: number, readonly localTrials: number) {
    this.near = new Float64Array(n); this.nearRoot = new Float64Array(n); this.nearIdx = new Int32Array(n);
    this.cumulative = new Float64Array(n); this.trial = new Float64Array(localTrials * n);
    this.trialLower = new Float64Array(localTrials * n);
    this.upper = new Float64Array(n); this.lower = new Float64Array(n * k); this.between = new Float64Array(k * k);
    this.sums = new Float64Array(k * d); this.counts = new Int32Array(k); this.move = new Float64Array(k); this.half = new Float64Array(k);
    this.candDist = new Float64Array(localTrials * k); this.candIds = new Int32Array(localTrials); this.candPot = new Float64Array(localTrials);
  }
}

/**
 * Greedy k-means++ (scikit-learn's): each next centre is the best of `localTrials` candidates drawn
 * with probability proportional to the squared distance to the nearest centre already chosen.
 * Candidates are scored exactly, but a point is skipped when the triangle inequality shows the
 * candidate cannot be nearer than its present centre, and a distance is abandoned once it exceeds
 * the present one.
 */
export function seedCentres(m: Matrix, k: number, rng: Random, localTrials = 1, ws?: KMeansWorkspace): Float64Array {
  const { data, n, d } = m;
  const w = ws ?? new KMeansWorkspace(n, d, k, localTrials);
  if (w.n !== n || w.d !== d || w.k !== k || w.localTrials < localTrials) throw new Error('The k-means workspace does not fit this problem.');
  const { near, nearRoot, nearIdx, cumulative, trial, trialLower, lower, candDist, candIds, candPot } = w;
  const centres = new Float64Array(k * d);
  const first = rng.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  for (let i = 0; i < n; i++) {
    const x = sqDist(data, i * d, centres, 0, d);
    near[i] = x; nearRoot[i] = Math.sqrt(x); nearIdx[i] = 0; lower[i * k] = nearRoot[i];
  }
  for (let c = 1; c < k; c++) {
    // Draw the candidates: the first index whose running total reaches r (as numpy's searchsorted).
    let run = 0;
    for (let i = 0; i < n; i++) { run += near[i]; cumulative[i] = run; }
    for (let t = 0; t < localTrials; t++) {
      let pick: number;
      if (run > 0) {
        const r = rng.next() * run;
        let lo = 0, hi = n - 1;
        while (lo < hi) { const mid = (lo + hi) >>> 1; if (cumulative[mid] < r) lo = mid + 1; else hi = mid; }
        pick = lo;
      } else pick = rng.int(n);
      candIds[t] = pick;
    }
    // Score every candidate in one pass over the points (each row read once): the potential if it were added.
    for (let t = 0; t < localTrials; t++) {
      const p = candIds[t] * d;
      for (let j = 0; j < c; j++) candDist[t * k + j] = Math.sqrt(sqDist(data, p, centres, j * d, d));
      candPot[t] = 0;
    }
    for (let i = 0; i < n; i++) {
      const cur = near[i], twice = 2 * nearRoot[i], own = nearIdx[i], row = i * d;
      for (let t = 0; t < localTrials; t++) {
        let v = cur, lb: number;
        // d(x, cand) ≥ d(cand, own) − d(x, own) ≥ d(x, own) when d(cand, own) ≥ 2 d(x, own).
        const cd = candDist[t * k + own];
        if (cd < twice) {
          const x = sqDistBelow(data, row, data, candIds[t] * d, d, cur);
          if (x < cur) v = x;
          lb = Math.sqrt(x); // exact, or a partial sum: either way no more than the distance
        } else lb = cd - nearRoot[i];
        trial[t * n + i] = v;
        trialLower[t * n + i] = lb;
        candPot[t] += v;
      }
    }
    let bestT = 0;
    for (let t = 1; t < localTrials; t++) if (candPot[t] < candPot[bestT]) bestT = t;
    const chosen = candIds[bestT];
    centres.set(data.subarray(chosen * d, chosen * d + d), c * d);
    const off = bestT * n;
    for (let i = 0; i < n; i++) {
      // Also keep a lower bound on every point's distance to the new centre (exact when it was
      // measured in full), so that Lloyd's first pass can start from these assignments and bounds.
      const v = trial[off + i];
      lower[i * k + c] = trialLower[off + i];
      if (v < near[i]) { near[i] = v; nearRoot[i] = Math.sqrt(v); nearIdx[i] = c; }
    }
  }
  return centres;
}

/**
 * Lloyd's iterations from the given centres (changed in place), with Elkan's bounds: for every
 * point an upper bound on the distance to its own centre and a lower bound on the distance to each
 * other centre, and half the distance between every two centres; a distance is calculated only
 * when the bounds cannot rule the centre out. `tolerance` is absolute here: the largest sum of
 * squared centre movements that counts as converged. `fromSeeding`: the centres are the ones
 * seedCentres has just returned using the workspace `ws`, which holds each point's nearest seed
 * and bounds on its distances to every seed.
 */
export function lloydFrom(m: Matrix, centres: Float64Array, k: number, maxIterations: number, tolerance: number, ws?: KMeansWorkspace, fromSeeding = false): KMeansRun {
  const { data, n, d } = m;
  const w = ws ?? new KMeansWorkspace(n, d, k, 1);
  if (w.n !== n || w.d !== d || w.k !== k) throw new Error('The k-means workspace does not fit this problem.');
  const { upper, lower, between, sums, counts, move, half } = w;
  const labels = new Int32Array(n).fill(-1);
  sums.fill(0); counts.fill(0);
  const seeded = fromSeeding && ws !== undefined && maxIterations > 0;
  if (seeded) {
    labels.set(w.nearIdx); upper.set(w.nearRoot); // the lower bounds are in place already
    for (let i = 0; i < n; i++) {
      const cr = labels[i] * d, row = i * d;
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[cr + j] += data[row + j];
    }
  }

  /** A point changes cluster: the clusters' sums follow it (the means need no pass over all points). */
  const moveTo = (i: number, from: number, to: number) => {
    const row = i * d, tr = to * d;
    if (from >= 0) { const fr = from * d; for (let j = 0; j < d; j++) { const x = data[row + j]; sums[fr + j] -= x; sums[tr + j] += x; } counts[from]--; }
    else for (let j = 0; j < d; j++) sums[tr + j] += data[row + j];
    counts[to]++;
    labels[i] = to;
  };

  /** The first pass from bare centres: every distance, in full. */
  const assignEvery = (): number => {
    for (let i = 0; i < n; i++) {
      const row = i * d, lo = i * k;
      let best = 0, bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const x = sqDist(data, row, centres, c * d, d);
        lower[lo + c] = Math.sqrt(x);
        if (x < bestD) { bestD = x; best = c; }
      }
      upper[i] = Math.sqrt(bestD);
      moveTo(i, -1, best);
    }
    return n;
  };

  const assignBounded = (): number => {
    // Half the distance between every two centres, and from each to its nearest other.
    for (let a = 0; a < k; a++) { half[a] = Infinity; between[a * k + a] = 0; }
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const h = 0.5 * Math.sqrt(sqDist(centres, a * d, centres, b * d, d));
        between[a * k + b] = h; between[b * k + a] = h;
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const own = labels[i];
      let u = upper[i];
      if (u <= half[own]) continue; // every other centre is at least as far
      const row = i * d, lo = i * k;
      let a = own, uSq = -1; // uSq ≥ 0 once the distance to centre a is exact
      for (let c = 0; c < k; c++) {
        if (c === a) continue;
        // d(x, c) ≥ lower bound, and d(x, c) ≥ d(a, c) − d(x, a) ≥ d(x, a) when u ≤ d(a, c) / 2.
        if (u <= lower[lo + c] || u <= between[a * k + c]) continue;
        if (uSq < 0) {
          uSq = sqDist(data, row, centres, a * d, d);
          u = Math.sqrt(uSq); lower[lo + a] = u;
          if (u <= lower[lo + c] || u <= between[a * k + c]) continue;
        }
        const x = sqDistBelow(data, row, centres, c * d, d, uSq);
        lower[lo + c] = Math.sqrt(x); // exact, or a partial sum: no more than the distance
        // Nearer, or as near with a lower index (as plain Lloyd breaks ties; a partial sum equal to
        // uSq is measured in full first).
        if (x < uSq || (x === uSq && c < a && sqDist(data, row, centres, c * d, d) === uSq)) { a = c; uSq = x; u = lower[lo + c]; }
      }
      upper[i] = u;
      if (a !== own) { moveTo(i, own, a); changed++; }
    }
    return changed;
  };

  /** Centres to their members' means; returns the total squared movement and moves the bounds with the centres. */
  const update = (): number => {
    let shift = 0, any = false;
    for (let c = 0; c < k; c++) {
      const cnt = counts[c], cr = c * d;
      let moved = 0;
      if (cnt > 0) { // an empty cluster keeps its centre
        for (let j = 0; j < d; j++) {
          const next = sums[cr + j] / cnt;
          const x = next - centres[cr + j];
          moved += x * x;
          centres[cr + j] = next;
        }
      }
      shift += moved;
      move[c] = Math.sqrt(moved);
      if (moved > 0) any = true;
    }
    if (any) {
      for (let i = 0; i < n; i++) {
        upper[i] += move[labels[i]];
        const lo = i * k;
        for (let c = 0; c < k; c++) lower[lo + c] -= move[c];
      }
    }
    return shift;
  };

  let iterations = 0, strict = false;
  while (iterations < maxIterations) {
    // Lloyd's first pass changes every label (from none); so it counts here, even when seeded.
    const changed = iterations > 0 ? assignBounded() : seeded ? (assignBounded(), n) : assignEvery();
    const shift = update();
    iterations++;
    if (changed === 0) { strict = true; break; }
    if (shift <= tolerance) break;
  }
  if (!strict) { if (iterations > 0) assignBounded(); else assignEvery(); } // labels for the final centres
  let wcss = 0;
  for (let i = 0; i < n; i++) wcss += sqDist(data, i * d, centres, labels[i] * d, d);
  return { centres, labels, wcss, iterations, converged: strict || iterations < maxIterations };
}

export interface KMeansParams { k: number; seed: number; restarts: number; maxIterations: number; tolerance: number; localTrials: number }

function resolve(m: Matrix, opts: KMeansOptions): KMeansParams {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number of 1 or more, not ${k}.`);
  if (k > m.n) throw new Error(`k (${k}) cannot be more than the number of areas (${m.n}).`);
  const restarts = opts.restarts ?? 10;
  if (!Number.isInteger(restarts) || restarts < 1) throw new Error(`restarts must be a whole number of 1 or more, not ${restarts}.`);
  return {
    k, restarts, seed: opts.seed ?? 1,
    maxIterations: opts.maxIterations ?? 300,
    tolerance: (opts.tolerance ?? 1e-4) * meanVariance(m),
    localTrials: opts.localTrials ?? defaultLocalTrials(k),
  };
}

/** One restart, from its own random stream. `tolerance` is absolute (already scaled). */
export function runRestart(m: Matrix, p: KMeansParams, r: number, ws: KMeansWorkspace): KMeansRun {
  const centres = seedCentres(m, p.k, createRandom(restartSeed(p.seed, r)), p.localTrials, ws);
  return lloydFrom(m, centres, p.k, p.maxIterations, p.tolerance, ws, true);
}

function finish(p: KMeansParams, run: KMeansRun, restart: number, threads: number): KMeansResult {
  const sizes = new Array(p.k).fill(0);
  for (const l of run.labels) sizes[l]++;
  return { k: p.k, centres: run.centres, labels: run.labels, wcss: run.wcss, iterations: run.iterations, restarts: p.restarts, sizes, restart, threads };
}

/** Is restart (wcss, r) better than (bestWcss, bestR)? Lower sum of squares, ties (and NaN) to the lower index. */
function better(wcss: number, r: number, bestWcss: number, bestR: number): boolean {
  const a = Number.isNaN(wcss) ? Infinity : wcss, b = Number.isNaN(bestWcss) ? Infinity : bestWcss;
  return a < b || (a === b && r < bestR);
}

function inThread(m: Matrix, p: KMeansParams): KMeansResult {
  const ws = new KMeansWorkspace(m.n, m.d, p.k, p.localTrials);
  let best: KMeansRun | null = null, bestR = -1;
  for (let r = 0; r < p.restarts; r++) {
    const run = runRestart(m, p, r, ws);
    if (!best || better(run.wcss, r, best.wcss, bestR)) { best = run; bestR = r; }
  }
  return finish(p, best!, bestR, 1);
}

/** k-means in this thread. Gives exactly the answer of kmeansParallel for the same options. */
export function kmeans(m: Matrix, opts: KMeansOptions): KMeansResult {
  return inThread(m, resolve(m, opts));
}

/**
 * Below this many n × d × restarts (unless a number of workers is asked for), a worker's start-up
 * (about a quarter of a second from TypeScript source, tsx's loader included) costs more than it
 * saves, and the restarts run in this thread. Leicester's 969 × 167 × 10 restarts is 1.6 million.
 */
export const PARALLEL_THRESHOLD = 20_000_000;

/** Messages between kmeansParallel and its workers. */
export interface WorkerSetup { data: Float64Array; n: number; d: number; params: KMeansParams }
export interface WorkerReply { r: number; wcss: number; iterations: number; converged: boolean; labels: Int32Array; centres: Float64Array }

/**
 * How to start a worker. From compiled JavaScript, the worker file itself. From TypeScript source
 * (run through tsx), a worker thread does not get tsx's loader from `--import tsx` (tsx registers its
 * ESM hooks only on the main thread), so a two-line bootstrap registers tsx's CommonJS loader and
 * requires the worker file: about a fifth of the start-up time of tsx's ESM API in a worker, which
 * starts a loader thread of its own for each worker.
 */
function newWorker(setup: WorkerSetup): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./kmeans-worker.js', self), { workerData: setup });
  const tsx = createRequire(self).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL('./kmeans-worker.ts', self));
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, workerData: setup });
}

/**
 * k-means with the restarts spread over worker threads sharing one copy of the matrix
 * (a SharedArrayBuffer). The same seed gives exactly the same answer as kmeans(), whatever the
 * number of workers. Small problems run in this thread.
 */
export async function kmeansParallel(m: Matrix, opts: KMeansOptions & { workers?: number }): Promise<KMeansResult> {
  const p = resolve(m, opts);
  const workers = Math.min(opts.workers ?? Math.min(2, availableParallelism()), p.restarts);
  if (workers <= 1 || (m.n * m.d * p.restarts < PARALLEL_THRESHOLD && opts.workers === undefined)) return inThread(m, p);

  // One copy of the matrix that every worker reads (unless it is shared already). It is filled
  // while the workers start: they read it only once sent their first restart.
  const shared = m.data.buffer instanceof SharedArrayBuffer;
  const data = shared ? m.data : new Float64Array(new SharedArrayBuffer(m.n * m.d * 8));
  const setup: WorkerSetup = { data, n: m.n, d: m.d, params: p };

  return new Promise<KMeansResult>((resolvePromise, reject) => {
    const pool: Worker[] = [];
    let next = 0, done = 0, failed = false;
    let best: WorkerReply | null = null;
    const stop = () => { for (const w of pool) void w.terminate(); };
    const fail = (e: unknown) => { if (failed) return; failed = true; stop(); reject(e instanceof Error ? e : new Error(String(e))); };
    const give = (w: Worker) => { if (next < p.restarts) w.postMessage(next++); };
    for (let t = 0; t < workers; t++) {
      const w = newWorker(setup);
      pool.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (failed) return;
        if (!best || better(reply.wcss, reply.r, best.wcss, best.r)) best = reply;
        done++;
        if (done === p.restarts) {
          stop();
          const b = best!;
          resolvePromise(finish(p, { centres: b.centres, labels: b.labels, wcss: b.wcss, iterations: b.iterations, converged: b.converged }, b.r, workers));
        } else give(w);
      });
      w.on('error', fail);
      w.on('exit', (code) => { if (done < p.restarts && !failed) fail(new Error(`A k-means worker stopped (exit code ${code}).`)); });
    }
    if (!shared) data.set(m.data.subarray(0, m.n * m.d));
    for (const w of pool) give(w);
  });
}
