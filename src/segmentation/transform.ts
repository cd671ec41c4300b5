/**
 * Transformations for segmentation variables, on a row-major matrix (n areas × d variables).
 * The 2011 OAC method: inverse hyperbolic sine, then range standardisation to 0–1.
 */
import type { Transform } from './constants.ts';

export type { Transform };

export interface Matrix {
  data: Float64Array;
  n: number;
  d: number;
}

export function matrixFromRows(rows: number[][]): Matrix {
  const n = rows.length,
    d = n ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`Row ${i + 1} has ${r.length} values, not ${d}.`);
    data.set(r, i * d);
  });
  return { data, n, d };
}

/** Inverse hyperbolic sine: like log for large values, defined at zero and for negatives. */
export const ihs = (x: number) => Math.log(x + Math.sqrt(x * x + 1));

/**
 * One fitted step of a transformation pipeline. Standardisations keep the parameters they were
 * fitted with, so that a partner's areas can be put through exactly the same scale later.
 */
export type TransformStep =
  | { kind: 'none' | 'ihs' | 'log' }
  | { kind: 'zscore'; mean: number[]; sd: number[] }
  | { kind: 'range'; min: number[]; max: number[] };

/** Works out a step's parameters from the data (means and standard deviations, or minimums and maximums). */
export function fitStep(m: Matrix, t: Transform): TransformStep {
  if (t !== 'zscore' && t !== 'range') return { kind: t };
  const { data, n, d } = m;
  const mean: number[] = [],
    sd: number[] = [],
    min: number[] = [],
    max: number[] = [];
  for (let j = 0; j < d; j++) {
    let lo = Infinity,
      hi = -Infinity,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const x = data[i * d + j];
      sum += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const mu = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const x = data[i * d + j] - mu;
      ss += x * x;
    }
    mean.push(mu);
    sd.push(Math.sqrt(ss / n));
    min.push(lo);
    max.push(hi);
  }
  return t === 'zscore' ? { kind: 'zscore', mean, sd } : { kind: 'range', min, max };
}

/** Applies a fitted step, returning a new matrix. */
export function applyStep(m: Matrix, step: TransformStep): Matrix {
  const out = new Float64Array(m.data);
  const { n, d } = m;
  if (step.kind === 'ihs' || step.kind === 'log') {
    for (let i = 0; i < out.length; i++) {
      const x = out[i];
      if (step.kind === 'log' && x < 0) throw new Error('log needs values of zero or more.');
      out[i] = step.kind === 'ihs' ? ihs(x) : Math.log1p(x);
    }
  } else if (step.kind === 'zscore' || step.kind === 'range') {
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) {
        const x = out[i * d + j];
        // A constant column carries no information: it becomes all zeros rather than NaN.
        if (step.kind === 'zscore') out[i * d + j] = step.sd[j] > 0 ? (x - step.mean[j]) / step.sd[j] : 0;
        else out[i * d + j] = step.max[j] > step.min[j] ? (x - step.min[j]) / (step.max[j] - step.min[j]) : 0;
      }
    }
  }
  return { data: out, n, d };
}

/** Applies one transformation to every column, fitted to this data, returning a new matrix. */
export function transform(m: Matrix, t: Transform): Matrix {
  return applyStep(m, fitStep(m, t));
}

/** Multiplies each column by its weight (a weight of 2 counts a variable twice in the distances). */
export function weight(m: Matrix, weights: readonly number[]): Matrix {
  if (weights.length !== m.d) throw new Error(`Give ${m.d} weights, not ${weights.length}.`);
  const out = new Float64Array(m.data);
  const w = weights.map(Math.sqrt);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.d; j++) out[i * m.d + j] *= w[j];
  return { data: out, n: m.n, d: m.d };
}
