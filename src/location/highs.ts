/**
 * Exact site choice with HiGHS (the `highs` package: the HiGHS MIP solver compiled to WebAssembly).
 * Models are passed as sparse column-wise arrays, not LP text: p-median models run to hundreds of
 * thousands of variables. The WebAssembly build has 2 GB of memory and one thread; the full 3,000 × 300
 * p-median (900,000 assignment variables) runs out of memory, hence the shortened lists below.
 *
 * Formulations (y_j = 1 when candidate j opens; fixed sites have y_j ≥ 1):
 * - set cover: min Σ y_j  s.t.  Σ_{j within standard of i} y_j ≥ 1 for every coverable demand point i;
 * - MCLP: max Σ w_i z_i  s.t.  z_i ≤ Σ_{j within standard of i} y_j,  Σ y_j = p,  0 ≤ z_i ≤ 1;
 * - p-median: min Σ w_i c_ij x_ij + Σ w_i P u_i  s.t.  Σ_j x_ij + u_i = 1,  x_ij ≤ y_j,  Σ y_j = p,
 *   over each demand point's nearest candidates only (none beyond its nearest fixed site), with a
 *   catch-all u_i where the list is cut short, solved again with longer lists until the bound is met
 *   (see medianModel); P is the penalty for demand no open site reaches;
 * - p-center: binary search over the distinct trip times r (the optimum is one of them): r is feasible
 *   when the exact set cover of every active point within r needs at most p sites. HiGHS proves each
 *   step, so the answer is optimal unless a step hits the time limit (then the gap is to the largest r
 *   proven too small).
 *
 * `solve` picks: the exact model when its size is within EXACT_SIZE_LIMITS (seeded with the heuristic's
 * answer, so a time limit still returns at least that), the heuristic beyond.
 */
import type { Highs, InterruptCallbackEvent, ModelData } from 'highs';
import { InputError } from '../core/index.ts';
import { DEFAULT_TIME_LIMIT_SECONDS } from './constants.ts';
import {
  buildSolution,
  centerFloor,
  centerRadii,
  coverLists,
  fillSites,
  longestTrip,
  pCenterSearch,
  setCoverSearch,
  heuristicName,
  mclpHeuristic,
  pMedianHeuristic,
  pMedianLowerBound,
  prepareProblem,
  siteObjective,
  type PreparedProblem,
  type SiteProblem,
  type SiteProblemKind,
  type SiteSolution,
} from './sites.ts';

/**
 * Largest model `solve` hands to HiGHS by default, counted as matrix entries of the first model
 * (≈ covering pairs for set cover and MCLP; ≈ 3 × demand points × their nearest 2m/p candidates for
 * p-median). From bench/location on a shared two-core machine: MCLP at 3,000 × 300 solves in under
 * 2 s; p-median at 1,000 × 100 (61,000 entries) in about 20 s, while at 3,000 × 300 (543,000) HiGHS
 * had not finished its first LP relaxation after 300 s — beyond the limit the heuristic is used, with
 * a Lagrangian bound for its gap.
 */
export const EXACT_SIZE_LIMITS: Readonly<Record<SiteProblemKind, number>> = {
  'set-cover': 3_000_000,
  mclp: 3_000_000,
  'p-median': 150_000,
  'p-center': 3_000_000,
};

export { DEFAULT_TIME_LIMIT_SECONDS };

export interface ExactOptions {
  /** Stop after this many seconds and report the best solution and bound so far (default 60). */
  timeLimitSeconds?: number;
  /** Refuse models with more matrix entries than this (default EXACT_SIZE_LIMITS[kind]). */
  maxEntries?: number;
  /** Relative MIP gap at which HiGHS stops and calls the answer optimal (HiGHS default 1e-4). */
  relativeGap?: number;
  /** Open sites to start from (e.g. the heuristic's), so a time limit still leaves a good answer. */
  start?: readonly number[];
}

export interface SolveOptions extends ExactOptions {
  /** auto (default): exact when the model is within the size limit, heuristic beyond. */
  method?: 'auto' | 'exact' | 'heuristic';
}

// The package's types describe its CommonJS face (a `default` property); its ES module default export is the loader itself.
type HighsLoader = () => Promise<Highs>;

