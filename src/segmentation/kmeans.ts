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
 *
 * Where the time goes, and the WebAssembly kernel (docs/decisions/0008-kmeans-kernel.md):
 * - The seeding's candidate scoring (every point against every candidate, 7 × 4 times a restart at
 *   k = 8) runs in kmeans-kernel.wat (f64x2 SIMD; four candidates per pass over a row when none
 *   can be skipped), compiled by scripts/build-wasm.mjs into kmeans-kernel-bytes.ts, which is
 *   committed (the tests rebuild it and compare). Its distances add in exactly sqDist's order (four
 *   running sums, no fused multiply-add), so it gives bit-for-bit the JavaScript answers; only
 *   the partial sums kept as lower bounds when a distance is abandoned may differ, and those never
 *   change an assignment.
 * - The kernel works on a WebAssembly memory holding a copy of the matrix and the workspace
 *   (KMeansWorkspace). In-thread, the matrix is copied in once per call; for kmeansParallel, one
 *   shared memory holds the matrix once and every worker's workspace.
 * - Lloyd's passes stay in JavaScript: with Elkan's bounds they compute few distances, and moving
 *   those into the kernel measured no faster.
 * - Workers are started once and reused by later calls (idle ones are unref'd).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRandom, type Random } from '../core/index.ts';
import type { Matrix } from './transform.ts';
import { align16, instantiateKernel, newKernelMemory, type KernelExports } from './kmeans-kernel.ts';

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
export interface KMeansRun {
  centres: Float64Array;
  labels: Int32Array;
  wcss: number;
  iterations: number;
  converged: boolean;
}

/**
 * Squared Euclidean distance between a[ai..ai+d) and b[bi..bi+d). Four running sums, so that the
 * additions do not wait on each other (about three times faster than one sum in V8).
 */
export function sqDist(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    j = 0;
  for (; j + 3 < d; j += 4) {
    const x0 = a[ai + j] - b[bi + j],
      x1 = a[ai + j + 1] - b[bi + j + 1];
    const x2 = a[ai + j + 2] - b[bi + j + 2],
      x3 = a[ai + j + 3] - b[bi + j + 3];
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (; j < d; j++) {
    const x = a[ai + j] - b[bi + j];
    s0 += x * x;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * The same squared distance, abandoned once a partial sum reaches `limit` (the partial sum is then
 * returned: it is at least `limit`, and never more than the whole). Below `limit`, the value is
 * exactly sqDist's.
 */
export function sqDistBelow(
  a: Float64Array,
  ai: number,
  b: Float64Array,
  bi: number,
  d: number,
  limit: number,
): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    j = 0;
  for (; j + 3 < d; j += 4) {
    const x0 = a[ai + j] - b[bi + j],
      x1 = a[ai + j + 1] - b[bi + j + 1];
    const x2 = a[ai + j + 2] - b[bi + j + 2],
      x3 = a[ai + j + 3] - b[bi + j + 3];
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
    if (s0 + s1 + (s2 + s3) >= limit) return s0 + s1 + (s2 + s3);
  }
  for (; j < d; j++) {
    const x = a[ai + j] - b[bi + j];
    s0 += x * x;
  }
  return s0 + s1 + (s2 + s3);
}

/** 32-bit finaliser (murmur3's fmix32). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of restart r's random stream: depends only on (seed, r), not on which thread runs it. */
export function restartSeed(seed: number, r: number): number {
  return fmix32(fmix32(seed >>> 0) ^ Math.imul(r + 1, 0x9e3779b9));
}

export function defaultLocalTrials(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Mean variance of the columns (two-pass): the scale the convergence tolerance is measured against. */
export function meanVariance(m: Matrix): number {
  const { data, n, d } = m;
  if (n === 0 || d === 0) return 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[row + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const ss = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const x = data[row + j] - mean[j];
      ss[j] += x * x;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += ss[j] / n;
  return total / d;
}

/** Where a workspace lives: in `memory` (shared with other threads), the matrix at `dataPtr`, the rest from `base`. */
export interface WorkspacePlace {
  memory: WebAssembly.Memory;
  dataPtr: number;
  base: number;
}

/**
 * Buffers for one (n, k) problem, allocated once and reused by every restart a thread runs,
 * so that nothing is allocated inside the loops. They live in a WebAssembly memory, with a copy of
 * the matrix, so that the kernel (kmeans-kernel.wat) can work on them; each array is also a typed
 * array view for the JavaScript code. Without a `place`, the workspace has a memory of its own and
 * copies the matrix in on its first use with it (bind).
 */
export class KMeansWorkspace {
  readonly near: Float64Array;
  readonly nearRoot: Float64Array;
  readonly nearIdx: Int32Array;
  readonly cumulative: Float64Array;
  readonly trial: Float64Array;
  readonly trialLower: Float64Array;
  /** n: upper bound on each point's distance to its own centre; n × k: lower bounds on its distance to each centre */
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  readonly between: Float64Array;
  readonly sums: Float64Array;
  readonly counts: Int32Array;
  readonly move: Float64Array;
  readonly half: Float64Array;
  readonly candDist: Float64Array;
  readonly candIds: Int32Array;
  readonly candPot: Float64Array;
  /** the matrix, in the kernel's memory */
  readonly data: Float64Array;
  readonly memory: WebAssembly.Memory;
  readonly kernel: KernelExports;
  /** byte offsets of the arrays in the kernel's memory */
  readonly ptr: Record<
    'data' | 'near' | 'nearRoot' | 'nearIdx' | 'trial' | 'trialLower' | 'lower' | 'candDist' | 'candIds' | 'candPot',
    number
  >;
  private boundTo: Float64Array | null = null;

  /** Bytes of kernel memory for everything but the matrix. */
  static bytes(n: number, d: number, k: number, localTrials: number): number {
    return KMeansWorkspace.plan(n, d, k, localTrials).reduce((s, [, len, size]) => s + align16(len * size), 0);
  }
  private static plan(n: number, d: number, k: number, T: number): [string, number, 4 | 8][] {
    return [
      ['near', n, 8],
      ['nearRoot', n, 8],
      ['nearIdx', n, 4],
      ['cumulative', n, 8],
      ['trial', T * n, 8],
      ['trialLower', T * n, 8],
      ['upper', n, 8],
      ['lower', n * k, 8],
      ['between', k * k, 8],
      ['sums', k * d, 8],
      ['counts', k, 4],
      ['move', k, 8],
      ['half', k, 8],
      ['candDist', T * k, 8],
      ['candIds', T, 4],
      ['candPot', T, 8],
    ];
  }

  constructor(
    readonly n: number,
    readonly d: number,
    readonly k: number,
    readonly localTrials: number,
    place?: WorkspacePlace,
  ) {
    const { memory, dataPtr, base } = place ?? {
      memory: newKernelMemory(align16(n * d * 8) + KMeansWorkspace.bytes(n, d, k, localTrials)),
      dataPtr: 0,
      base: align16(n * d * 8),
    };
    this.memory = memory;
    this.kernel = instantiateKernel(memory);
    const buf = memory.buffer;
    this.data = new Float64Array(buf, dataPtr, n * d);
    const ptr: Record<string, number> = { data: dataPtr };
    const views: Record<string, Float64Array | Int32Array> = {};
    let at = base;
    for (const [name, len, size] of KMeansWorkspace.plan(n, d, k, localTrials)) {
      ptr[name] = at;
      views[name] = size === 8 ? new Float64Array(buf, at, len) : new Int32Array(buf, at, len);
      at += align16(len * size);
    }
    if (at > buf.byteLength) throw new Error('The k-means workspace does not fit its memory.');
    this.ptr = ptr as KMeansWorkspace['ptr'];
    const f = (name: string) => views[name] as Float64Array,
      i = (name: string) => views[name] as Int32Array;
    this.near = f('near');
    this.nearRoot = f('nearRoot');
    this.nearIdx = i('nearIdx');
    this.cumulative = f('cumulative');
    this.trial = f('trial');
    this.trialLower = f('trialLower');
    this.upper = f('upper');
    this.lower = f('lower');
    this.between = f('between');
    this.sums = f('sums');
    this.counts = i('counts');
    this.move = f('move');
    this.half = f('half');
    this.candDist = f('candDist');
    this.candIds = i('candIds');
    this.candPot = f('candPot');
  }

  /**
   * Makes the kernel's copy of the matrix that of m: nothing to do when m's data is that copy, or
   * was copied last time (the data of a matrix are not changed while k-means runs on it).
   */
  bind(m: Matrix): Float64Array {
    if (m.n !== this.n || m.d !== this.d) throw new Error('The k-means workspace does not fit this problem.');
    if (this.boundTo === m.data) return this.data;
    const same = m.data.buffer === this.data.buffer && m.data.byteOffset === this.data.byteOffset;
    if (!same) this.data.set(m.data.subarray(0, this.n * this.d));
    this.boundTo = m.data;
    return this.data;
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
  const { n, d } = m;
  const w = ws ?? new KMeansWorkspace(n, d, k, localTrials);
  if (w.n !== n || w.d !== d || w.k !== k || w.localTrials < localTrials)
    throw new Error('The k-means workspace does not fit this problem.');
  const data = w.bind(m),
    K = w.kernel,
    P = w.ptr;
  const { near, nearIdx, nearRoot, cumulative, trial, trialLower, lower, candDist, candIds, candPot } = w;
  const centres = new Float64Array(k * d);
  const first = rng.int(n);
  centres.set(data.subarray(first * d, first * d + d), 0);
  K.seedFirst(P.data, n, d, k, P.data + first * d * 8, P.near, P.nearRoot, P.nearIdx, P.lower);
  for (let c = 1; c < k; c++) {
    // Draw the candidates: the first index whose running total reaches r (as numpy's searchsorted).
    let run = 0;
    for (let i = 0; i < n; i++) {
      run += near[i];
      cumulative[i] = run;
    }
    for (let t = 0; t < localTrials; t++) {
      let pick: number;
      if (run > 0) {
        const r = rng.next() * run;
        let lo = 0,
          hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cumulative[mid] < r) lo = mid + 1;
          else hi = mid;
        }
        pick = lo;
      } else pick = rng.int(n);
      candIds[t] = pick;
    }
    // Score every candidate in one pass over the points (each row read once): the potential if it
    // were added (the kernel's seedScore; a point is skipped for a candidate when
    // d(cand, own) ≥ 2 d(x, own), as then d(x, cand) ≥ d(cand, own) − d(x, own) ≥ d(x, own)).
    for (let t = 0; t < localTrials; t++) {
      const p = candIds[t] * d;
      for (let j = 0; j < c; j++) candDist[t * k + j] = Math.sqrt(sqDist(data, p, centres, j * d, d));
      candPot[t] = 0;
    }
    K.seedScore(
      P.data,
      n,
      d,
      k,
      localTrials,
      P.candIds,
      P.candDist,
      P.near,
      P.nearRoot,
      P.nearIdx,
      P.trial,
      P.trialLower,
      P.candPot,
    );
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
      if (v < near[i]) {
        near[i] = v;
        nearRoot[i] = Math.sqrt(v);
        nearIdx[i] = c;
      }
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
export function lloydFrom(
  m: Matrix,
  centres: Float64Array,
  k: number,
  maxIterations: number,
  tolerance: number,
  ws?: KMeansWorkspace,
  fromSeeding = false,
): KMeansRun {
  const { n, d } = m;
  const w = ws ?? new KMeansWorkspace(n, d, k, 1);
  if (w.n !== n || w.d !== d || w.k !== k) throw new Error('The k-means workspace does not fit this problem.');
  const data = w.bind(m);
  const { upper, lower, between, sums, counts, move, half } = w;
  const labels = new Int32Array(n).fill(-1);
  sums.fill(0);
  counts.fill(0);
  const seeded = fromSeeding && ws !== undefined && maxIterations > 0;
  if (seeded) {
    labels.set(w.nearIdx);
    upper.set(w.nearRoot); // the lower bounds are in place already
    for (let i = 0; i < n; i++) {
      const cr = labels[i] * d,
        row = i * d;
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[cr + j] += data[row + j];
    }
  }

  /** A point changes cluster: the clusters' sums follow it (the means need no pass over all points). */
  const moveTo = (i: number, from: number, to: number) => {
    const row = i * d,
      tr = to * d;
    if (from >= 0) {
      const fr = from * d;
      for (let j = 0; j < d; j++) {
        const x = data[row + j];
        sums[fr + j] -= x;
        sums[tr + j] += x;
      }
      counts[from]--;
    } else for (let j = 0; j < d; j++) sums[tr + j] += data[row + j];
    counts[to]++;
    labels[i] = to;
  };

  /** The first pass from bare centres: every distance, in full. */
  const assignEvery = (): number => {
    for (let i = 0; i < n; i++) {
      const row = i * d,
        lo = i * k;
      let best = 0,
        bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const x = sqDist(data, row, centres, c * d, d);
        lower[lo + c] = Math.sqrt(x);
        if (x < bestD) {
          bestD = x;
          best = c;
        }
      }
      upper[i] = Math.sqrt(bestD);
      moveTo(i, -1, best);
    }
    return n;
  };

  const assignBounded = (): number => {
    // Half the distance between every two centres, and from each to its nearest other.
    for (let a = 0; a < k; a++) {
      half[a] = Infinity;
      between[a * k + a] = 0;
    }
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        const h = 0.5 * Math.sqrt(sqDist(centres, a * d, centres, b * d, d));
        between[a * k + b] = h;
        between[b * k + a] = h;
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const own = labels[i];
      let u = upper[i];
      if (u <= half[own]) continue; // every other centre is at least as far
      const row = i * d,
        lo = i * k;
      let a = own,
        uSq = -1; // uSq ≥ 0 once the distance to centre a is exact
      for (let c = 0; c < k; c++) {
        if (c === a) continue;
        // d(x, c) ≥ lower bound, and d(x, c) ≥ d(a, c) − d(x, a) ≥ d(x, a) when u ≤ d(a, c) / 2.
        if (u <= lower[lo + c] || u <= between[a * k + c]) continue;
        if (uSq < 0) {
          uSq = sqDist(data, row, centres, a * d, d);
          u = Math.sqrt(uSq);
          lower[lo + a] = u;
          if (u <= lower[lo + c] || u <= between[a * k + c]) continue;
        }
        const x = sqDistBelow(data, row, centres, c * d, d, uSq);
        lower[lo + c] = Math.sqrt(x); // exact, or a partial sum: no more than the distance
        // Nearer, or as near with a lower index (as plain Lloyd breaks ties; a partial sum equal to
        // uSq is measured in full first).
        if (x < uSq || (x === uSq && c < a && sqDist(data, row, centres, c * d, d) === uSq)) {
          a = c;
          uSq = x;
          u = lower[lo + c];
        }
      }
      upper[i] = u;
      if (a !== own) {
        moveTo(i, own, a);
        changed++;
      }
    }
    return changed;
  };

  /** Centres to their members' means; returns the total squared movement and moves the bounds with the centres. */
  const update = (): number => {
    let shift = 0,
      any = false;
    for (let c = 0; c < k; c++) {
      const cnt = counts[c],
        cr = c * d;
      let moved = 0;
      if (cnt > 0) {
        // an empty cluster keeps its centre
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

  let iterations = 0,
    strict = false;
  while (iterations < maxIterations) {
    // Lloyd's first pass changes every label (from none); so it counts here, even when seeded.
    const changed = iterations > 0 ? assignBounded() : seeded ? (assignBounded(), n) : assignEvery();
    const shift = update();
    iterations++;
    if (changed === 0) {
      strict = true;
      break;
    }
    if (shift <= tolerance) break;
  }
  if (!strict) {
    if (iterations > 0) assignBounded();
    else assignEvery();
  } // labels for the final centres
  let wcss = 0;
  for (let i = 0; i < n; i++) wcss += sqDist(data, i * d, centres, labels[i] * d, d);
  return { centres, labels, wcss, iterations, converged: strict || iterations < maxIterations };
}

export interface KMeansParams {
  k: number;
  seed: number;
  restarts: number;
  maxIterations: number;
  tolerance: number;
  localTrials: number;
}

function resolve(m: Matrix, opts: KMeansOptions): KMeansParams {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number of 1 or more, not ${k}.`);
  if (k > m.n) throw new Error(`k (${k}) cannot be more than the number of areas (${m.n}).`);
  const restarts = opts.restarts ?? 10;
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new Error(`restarts must be a whole number of 1 or more, not ${restarts}.`);
  return {
    k,
    restarts,
    seed: opts.seed ?? 1,
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
  return {
    k: p.k,
    centres: run.centres,
    labels: run.labels,
    wcss: run.wcss,
    iterations: run.iterations,
    restarts: p.restarts,
    sizes,
    restart,
    threads,
  };
}

/** Is restart (wcss, r) better than (bestWcss, bestR)? Lower sum of squares, ties (and NaN) to the lower index. */
function better(wcss: number, r: number, bestWcss: number, bestR: number): boolean {
  const a = Number.isNaN(wcss) ? Infinity : wcss,
    b = Number.isNaN(bestWcss) ? Infinity : bestWcss;
  return a < b || (a === b && r < bestR);
}

function inThread(m: Matrix, p: KMeansParams): KMeansResult {
  const ws = new KMeansWorkspace(m.n, m.d, p.k, p.localTrials);
  let best: KMeansRun | null = null,
    bestR = -1;
  for (let r = 0; r < p.restarts; r++) {
    const run = runRestart(m, p, r, ws);
    if (!best || better(run.wcss, r, best.wcss, bestR)) {
      best = run;
      bestR = r;
    }
  }
  return finish(p, best!, bestR, 1);
}

/** k-means in this thread. Gives exactly the answer of kmeansParallel for the same options. */
export function kmeans(m: Matrix, opts: KMeansOptions): KMeansResult {
  return inThread(m, resolve(m, opts));
}

/**
 * Below this many n × d × restarts (unless a number of workers is asked for), handing restarts to
 * workers costs more than it saves (a first worker's start-up is about an eighth of a second from
 * TypeScript source, tsx's loader included), and the restarts run in this thread. Leicester's
 * 969 × 167 × 10 restarts is 1.6 million.
 */
export const PARALLEL_THRESHOLD = 20_000_000;

/** Messages between kmeansParallel and its workers: a job (with its first restart), a restart, or the end of a job. */
export interface WorkerSetup {
  memory: WebAssembly.Memory;
  dataPtr: number;
  base: number;
  n: number;
  d: number;
  params: KMeansParams;
}
export type WorkerMessage = { setup: WorkerSetup; r: number } | { r: number } | { release: true };
export interface WorkerReply {
  r: number;
  wcss: number;
  iterations: number;
  converged: boolean;
  labels: Int32Array;
  centres: Float64Array;
}

/**
 * How to start a worker. From compiled JavaScript, the worker file itself. From TypeScript source
 * (run through tsx), a worker thread does not get tsx's loader from `--import tsx` (tsx registers its
 * ESM hooks only on the main thread), so a two-line bootstrap registers tsx's CommonJS loader and
 * requires the worker file: about a fifth of the start-up time of tsx's ESM API in a worker, which
 * starts a loader thread of its own for each worker.
 */
function newWorker(): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./kmeans-worker.js', self));
  const tsx = createRequire(self).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL('./kmeans-worker.ts', self));
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true });
}

/**
 * Workers are started once and kept for later calls (buildSegmentation calls kmeansParallel many
 * times); an idle worker is unref'd, so that it does not keep the process alive.
 */
const idleWorkers: Worker[] = [];
function takeWorker(): Worker {
  const w = idleWorkers.pop() ?? newWorker();
  w.ref();
  return w;
}
function returnWorker(w: Worker): void {
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  w.postMessage({ release: true } satisfies WorkerMessage); // drop the job's memory
  w.on('error', () => {
    /* an idle worker that fails is simply dropped */
  });
  w.on('exit', () => {
    const i = idleWorkers.indexOf(w);
    if (i >= 0) idleWorkers.splice(i, 1);
  });
  w.unref();
  idleWorkers.push(w);
}

/**
 * k-means with the restarts spread over worker threads sharing one copy of the matrix (in a shared
 * WebAssembly memory, which also holds each worker's workspace). The same seed gives exactly the
 * same answer as kmeans(), whatever the number of workers. Small problems run in this thread.
 */
export async function kmeansParallel(m: Matrix, opts: KMeansOptions & { workers?: number }): Promise<KMeansResult> {
  const p = resolve(m, opts);
  const workers = Math.min(opts.workers ?? Math.min(2, availableParallelism()), p.restarts);
  if (workers <= 1 || (m.n * m.d * p.restarts < PARALLEL_THRESHOLD && opts.workers === undefined))
    return inThread(m, p);

  const dataBytes = align16(m.n * m.d * 8),
    wsBytes = KMeansWorkspace.bytes(m.n, m.d, p.k, p.localTrials);
  const memory = newKernelMemory(dataBytes + workers * wsBytes);
  const pool: Worker[] = [];
  for (let t = 0; t < workers; t++) pool.push(takeWorker());
  // The matrix is copied in while the workers start (they read it only once sent their first restart).
  new Float64Array(memory.buffer, 0, m.n * m.d).set(m.data.subarray(0, m.n * m.d));

  return new Promise<KMeansResult>((resolvePromise, reject) => {
    let next = 0,
      done = 0,
      over = false;
    let best: WorkerReply | null = null;
    const end = () => {
      over = true;
      for (const w of pool) returnWorker(w);
    };
    const fail = (_w: Worker, e: unknown) => {
      if (over) return;
      over = true;
      // Another worker may still be busy with a restart of this job: none goes back to the pool.
      for (const w of pool) {
        w.removeAllListeners('message');
        void w.terminate();
      }
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const give = (w: Worker, t: number) => {
      if (next >= p.restarts) return;
      const r = next++;
      w.postMessage(
        (t >= 0
          ? { setup: { memory, dataPtr: 0, base: dataBytes + t * wsBytes, n: m.n, d: m.d, params: p }, r }
          : { r }) satisfies WorkerMessage,
      );
    };
    pool.forEach((w, t) => {
      w.on('message', (reply: WorkerReply) => {
        if (over) return;
        if (!best || better(reply.wcss, reply.r, best.wcss, best.r)) best = reply;
        done++;
        if (done === p.restarts) {
          end();
          const b = best!;
          resolvePromise(
            finish(
              p,
              { centres: b.centres, labels: b.labels, wcss: b.wcss, iterations: b.iterations, converged: b.converged },
              b.r,
              workers,
            ),
          );
        } else give(w, -1);
      });
      w.on('error', (e) => fail(w, e));
      w.on('exit', (code) => fail(w, new Error(`A k-means worker stopped (exit code ${code}).`)));
      give(w, t);
    });
  });
}
