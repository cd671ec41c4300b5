/**
 * Site choice: which candidate sites to open so that demand is served well. Three classic problems
 * over one cost matrix (demand points × candidate sites, minutes):
 * - set cover: the fewest sites so that every demand point that can be covered within the standard is;
 * - maximal coverage (MCLP): p sites covering the most demand weight within the standard;
 * - p-median: p sites minimising total weighted minutes from each demand point to its nearest open site;
 * - p-center: p sites minimising the longest trip from any demand point (with weight) to its nearest open site.
 *
 * This file holds the problem and result types, the evaluation of any set of open sites, and
 * deterministic greedy + interchange heuristics. Exact solutions with HiGHS are in highs.ts, and
 * `solve` there picks between them. Pure functions: no database, no rendering.
 */
import { createRandom, InputError, ParameterError, type Random } from '../core/index.ts';
import type { CostMatrix } from './costs.ts';
import { SITE_PROBLEM_KINDS, type SiteProblemKind } from './constants.ts';

export { SITE_PROBLEM_KINDS, type SiteProblemKind };

export interface SiteProblem {
  /** Demand per demand point (households, a segment's households, vulnerable households…), one per cost-matrix origin. */
  weights: Float64Array;
  /** Optional label per demand point (e.g. its segment code), for the per-group breakdown. */
  groups?: readonly string[];
  /** Demand points are the origins, candidate sites the destinations; Infinity = unreachable. */
  costs: CostMatrix;
  /** Candidate indexes that must stay open (existing sites). */
  fixed?: readonly number[];
  /** Coverage standard in minutes: needed for set cover and maximal coverage; for p-median it only adds coverage figures to the report. */
  standard?: number;
  /** Number of sites to open, fixed ones included: needed for maximal coverage and p-median. */
  p?: number;
}

export type SiteMethod = 'exact' | 'heuristic';
/** optimal: proven (within the solver's gap tolerance); time-limit: the solver stopped early with this incumbent; heuristic: no proof. */
export type SiteStatus = 'optimal' | 'time-limit' | 'heuristic';

export interface GroupOutcome {
  group: string;
  weight: number;
  /** Share of the group's weight within the standard of an open site (null without a standard). */
  coveredShare: number | null;
  /** Weighted mean minutes to the nearest open site over the group's reachable demand (null if none is reachable). */
  meanMinutes: number | null;
}

/** Demand set aside and why: never silently dropped. */
export interface DemandSetAside {
  /** Demand point indexes (cost-matrix origins). */
  points: number[];
  weight: number;
}

export interface SiteOutcome {
  /** Open candidate indexes (cost-matrix destinations), ascending. */
  open: number[];
  openIds: string[];
  totalWeight: number;
  coverage: { standard: number; coveredWeight: number; share: number } | null;
  /** Weighted mean minutes to the nearest open site over demand that can reach one. */
  meanMinutes: number | null;
  /** Longest trip to the nearest open site among demand points with weight that can reach one. */
  maxMinutes: number | null;
  /** Demand that no candidate at all can reach (excluded from every objective). */
  unreachable: DemandSetAside;
  /** Demand that some candidate could reach but no open site does. */
  unserved: DemandSetAside;
  /** Demand with no candidate within the standard (set cover and maximal coverage cannot cover it whatever they open). */
  uncoverable: DemandSetAside | null;
  groups: GroupOutcome[];
  /** Per open site (same order as `open`): the demand it is nearest for, and of that, the demand within the standard. */
  sites: { index: number; id: string; nearestWeight: number; coveredWeight: number | null }[];
}

export interface SiteSolution extends SiteOutcome {
  kind: SiteProblemKind;
  method: SiteMethod;
  status: SiteStatus;
  /** Sites for set cover, covered weight for MCLP, weighted minutes (with the unserved penalty) for p-median. */
  objective: number;
  /** The solver's best bound on the objective, when an exact solve ran. */
  bound: number | null;
  /** Relative gap between objective and bound (0 = proven optimal); null when unknown (heuristic). */
  gap: number | null;
  seconds: number;
  /** Plain-English notes: why a method was chosen, limits hit. */
  notes: string[];
}

/** Checks a problem and returns it in the form the solvers use. Throws InputError/ParameterError in plain English. */
export interface PreparedProblem {
  n: number;
  m: number;
  weights: Float64Array;
  minutes: Float32Array;
  fixed: number[];
  standard: number | undefined;
  p: number | undefined;
  /** Demand points with weight and at least one reachable candidate. */
  active: Uint8Array;
  /** Minutes charged in p-median when a demand point's open sites are all unreachable: 10 × the longest finite trip. */
  penalty: number;
}

