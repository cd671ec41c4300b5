/**
 * Estimating a Fellegi–Sunter model, as Splink does it, on the pairs' comparison vectors grouped
 * into patterns (each distinct vector of levels with how many pairs have it), so that each EM
 * iteration costs one pass over the patterns, however many pairs there are.
 *
 * - u, P(level | not the same person), from a random sample of pairs, where nearly every pair is
 *   of two different people (`estimateU`).
 * - m, P(level | the same person), by expectation–maximisation on the blocked pairs of a training
 *   session (`runEm`): E-step, each pattern's probability of being a match given λ, m and u; M-step,
 *   m is each level's share of the expected matches and λ their share of the pairs. u is held at its
 *   sampled value (Splink's default). Comparisons that the session's blocking rule uses are left out
 *   of that session: among pairs chosen for agreeing on them, their agreement says nothing.
 * - λ over all pairs, with m and u fixed (`estimatePrior`): the fixed point of λ = Σ P(match | pair)
 *   over the blocked pairs ÷ all possible pairs.
 * Null levels (the pair cannot be compared) add nothing: their factor is 1 under both hypotheses.
 */

/** A distinct comparison vector (each comparison's level index) and how many pairs have it. */
export interface Pattern {
  gammas: number[];
  count: number;
}

/** One comparison's levels as EM sees them. */
export interface EmComparison {
  /** whether each level is a null level (no weight) */
  isNull: boolean[];
}

export interface EmResult {
  m: number[][];
  u: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
  /** λ after each iteration */
  history: number[];
}

/** The smallest probability kept for a level, so that no weight is infinite. */
export const MIN_PROBABILITY = 1e-6;

function normalise(p: number[], isNull: boolean[]): number[] {
  const total = p.reduce((s, x, i) => s + (isNull[i] ? 0 : Math.max(x, 0)), 0);
  return p.map((x, i) => (isNull[i] ? 0 : total > 0 ? Math.max(x, 0) / total : 0));
}

function floored(p: number[], isNull: boolean[]): number[] {
  const f = p.map((x, i) => (isNull[i] ? 0 : Math.max(x, MIN_PROBABILITY)));
  return normalise(f, isNull);
}

/**
 * u for each level: its share of the sampled pairs that could be compared (null levels left out).
 * A level no sampled pair reached is given the share of one pair, so its weight stays finite.
 */
export function estimateU(patterns: readonly Pattern[], comparisons: readonly EmComparison[]): number[][] {
  return comparisons.map((c, k) => {
    const counts = c.isNull.map(() => 0);
    for (const p of patterns) counts[p.gammas[k]] += p.count;
    const compared = counts.reduce((s, x, i) => s + (c.isNull[i] ? 0 : x), 0);
    const floor = compared > 0 ? 1 : 0;
    return normalise(
      counts.map((x, i) => (c.isNull[i] ? 0 : Math.max(x, floor))),
      c.isNull,
    );
  });
}

/** Default starting m: agreement more likely among matches, falling geometrically down the levels. */
export function startingM(c: EmComparison): number[] {
  let rank = c.isNull.filter((n) => !n).length;
  const raw = c.isNull.map((n) => (n ? 0 : 4 ** --rank));
  return normalise(raw, c.isNull);
}

export interface EmOptions {
  patterns: readonly Pattern[];
  comparisons: readonly EmComparison[];
  m: number[][];
  u: number[][];
  lambda: number;
  /** comparisons estimated in this session (false: left out of it, as its rule uses them) */
  active?: readonly boolean[];
  /** estimate u too (Splink's fix_u_probabilities = False); by default u stays as given */
  estimateU?: boolean;
  maxIterations?: number;
  /** stop when no m, u or λ moves by more than this */
  convergence?: number;
}

export function runEm(o: EmOptions): EmResult {
  const K = o.comparisons.length;
  const active = o.active ?? o.comparisons.map(() => true);
  let m = o.m.map((x) => [...x]);
  let u = o.u.map((x) => [...x]);
  let lambda = o.lambda;
  const history: number[] = [];
  const maxIt = o.maxIterations ?? 25;
  const tol = o.convergence ?? 1e-4;
  let converged = false;
  let it = 0;
  for (; it < maxIt; it++) {
    const mAcc = o.comparisons.map((c) => c.isNull.map(() => 0));
    const uAcc = o.comparisons.map((c) => c.isNull.map(() => 0));
    let matches = 0;
    let total = 0;
    for (const p of o.patterns) {
      let lm = Math.log(lambda);
      let lu = Math.log(1 - lambda);
      for (let k = 0; k < K; k++) {
        if (!active[k]) continue;
        const g = p.gammas[k];
        if (o.comparisons[k].isNull[g]) continue;
        lm += Math.log(m[k][g]);
        lu += Math.log(u[k][g]);
      }
      const post = 1 / (1 + Math.exp(lu - lm));
      matches += post * p.count;
      total += p.count;
      for (let k = 0; k < K; k++) {
        if (!active[k]) continue;
        const g = p.gammas[k];
        mAcc[k][g] += post * p.count;
        uAcc[k][g] += (1 - post) * p.count;
      }
    }
    if (total === 0) break;
    const newLambda = Math.min(Math.max(matches / total, 1e-9), 1 - 1e-9);
    const newM = m.map((row, k) => (active[k] ? floored(mAcc[k], o.comparisons[k].isNull) : row));
    const newU = o.estimateU ? u.map((row, k) => (active[k] ? floored(uAcc[k], o.comparisons[k].isNull) : row)) : u;
    let change = Math.abs(newLambda - lambda);
    for (let k = 0; k < K; k++)
      for (let g = 0; g < m[k].length; g++)
        change = Math.max(change, Math.abs(newM[k][g] - m[k][g]), Math.abs(newU[k][g] - u[k][g]));
    m = newM;
    u = newU;
    lambda = newLambda;
    history.push(lambda);
    if (change < tol) {
      converged = true;
      it++;
      break;
    }
  }
  return { m, u, lambda, iterations: it, converged, history };
}

/**
 * λ over all possible pairs, m and u fixed: the fixed point of λ = Σ P(match | w, λ) ÷ allPairs,
 * where w is each blocked pair's weight before the prior (given as a histogram: weight, pairs).
 * Pairs that no rule blocked together are taken as non-matches.
 */
export function estimatePrior(
  weights: readonly { weight: number; pairs: number }[],
  allPairs: number,
  iterations = 200,
): number {
  if (allPairs <= 0) return 0.5;
  let lambda = Math.min(
    0.5,
    Math.max(1 / allPairs, weights.reduce((s, w) => s + (w.weight > 0 ? w.pairs : 0), 0) / allPairs),
  );
  for (let i = 0; i < iterations; i++) {
    const odds = lambda / (1 - lambda);
    let expected = 0;
    for (const w of weights) {
      const bf = odds * 2 ** w.weight;
      expected += w.pairs * (Number.isFinite(bf) ? bf / (1 + bf) : 1);
    }
    const next = Math.min(Math.max(expected / allPairs, 1e-12), 0.5);
    if (Math.abs(next - lambda) < lambda * 1e-6) {
      lambda = next;
      break;
    }
    lambda = next;
  }
  return lambda;
}
