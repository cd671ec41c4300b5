import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import {
  bloomDecode,
  bloomDice,
  bloomEncode,
  letterPairs,
  BLOOM_BITS,
  BLOOM_HASHES,
  BLOOM_PREFIX,
} from '../../src/intake/index.ts';
import { sharedData } from '../helpers/shared-data.ts';

const KEY = 'a'.repeat(64);
const OTHER_KEY = 'b'.repeat(64);

/** The Dice coefficient of two values' letter pairs, counted by hand: what the filters approximate. */
function pairDice(a: string, b: string): number {
  const pa = new Set(letterPairs(a)),
    pb = new Set(letterPairs(b));
  const both = [...pa].filter((p) => pb.has(p)).length;
  return (2 * both) / (pa.size + pb.size);
}

const bits = (v: string, key = KEY) => bloomDecode(bloomEncode(v, key))!;
const ones = (b: Uint8Array) => [...b].reduce((n, x) => n + x.toString(2).replace(/0/g, '').length, 0);

test('letter pairs: upper case, accents and punctuation gone, each word padded at both ends', () => {
  assert.deepEqual(letterPairs('Smith'), ['_S', 'SM', 'MI', 'IT', 'TH', 'H_']);
  assert.deepEqual(letterPairs("  o'brien "), ['_O', 'O_', '_B', 'BR', 'RI', 'IE', 'EN', 'N_']);
  assert.deepEqual(letterPairs('Zoë'), ['_Z', 'ZO', 'OE', 'E_']);
  assert.deepEqual(letterPairs('Mary-Ann'), ['_M', 'MA', 'AR', 'RY', 'Y_', '_A', 'AN', 'NN', 'N_']);
  // A pair that appears twice is one pair.
  assert.deepEqual(letterPairs('Anna'), ['_A', 'AN', 'NN', 'NA', 'A_']);
  assert.deepEqual(letterPairs(' - '), []);
});

test('a filter: the same value under the same key always gives the same bits, at most 15 per letter pair', () => {
  const e = bloomEncode('Smith', KEY)!;
  assert.ok(e.startsWith(BLOOM_PREFIX));
  assert.equal(e, bloomEncode('SMITH ', KEY), 'case and spacing do not matter');
  assert.ok(!e.toUpperCase().includes('SMITH'));
  const b = bloomDecode(e)!;
  assert.equal(b.length, BLOOM_BITS / 8);
  const n = ones(b);
  // 6 pairs × 15 bits, less the few that fall on a bit already set.
  assert.ok(n <= 6 * BLOOM_HASHES && n >= 6 * BLOOM_HASHES - 8, `${n} bits set`);
  assert.equal(bloomEncode(null, KEY), null);
  assert.equal(bloomEncode('  ', KEY), null);
  assert.equal(bloomDecode('p_0123'), null, 'a keyed hash is not a filter');
  assert.equal(bloomDice(b, b), 1);
});

test("Dice of two filters is close to Dice of the names' letter pairs, worked by hand", () => {
  // SMITH and SMYTH share _S, SM, TH and H_ of their 6 pairs each: 2 × 4 ÷ 12 = 0.667.
  assert.equal(pairDice('Smith', 'Smyth'), 2 / 3);
  const d = bloomDice(bits('Smith'), bits('Smyth'));
  assert.ok(Math.abs(d - 2 / 3) < 0.05, `${d}`);
  // JONES and SMITH share no pair: only chance collisions of bits.
  assert.equal(pairDice('Jones', 'Smith'), 0);
  assert.ok(bloomDice(bits('Jones'), bits('Smith')) < 0.15);
  // Under another key the same name shares no more bits than two unrelated names do.
  assert.ok(bloomDice(bits('Smith'), bits('Smith', OTHER_KEY)) < 0.15);
});

const febrl = sharedData('linkage/febrl/dataset2.csv');

test('FEBRL dataset 2: for every original and its duplicates, the filters keep the names’ similarity (mean error 0.022 measured)', {
  skip: febrl.skip,
}, () => {
  const rows = Papa.parse<Record<string, string>>(readFileSync(febrl.path, 'utf8'), {
    header: true,
    skipEmptyLines: true,
    transformHeader: (h) => h.trim(),
    transform: (v) => v.trim(),
  }).data;
  const byEntity = new Map<string, Record<string, string>[]>();
  for (const r of rows) {
    const id = /^rec-(\d+)-/.exec(r.rec_id)![1];
    byEntity.set(id, [...(byEntity.get(id) ?? []), r]);
  }
  let pairs = 0,
    error = 0,
    worst = 0,
    changed = 0;
  for (const recs of byEntity.values())
    for (let i = 1; i < recs.length; i++)
      for (const col of ['given_name', 'surname']) {
        const a = recs[0][col],
          b = recs[i][col];
        if (!letterPairs(a).length || !letterPairs(b).length) continue;
        const truth = pairDice(a, b);
        const e = Math.abs(bloomDice(bits(a), bits(b)) - truth);
        pairs++;
        error += e;
        worst = Math.max(worst, e);
        if (a !== b) changed++;
      }
  assert.ok(pairs > 1500, `${pairs} pairs of names compared`);
  assert.ok(changed > 300, `${changed} of them spelt differently`);
  assert.ok(error / pairs < 0.03, `mean error ${error / pairs}`);
  assert.ok(worst < 0.2, `worst error ${worst}`);
});