/** The solver, loaded (package and WebAssembly) the first time an exact model is solved, and kept. */
let runtime: Promise<Highs> | null = null;
function highsRuntime(): Promise<Highs> {
  runtime ??= import('highs').then(({ default: highsPackage }) => {
    const loadHighs: HighsLoader =
      typeof highsPackage === 'function'
        ? (highsPackage as unknown as HighsLoader)
        : (highsPackage as unknown as { default: HighsLoader }).default;
    return loadHighs();
  });
  return runtime;
}

interface BuiltModel {
  data: ModelData;
  /** Column values for a set of open sites (for a warm start). */
  startFor(open: readonly number[]): Float64Array;
}

/** Matrix entries the (first) exact model for this problem would have, without building it. */
export function exactModelSize(problem: SiteProblem, kind: SiteProblemKind): number {
  const pp = prepareProblem(problem, kind);
  return kind === 'p-median'
    ? medianEntries(medianLists(pp), initialDepth(pp))
    : kind === 'p-center'
      ? centerEntries(pp)
      : coverEntries(pp);
}

function coverEntries(pp: PreparedProblem, radius?: number): number {
  return coverLists(pp, radius).reduce((s, l) => s + l.length, 0) + pp.m;
}

/** The largest set cover a p-center binary search could build: every finite pair. */
function centerEntries(pp: PreparedProblem): number {
  let k = pp.m;
  for (let i = 0; i < pp.n; i++)
    if (pp.active[i]) for (let j = 0; j < pp.m; j++) if (pp.minutes[i * pp.m + j] !== Infinity) k++;
  return k;
}

/** Set cover and MCLP over the candidates within the standard of each demand point. */
function coverModel(
  highs: Highs,
  pp: PreparedProblem,
  kind: 'set-cover' | 'mclp',
  radius: number | undefined = pp.standard,
): BuiltModel {
  const { m } = pp;
  const inf = highs.infinity;
  const lists = coverLists(pp, radius);
  // Rows: one per coverable demand point (ascending), then (MCLP) the site count.
  const rowOf = new Int32Array(pp.n).fill(-1);
  for (const list of lists) for (const i of list) rowOf[i] = 0;
  const coverable: number[] = [];
  for (let i = 0; i < pp.n; i++)
    if (rowOf[i] === 0) {
      rowOf[i] = coverable.length;
      coverable.push(i);
    }
  const K = coverable.length;
  const mclp = kind === 'mclp';
  const numRows = K + (mclp ? 1 : 0);
  const numCols = m + (mclp ? K : 0);
  const starts = new Int32Array(numCols + 1);
  const nnz = lists.reduce((s, l) => s + l.length, 0) + (mclp ? m + K : 0);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  for (let j = 0; j < m; j++) {
    starts[j] = k;
    for (const i of lists[j]) {
      indices[k] = rowOf[i];
      values[k++] = mclp ? -1 : 1;
    }
    if (mclp) {
      indices[k] = K;
      values[k++] = 1;
    }
  }
  if (mclp)
    for (let r = 0; r < K; r++) {
      starts[m + r] = k;
      indices[k] = r;
      values[k++] = 1;
    }
  starts[numCols] = k;
  const colCost = new Float64Array(numCols);
  if (mclp) for (let r = 0; r < K; r++) colCost[m + r] = pp.weights[coverable[r]];
  else colCost.fill(1, 0, m);
  const colLower = new Float64Array(numCols);
  for (const f of pp.fixed) colLower[f] = 1;
  const colUpper = new Float64Array(numCols).fill(1);
  const rowLower = new Float64Array(numRows).fill(mclp ? -inf : 1);
  const rowUpper = new Float64Array(numRows).fill(mclp ? 0 : inf);
  if (mclp) {
    rowLower[K] = pp.p!;
    rowUpper[K] = pp.p!;
  }
  const integrality = new Int32Array(numCols).fill(highs.constants.variableType.continuous);
  integrality.fill(highs.constants.variableType.integer, 0, m);
  return {
    data: {
      numCols,
      numRows,
      sense: mclp ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
      colCost,
      colLower,
      colUpper,
      rowLower,
      rowUpper,
      integrality,
      matrix: { format: 'csc', numRows, numCols, starts, indices, values },
    },
    startFor(open) {
      const x = new Float64Array(numCols);
      for (const j of open) x[j] = 1;
      if (mclp) {
        const covered = new Uint8Array(pp.n);
        for (const j of open) for (const i of lists[j]) covered[i] = 1;
        for (let r = 0; r < K; r++) x[m + r] = covered[coverable[r]];
      }
      return x;
    },
  };
}

