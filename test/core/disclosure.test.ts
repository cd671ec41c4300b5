import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressOneWay, createRandom } from '../../src/core/index.ts';

test('counts under the threshold are suppressed, with a second cell hidden so the first cannot be recovered', () => {
  const r = suppressOneWay([120, 4, 50, 30], 10);
  assert.deepEqual(r.suppressed, [false, true, false, true]);
  assert.equal(r.primary, 1);
  assert.equal(r.secondary, 1);
});

test('hidden cells together hold at least the threshold', () => {
  // 3 + 4 = 7 would reveal that both are tiny; the next smallest (12) is hidden as well.
  const r = suppressOneWay([3, 4, 12, 200], 10);
  assert.deepEqual(r.suppressed, [true, true, true, false]);
});

test('nothing is hidden when every count reaches the threshold; a small total is hidden', () => {
  assert.deepEqual(suppressOneWay([10, 11, 500], 10).suppressed, [false, false, false]);
  const tiny = suppressOneWay([2, 3], 10);
  assert.deepEqual(tiny.suppressed, [true, true]);
  assert.equal(tiny.totalSuppressed, true);
});

test("zero means no suppression (the owner's own view)", () => {
  assert.deepEqual(suppressOneWay([1, 2, 3], 0).suppressed, [false, false, false]);
});

test('on random tables no visible cell is under the threshold and no hidden cell can be worked out from the total', () => {
  const rng = createRandom(7);
  for (let t = 0; t < 2000; t++) {
    const n = 1 + rng.int(12);
    const counts = Array.from({ length: n }, () => (rng.next() < 0.4 ? rng.int(10) : rng.int(400)));
    const min = 1 + rng.int(15);
    const r = suppressOneWay(counts, min);
    const hidden = counts.filter((_, i) => r.suppressed[i]);
    counts.forEach((c, i) => {
      if (!r.suppressed[i]) assert.ok(c >= min);
    });
    const total = counts.reduce((a, b) => a + b, 0);
    if (!r.totalSuppressed && hidden.length) {
      // total − visible cells = the sum of hidden cells: it must not pin down any one of them.
      assert.ok(hidden.length >= 2, `one hidden cell in ${counts} at ${min}`);
      assert.ok(hidden.reduce((a, b) => a + b, 0) >= min, `hidden cells sum below ${min} in ${counts}`);
    }
    if (r.totalSuppressed) assert.ok(total < min);
  }
});