export function prepareProblem(problem: SiteProblem, kind: SiteProblemKind): PreparedProblem {
  const { costs, weights } = problem;
  const n = costs.origins.length;
  const m = costs.destinations.length;
  if (costs.minutes.length !== n * m)
    throw new InputError(
      `The cost matrix has ${costs.minutes.length} entries but ${n} demand points × ${m} candidates need ${n * m}.`,
      { code: 'cost_matrix_shape' },
    );
  if (weights.length !== n)
    throw new InputError(
      `There are ${weights.length} demand weights for ${n} demand points; they must match one to one.`,
      { code: 'site_weights_length' },
    );
  for (let i = 0; i < n; i++) {
    if (!(Number.isFinite(weights[i]) && weights[i] >= 0))
      throw new InputError(
        `Demand point "${costs.origins[i].id}" has weight ${weights[i]}; weights must be 0 or more.`,
        { code: 'site_weight_invalid', fix: 'Check the demand measure for missing or negative values.' },
      );
  }
  if (problem.groups && problem.groups.length !== n)
    throw new InputError(
      `There are ${problem.groups.length} group labels for ${n} demand points; they must match one to one.`,
      { code: 'site_groups_length' },
    );
  if (m === 0)
    throw new InputError('There are no candidate sites to choose from.', {
      code: 'site_no_candidates',
      fix: 'Add facilities of this kind or use a grid of candidate sites.',
    });
  const fixed = [...new Set(problem.fixed ?? [])].sort((a, b) => a - b);
  for (const f of fixed)
    if (!(Number.isInteger(f) && f >= 0 && f < m))
      throw new InputError(`Fixed site ${f} is not one of the ${m} candidates.`, { code: 'site_fixed_invalid' });
  const { standard, p } = problem;
  if ((kind === 'set-cover' || kind === 'mclp') && standard === undefined)
    throw new ParameterError(
      `${kind === 'mclp' ? 'Maximal coverage' : 'Set cover'} needs a standard in minutes.`,
      'Give the standard, e.g. --standard 15.',
    );
  if (standard !== undefined && !(standard > 0 && Number.isFinite(standard)))
    throw new ParameterError(`The standard must be a positive number of minutes (it was ${standard}).`);
  if (kind !== 'set-cover') {
    if (p === undefined)
      throw new ParameterError(
        `${kind === 'mclp' ? 'Maximal coverage' : kind} needs the number of sites to open.`,
        'Give it, e.g. --sites 10 (existing sites kept open count towards it).',
      );
    if (!Number.isInteger(p) || p < 1 || p > m)
      throw new ParameterError(
        `The number of sites must be a whole number from 1 to ${m}, the number of candidates (it was ${p}).`,
      );
    if (p < fixed.length)
      throw new ParameterError(
        `${fixed.length} sites must stay open but only ${p} may be open in all.`,
        `Ask for at least ${fixed.length} sites, or keep fewer existing sites.`,
      );
  }
  const active = new Uint8Array(n);
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let reachable = false;
    for (let j = 0; j < m; j++) {
      const c = costs.minutes[row + j];
      if (c === Infinity) continue;
      if (!(c >= 0))
        throw new InputError(
          `The cost from "${costs.origins[i].id}" to "${costs.destinations[j].id}" is ${c} minutes; costs must be 0 or more, or Infinity when unreachable.`,
          { code: 'cost_invalid' },
        );
      reachable = true;
      if (c > longest) longest = c;
    }
    if (reachable && weights[i] > 0) active[i] = 1;
  }
  return { n, m, weights, minutes: costs.minutes, fixed, standard, p, active, penalty: 10 * Math.max(longest, 1) };
}

/** For each candidate, the active demand points within the standard (or the radius given), ascending. */
export function coverLists(pp: PreparedProblem, radius: number | undefined = pp.standard): number[][] {
  const lists: number[][] = Array.from({ length: pp.m }, () => []);
  const s = radius ?? -1;
  for (let i = 0; i < pp.n; i++) {
    if (!pp.active[i]) continue;
    const row = i * pp.m;
    for (let j = 0; j < pp.m; j++) if (pp.minutes[row + j] <= s) lists[j].push(i);
  }
  return lists;
}

/** Minutes to the nearest open site for every demand point (Infinity if none reachable). */
export function nearestMinutes(costs: CostMatrix, open: readonly number[]): Float64Array {
  const n = costs.origins.length;
  const m = costs.destinations.length;
  const out = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let best = Infinity;
    for (const j of open) {
      const c = costs.minutes[row + j];
      if (c < best) best = c;
    }
    out[i] = best;
  }
  return out;
}