/**
 * For each active demand point, the candidates it could be assigned to, nearest first: reachable ones,
 * and none further than the nearest fixed site (always open, so no one goes past it).
 */
interface MedianLists {
  order: Int32Array[];
  /** 1 when, with its whole list in the model, the point still needs an "unserved" slack (no fixed site, some candidate unreachable). */
  unservedSlack: Uint8Array;
}

function medianLists(pp: PreparedProblem): MedianLists {
  const { n, m, minutes, fixed, active } = pp;
  const order: Int32Array[] = new Array(n);
  const unservedSlack = new Uint8Array(n);
  const empty = new Int32Array(0);
  for (let i = 0; i < n; i++) {
    if (!active[i]) {
      order[i] = empty;
      continue;
    }
    const row = i * m;
    let cap = Infinity;
    for (const f of fixed) if (minutes[row + f] < cap) cap = minutes[row + f];
    const keep: number[] = [];
    let someUnreachable = false;
    for (let j = 0; j < m; j++) {
      const c = minutes[row + j];
      if (c === Infinity) someUnreachable = true;
      else if (c <= cap) keep.push(j);
    }
    keep.sort((a, b) => minutes[row + a] - minutes[row + b] || a - b);
    order[i] = Int32Array.from(keep);
    if (someUnreachable && cap === Infinity) unservedSlack[i] = 1;
  }
  return { order, unservedSlack };
}

/** How many of each point's nearest candidates the first p-median model holds: about twice as many as each open site would serve on average. */
function initialDepth(pp: PreparedProblem): number {
  return Math.max(8, Math.ceil((2 * pp.m) / pp.p!));
}

function medianEntries(lists: MedianLists, depth: number | Int32Array): number {
  let entries = 0;
  lists.order.forEach((o, i) => {
    if (!o.length) return;
    const k = Math.min(o.length, typeof depth === 'number' ? depth : depth[i]);
    entries += 3 * k + (k < o.length || lists.unservedSlack[i] ? 1 : 0);
  });
  return entries;
}

/**
 * The p-median model over each point's `depth[i]` nearest candidates. A point whose list is cut short
 * gets a catch-all column charged at the next candidate's minutes: no real assignment beyond the cut
 * is cheaper, so the model's optimum is a lower bound on the p-median's, and equals it when no
 * catch-all is used (BEAMR, Church 2008). A point with no fixed site and some unreachable candidate
 * gets an unserved column charged the penalty, as the heuristic does.
 */
