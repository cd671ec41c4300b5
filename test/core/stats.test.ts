import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  wilsonInterval,
  zAgainst,
  indexOf,
  bandOf,
  parseBands,
  DEFAULT_BANDS,
  ParameterError,
} from '../../src/core/index.ts';

const close = (a: number | null | undefined, b: number, tol = 1e-6) =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

test('Wilson interval matches the textbook example 5 of 20', () => {
  // p = 0.25; Wilson 95% interval (0.1119, 0.4687), worked by hand from the formula.
  const ci = wilsonInterval(5, 20)!;
  close(ci.low, 0.1118617, 1e-7);
  close(ci.high, 0.46870088, 1e-7);
});

test('Wilson interval stays inside [0, 1] for a zero cell and is null with no base', () => {
  const ci = wilsonInterval(0, 10)!;
  assert.equal(ci.low, 0);
  close(ci.high, 0.2775328, 1e-7);
  assert.equal(wilsonInterval(3, 0), null);
});

test('z against the overall rate: seed 003 group G', () => {
  // 2,143 of 10,258 households against 6,942 of 109,825 overall.
  close(zAgainst(2143, 10258, 6942 / 109825), 60.6428201, 1e-6);
  assert.equal(zAgainst(1, 0, 0.5), null);
  assert.equal(zAgainst(1, 10, 0), null);
});

test('index is file share over base share', () => {
  close(indexOf(30.87, 9.34), 330.5139186, 1e-6);
  assert.equal(indexOf(5, 0), null);
});

test('bands follow the seeds: 120 High, 110 Above, 90 Average, 80 Below, else Low', () => {
  assert.equal(bandOf(331), 'High');
  assert.equal(bandOf(120), 'High');
  assert.equal(bandOf(119.99), 'Above average');
  assert.equal(bandOf(110), 'Above average');
  assert.equal(bandOf(100), 'Average');
  assert.equal(bandOf(90), 'Average');
  assert.equal(bandOf(89.9), 'Below average');
  assert.equal(bandOf(80), 'Below average');
  assert.equal(bandOf(79.9), 'Low');
  assert.equal(bandOf(0), 'Low');
  assert.equal(bandOf(null), null);
});

test('bands are configurable and bad specifications are refused', () => {
  const bands = parseBands('Much higher:150,Similar:50,Much lower');
  assert.equal(bandOf(160, bands), 'Much higher');
  assert.equal(bandOf(100, bands), 'Similar');
  assert.equal(bandOf(10, bands), 'Much lower');
  // User input: a ParameterError with what to write instead (the CLI shows it with exit 2).
  for (const [spec, message] of [
    ['High', /at least two/],
    ['Low:80,High:120,Rest', /highest to lowest/],
    ['A,B:3', /needs a threshold/],
  ] as const)
    assert.throws(
      () => parseBands(spec),
      (e: unknown) => e instanceof ParameterError && message.test(e.message) && /For example/.test(e.fix ?? ''),
    );
  assert.equal(DEFAULT_BANDS.length, 5);
});