/** The figures every solution and scenario reports, for any set of open sites. */
export function evaluateSites(problem: SiteProblem, open: readonly number[]): SiteOutcome {
  const { costs, weights, groups, standard } = problem;
  const n = costs.origins.length;
  const m = costs.destinations.length;
  const sorted = [...new Set(open)].sort((a, b) => a - b);
  for (const j of sorted)
    if (!(Number.isInteger(j) && j >= 0 && j < m))
      throw new InputError(`Site ${j} is not one of the ${m} candidates.`, { code: 'site_invalid' });
  const near = nearestMinutes(costs, sorted);
  const perSite = new Map(sorted.map((j) => [j, { nearest: 0, covered: 0 }]));
  let total = 0,
    covered = 0,
    reachW = 0,
    sumMin = 0,
    maxMin = -Infinity;
  const unreachable: DemandSetAside = { points: [], weight: 0 };
  const unserved: DemandSetAside = { points: [], weight: 0 };
  const uncoverable: DemandSetAside = { points: [], weight: 0 };
  const byGroup = new Map<string, { weight: number; covered: number; reachW: number; sumMin: number }>();
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    total += w;
    const row = i * m;
    let anyReach = false,
      anyWithin = false;
    for (let j = 0; j < m; j++) {
      const c = costs.minutes[row + j];
      if (c !== Infinity) anyReach = true;
      if (standard !== undefined && c <= standard) {
        anyWithin = true;
        break;
      }
    }
    if (!anyReach) {
      unreachable.points.push(i);
      unreachable.weight += w;
    } else if (near[i] === Infinity) {
      unserved.points.push(i);
      unserved.weight += w;
    }
    if (standard !== undefined && !anyWithin) {
      uncoverable.points.push(i);
      uncoverable.weight += w;
    }
    const isCovered = standard !== undefined && near[i] <= standard;
    if (isCovered) covered += w;
    if (near[i] !== Infinity) {
      // The nearest open site (lowest index on ties) serves the point.
      for (const j of sorted)
        if (costs.minutes[row + j] === near[i]) {
          const t = perSite.get(j)!;
          t.nearest += w;
          if (isCovered) t.covered += w;
          break;
        }
      reachW += w;
      sumMin += w * near[i];
      if (w > 0 && near[i] > maxMin) maxMin = near[i];
    }
    if (groups) {
      let g = byGroup.get(groups[i]);
      if (!g) byGroup.set(groups[i], (g = { weight: 0, covered: 0, reachW: 0, sumMin: 0 }));
      g.weight += w;
      if (isCovered) g.covered += w;
      if (near[i] !== Infinity) {
        g.reachW += w;
        g.sumMin += w * near[i];
      }
    }
  }
  return {
    open: sorted,
    openIds: sorted.map((j) => costs.destinations[j].id),
    totalWeight: total,
    coverage:
      standard === undefined ? null : { standard, coveredWeight: covered, share: total > 0 ? covered / total : 0 },
    meanMinutes: reachW > 0 ? sumMin / reachW : null,
    maxMinutes: maxMin === -Infinity ? null : maxMin,
    unreachable,
    unserved,
    uncoverable: standard === undefined ? null : uncoverable,
    groups: [...byGroup.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([group, g]) => ({
        group,
        weight: g.weight,
        coveredShare: standard === undefined ? null : g.weight > 0 ? g.covered / g.weight : 0,
        meanMinutes: g.reachW > 0 ? g.sumMin / g.reachW : null,
      })),
    sites: sorted.map((j) => ({
      index: j,
      id: costs.destinations[j].id,
      nearestWeight: perSite.get(j)!.nearest,
      coveredWeight: standard === undefined ? null : perSite.get(j)!.covered,
    })),
  };
}

/**
 * The objective each problem optimises, for a set of open sites: the number of sites (set cover),
 * the covered weight (MCLP), or total weighted minutes to the nearest open site (p-median), where
 * demand that could reach some candidate but no open one is charged the penalty (10 × the longest
 * finite trip) so that solutions reach everyone they can.
 */
export function siteObjective(pp: PreparedProblem, kind: SiteProblemKind, open: readonly number[]): number {
  if (kind === 'set-cover') return new Set(open).size;
  if (kind === 'p-center') return longestTrip(pp, open);
  let value = 0;
  for (let i = 0; i < pp.n; i++) {
    if (!pp.active[i]) continue;
    const best = nearestOpen(pp, i, open);
    if (kind === 'mclp') {
      if (best <= pp.standard!) value += pp.weights[i];
    } else value += pp.weights[i] * (best === Infinity ? pp.penalty : best);
  }
  return value;
}

/** Minutes from demand point i to its nearest open site (Infinity when none is reachable). */
function nearestOpen(pp: PreparedProblem, i: number, open: readonly number[]): number {
  const row = i * pp.m;
  let best = Infinity;
  for (const j of open) {
    const c = pp.minutes[row + j];
    if (c < best) best = c;
  }
  return best;
}

/**
 * The p-center objective: the longest trip from an active demand point to its nearest open site,
 * where a point that could reach some candidate but no open one counts as the penalty.
 */
export function longestTrip(pp: PreparedProblem, open: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < pp.n; i++) {
    if (!pp.active[i]) continue;
    const best = nearestOpen(pp, i, open);
    const v = best === Infinity ? pp.penalty : best;
    if (v > worst) worst = v;
  }
  return worst;
}

/** Assembles a solution from open sites: the shared evaluation plus how it was found. */
export function buildSolution(
  problem: SiteProblem,
  pp: PreparedProblem,
  kind: SiteProblemKind,
  open: readonly number[],
  how: {
    method: SiteMethod;
    status: SiteStatus;
    bound: number | null;
    gap: number | null;
    seconds: number;
    notes?: string[];
  },
): SiteSolution {
  const outcome = evaluateSites(problem, open);
  return {
    ...outcome,
    kind,
    objective: siteObjective(pp, kind, outcome.open),
    method: how.method,
    status: how.status,
    bound: how.bound,
    gap: how.gap,
    seconds: how.seconds,
    notes: how.notes ?? [],
  };
}

// ---------------------------------------------------------------------------------------------
// Heuristics. All deterministic: ties go to the lowest candidate index.

/**
 * Naive greedy set cover: repeatedly open the site covering most still-uncovered demand points
 * (lowest index on ties), after the fixed ones. Kept as the baseline the better heuristic is measured
 * against; it can be a site or more above the optimum (9 where 8 will do in the 205 × 16 test).
 */
