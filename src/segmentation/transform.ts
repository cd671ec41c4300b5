/**
 * Transformations for segmentation variables, on a row-major matrix (n areas × d variables).
 * The 2011 OAC method: inverse hyperbolic sine, then range standardisation to 0–1.
 */
export interface Matrix { data: Float64Array; n: number; d: number }

export type Transform = 'none' | 'ihs' | 'log' | 'zscore' | 'range';

export function matrixFromRows(rows: number[][]): Matrix {
  const n = rows.length, d = n ? rows[0].length : 0;
  const data = new Float64Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`Row ${i + 1} has ${r.length} values, not ${d}.`);
    data.set(r, i * d);
  });
  return { data, n, d };
}

/** Inverse hyperbolic sine: like log for large values, defined at zero and for negatives. */
export const ihs = (x: number) => Math.log(x + Math.sqrt(x * x + 1));

/** Applies one transformation to every column, returning a new matrix. */
export function transform(m: Matrix, t: Transform): Matrix {
  const out = new Float64Array(m.data);
  const { n, d } = m;
  if (t === 'ihs' || t === 'log') {
    for (let i = 0; i < out.length; i++) {
      const x = out[i];
      if (t === 'log' && x < 0) throw new Error('log needs values of zero or more.');
      out[i] = t === 'ihs' ? ihs(x) : Math.log1p(x);
    }
  } else if (t === 'zscore' || t === 'range') {
    for (let j = 0; j < d; j++) {
      let min = Infinity, max = -Infinity, sum = 0;
      for (let i = 0; i < n; i++) { const x = out[i * d + j]; sum += x; if (x < min) min = x; if (x > max) max = x; }
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) { const x = out[i * d + j] - mean; ss += x * x; }
      const sd = Math.sqrt(ss / n);
      for (let i = 0; i < n; i++) {
        const x = out[i * d + j];
        // A constant column carries no information: it becomes all zeros rather than NaN.
        out[i * d + j] = t === 'zscore' ? (sd > 0 ? (x - mean) / sd : 0) : (max > min ? (x - min) / (max - min) : 0);
      }
    }
  }
  return { data: out, n, d };
}

/** Multiplies each column by its weight (a weight of 2 counts a variable twice in the distances). */
export function weight(m: Matrix, weights: readonly number[]): Matrix {
  if (weights.length !== m.d) throw new Error(`Give ${m.d} weights, not ${weights.length}.`);
  const out = new Float64Array(m.data);
  const w = weights.map(Math.sqrt);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.d; j++) out[i * m.d + j] *= w[j];
  return { data: out, n: m.n, d: m.d };
}
