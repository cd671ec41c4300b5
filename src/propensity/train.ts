/**
 * Training a propensity model (issue 15, point 2): k-fold cross-validation by area (whole
 * held-out areas per fold, so neighbours never sit on both sides), the segment-only baseline fitted
 * on the same training folds, every household's out-of-fold score for the evaluation, and a final
 * fit on everyone for scoring. Features are standardised on each fold's training rows; unknown
 * values take that fold's mean. With the penalty "auto", every penalty of the grid is fitted on
 * the same folds (each warm-started from the next larger) and the one with the lowest held-out log
 * loss is kept; the evaluation is of that penalty's held-out scores. Choosing one of five values on
 * the folds that then evaluate it flatters the model a little; the result says how it was chosen.
 */
import { createRandom } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { auc, bootstrapAuc, calibration, gains, type Scored } from './evaluate.ts';
import { type Design, type FeatureInfo, householdDesign } from './features.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import { type FeatureEffect, PROPENSITY_RESULT_VERSION, type PropensityResult } from './result.ts';
import { PENALTY_GRID, type PropensitySpec } from './spec.ts';

interface Standardised {
  x: Float64Array;
  keep: number[];
  mean: number[];
  sd: number[];
}

/** Standardises the features on the rows `fitRows`, dropping those constant there; applies to `applyRows`. */
function standardise(d: Design, fitRows: number[], applyRows: number[]): Standardised & { applied: Float64Array } {
  const f = d.features.length;
  const mean: number[] = [];
  const sd: number[] = [];
  const keep: number[] = [];
  for (let j = 0; j < f; j++) {
    let s = 0;
    let c = 0;
    for (const i of fitRows) {
      const v = d.x[i * f + j];
      if (!Number.isNaN(v)) {
        s += v;
        c++;
      }
    }
    const m = c ? s / c : 0;
    let q = 0;
    for (const i of fitRows) {
      const v = d.x[i * f + j];
      q += (Number.isNaN(v) ? 0 : v - m) ** 2;
    }
    const sdj = Math.sqrt(q / Math.max(fitRows.length, 1));
    if (sdj > 1e-12) {
      keep.push(j);
      mean.push(m);
      sd.push(sdj);
    }
  }
  const build = (rows: number[]) => {
    const out = new Float64Array(rows.length * keep.length);
    rows.forEach((i, r) => {
      keep.forEach((j, k) => {
        const v = d.x[i * f + j];
        out[r * keep.length + k] = Number.isNaN(v) ? 0 : (v - mean[k]) / sd[k];
      });
    });
    return out;
  };
  return { x: build(fitRows), applied: build(applyRows), keep, mean, sd };
}

export interface TrainOutcome {
  result: PropensityResult;
  design: Design;
  /** every household's score from the fold that held its area out, and the baseline's */
  outOfFold: Float64Array;
  baseline: Float64Array;
  /** the final model's scores for every household of the design */
  scores: Float64Array;
}

/** The folds: whole held-out areas, dealt round in a seeded order. */
function foldsOf(d: Design, folds: number, seed: number): Int32Array {
  const order = d.groupCodes.map((_, g) => g);
  const rng = createRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const foldOfGroup = new Int32Array(d.groupCodes.length);
  order.forEach((g, k) => {
    foldOfGroup[g] = k % folds;
  });
  return foldOfGroup;
}

/** Mean log loss of chances p against outcomes y (chances kept off 0 and 1). */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
    s -= y[i] ? Math.log(q) : Math.log(1 - q);
  }
  return s / Math.max(p.length, 1);
}