function medianModel(
  highs: Highs,
  pp: PreparedProblem,
  lists: MedianLists,
  depth: Int32Array,
): BuiltModel & { catchAll: Int32Array } {
  const { n, m, minutes, weights } = pp;
  const inf = highs.infinity;
  const demandRow = new Int32Array(n).fill(-1);
  let A = 0,
    X = 0,
    S = 0;
  for (let i = 0; i < n; i++) {
    const len = lists.order[i].length;
    if (!len) continue;
    demandRow[i] = A++;
    const k = Math.min(len, depth[i]);
    X += k;
    if (k < len || lists.unservedSlack[i]) S++;
  }
  // Rows: assignment (one per point), linking x ≤ y (one per pair), the site count.
  const numRows = A + X + 1;
  const numCols = m + X + S;
  const countRow = A + X;
  const pairI = new Int32Array(X),
    pairJ = new Int32Array(X);
  const catchAll = new Int32Array(n).fill(-1);
  const colCost = new Float64Array(numCols);
  const perSite = new Int32Array(m);
  let x = 0,
    s = 0;
  for (let i = 0; i < n; i++) {
    const o = lists.order[i];
    if (!o.length) continue;
    const k = Math.min(o.length, depth[i]);
    for (let t = 0; t < k; t++) {
      pairI[x] = i;
      pairJ[x] = o[t];
      perSite[o[t]]++;
      colCost[m + x] = weights[i] * minutes[i * m + o[t]];
      x++;
    }
    if (k < o.length) {
      catchAll[i] = m + X + s;
      colCost[m + X + s] = weights[i] * minutes[i * m + o[k]];
      s++;
    } else if (lists.unservedSlack[i]) {
      catchAll[i] = m + X + s;
      colCost[m + X + s] = weights[i] * pp.penalty;
      s++;
    }
  }
  const nnz = X + m + 2 * X + S;
  const starts = new Int32Array(numCols + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  const cursor = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    starts[j] = k;
    cursor[j] = k;
    k += perSite[j] + 1;
  }
  for (let t = 0; t < X; t++) {
    const j = pairJ[t];
    indices[cursor[j]] = A + t;
    values[cursor[j]++] = -1;
  }
  for (let j = 0; j < m; j++) {
    indices[cursor[j]] = countRow;
    values[cursor[j]] = 1;
  }
  for (let t = 0; t < X; t++) {
    starts[m + t] = k;
    indices[k] = demandRow[pairI[t]];
    values[k++] = 1;
    indices[k] = A + t;
    values[k++] = 1;
  }
  for (let i = 0; i < n; i++)
    if (catchAll[i] >= 0) {
      starts[catchAll[i]] = k;
      indices[k] = demandRow[i];
      values[k++] = 1;
    }
  starts[numCols] = k;
  const colLower = new Float64Array(numCols);
  for (const f of pp.fixed) colLower[f] = 1;
  const colUpper = new Float64Array(numCols).fill(1);
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  rowLower.fill(1, 0, A);
  rowUpper.fill(1, 0, A);
  rowLower.fill(-inf, A, A + X);
  rowUpper.fill(0, A, A + X);
  rowLower[countRow] = pp.p!;
  rowUpper[countRow] = pp.p!;
  const integrality = new Int32Array(numCols).fill(highs.constants.variableType.continuous);
  integrality.fill(highs.constants.variableType.integer, 0, m);
  return {
    catchAll,
    data: {
      numCols,
      numRows,
      sense: highs.constants.objectiveSense.minimize,
      colCost,
      colLower,
      colUpper,
      rowLower,
      rowUpper,
      integrality,
      matrix: { format: 'csc', numRows, numCols, starts, indices, values },
    },
    startFor(open) {
      const v = new Float64Array(numCols);
      const isOpen = new Uint8Array(m);
      for (const j of open) {
        isOpen[j] = 1;
        v[j] = 1;
      }
      // Pairs are in nearest-first order per point: the first open one is its assignment.
      const assigned = new Uint8Array(n);
      for (let t = 0; t < X; t++)
        if (!assigned[pairI[t]] && isOpen[pairJ[t]]) {
          assigned[pairI[t]] = 1;
          v[m + t] = 1;
        }
      for (let i = 0; i < n; i++) if (catchAll[i] >= 0 && !assigned[i]) v[catchAll[i]] = 1;
      return v;
    },
  };
}

interface RunOutcome {
  optimal: boolean;
  open: number[];
  colValue: Float64Array;
  bound: number | null;
}

/** Runs one model; throws in plain English when HiGHS ends without any solution. */
function runModel(
  highs: Highs,
  pp: PreparedProblem,
  kind: SiteProblemKind,
  built: BuiltModel,
  opts: { timeLimit: number; relativeGap?: number; start?: readonly number[]; entries: number; limit: number },
): RunOutcome {
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false, time_limit: opts.timeLimit });
    if (opts.relativeGap !== undefined) model.options.set('mip_rel_gap', opts.relativeGap);
    model.passModel(built.data);
    if (opts.start) model.setSolution({ colValue: built.startFor(opts.start) });
    // HiGHS checks its own time limit only between phases of a large LP; the interrupt callbacks
    // (called every few iterations) hold it to the wall clock.
    const deadline = performance.now() + opts.timeLimit * 1000;
    const stopAtDeadline = (event: InterruptCallbackEvent): undefined => {
      if (performance.now() > deadline) event.interrupt();
    };
    const { simplexInterrupt, ipmInterrupt, mipInterrupt } = highs.constants.callbackType;
    const { modelStatus } = model.run({
      [simplexInterrupt]: stopAtDeadline,
      [ipmInterrupt]: stopAtDeadline,
      [mipInterrupt]: stopAtDeadline,
    });
    const codes = highs.constants.modelStatus;
    const hasSolution = Number(model.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
    if (
      modelStatus !== codes.optimal &&
      !((modelStatus === codes.timeLimit || modelStatus === codes.interrupted) && hasSolution)
    ) {
      if (modelStatus === codes.timeLimit || modelStatus === codes.interrupted) {
        throw new InputError(
          `HiGHS found no ${describeKind(kind)} solution within the ${opts.timeLimit}-second time limit.`,
          {
            code: 'site_exact_no_solution',
            fix: 'Allow more time, use fewer candidates, or use the heuristic method.',
          },
        );
      }
      throw new InputError(`HiGHS could not solve the ${describeKind(kind)} model (status ${modelStatus}).`, {
        code: 'site_exact_failed',
        fix: 'Use the heuristic method.',
      });
    }
    const colValue = model.getSolution().colValue;
    const open: number[] = [];
    for (let j = 0; j < pp.m; j++) if (colValue[j] > 0.5) open.push(j);
    const rawBound = Number(model.info.get('mip_dual_bound'));
    return {
      optimal: modelStatus === codes.optimal,
      open,
      colValue,
      bound: Number.isFinite(rawBound) ? rawBound : null,
    };
  } catch (e) {
    if (e instanceof InputError) throw e;
    // An abort inside WebAssembly (usually memory) leaves the runtime unusable: load a fresh one next time.
    runtime = null;
    throw tooLarge(pp, kind, opts.entries, opts.limit, e);
  } finally {
    if (runtime) model.dispose();
  }
}

