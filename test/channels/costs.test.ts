/**
 * Unit costs and the seeds' worked examples (issue 14, acceptance 1), from their inputs: Bristol's
 * annual contact cost, Bristol housing benefit's shift to the web, and Kay's journey in Barking &
 * Dagenham before and after, each worked by hand in ../shared/design/SEED-FIGURES.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  contactCost,
  publishedUnitCosts,
  shiftSaving,
  unitCosts,
  volumesFromShares,
  UnitCostSetSchema,
} from '../../src/channels/index.ts';
import type { ObservatoryError } from '../../src/core/index.ts';
import { tempDir } from '../helpers/workspace.ts';

test('the published sets carry every figure the seeds give, each with its source', () => {
  const sets = publishedUnitCosts();
  for (const s of sets) UnitCostSetSchema.parse(s);
  const cost = (set: string, channel: string) => unitCosts(set).costs.find((c) => c.channel === channel)?.cost;
  assert.equal(cost('maidstone', 'face to face'), 9.66);
  assert.equal(cost('maidstone', 'phone'), 1.86);
  assert.equal(cost('maidstone', 'web'), 0.32);
  assert.equal(cost('bristol', 'phone'), 4.62);
  assert.equal(cost('bristol', 'face to face'), 7.03);
  assert.equal(cost('bristol', 'self-serve'), 0.4);
  assert.equal(cost('socitm-2012', 'face to face'), 8.62);
  assert.equal(cost('socitm-2012', 'phone'), 2.83);
  assert.equal(cost('socitm-2012', 'web'), 0.15);
  assert.equal(cost('barking-dagenham', 'phone'), 1.44);
  assert.equal(cost('barking-dagenham', 'internal email'), 0.56);
  for (const s of sets) for (const c of s.costs) assert.ok(c.source && c.what, `${s.name} ${c.channel}`);
  assert.throws(() => unitCosts('hackney'), /no published set of unit costs called "hackney"[\s\S]*/);
});

test('Bristol: 1.25 million contacts at 60/25/15% cost £5,736,875 a year', () => {
  const volumes = volumesFromShares(1_250_000, [
    { channel: 'Telephone', pct: 60 },
    { channel: 'F2F', pct: 25 },
    { channel: 'self service', pct: 15 },
  ]);
  assert.deepEqual(
    volumes.map((v) => v.contacts),
    [750_000, 312_500, 187_500],
  );
  const r = contactCost(volumes, unitCosts('bristol'));
  assert.equal(r.total, 5_736_875);
  assert.deepEqual(
    r.lines.map((l) => [l.channel, l.cost]),
    [
      ['phone', 3_465_000],
      ['face to face', 2_196_875],
      ['self-serve', 75_000],
    ],
  );
  assert.equal(r.contacts, 1_250_000);
  assert.ok(Math.abs(r.perContact - 4.5895) < 1e-12);
  assert.throws(() => volumesFromShares(100, [{ channel: 'phone', pct: 60 }]), /shares add up to 60%, not 100%/);
  // A channel the set has no cost for is named, with the channels it has.
  assert.throws(
    () => contactCost([{ channel: 'email', contacts: 5 }], unitCosts('bristol')),
    /no cost for email[\s\S]*/,
  );
});

test('Bristol housing benefit: 400 new claims and 1,500 queries a month from phone (£3) to web (£1) save £45,600 a year', () => {
  const r = shiftSaving(
    { from: 'phone', to: 'online', contactsPerMonth: 400 + 1500 },
    unitCosts('bristol-housing-benefit'),
  );
  assert.equal(r.contactsPerYear, 22_800);
  assert.equal(r.fromCost, 3);
  assert.equal(r.toCost, 1);
  assert.equal(r.savingPerYear, 45_600);
  assert.throws(() => shiftSaving({ from: 'web', to: 'Web', contactsPerMonth: 1 }, unitCosts('bristol')), /to itself/);
});

test('Kay’s late bin: £37.80 before and £2.00 after, at Barking & Dagenham’s unit costs', () => {
  const set = unitCosts('barking-dagenham');
  // 15 calls to 3 departments, 5 calls back and 6 emails; then one call and one internal email.
  const before = contactCost(
    [
      { channel: 'phone', contacts: 15 },
      { channel: 'phone', contacts: 5 },
      { channel: 'email', contacts: 6 },
    ],
    set,
  );
  assert.equal(before.total, 37.8);
  assert.deepEqual(
    before.lines.map((l) => [l.channel, l.contacts, l.cost]),
    [
      ['phone', 20, 28.8],
      ['email', 6, 9],
    ],
  );
  const after = contactCost(
    [
      { channel: 'tel', contacts: 1 },
      { channel: 'Internal Email', contacts: 1 },
    ],
    set,
  );
  assert.equal(after.total, 2);
});

test('a council’s own unit-cost file is read with its sources, and mistakes name the row and column', () => {
  const tmp = tempDir('civic-unit-costs-');
  try {
    const ok = join(tmp.dir, 'ours.csv');
    writeFileSync(ok, '\uFEFFChannel,Cost,What\nTel,£2.10,a call\nWeb form,0.25,\nOne stop shop,6.00,a visit\n');
    const set = unitCosts(ok);
    assert.equal(set.published, false);
    assert.deepEqual(
      set.costs.map((c) => [c.channel, c.cost, c.source]),
      [
        ['phone', 2.1, 'ours.csv, row 2'],
        ['web', 0.25, 'ours.csv, row 3'],
        ['face to face', 6, 'ours.csv, row 4'],
      ],
    );
    const bad = join(tmp.dir, 'bad.csv');
    writeFileSync(bad, 'channel,cost\nphone,2.10\nweb,about 30p\n');
    const said = (re: RegExp) => (e: unknown) => re.test((e as ObservatoryError).describe());
    assert.throws(
      () => unitCosts(bad),
      said(
        /"about 30p" is not a cost in pounds\. \(file .*bad\.csv, row 3, column "cost"\)\nWhat to do: Write it as pounds/,
      ),
    );
    writeFileSync(bad, 'channel,cost\nphone,2.10\ntelephone,2.20\n');
    assert.throws(
      () => unitCosts(bad),
      said(/phone already has a cost on row 2\. \(file .*, row 3, column "channel"\)/),
    );
    writeFileSync(bad, 'channel,price\nphone,2.10\n');
    assert.throws(() => unitCosts(bad), /has no "cost" column/);
  } finally {
    tmp.cleanup();
  }
});