/** The odds ratio of one feature for its step, with its 95% interval, and the sentence that says it. */
export function featureEffect(
  f: FeatureInfo,
  coefficient: number,
  standardError: number | null,
  mean: number,
  sd: number,
  service: string,
): FeatureEffect {
  const step = f.step ?? sd;
  const per = step / sd;
  const oddsRatio = Math.exp(coefficient * per);
  const se = standardError !== null && Number.isFinite(standardError) ? standardError : null;
  const interval =
    se === null
      ? null
      : { low: Math.exp((coefficient - 1.96 * se) * per), high: Math.exp((coefficient + 1.96 * se) * per) };
  const clear = interval !== null && (interval.low > 1 || interval.high < 1);
  const r = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const within = interval ? ` (95% interval ${r(interval.low)} to ${r(interval.high)})` : '';
  const what = `${f.label[0].toUpperCase()}${f.label.slice(1)}, ${f.stepWords}`;
  const sentence = !clear
    ? `${what}: no clear difference to the odds of using ${service} once the other features are allowed for (odds ratio ${r(oddsRatio)}${within}).`
    : `${what}: the odds of using ${service} are ${r(oddsRatio)} times as high${within}, the other features held equal.`;
  return {
    name: f.name,
    kind: f.kind,
    label: f.label,
    binary: f.binary,
    unit: f.unit,
    step,
    stepWords: f.stepWords,
    mean,
    sd,
    coefficient,
    standardError: se,
    oddsRatio,
    interval,
    clear,
    sentence,
  };
}

/** Out-of-fold scores at each penalty (largest first, each warm-started from the last), and the baseline's. */
function crossValidate(d: Design, foldOfGroup: Int32Array, folds: number, penalties: readonly number[]) {
  const n = d.rows;
  const byPenalty = penalties.map(() => new Float64Array(n));
  const baseline = new Float64Array(n);
  for (let k = 0; k < folds; k++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOfGroup[d.groups[i]] === k ? test : train).push(i);
    if (!test.length || !train.length) continue;
    const st = standardise(d, train, test);
    const y = Float64Array.from(train, (i) => d.y[i]);
    let start: number[] | undefined;
    penalties.forEach((penalty, g) => {
      const fit = fitLogistic(
        { x: st.x, rows: train.length, features: st.keep.length, y },
        { penalty, start, tolerance: 1e-7, standardErrors: false },
      );
      start = fit.coefficients;
      const p = predictLogistic(fit.coefficients, st.applied, test.length, st.keep.length);
      test.forEach((i, r) => {
        byPenalty[g][i] = p[r];
      });
    });
    // the baseline: each segment's rate of use in the training folds
    const users = new Map<string, number>();
    const all = new Map<string, number>();
    let tu = 0;
    for (const i of train) {
      const s = d.segments[i] ?? '';
      all.set(s, (all.get(s) ?? 0) + 1);
      users.set(s, (users.get(s) ?? 0) + d.y[i]);
      tu += d.y[i];
    }
    for (const i of test) {
      const s = d.segments[i] ?? '';
      baseline[i] = all.get(s) ? users.get(s)! / all.get(s)! : tu / train.length;
    }
  }
  return { byPenalty, baseline };
}