/**
 * Solves a site problem exactly with HiGHS, within a time limit. Returns the best solution found,
 * the solver's bound and relative gap (0 when proven optimal), and the time taken. Throws InputError
 * (code site_problem_too_large) when the model would exceed `maxEntries` or the solver's memory.
 *
 * p-median is solved BEAMR-style: a model over each point's nearest candidates gives a lower bound
 * and a solution; points that used their catch-all get longer lists and the model is solved again,
 * until the solution's true cost meets the bound or the time runs out.
 */
export async function solveExact(
  problem: SiteProblem,
  kind: SiteProblemKind,
  options: ExactOptions = {},
): Promise<SiteSolution> {
  const started = performance.now();
  const pp = prepareProblem(problem, kind);
  const limit = options.maxEntries ?? EXACT_SIZE_LIMITS[kind];
  const lists = kind === 'p-median' ? medianLists(pp) : null;
  const depth = new Int32Array(pp.n).fill(kind === 'p-median' ? initialDepth(pp) : 0);
  const entries = lists ? medianEntries(lists, depth) : kind === 'p-center' ? centerEntries(pp) : coverEntries(pp);
  if (entries > limit) throw tooLarge(pp, kind, entries, limit);
  const timeLimit = options.timeLimitSeconds ?? DEFAULT_TIME_LIMIT_SECONDS;
  if (!(timeLimit > 0))
    throw new InputError(`The time limit must be above 0 seconds (it was ${timeLimit}).`, {
      code: 'time_limit_invalid',
    });
  const tolerance = options.relativeGap ?? 1e-4;
  const highs = await highsRuntime();
  const start = options.start ? [...new Set([...pp.fixed, ...options.start])] : undefined;
  const notes: string[] = [];
  const elapsed = () => (performance.now() - started) / 1000;

  let open: number[];
  let status: 'optimal' | 'time-limit';
  let bound: number | null;
  let gap: number | null;
  if (kind === 'p-center') {
    const c = centerExact(highs, pp, { timeLimit, relativeGap: options.relativeGap, start, entries, limit });
    open = c.open;
    status = c.optimal ? 'optimal' : 'time-limit';
    bound = c.bound;
    const value = siteObjective(pp, kind, open);
    gap = c.optimal ? 0 : Math.max(0, (value - bound) / Math.max(value, 1e-9));
    notes.push(
      `Binary search over ${c.radii.toLocaleString('en-GB')} possible trip times, ${c.steps} exact set cover${c.steps === 1 ? '' : 's'}.`,
    );
  } else if (!lists) {
    const r = runModel(highs, pp, kind, coverModel(highs, pp, kind as 'set-cover' | 'mclp'), {
      timeLimit,
      relativeGap: options.relativeGap,
      start,
      entries,
      limit,
    });
    open = r.open;
    status = r.optimal ? 'optimal' : 'time-limit';
    bound = r.bound;
    const value = siteObjective(pp, kind, open);
    gap = bound === null ? null : Math.max(0, Math.abs(value - bound) / Math.max(Math.abs(value), 1e-9));
    if (r.optimal) gap = Math.min(gap ?? 0, tolerance);
  } else {
    let best = start ?? null;
    let bestValue = best ? siteObjective(pp, kind, best) : Infinity;
    let lower = -Infinity;
    let rounds = 0;
    status = 'time-limit';
    for (;;) {
      const remaining = timeLimit - elapsed();
      if (remaining <= 0) break;
      const size = medianEntries(lists, depth);
      const built = medianModel(highs, pp, lists, depth);
      let r: RunOutcome;
      try {
        r = runModel(highs, pp, kind, built, {
          timeLimit: remaining,
          relativeGap: options.relativeGap,
          start: best ?? undefined,
          entries: size,
          limit,
        });
      } catch (e) {
        // Out of time in a later round: the earlier rounds' answer and bound stand.
        if (best && e instanceof InputError && e.code === 'site_exact_no_solution') break;
        throw e;
      }
      rounds++;
      const value = siteObjective(pp, kind, r.open);
      if (value < bestValue) {
        best = r.open;
        bestValue = value;
      }
      if (r.bound !== null && r.bound > lower) lower = r.bound;
      if (!r.optimal) break;
      if (bestValue - lower <= tolerance * Math.abs(bestValue)) {
        status = 'optimal';
        break;
      }
      // Lengthen the lists of points the solution sent to their catch-all.
      let grown = false;
      for (let i = 0; i < pp.n; i++) {
        const c = built.catchAll[i];
        if (c >= 0 && r.colValue[c] > 0.5 && depth[i] < lists.order[i].length) {
          depth[i] = Math.min(lists.order[i].length, depth[i] * 2);
          grown = true;
        }
      }
      if (!grown) {
        status = 'optimal';
        break;
      }
    }
    if (!best)
      throw new InputError(`HiGHS found no p-median solution within the ${timeLimit}-second time limit.`, {
        code: 'site_exact_no_solution',
        fix: 'Allow more time, use fewer candidates, or use the heuristic method.',
      });
    open = best;
    bound = Number.isFinite(lower) ? lower : null;
    gap = bound === null ? null : Math.max(0, (bestValue - bound) / Math.max(Math.abs(bestValue), 1e-9));
    if (status === 'optimal') gap = Math.min(gap ?? 0, tolerance);
    notes.push(
      `Solved over each demand point's nearest candidates, lengthened where needed (${rounds} round${rounds === 1 ? '' : 's'}).`,
    );
  }
  if (gap !== null && gap < 1e-9) gap = 0; // rounding noise
  if (status === 'time-limit')
    notes.push(`HiGHS stopped at the ${timeLimit}-second time limit; the gap is to its best bound.`);
  notes.unshift(
    `Solved exactly with HiGHS ${highs.version.string} (first model ${entries.toLocaleString('en-GB')} matrix entries).`,
  );
  return buildSolution(problem, pp, kind, open, { method: 'exact', status, bound, gap, seconds: elapsed(), notes });
}