export function greedySetCover(pp: PreparedProblem, radius: number | undefined = pp.standard): number[] {
  const lists = coverLists(pp, radius);
  const isOpen = new Uint8Array(pp.m);
  for (const f of pp.fixed) isOpen[f] = 1;
  completeCover(pp, lists, isOpen);
  return openList(isOpen);
}

/** Opens sites greedily (most uncovered points first) until every coverable point is covered. */
function completeCover(pp: PreparedProblem, lists: number[][], isOpen: Uint8Array): void {
  const covered = new Uint8Array(pp.n);
  for (let j = 0; j < pp.m; j++) if (isOpen[j]) for (const i of lists[j]) covered[i] = 1;
  for (;;) {
    let best = -1,
      bestGain = 0;
    for (let j = 0; j < pp.m; j++) {
      if (isOpen[j]) continue;
      let gain = 0;
      for (const i of lists[j]) if (!covered[i]) gain++;
      if (gain > bestGain) {
        bestGain = gain;
        best = j;
      }
    }
    if (best < 0) return;
    isOpen[best] = 1;
    for (const i of lists[best]) covered[i] = 1;
  }
}

/**
 * Makes a cover leaner: drops sites whose every point another open site also covers (least-covering
 * first), then swaps two open sites for one closed site covering everything only they covered, until
 * neither applies. Fixed sites stay.
 */
function polishCover(pp: PreparedProblem, lists: number[][], isOpen: Uint8Array, swaps = true): void {
  const count = new Int32Array(pp.n);
  for (let j = 0; j < pp.m; j++) if (isOpen[j]) for (const i of lists[j]) count[i]++;
  const isFixed = new Uint8Array(pp.m);
  for (const f of pp.fixed) isFixed[f] = 1;
  const mark = new Int32Array(pp.n);
  let stamp = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (;;) {
      let drop = -1,
        dropSize = Infinity;
      for (let j = 0; j < pp.m; j++) {
        if (!isOpen[j] || isFixed[j]) continue;
        if (lists[j].every((i) => count[i] > 1) && lists[j].length < dropSize) {
          drop = j;
          dropSize = lists[j].length;
        }
      }
      if (drop < 0) break;
      isOpen[drop] = 0;
      for (const i of lists[drop]) count[i]--;
      changed = true;
    }
    if (!swaps) break;
    const open = openList(isOpen).filter((j) => !isFixed[j]);
    swap: for (let a = 0; a < open.length; a++)
      for (let b = a + 1; b < open.length; b++) {
        const ja = open[a],
          jb = open[b];
        // Points that only ja and/or jb cover.
        const only: number[] = [];
        for (const i of lists[ja]) if (count[i] === 1 || (count[i] === 2 && lists[jb].includes(i))) only.push(i);
        for (const i of lists[jb]) if (count[i] === 1) only.push(i);
        stamp++;
        for (const i of only) mark[i] = stamp;
        for (let j = 0; j < pp.m; j++) {
          if (isOpen[j]) continue;
          let hit = 0;
          for (const i of lists[j]) if (mark[i] === stamp) hit++;
          if (hit >= new Set(only).size) {
            for (const jj of [ja, jb]) {
              isOpen[jj] = 0;
              for (const i of lists[jj]) count[i]--;
            }
            isOpen[j] = 1;
            for (const i of lists[j]) count[i]++;
            changed = true;
            break swap;
          }
        }
      }
  }
}

export interface SetCoverSearch {
  open: number[];
  /** A lower bound on the fewest sites (Lagrangian relaxation, rounded up: the count is whole). */
  bound: number;
}

/**
 * Set cover without an exact solver: Lagrangian relaxation of "every coverable point is covered" with
 * subgradient steps (Beasley 1990). Each step's relaxed answer (the sites with negative reduced cost)
 * is completed greedily and polished (redundant sites dropped, two-for-one swaps), and the best cover
 * kept; the relaxation's best value, rounded up, is a lower bound on the fewest sites, so the answer
 * says how far from the optimum it can be. The naive greedy cover is the first candidate answer.
 */
