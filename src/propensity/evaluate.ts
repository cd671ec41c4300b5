/**
 * How well a propensity score sorts users from the rest (issue 15, point 2): the area under the ROC
 * curve, gains and lift by tenths of the base, calibration by tenths of the score, and Spearman's
 * rank correlation. Every unit carries its users (pos) and its non-users (neg) as weights, so a
 * household (1 and 0, or 0 and 1) and an area (its users and the rest of its households) are
 * measured by the same functions. All are pure arithmetic, checked by hand in the tests.
 */
import { createRandom } from '../core/index.ts';
import { fitLogistic } from './logistic.ts';

export interface Scored {
  score: ArrayLike<number>;
  pos: ArrayLike<number>;
  neg: ArrayLike<number>;
}

/**
 * AUC: the chance that a user drawn at random scores above a non-user drawn at random, ties
 * counting half (the Mann–Whitney statistic ÷ n₁n₀). Null when there are no users or no non-users.
 */
export function auc(d: Scored, subset?: ArrayLike<number>): number | null {
  const idx = subset ? Array.from(subset) : Array.from({ length: d.score.length }, (_, i) => i);
  idx.sort((a, b) => d.score[a] - d.score[b]);
  return aucInOrder(d, idx, new Float64Array(d.score.length).fill(1));
}

/** The AUC of units already sorted by score, each counted `times[i]` times (a bootstrap draw). */
function aucInOrder(d: Scored, order: readonly number[], times: Float64Array): number | null {
  let negBelow = 0;
  let sum = 0;
  let P = 0;
  let N = 0;
  for (let k = 0; k < order.length; ) {
    const s = d.score[order[k]];
    let pg = 0;
    let ng = 0;
    while (k < order.length && d.score[order[k]] === s) {
      const i = order[k];
      pg += d.pos[i] * times[i];
      ng += d.neg[i] * times[i];
      k++;
    }
    sum += pg * (negBelow + ng / 2);
    negBelow += ng;
    P += pg;
    N += ng;
  }
  return P > 0 && N > 0 ? sum / (P * N) : null;
}

export interface GainsRow {
  /** 1 = the tenth of the base with the highest scores */
  group: number;
  /** share of the base in this group and above, % */
  basePct: number;
  users: number;
  /** share of all users in this group and above, % */
  cumulativeUsersPct: number;
  /** users ÷ base in the group, % */
  ratePct: number;
  /** the group's rate ÷ the overall rate */
  lift: number;
  cumulativeLift: number;
}

/**
 * Cuts the units, sorted by score (highest first; by `order` where given), into `groups` parts
 * of equal weight; a unit that straddles a cut is shared between the two parts in proportion.
 * Units with equal scores are spread evenly over the parts they fill, so ties do not favour an order.
 */
function equalParts(d: Scored, groups: number, order: 'desc' | 'asc') {
  const n = d.score.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    order === 'desc' ? d.score[b] - d.score[a] : d.score[a] - d.score[b],
  );
  let total = 0;
  for (let i = 0; i < n; i++) total += d.pos[i] + d.neg[i];
  const parts = Array.from({ length: groups }, () => ({ weight: 0, pos: 0, scoreWeight: 0 }));
  let at = 0;
  for (let k = 0; k < n; ) {
    // a run of tied scores is one block
    const s = d.score[idx[k]];
    let wt = 0;
    let ps = 0;
    while (k < n && d.score[idx[k]] === s) {
      wt += d.pos[idx[k]] + d.neg[idx[k]];
      ps += d.pos[idx[k]];
      k++;
    }
    let left = wt;
    while (left > 1e-12) {
      const g = Math.min(groups - 1, Math.floor((at / total) * groups + 1e-12));
      const room = g === groups - 1 ? left : Math.min(left, ((g + 1) * total) / groups - at);
      const take = room > 1e-12 ? room : left;
      parts[g].weight += take;
      parts[g].pos += (ps * take) / wt;
      parts[g].scoreWeight += s * take;
      at += take;
      left -= take;
    }
  }
  return { parts, total };
}

/** Gains and lift by tenths (or `groups`) of the base, highest scores first. */
export function gains(d: Scored, groups = 10): GainsRow[] {
  const { parts, total } = equalParts(d, groups, 'desc');
  const users = parts.reduce((a, p) => a + p.pos, 0);
  const rate = total ? users / total : 0;
  let cumW = 0;
  let cumP = 0;
  return parts.map((p, g) => {
    cumW += p.weight;
    cumP += p.pos;
    const r = p.weight ? p.pos / p.weight : 0;
    return {
      group: g + 1,
      basePct: total ? (100 * cumW) / total : 0,
      users: p.pos,
      cumulativeUsersPct: users ? (100 * cumP) / users : 0,
      ratePct: 100 * r,
      lift: rate ? r / rate : 0,
      cumulativeLift: rate && cumW ? cumP / cumW / rate : 0,
    };
  });
}

