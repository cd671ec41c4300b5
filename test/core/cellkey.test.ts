/**
 * The cell key method's perturbation table, checked by hand: the shares of the 256 keys, that the
 * noise is unbiased and bounded for every count, that a shown count is never under the threshold,
 * and that the same count and key always give the same noise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KEY_RANGE,
  MAX_NOISE,
  cellKeyOf,
  noiseShares,
  perturbation,
  perturbationRow,
  perturbCount,
} from '../../src/core/index.ts';

test('the 256 keys are shared among the noise values as worked by hand (sigma 2, cut at ±4)', () => {
  // weights exp(-j²/8): 1, .8825, .6065, .3247, .1353; total 4.8981; × 256 → 46.1, 31.7, 17.0, 7.1 either side
  assert.deepEqual(noiseShares(4), [7, 17, 32, 46, 52, 46, 32, 17, 7]);
  assert.deepEqual(noiseShares(0), [256]);
  for (let m = 0; m <= MAX_NOISE; m++)
    assert.equal(
      noiseShares(m).reduce((a, b) => a + b, 0),
      KEY_RANGE,
    );
  // variance at full width: 2 × (46·1 + 32·4 + 17·9 + 7·16) / 256 = 878 / 256
  const row = perturbationRow(1000, 10);
  const mean = row.reduce((a, b) => a + b, 0) / KEY_RANGE;
  const variance = row.reduce((a, b) => a + b * b, 0) / KEY_RANGE - mean ** 2;
  assert.equal(mean, 0);
  assert.ok(Math.abs(variance - 878 / 256) < 1e-12);
});

test('for every count from the threshold up, the noise is unbiased and at most ±4; a count is shown only when it and its perturbed value reach the threshold', () => {
  for (const minCell of [3, 10]) {
    for (let n = minCell; n < minCell + 400; n++) {
      const row = perturbationRow(n, minCell);
      assert.equal(
        row.reduce((a, b) => a + b, 0),
        0,
        `count ${n}: mean noise`,
      );
      for (const j of row) assert.ok(Math.abs(j) <= MAX_NOISE);
      for (let k = 0; k < KEY_RANGE; k++) {
        const shown = perturbCount({ n, key: k }, minCell);
        assert.equal(shown, n + row[k] >= minCell ? n + row[k] : null);
      }
    }
  }
  // counts at the threshold get the full noise: a 10 is not told apart from an 11 or a 14
  assert.deepEqual(
    [...new Set(perturbationRow(10, 10))].sort((a, b) => a - b),
    [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  );
  // of the keys, 7 + 17 + 32 + 46 take a 10 under the threshold, so it is not shown
  assert.equal([...Array(KEY_RANGE).keys()].filter((k) => perturbCount({ n: 10, key: k }, 10) === null).length, 102);
});

test('a cell key is the sum of record keys modulo 256; the same count and key give the same value every time', () => {
  assert.equal(cellKeyOf(255 + 3), 2);
  assert.equal(cellKeyOf(-1), 255);
  assert.equal(cellKeyOf(10n ** 20n), Number(10n ** 20n % 256n));
  for (let k = 0; k < KEY_RANGE; k++) assert.equal(perturbation(137, k, 10), perturbation(137, k, 10));
  assert.equal(perturbCount({ n: 9, key: 40 }, 10), null);
  assert.equal(perturbCount({ n: 0, key: 0 }, 10), null);
  const shown = perturbCount({ n: 50, key: 17 }, 10)!;
  assert.ok(Math.abs(shown - 50) <= MAX_NOISE);
});

test('rows of neighbouring counts are shuffled differently, so one more record moves a cell to unrelated noise', () => {
  const a = perturbationRow(200, 10),
    b = perturbationRow(201, 10);
  let same = 0;
  for (let k = 0; k < KEY_RANGE; k++) if (a[k] === b[k]) same++;
  // with the shares above, two independent shuffles agree on about Σ p_j² ≈ 17% of keys; identical rows would agree on all
  assert.ok(same < 0.3 * KEY_RANGE, `${same} of 256 keys give the same noise`);
});