export function setCoverSearch(
  pp: PreparedProblem,
  radius: number | undefined = pp.standard,
  iterations = 200,
): SetCoverSearch {
  const { n, m } = pp;
  const lists = coverLists(pp, radius);
  const isFixed = new Uint8Array(m);
  for (const f of pp.fixed) isFixed[f] = 1;
  const inAny = new Uint8Array(n);
  for (const l of lists) for (const i of l) inAny[i] = 1;
  const pts: number[] = [];
  for (let i = 0; i < n; i++) if (inAny[i]) pts.push(i);
  const first = new Uint8Array(m);
  for (const f of pp.fixed) first[f] = 1;
  completeCover(pp, lists, first);
  polishCover(pp, lists, first);
  let best = openList(first);
  const covered = new Uint8Array(n);
  for (const f of pp.fixed) for (const i of lists[f]) covered[i] = 1;
  // Points the fixed sites cover need nothing more.
  const free = pts.filter((i) => !covered[i]);
  if (!free.length) return { open: best, bound: pp.fixed.length };
  const u = new Float64Array(n);
  // Start each multiplier at 1 / the number of sites covering it.
  const deg = new Int32Array(n);
  for (let j = 0; j < m; j++) if (!isFixed[j]) for (const i of lists[j]) deg[i]++;
  for (const i of free) u[i] = 1 / deg[i];
  const rc = new Float64Array(m);
  const relaxed = new Uint8Array(m);
  const g = new Float64Array(n);
  let bound = -Infinity,
    theta = 2,
    since = 0;
  for (let it = 0; it < iterations && theta > 1e-4; it++) {
    let value = pp.fixed.length;
    for (const i of free) value += u[i];
    for (let j = 0; j < m; j++) {
      relaxed[j] = isFixed[j];
      if (isFixed[j]) continue;
      let r = 1;
      for (const i of lists[j]) if (!covered[i]) r -= u[i];
      rc[j] = r;
      if (r < 0) {
        relaxed[j] = 1;
        value += r;
      }
    }
    if (value > bound + 1e-9) {
      bound = value;
      since = 0;
    } else if (++since >= 10) {
      theta /= 2;
      since = 0;
    }
    // A cover from this step's relaxed answer.
    // Redundant sites go at once; the costlier two-for-one swaps only for a cover that could beat the best.
    const trial = Uint8Array.from(relaxed);
    completeCover(pp, lists, trial);
    polishCover(pp, lists, trial, false);
    if (openList(trial).length <= best.length) {
      polishCover(pp, lists, trial);
      const open = openList(trial);
      if (open.length < best.length) best = open;
    }
    if (best.length <= Math.ceil(bound - 1e-6)) break;
    let norm = 0;
    for (const i of free) g[i] = 1;
    for (let j = 0; j < m; j++) if (relaxed[j] && !isFixed[j]) for (const i of lists[j]) if (!covered[i]) g[i]--;
    for (const i of free) norm += g[i] * g[i];
    if (norm === 0) break; // every point covered exactly once: the relaxed answer is optimal
    const step = (theta * Math.max(best.length - value, 1e-6)) / norm;
    for (const i of free) u[i] = Math.max(0, u[i] + step * g[i]);
  }
  return { open: best, bound: Math.min(best.length, Math.max(pp.fixed.length, Math.ceil(bound - 1e-6))) };
}

/** Sites for a set cover: the Lagrangian search above (greedy, polished, and improved step by step). */
export function setCoverHeuristic(pp: PreparedProblem, radius: number | undefined = pp.standard): number[] {
  return setCoverSearch(pp, radius).open;
}

/** The distinct finite costs from active demand points, ascending, then the penalty: the only values a p-center optimum can take. */
export function centerRadii(pp: PreparedProblem): number[] {
  const values = new Set<number>();
  for (let i = 0; i < pp.n; i++) {
    if (!pp.active[i]) continue;
    const row = i * pp.m;
    for (let j = 0; j < pp.m; j++) {
      const c = pp.minutes[row + j];
      if (c !== Infinity) values.add(c);
    }
  }
  return [...values, pp.penalty].sort((a, b) => a - b);
}

/** The longest of the demand points' trips to their nearest candidate: no choice of sites can do better. */
export function centerFloor(pp: PreparedProblem): number {
  let floor = 0;
  for (let i = 0; i < pp.n; i++) {
    if (!pp.active[i]) continue;
    const row = i * pp.m;
    let best = Infinity;
    for (let j = 0; j < pp.m; j++) if (pp.minutes[row + j] < best) best = pp.minutes[row + j];
    if (best > floor) floor = best;
  }
  return floor;
}

/** Sites opened to cover every active point within `radius` (fixed ones first), or null when a point has no candidate that near. */
function coverAt(pp: PreparedProblem, radius: number, search: boolean): { open: number[]; bound: number } | null {
  if (radius >= pp.penalty) return { open: [...pp.fixed], bound: pp.fixed.length };
  const lists = coverLists(pp, radius);
  const inAny = new Uint8Array(pp.n);
  for (const l of lists) for (const i of l) inAny[i] = 1;
  for (let i = 0; i < pp.n; i++) if (pp.active[i] && !inAny[i]) return null;
  if (search) return setCoverSearch(pp, radius, 60);
  return { open: greedySetCover(pp, radius), bound: 0 };
}

/**
 * p-center without an exact solver: binary search over the possible radii for the smallest at which
 * the set-cover search covers everyone with at most p sites; sites left over (up to p) go where they
 * most cut total weighted travel. Also returns a lower bound: the largest radius at which the set-cover
 * bound already needs more than p sites is one the optimum must exceed.
 */
export function pCenterSearch(pp: PreparedProblem): { open: number[]; bound: number } {
  const radii = centerRadii(pp);
  const floor = centerFloor(pp);
  let lo = radii.findIndex((r) => r >= floor);
  let hi = radii.length - 1;
  let best = coverAt(pp, radii[hi], true)!.open;
  let bound = radii[lo];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = coverAt(pp, radii[mid], true);
    if (c && c.open.length <= pp.p!) {
      best = c.open;
      hi = mid;
    } else {
      // Proven too small only when no cover exists or the bound needs more than p; else the search may just have missed.
      if (!c || c.bound > pp.p!) bound = Math.max(bound, radii[mid + 1]);
      lo = mid + 1;
    }
  }
  return { open: fillSites(pp, best), bound: Math.min(bound, longestTrip(pp, best)) };
}

