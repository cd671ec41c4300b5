/**
 * The cell key method (the Australian Bureau of Statistics' method for flexible tables, used by the
 * ONS for Census 2021 outputs): every record gets a fixed random key from 0 to 255 when it is
 * imported; a cell's key is the sum of its records' keys modulo 256; the noise added to a cell is
 * looked up in a perturbation table from the cell's count and its key. The same records always
 * give the same key, so the same cell has the same value in every table, geography, format and
 * request, and subtracting one answer from another no longer pins down a small cell.
 *
 * The perturbation table here: for a count n at or above the threshold t, the noise j is drawn
 * from a discrete Gaussian shape on -MAX_NOISE … MAX_NOISE; the shape is symmetric, so the noise is
 * unbiased for every n, and counts at the threshold get as much noise as any. The 256 keys are
 * shared among the noise values in proportion to their probabilities and ordered by a fixed
 * shuffle per count, so neighbouring keys do not get neighbouring noise. With the small-cell rule a
 * count is shown only when both it and its perturbed value are at or above the threshold, so a
 * shown number is never under 10 and "not shown" does not say the truth is under 10 either.
 */
import { createHash } from 'node:crypto';
import { createRandom } from './random.ts';

/** Record keys run from 0 to KEY_RANGE - 1; a cell's key is the sum of its records' keys modulo KEY_RANGE. */
export const KEY_RANGE = 256;
/** The largest change the method makes to a count, either way. */
export const MAX_NOISE = 4;
/** The spread of the noise's shape before it is cut at ±MAX_NOISE. */
export const NOISE_SIGMA = 2;

/** A count with the sum of its records' keys: what an analysis keeps so that the boundary can perturb it. */
export interface Tally {
  n: number;
  key: number;
}

/** The key of a cell from the sum (or partial sums) of its records' keys. */
export const cellKeyOf = (keySum: number | bigint): number => {
  const k = typeof keySum === 'bigint' ? Number(keySum % BigInt(KEY_RANGE)) : keySum % KEY_RANGE;
  return k < 0 ? k + KEY_RANGE : k;
};

/** How many of the 256 keys give each noise value from -m to m (index j + m). */
export function noiseShares(m: number): number[] {
  if (m === 0) return [KEY_RANGE];
  const w = Array.from({ length: 2 * m + 1 }, (_, i) => Math.exp(-((i - m) ** 2) / (2 * NOISE_SIGMA ** 2)));
  const total = w.reduce((a, b) => a + b, 0);
  const shares = w.map((x) => Math.round((x / total) * KEY_RANGE));
  // Keep it symmetric: the two sides mirror each other and the middle takes what is left.
  for (let i = 0; i < m; i++) shares[2 * m - i] = shares[i];
  shares[m] = KEY_RANGE - shares.reduce((s, x, i) => (i === m ? s : s + x), 0);
  return shares;
}

const rows = new Map<string, Int8Array>();

/** The row of the perturbation table for a count: the noise for each of the 256 cell keys. */
export function perturbationRow(n: number, minCell: number): Int8Array {
  const m = n < minCell ? 0 : MAX_NOISE;
  // The shuffle is fixed per count, so a cell that gains one record moves to an unrelated position in the next row.
  const id = `${m}:${n}`;
  let row = rows.get(id);
  if (!row) {
    const shares = noiseShares(m);
    row = new Int8Array(KEY_RANGE);
    let k = 0;
    shares.forEach((s, i) => {
      for (let c = 0; c < s; c++) row![k++] = i - m;
    });
    const rng = createRandom(0x9e3779b1 ^ Math.imul(n, 0x85ebca6b));
    for (let i = KEY_RANGE - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = row[i];
      row[i] = row[j];
      row[j] = t;
    }
    if (rows.size > 50_000) rows.clear();
    rows.set(id, row);
  }
  return row;
}

/** The noise the method adds to a count of n with this cell key (n at or above the threshold). */
export function perturbation(n: number, cellKey: number, minCell: number): number {
  if (n < minCell) return 0;
  return perturbationRow(n, minCell)[cellKeyOf(cellKey)];
}

/**
 * A count as a viewer who is not the data's owner sees it: the count plus its noise, or null when
 * either the count or the perturbed count is under the threshold (the small-cell rule).
 */
export function perturbCount(t: Tally, minCell: number): number | null {
  if (t.n < minCell) return null;
  const shown = t.n + perturbation(t.n, t.key, minCell);
  return shown < minCell ? null : shown;
}

/**
 * A key from 0 to 255 for something that is not a record (a postcode unit, an area left out of a
 * chosen set), from a keyed hash with the workspace's secret, so nobody without the workspace can
 * work it out.
 */
export const keyedKey = (salt: string, id: string): number => createHash('sha256').update(`${salt}|${id}`).digest()[0];