/**
 * Exact p-center: the smallest trip time r (among the distinct ones) at which every active demand
 * point is within r of an open site with at most p sites open, each step an exact set cover. Starts
 * from the heuristic's radius (feasible) and the floor no choice can beat (each point's nearest candidate).
 */
function centerExact(
  highs: Highs,
  pp: PreparedProblem,
  opts: { timeLimit: number; relativeGap?: number; start?: readonly number[]; entries: number; limit: number },
): { open: number[]; bound: number; optimal: boolean; radii: number; steps: number } {
  const started = performance.now();
  const radii = centerRadii(pp);
  const first = opts.start && opts.start.length <= pp.p! ? [...opts.start] : pCenterSearch(pp).open;
  let best = first;
  const floor = centerFloor(pp);
  let lo = radii.findIndex((r) => r >= floor);
  let hi = radii.findIndex((r) => r >= longestTrip(pp, best));
  let optimal = true;
  let steps = 0;
  while (lo < hi) {
    const remaining = opts.timeLimit - (performance.now() - started) / 1000;
    if (remaining <= 0) {
      optimal = false;
      break;
    }
    const mid = (lo + hi) >> 1;
    const r = radii[mid];
    const lists = coverLists(pp, r);
    const inAny = new Uint8Array(pp.n);
    for (const l of lists) for (const i of l) inAny[i] = 1;
    let coverable = true;
    for (let i = 0; i < pp.n && coverable; i++) if (pp.active[i] && !inAny[i]) coverable = false;
    if (!coverable) {
      lo = mid + 1;
      continue;
    }
    steps++;
    let out: RunOutcome;
    try {
      out = runModel(highs, { ...pp, standard: r }, 'set-cover', coverModel(highs, pp, 'set-cover', r), {
        timeLimit: remaining,
        entries: coverEntries(pp, r),
        limit: opts.limit,
      });
    } catch (e) {
      if (e instanceof InputError && e.code === 'site_exact_no_solution') {
        optimal = false;
        break;
      }
      throw e;
    }
    if (out.open.length <= pp.p!) {
      best = out.open;
      hi = mid;
    } else if (out.optimal || (out.bound !== null && Math.ceil(out.bound - 1e-6) > pp.p!)) lo = mid + 1;
    else {
      optimal = false;
      break;
    }
  }
  return { open: fillSites(pp, best), bound: radii[lo], optimal: optimal && lo === hi, radii: radii.length, steps };
}