/** Adds sites up to p, each the one that most cuts total weighted minutes (ties: lowest index). */
export function fillSites(pp: PreparedProblem, open: readonly number[]): number[] {
  const isOpen = new Uint8Array(pp.m);
  for (const j of open) isOpen[j] = 1;
  const near = new Float64Array(pp.n).fill(pp.penalty);
  for (let i = 0; i < pp.n; i++)
    for (const j of open)
      near[i] = Math.min(near[i], pp.minutes[i * pp.m + j] === Infinity ? pp.penalty : pp.minutes[i * pp.m + j]);
  for (let k = open.length; k < pp.p!; k++) {
    let best = -1,
      bestSaving = -1;
    for (let j = 0; j < pp.m; j++) {
      if (isOpen[j]) continue;
      let saving = 0;
      for (let i = 0; i < pp.n; i++) {
        if (!pp.active[i]) continue;
        const c = pp.minutes[i * pp.m + j];
        if (c < near[i]) saving += pp.weights[i] * (near[i] - c);
      }
      if (saving > bestSaving) {
        bestSaving = saving;
        best = j;
      }
    }
    if (best < 0) break;
    isOpen[best] = 1;
    for (let i = 0; i < pp.n; i++) near[i] = Math.min(near[i], pp.minutes[i * pp.m + best]);
  }
  return openList(isOpen);
}

export interface HeuristicOptions {
  /** Extra randomised greedy starts, each followed by swaps; the best answer is kept (default 24 for MCLP, 10 for p-median). */
  restarts?: number;
  /** Seed for the randomised starts, so the same problem always gives the same answer. */
  seed?: number;
}

/**
 * Maximal coverage: greedy add (most newly covered weight), then one-for-one swaps while any improves.
 * Swap local optima of MCLP can sit a percent or so below the optimum on large instances, so
 * `restarts` more starts are made by a randomised greedy (each step picks among the candidates
 * within 10% of the best gain, seeded) and the best local optimum is kept.
 */
export function mclpHeuristic(pp: PreparedProblem, options: HeuristicOptions = {}): number[] {
  const lists = coverLists(pp);
  const restarts = options.restarts ?? 24;
  const random = createRandom(options.seed ?? 1);
  let best = mclpLocalSearch(pp, lists, null);
  let bestValue = coveredWeight(pp, lists, best);
  for (let r = 0; r < restarts; r++) {
    const open = mclpLocalSearch(pp, lists, random);
    const value = coveredWeight(pp, lists, open);
    if (value > bestValue + 1e-9 * Math.max(1, bestValue)) {
      best = open;
      bestValue = value;
    }
  }
  return best;
}

function coveredWeight(pp: PreparedProblem, lists: number[][], open: readonly number[]): number {
  const covered = new Uint8Array(pp.n);
  let value = 0;
  for (const j of open)
    for (const i of lists[j])
      if (!covered[i]) {
        covered[i] = 1;
        value += pp.weights[i];
      }
  return value;
}

function mclpLocalSearch(pp: PreparedProblem, lists: number[][], random: Random | null): number[] {
  const p = pp.p!;
  const w = pp.weights;
  const count = new Int32Array(pp.n);
  const isOpen = new Uint8Array(pp.m);
  const isFixed = new Uint8Array(pp.m);
  for (const f of pp.fixed) isFixed[f] = 1;
  const open = (j: number) => {
    isOpen[j] = 1;
    for (const i of lists[j]) count[i]++;
  };
  const close = (j: number) => {
    isOpen[j] = 0;
    for (const i of lists[j]) count[i]--;
  };
  for (const f of pp.fixed) open(f);
  let nOpen = pp.fixed.length;
  const gains = new Float64Array(pp.m);
  const reaches = new Float64Array(pp.m);
  while (nOpen < p) {
    let best = -1,
      bestGain = -1,
      bestReach = -1;
    for (let j = 0; j < pp.m; j++) {
      if (isOpen[j]) continue;
      let gain = 0,
        reach = 0;
      for (const i of lists[j]) {
        reach += w[i];
        if (count[i] === 0) gain += w[i];
      }
      gains[j] = gain;
      reaches[j] = reach;
      // Ties (e.g. everything already covered) go to the site covering most weight, for backup coverage.
      if (gain > bestGain || (gain === bestGain && reach > bestReach)) {
        best = j;
        bestGain = gain;
        bestReach = reach;
      }
    }
    if (random && bestGain > 0) {
      const near: number[] = [];
      for (let j = 0; j < pp.m; j++) if (!isOpen[j] && gains[j] >= 0.9 * bestGain) near.push(j);
      best = near[random.int(near.length)];
    }
    open(best);
    nOpen++;
  }
  // Swap: for each closed candidate, the best open (non-fixed) site to give up for it.
  const soleOwner = new Int32Array(pp.n);
  const lossIfClosed = new Float64Array(pp.m);
  const recount = () => {
    soleOwner.fill(-1);
    lossIfClosed.fill(0);
    for (let j = 0; j < pp.m; j++)
      if (isOpen[j])
        for (const i of lists[j])
          if (count[i] === 1) {
            soleOwner[i] = j;
            lossIfClosed[j] += w[i];
          }
  };
  recount();
  const keepBack = new Float64Array(pp.m);
  const eps = 1e-9 * Math.max(1, sum(w));
  for (let improved = true; improved; ) {
    improved = false;
    for (let jIn = 0; jIn < pp.m; jIn++) {
      if (isOpen[jIn]) continue;
      let gain = 0;
      const touched: number[] = [];
      for (const i of lists[jIn]) {
        if (count[i] === 0) gain += w[i];
        else if (count[i] === 1) {
          const o = soleOwner[i];
          if (keepBack[o] === 0) touched.push(o);
          keepBack[o] += w[i];
        }
      }
      let bestOut = -1,
        bestDelta = eps;
      for (let jOut = 0; jOut < pp.m; jOut++) {
        if (!isOpen[jOut] || isFixed[jOut]) continue;
        const delta = gain - (lossIfClosed[jOut] - keepBack[jOut]);
        if (delta > bestDelta) {
          bestDelta = delta;
          bestOut = jOut;
        }
      }
      for (const o of touched) keepBack[o] = 0;
      if (bestOut >= 0) {
        close(bestOut);
        open(jIn);
        recount();
        improved = true;
      }
    }
  }
  return openList(isOpen);
}

