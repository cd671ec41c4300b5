/**
 * Training a propensity model (issue 15, point 2): k-fold cross-validation by area (whole
 * held-out areas per fold, so neighbours never sit on both sides), the segment-only baseline fitted
 * on the same training folds, every household's out-of-fold score for the evaluation, and a final
 * fit on everyone for scoring. Features are standardised on each fold's training rows; unknown
 * values take that fold's mean.
 */
import type { Engine } from '../store/index.ts';
import { auc, bootstrapAuc, calibration, gains } from './evaluate.ts';
import { type Design, householdDesign } from './features.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import type { PropensitySpec } from './spec.ts';

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
  design: Design;
  outOfFold: Float64Array;
  baseline: Float64Array;
  evaluation: {
    auc: number | null;
    baselineAuc: number | null;
    interval: ReturnType<typeof bootstrapAuc>;
    gains: ReturnType<typeof gains>;
    baselineGains: ReturnType<typeof gains>;
    calibration: ReturnType<typeof calibration>;
  };
  final: { coefficients: number[]; standardErrors: number[]; features: string[]; mean: number[]; sd: number[] };
  scores: Float64Array;
}

export async function trainPropensity(engine: Engine, spec: PropensitySpec): Promise<TrainOutcome> {
  const d = await householdDesign(engine, spec);
  const n = d.rows;
  // folds by held-out area, in a seeded order
  const order = d.groupCodes.map((_, g) => g);
  let s = spec.seed >>> 0;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const foldOfGroup = new Int32Array(d.groupCodes.length);
  order.forEach((g, k) => {
    foldOfGroup[g] = k % spec.folds;
  });
  const outOfFold = new Float64Array(n);
  const baseline = new Float64Array(n);
  for (let k = 0; k < spec.folds; k++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOfGroup[d.groups[i]] === k ? test : train).push(i);
    if (!test.length || !train.length) continue;
    const st = standardise(d, train, test);
    const fit = fitLogistic(
      { x: st.x, rows: train.length, features: st.keep.length, y: Float64Array.from(train.map((i) => d.y[i])) },
      { penalty: spec.penalty },
    );
    const p = predictLogistic(fit.coefficients, st.applied, test.length, st.keep.length);
    test.forEach((i, r) => {
      outOfFold[i] = p[r];
    });
    // the baseline: each segment's rate of use in the training folds
    const users = new Map<string, number>();
    const all = new Map<string, number>();
    let tu = 0;
    for (const i of train) {
      const g = d.segments[i] ?? '';
      all.set(g, (all.get(g) ?? 0) + 1);
      users.set(g, (users.get(g) ?? 0) + d.y[i]);
      tu += d.y[i];
    }
    for (const i of test) {
      const g = d.segments[i] ?? '';
      baseline[i] = all.get(g) ? users.get(g)! / all.get(g)! : tu / train.length;
    }
  }
  const pos = d.y;
  const neg = Float64Array.from(d.y, (v) => 1 - v);
  const model = { score: outOfFold, pos, neg };
  const base = { score: baseline, pos, neg };
  const everyone = Array.from({ length: n }, (_, i) => i);
  const st = standardise(d, everyone, []);
  const fit = fitLogistic({ x: st.x, rows: n, features: st.keep.length, y: d.y }, { penalty: spec.penalty });
  return {
    design: d,
    outOfFold,
    baseline,
    evaluation: {
      auc: auc(model),
      baselineAuc: auc(base),
      interval: bootstrapAuc(model, base, d.groups, { seed: spec.seed }),
      gains: gains(model),
      baselineGains: gains(base),
      calibration: calibration(model),
    },
    final: {
      coefficients: fit.coefficients,
      standardErrors: fit.standardErrors,
      features: st.keep.map((j) => d.features[j].name),
      mean: st.mean,
      sd: st.sd,
    },
    scores: predictLogistic(fit.coefficients, st.x, n, st.keep.length),
  };
}
