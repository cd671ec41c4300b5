/** Diagnostics for choosing and trusting a segmentation: silhouette, adjusted Rand index, certainty. */
import type { Matrix } from './transform.ts';

/** Mean silhouette width over all points (exact, O(n²)); 1 is perfect separation, 0 overlapping. */
export function silhouette(m: Matrix, labels: Int32Array, k: number): number {
  const { data, n, d } = m;
  if (k < 2) return 0;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  const sum = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sum.fill(0);
    for (let o = 0; o < n; o++) {
      if (o === i) continue;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = data[i * d + j] - data[o * d + j];
        s += x * x;
      }
      sum[labels[o]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (sizes[own] <= 1) continue; // a point alone in its cluster scores 0
    const a = sum[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sum[c] / sizes[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Adjusted Rand index between two labellings of the same items (Hubert & Arabie): 1 identical, about 0 by chance. */
export function adjustedRandIndex(a: ArrayLike<string | number>, b: ArrayLike<string | number>): number {
  if (a.length !== b.length) throw new Error('The two labellings must cover the same items.');
  const n = a.length;
  const table = new Map<string, number>();
  const rows = new Map<string | number, number>();
  const cols = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0,
    sb = 0;
  for (const v of rows.values()) sa += c2(v);
  for (const v of cols.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * Assignment certainty per area: 1 − (distance to own centre ÷ distance to the next nearest),
 * 0 on the border between two segments, near 1 deep inside its own.
 */
export function certainty(m: Matrix, centres: Float64Array, k: number, labels: Int32Array): Float64Array {
  const { data, n, d } = m;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let own = 0,
      next = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = data[i * d + j] - centres[c * d + j];
        s += x * x;
      }
      const dist = Math.sqrt(s);
      if (c === labels[i]) own = dist;
      else if (dist < next) next = dist;
    }
    out[i] = next === Infinity || next === 0 ? 1 : Math.max(0, 1 - own / next);
  }
  return out;
}