/**
 * p-median: greedy add (largest saving in weighted minutes), then Teitz–Bart vertex substitution until
 * no swap improves. Its local optima are usually within a fraction of a percent but can be 2% off on
 * small instances, so `restarts` more starts are made by a randomised greedy (among savings within 10%
 * of the best, seeded) and the best local optimum is kept.
 */
export function pMedianHeuristic(pp: PreparedProblem, options: HeuristicOptions = {}): number[] {
  const random = createRandom(options.seed ?? 1);
  let best = pMedianLocalSearch(pp, null);
  let bestValue = siteObjective(pp, 'p-median', best);
  for (let r = 0; r < (options.restarts ?? 10); r++) {
    const open = pMedianLocalSearch(pp, random);
    const value = siteObjective(pp, 'p-median', open);
    if (value < bestValue - 1e-9 * Math.max(1, bestValue)) {
      best = open;
      bestValue = value;
    }
  }
  return best;
}

function pMedianLocalSearch(pp: PreparedProblem, random: Random | null): number[] {
  const { n, m, weights: w, minutes, penalty } = pp;
  const p = pp.p!;
  const cost = (i: number, j: number) => {
    const c = minutes[i * m + j];
    return c === Infinity ? penalty : c;
  };
  const act: number[] = [];
  for (let i = 0; i < n; i++) if (pp.active[i]) act.push(i);
  const isOpen = new Uint8Array(pp.m);
  const isFixed = new Uint8Array(pp.m);
  for (const f of pp.fixed) isFixed[f] = 1;
  // Without any open site every demand point is "unserved" at the penalty.
  const d1 = new Float64Array(n).fill(penalty);
  const d2 = new Float64Array(n).fill(penalty);
  const near1 = new Int32Array(n).fill(-1);
  const openSite = (j: number) => {
    isOpen[j] = 1;
    for (const i of act) {
      const c = cost(i, j);
      if (c < d1[i]) {
        d1[i] = c;
        near1[i] = j;
      }
    }
  };
  for (const f of pp.fixed) openSite(f);
  let nOpen = pp.fixed.length;
  const savings = new Float64Array(m);
  while (nOpen < p) {
    let best = -1,
      bestSaving = -1;
    for (let j = 0; j < m; j++) {
      if (isOpen[j]) continue;
      let saving = 0;
      for (const i of act) {
        const c = cost(i, j);
        if (c < d1[i]) saving += w[i] * (d1[i] - c);
      }
      savings[j] = saving;
      if (saving > bestSaving) {
        bestSaving = saving;
        best = j;
      }
    }
    if (random && bestSaving > 0) {
      const near: number[] = [];
      for (let j = 0; j < m; j++) if (!isOpen[j] && savings[j] >= 0.9 * bestSaving) near.push(j);
      best = near[random.int(near.length)];
    }
    openSite(best);
    nOpen++;
  }
  const refresh = () => {
    for (const i of act) {
      let a = penalty,
        b = penalty,
        ja = -1;
      for (let j = 0; j < m; j++) {
        if (!isOpen[j]) continue;
        const c = cost(i, j);
        if (c < a) {
          b = a;
          a = c;
          ja = j;
        } else if (c < b) b = c;
      }
      d1[i] = a;
      d2[i] = b;
      near1[i] = ja;
    }
  };
  refresh();
  const loss = new Float64Array(m);
  const total = act.reduce((s, i) => s + w[i] * d1[i], 0);
  const eps = 1e-9 * Math.max(1, total);
  for (let improved = true; improved; ) {
    improved = false;
    for (let jIn = 0; jIn < m; jIn++) {
      if (isOpen[jIn]) continue;
      // Saving from adding jIn, and for each open site the extra cost of then removing it.
      let gain = 0;
      loss.fill(0);
      for (const i of act) {
        const c = cost(i, jIn);
        const withIn = c < d1[i] ? c : d1[i];
        gain += w[i] * (d1[i] - withIn);
        const j1 = near1[i];
        if (j1 >= 0) loss[j1] += w[i] * ((c < d2[i] ? c : d2[i]) - withIn);
      }
      let bestOut = -1,
        bestDelta = eps;
      for (let jOut = 0; jOut < m; jOut++) {
        if (!isOpen[jOut] || isFixed[jOut]) continue;
        const delta = gain - loss[jOut];
        if (delta > bestDelta) {
          bestDelta = delta;
          bestOut = jOut;
        }
      }
      if (bestOut >= 0) {
        isOpen[bestOut] = 0;
        isOpen[jIn] = 1;
        refresh();
        improved = true;
      }
    }
  }
  return openList(isOpen);
}