export async function trainPropensity(
  engine: Engine,
  spec: PropensitySpec,
  opts: { progress?: (done: number, total: number) => void } = {},
): Promise<TrainOutcome> {
  const d = await householdDesign(engine, spec);
  const n = d.rows;
  const foldOfGroup = foldsOf(d, spec.folds, spec.seed);
  const penalties = spec.penalty === 'auto' ? [...PENALTY_GRID].sort((a, b) => b - a) : [spec.penalty];
  opts.progress?.(0, 3);
  const cv = crossValidate(d, foldOfGroup, spec.folds, penalties);
  opts.progress?.(1, 3);
  const neg = Float64Array.from(d.y, (v) => 1 - v);
  const grid = penalties
    .map((penalty, g) => ({
      penalty,
      logLoss: logLoss(cv.byPenalty[g], d.y),
      auc: auc({ score: cv.byPenalty[g], pos: d.y, neg }),
      g,
    }))
    .sort((a, b) => a.penalty - b.penalty);
  // the lowest log loss; on a tie, the larger penalty (the simpler model)
  const best = grid.reduce((a, b) =>
    b.logLoss < a.logLoss || (b.logLoss === a.logLoss && b.penalty > a.penalty) ? b : a,
  );
  const outOfFold = cv.byPenalty[best.g];
  const model: Scored = { score: outOfFold, pos: d.y, neg };
  const base: Scored = { score: cv.baseline, pos: d.y, neg };
  const everyone = Array.from({ length: n }, (_, i) => i);
  const st = standardise(d, everyone, []);
  const fit = fitLogistic({ x: st.x, rows: n, features: st.keep.length, y: d.y }, { penalty: best.penalty });
  opts.progress?.(2, 3);
  const interval = bootstrapAuc(model, base, d.groups, { seed: spec.seed });
  const modelAuc = auc(model);
  const baselineAuc = auc(base);
  const verdict = !interval
    ? 'no-clear-difference'
    : interval.difference.low > 0
      ? 'better'
      : interval.difference.high < 0
        ? 'worse'
        : 'no-clear-difference';
  const service = spec.dataset.replace(/_/g, ' ');
  const fmt = (v: number | null) => (v === null ? 'unknown' : v.toFixed(3));
  const between = interval
    ? ` (the difference ${interval.difference.estimate.toFixed(3)}, 95% interval ${interval.difference.low.toFixed(3)} to ${interval.difference.high.toFixed(3)})`
    : '';
  const sentence =
    verdict === 'better'
      ? `On areas it was not fitted on, the model sorts users of ${service} from the rest better than the segments alone: AUC ${fmt(modelAuc)} against ${fmt(baselineAuc)}${between}.`
      : verdict === 'worse'
        ? `The model does not beat the segment-only baseline: on areas it was not fitted on it sorts users of ${service} from the rest worse than the segments alone, AUC ${fmt(modelAuc)} against ${fmt(baselineAuc)}${between}. Use the segment profile instead.`
        : `The model does not beat the segment-only baseline: on areas it was not fitted on, AUC ${fmt(modelAuc)} against the segments’ ${fmt(baselineAuc)}${between}, so the segment profile tells you as much about who uses ${service}.`;
  const features = st.keep.map((j, k) =>
    featureEffect(d.features[j], fit.coefficients[k + 1], fit.standardErrors[k + 1], st.mean[k], st.sd[k], service),
  );
  const kept = new Set(st.keep);
  const users = d.y.reduce((a, b) => a + b, 0);
  const result: PropensityResult = {
    kind: 'propensity',
    version: PROPENSITY_RESULT_VERSION,
    spec,
    unit: 'household',
    rows: n,
    users,
    accounts: d.accounts,
    classification: d.classification,
    penalty: {
      chosen: best.penalty,
      by: spec.penalty === 'auto' ? 'cross-validation' : 'given',
      grid: grid.map(({ penalty, logLoss: l, auc: a }) => ({ penalty, logLoss: l, auc: a })),
    },
    intercept: fit.coefficients[0],
    features,
    constant: d.features.filter((_, j) => !kept.has(j)).map((f) => f.name),
    evaluation: {
      folds: spec.folds,
      heldOutBy: spec.holdoutLevel,
      areas: d.groupCodes.length,
      auc: modelAuc,
      baselineAuc,
      interval,
      gains: gains(model),
      baselineGains: gains(base),
      calibration: calibration(model),
      verdict,
      sentence,
    },
    method:
      `Ridge-penalised logistic regression (IRLS) of using ${spec.dataset} on ${d.features.length} features of the household, its postcode and its area, ` +
      `standardised on the rows each fit is made on; evaluated by ${spec.folds}-fold cross-validation with whole ${spec.holdoutLevel} areas held out, ` +
      `against the rate of use of each ${d.classification ? `${d.classification.tiers.at(-1)} segment` : 'household'} in the training folds. ` +
      'Intervals for the AUCs resample whole areas; odds-ratio intervals use the penalised information, which understates them a little.',
  };
  opts.progress?.(3, 3);
  return {
    result,
    design: d,
    outOfFold,
    baseline: cv.baseline,
    scores: predictLogistic(fit.coefficients, st.x, n, st.keep.length),
  };
}