/**
 * Solves a site problem by the method asked for. `auto` (default) runs the heuristic, then, if the exact
 * model is within the size limit, HiGHS seeded with the heuristic's answer; beyond the limit it returns
 * the heuristic with a note saying so. The result always says which method it used and the gap when known.
 */
export async function solve(
  problem: SiteProblem,
  kind: SiteProblemKind,
  options: SolveOptions = {},
): Promise<SiteSolution> {
  const method = options.method ?? 'auto';
  const started = performance.now();
  if (method === 'exact') return solveExact(problem, kind, options);
  const pp = prepareProblem(problem, kind);
  const searched = kind === 'set-cover' ? setCoverSearch(pp) : kind === 'p-center' ? pCenterSearch(pp) : null;
  const heuristic = searched ? searched.open : kind === 'mclp' ? mclpHeuristic(pp) : pMedianHeuristic(pp);
  const limit = options.maxEntries ?? EXACT_SIZE_LIMITS[kind];
  const entries = method === 'auto' ? exactModelSize(problem, kind) : Infinity;
  if (method === 'heuristic' || entries > limit) {
    const notes = [heuristicName(kind)];
    if (method === 'auto')
      notes.push(
        `The exact model would have ${entries.toLocaleString('en-GB')} matrix entries, over the limit of ${limit.toLocaleString('en-GB')}, so the heuristic was used.`,
      );
    // p-median has a cheap Lagrangian bound, so its gap can still be stated; the others' is not known.
    let bound: number | null = null,
      gap: number | null = null;
    if (kind === 'p-median') {
      const value = siteObjective(pp, kind, heuristic);
      bound = pMedianLowerBound(pp, value);
      gap = Math.max(0, (value - bound) / Math.max(value, 1e-9));
      notes.push('The gap is to a Lagrangian lower bound, so the heuristic is at least this close to the optimum.');
    } else if (searched) {
      const value = siteObjective(pp, kind, heuristic);
      bound = searched.bound;
      gap = Math.max(0, (value - bound) / Math.max(value, 1e-9));
      notes.push(
        kind === 'set-cover'
          ? `No cover can use fewer than ${bound} site${bound === 1 ? '' : 's'} (Lagrangian lower bound); the gap is to that bound.`
          : `No choice of sites can make the longest trip shorter than ${bound.toFixed(1)} minutes (set-cover lower bounds); the gap is to that bound.`,
      );
    } else notes.push('Its gap to the optimum is not known.');
    return buildSolution(problem, pp, kind, heuristic, {
      method: 'heuristic',
      status: 'heuristic',
      bound,
      gap,
      seconds: (performance.now() - started) / 1000,
      notes,
    });
  }
  const exact = await solveExact(problem, kind, { ...options, start: heuristic });
  return { ...exact, seconds: (performance.now() - started) / 1000 };
}

function describeKind(kind: SiteProblemKind): string {
  return kind === 'set-cover' ? 'set cover' : kind === 'mclp' ? 'maximal coverage' : kind;
}

function tooLarge(
  pp: PreparedProblem,
  kind: SiteProblemKind,
  entries: number,
  limit: number,
  cause?: unknown,
): InputError {
  return new InputError(
    `The exact ${describeKind(kind)} model for ${pp.n.toLocaleString('en-GB')} demand points × ${pp.m.toLocaleString('en-GB')} candidates has ${entries.toLocaleString('en-GB')} matrix entries, ` +
      (cause ? 'more than the solver could hold in memory.' : `over the limit of ${limit.toLocaleString('en-GB')}.`),
    {
      code: 'site_problem_too_large',
      cause,
      fix: 'Use the heuristic method (--method heuristic or auto), fewer candidate sites, or demand aggregated to larger areas.',
    },
  );
}