/**
 * A lower bound on the p-median optimum, by Lagrangian relaxation of "each demand point is assigned
 * once" with subgradient steps (as in Beasley 1993). Any multipliers give a valid bound, so this lets a
 * heuristic answer report its gap where the exact model is too big for HiGHS. Costs are the heuristic's:
 * an unreachable pair costs the penalty. `upper` is a known solution's objective (steers the step size).
 */
export function pMedianLowerBound(pp: PreparedProblem, upper: number, iterations = 300): number {
  const { n, m, weights: w, minutes, penalty } = pp;
  const p = pp.p!;
  const act: number[] = [];
  for (let i = 0; i < n; i++) if (pp.active[i]) act.push(i);
  if (!act.length) return 0;
  const isFixed = new Uint8Array(m);
  for (const f of pp.fixed) isFixed[f] = 1;
  const lambda = new Float64Array(n);
  // Start each multiplier at the point's cost to its nearest candidate.
  for (const i of act) {
    let best = Infinity;
    for (let j = 0; j < m; j++) {
      const c = minutes[i * m + j];
      const v = c === Infinity ? penalty : c;
      if (v < best) best = v;
    }
    lambda[i] = w[i] * best;
  }
  const rho = new Float64Array(m);
  const order = Array.from({ length: m }, (_, j) => j);
  const open = new Uint8Array(m);
  let bound = -Infinity,
    theta = 2,
    sinceBetter = 0;
  for (let it = 0; it < iterations && theta > 1e-4; it++) {
    rho.fill(0);
    let value = 0;
    for (const i of act) {
      value += lambda[i];
      const row = i * m,
        wi = w[i],
        li = lambda[i];
      for (let j = 0; j < m; j++) {
        const c = minutes[row + j];
        const v = wi * (c === Infinity ? penalty : c) - li;
        if (v < 0) rho[j] += v;
      }
    }
    // Fixed sites, then the most negative reduced costs, up to p.
    open.fill(0);
    for (const f of pp.fixed) {
      open[f] = 1;
      value += rho[f];
    }
    order.sort((a, b) => rho[a] - rho[b] || a - b);
    let k = pp.fixed.length;
    for (const j of order) {
      if (k >= p) break;
      if (!isFixed[j]) {
        open[j] = 1;
        value += rho[j];
        k++;
      }
    }
    if (value > bound + 1e-9 * Math.abs(upper)) {
      bound = value;
      sinceBetter = 0;
    } else if (++sinceBetter >= 8) {
      theta /= 2;
      sinceBetter = 0;
    }
    if (upper - bound <= 1e-7 * Math.abs(upper)) break;
    // Subgradient: 1 − the number of open sites each point would be assigned to.
    let norm = 0;
    const g = new Float64Array(n);
    for (const i of act) {
      const row = i * m,
        wi = w[i],
        li = lambda[i];
      let count = 0;
      for (let j = 0; j < m; j++)
        if (open[j]) {
          const c = minutes[row + j];
          if (wi * (c === Infinity ? penalty : c) - li < 0) count++;
        }
      g[i] = 1 - count;
      norm += g[i] * g[i];
    }
    if (norm === 0) break; // every point assigned exactly once: the relaxation's answer is optimal
    const step = (theta * Math.max(upper - value, 1e-9 * Math.abs(upper))) / norm;
    for (const i of act) lambda[i] += step * g[i];
  }
  return Math.min(bound, upper);
}

/** Runs the heuristic for a problem and reports it as a solution (gap unknown). */
export function solveHeuristic(problem: SiteProblem, kind: SiteProblemKind): SiteSolution {
  const started = performance.now();
  const pp = prepareProblem(problem, kind);
  const open =
    kind === 'set-cover'
      ? setCoverHeuristic(pp)
      : kind === 'mclp'
        ? mclpHeuristic(pp)
        : kind === 'p-center'
          ? pCenterSearch(pp).open
          : pMedianHeuristic(pp);
  const seconds = (performance.now() - started) / 1000;
  return buildSolution(problem, pp, kind, open, {
    method: 'heuristic',
    status: 'heuristic',
    bound: null,
    gap: null,
    seconds,
    notes: [heuristicName(kind)],
  });
}

export function heuristicName(kind: SiteProblemKind): string {
  return kind === 'set-cover'
    ? 'Greedy set cover improved by Lagrangian relaxation, redundant sites removed and two-for-one swaps.'
    : kind === 'p-center'
      ? 'p-center by binary search over the trip times, each a set cover found by the Lagrangian heuristic.'
      : kind === 'mclp'
        ? 'Greedy maximal coverage improved by one-for-one swaps.'
        : 'Greedy p-median improved by Teitz–Bart vertex substitution.';
}

function openList(isOpen: Uint8Array): number[] {
  const out: number[] = [];
  for (let j = 0; j < isOpen.length; j++) if (isOpen[j]) out.push(j);
  return out;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
