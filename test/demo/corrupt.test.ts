import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../src/core/index.ts';
import {
  corruptPerson,
  dobDigit,
  nameSlip,
  swapDayMonth,
  DEFAULT_ERROR_RATES,
  NICKNAMES,
  type RecordError,
} from '../../src/demo/corrupt.ts';

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
const iso = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

/** Damerau–Levenshtein distance with adjacent transpositions (optimal string alignment), by hand. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i ? (j ? 0 : i) : j)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

test('a typing slip changes a name by exactly one edit, never its first letter', () => {
  const rng = createRandom(7);
  for (const name of ['Margaret', 'Smith', 'Okonkwo', 'Li', 'Ann'])
    for (const kind of ['substitute', 'drop', 'double', 'swap'] as const)
      for (let k = 0; k < 50; k++) {
        const s = nameSlip(rng, name, kind);
        if (name.length < 3) {
          assert.equal(s, name, 'two-letter names are left alone');
          continue;
        }
        assert.equal(osa(name, s), 1, `${name} → ${s} (${kind})`);
        assert.equal(s[0], name[0]);
      }
  // A letter swapped for itself is no slip: "Anna" has no swap of its middle "nn", so another slip is made.
  assert.notEqual(nameSlip(createRandom(1), 'Ann', 'swap'), 'Ann');
});

test('day and month swapped only when both are months and they differ; a digit slip gives a real, different date', () => {
  assert.equal(iso(swapDayMonth(day(1961, 3, 7))!), '1961-07-03');
  assert.equal(swapDayMonth(day(1961, 3, 17)), null, 'the 17th cannot be a month');
  assert.equal(swapDayMonth(day(1961, 5, 5)), null, '5 May swapped is 5 May');
  const rng = createRandom(3);
  for (let k = 0; k < 500; k++) {
    const dob = day(1950, 1, 1) + rng.int(20000);
    const slip = dobDigit(rng, dob);
    assert.notEqual(slip, dob);
    assert.ok(Number.isInteger(slip));
    const [a, b] = [iso(dob), iso(slip)];
    assert.equal(a.slice(0, 3), b.slice(0, 3), 'the century and decade stay');
  }
});

test('errors come at their rates and every one is listed: 20,000 records, seed 2026', () => {
  const rng = createRandom(2026);
  const counts = new Map<string, number>();
  let flats = 0,
    unchanged = 0;
  const n = 20000;
  for (let k = 0; k < n; k++) {
    const flat = k % 2 === 0;
    const p = {
      first: k % 3 === 0 ? 'Margaret' : 'Zara',
      last: 'Thompson',
      dob: day(1970, 1, 1) + (k % 9000),
      address: flat ? `Flat ${1 + (k % 9)}, Oak Court, Mill Road` : `${k % 200} Mill Road`,
    };
    if (flat) flats++;
    const { person, errors } = corruptPerson(rng, p, () => `${k % 7} Elm Street`);
    for (const e of errors) counts.set(`${e.field}:${e.kind}`, (counts.get(`${e.field}:${e.kind}`) ?? 0) + 1);
    if (!errors.length) {
      unchanged++;
      assert.deepEqual(person, p, 'no error listed, no change');
    }
    // What is listed is what was done.
    const has = (f: RecordError['field'], kind?: string) =>
      errors.some((e) => e.field === f && (!kind || e.kind === kind));
    if (!has('first') && !has('name')) assert.equal(person.first, p.first);
    if (!has('dob')) assert.equal(person.dob, p.dob);
    if (!has('address')) assert.equal(person.address, p.address);
    if (has('address', 'old address')) assert.match(person.address, /Elm Street$/);
    // A nickname, unless a slip in the first name or a swap came after it.
    if (has('first', 'nickname') && errors.length === 1) assert.ok(NICKNAMES.Margaret.includes(person.first));
  }
  const rate = (key: string, of: number) => (counts.get(key) ?? 0) / of;
  const near = (x: number, want: number, why: string) =>
    assert.ok(Math.abs(x - want) < 4 * Math.sqrt((want * (1 - want)) / 5000) + 0.003, `${why}: ${x} against ${want}`);
  // Only Margaret (a third of the records) has nicknames.
  near(rate('first:nickname', n / 3), DEFAULT_ERROR_RATES.nickname, 'nickname');
  near(rate('name:swapped', n), DEFAULT_ERROR_RATES.swapped, 'swapped names');
  near(
    rate('address:no flat', flats),
    DEFAULT_ERROR_RATES.noFlat * (1 - DEFAULT_ERROR_RATES.oldAddress),
    'flat left off',
  );
  near(rate('address:old address', n), DEFAULT_ERROR_RATES.oldAddress, 'old address');
  const slips = ['substitute', 'drop', 'double', 'swap'].reduce(
    (s, k) => s + (counts.get(`first:${k}`) ?? 0) + (counts.get(`last:${k}`) ?? 0),
    0,
  );
  near(slips / n, DEFAULT_ERROR_RATES.nameSlip, 'typing slips');
  assert.ok(unchanged / n > 0.5, `${unchanged} records written exactly alike`);
  // The same seed gives the same errors.
  const again = corruptPerson(
    createRandom(9),
    { first: 'William', last: 'Jones', dob: day(1980, 2, 3), address: '4 Mill Road' },
    () => null,
  );
  assert.deepEqual(
    again,
    corruptPerson(
      createRandom(9),
      { first: 'William', last: 'Jones', dob: day(1980, 2, 3), address: '4 Mill Road' },
      () => null,
    ),
  );
});