export interface CalibrationRow {
  group: number;
  /** mean predicted chance in the group, % */
  predictedPct: number;
  /** users ÷ base in the group, % */
  observedPct: number;
  base: number;
}

export interface Calibration {
  groups: CalibrationRow[];
  /** observed users ÷ the sum of predicted chances: 1 is right overall */
  observedOverExpected: number;
  /** slope and intercept of a logistic fit of use on the score's log-odds: 1 and 0 when calibrated */
  slope: number | null;
  intercept: number | null;
  /** mean squared gap between chance and outcome */
  brier: number;
}

/** Calibration by tenths of the predicted chance (lowest first), with the calibration slope. */
export function calibration(d: Scored, groups = 10): Calibration {
  const { parts } = equalParts(d, groups, 'asc');
  let users = 0;
  let expected = 0;
  let brier = 0;
  let total = 0;
  const n = d.score.length;
  const lg = new Float64Array(n);
  const y = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = d.pos[i] + d.neg[i];
    const p = d.score[i];
    users += d.pos[i];
    expected += p * t;
    total += t;
    brier += d.pos[i] * (1 - p) ** 2 + d.neg[i] * p ** 2;
    const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
    lg[i] = Math.log(q / (1 - q));
    y[i] = t ? d.pos[i] / t : 0;
    w[i] = t;
  }
  let slope: number | null = null;
  let intercept: number | null = null;
  try {
    const fit = fitLogistic({ x: lg, rows: n, features: 1, y, w }, { penalty: 0 });
    if (fit.converged) {
      intercept = fit.coefficients[0];
      slope = fit.coefficients[1];
    }
  } catch {
    // all users or none, or a constant score: no slope to give
  }
  return {
    groups: parts.map((p, g) => ({
      group: g + 1,
      predictedPct: p.weight ? (100 * p.scoreWeight) / p.weight : 0,
      observedPct: p.weight ? (100 * p.pos) / p.weight : 0,
      base: p.weight,
    })),
    observedOverExpected: expected ? users / expected : Number.NaN,
    slope,
    intercept,
    brier: total ? brier / total : Number.NaN,
  };
}

/** Ranks from 1, ties sharing their mean rank. */
export function ranks(v: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let k = 0; k < idx.length; ) {
    let e = k;
    while (e + 1 < idx.length && v[idx[e + 1]] === v[idx[k]]) e++;
    const mean = (k + e) / 2 + 1;
    for (let j = k; j <= e; j++) r[idx[j]] = mean;
    k = e + 1;
  }
  return r;
}

/** Pearson's correlation; null when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Spearman's rank correlation (Pearson's on mid-ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  return pearson(ranks(a), ranks(b));
}

export interface BootstrapAuc {
  model: { low: number; high: number };
  baseline: { low: number; high: number };
  difference: { estimate: number; low: number; high: number };
  replicates: number;
}

/**
 * 95% intervals for two scores' AUCs and their difference by resampling whole areas (the groups
 * the units were held out by) with replacement, so that the interval allows for neighbours being
 * alike. Seeded: the same data give the same interval.
 */
export function bootstrapAuc(
  model: Scored,
  baseline: Scored,
  groupOf: ArrayLike<number>,
  opts: { replicates?: number; seed?: number } = {},
): BootstrapAuc | null {
  const reps = opts.replicates ?? 200;
  const rng = createRandom(opts.seed ?? 1);
  const members = new Map<number, number[]>();
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i];
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  }
  const groups = [...members.values()];
  if (groups.length < 2) return null;
  // each score is sorted once; a replicate only reweighs the units by how often it drew them
  const orderOf = (d: Scored) =>
    Array.from({ length: d.score.length }, (_, i) => i).sort((x, y) => d.score[x] - d.score[y]);
  const modelOrder = orderOf(model);
  const baseOrder = orderOf(baseline);
  const times = new Float64Array(groupOf.length);
  const a: number[] = [];
  const b: number[] = [];
  const diff: number[] = [];
  for (let r = 0; r < reps; r++) {
    times.fill(0);
    for (let k = 0; k < groups.length; k++) for (const i of groups[rng.int(groups.length)]) times[i]++;
    const am = aucInOrder(model, modelOrder, times);
    const ab = aucInOrder(baseline, baseOrder, times);
    if (am === null || ab === null) continue;
    a.push(am);
    b.push(ab);
    diff.push(am - ab);
  }
  if (a.length < reps / 2) return null;
  const q = (v: number[], p: number) => {
    const s = [...v].sort((x, y) => x - y);
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (h - lo);
  };
  const am = auc(model)!;
  const ab = auc(baseline)!;
  return {
    model: { low: q(a, 0.025), high: q(a, 0.975) },
    baseline: { low: q(b, 0.025), high: q(b, 0.975) },
    difference: { estimate: am - ab, low: q(diff, 0.025), high: q(diff, 0.975) },
    replicates: a.length,
  };
}
