import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDay, parseDay, periodStart } from '../../src/core/index.ts';

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;

test('dates as councils write them', () => {
  assert.equal(parseDay('2025-03-14'), day(2025, 3, 14));
  assert.equal(parseDay('14/03/2025'), day(2025, 3, 14));
  assert.equal(parseDay('2025-03-14 09:30'), day(2025, 3, 14));
  assert.equal(parseDay('2025-03-14T09:30:00Z'), day(2025, 3, 14));
  assert.equal(parseDay('1.4.2025'), day(2025, 4, 1));
  assert.equal(parseDay('14 Mar 2025'), day(2025, 3, 14));
  assert.equal(parseDay('14-March-2025'), day(2025, 3, 14));
  assert.equal(parseDay('4 Sept 2025'), day(2025, 9, 4));
  assert.equal(parseDay('14 Mrch 2025'), null);
  assert.equal(parseDay('31/02/2025'), null);
  assert.equal(parseDay('not known'), null);
  assert.equal(parseDay(''), null);
  assert.equal(parseDay(null), null);
  assert.equal(formatDay(day(2024, 2, 29)), '2024-02-29');
});

test('the last n days, weeks, months or years up to a day, that day included', () => {
  const end = day(2025, 3, 14);
  assert.equal(formatDay(periodStart(end, 12, 'months')), '2024-03-15');
  assert.equal(formatDay(periodStart(end, 1, 'years')), '2024-03-15');
  assert.equal(formatDay(periodStart(end, 30, 'days')), '2025-02-13');
  assert.equal(formatDay(periodStart(end, 2, 'weeks')), '2025-03-01');
  // A month back from 31 March is the last day of February, so the month starts on 1 March.
  assert.equal(formatDay(periodStart(day(2025, 3, 31), 1, 'months')), '2025-03-01');
  // Exactly 30 days from 2025-02-13 to 2025-03-14 inclusive.
  assert.equal(end - periodStart(end, 30, 'days') + 1, 30);
});
