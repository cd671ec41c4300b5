/**
 * Channel mix by segment and volume and handling time by service (issue 14 point 2), worked by hand
 * from 21 contacts, and what a viewer other than the owner may see of them, tried as an attacker.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  channelMix,
  contactVolumes,
  ChannelMixResultSchema,
  ContactVolumesResultSchema,
  type ChannelMixResult,
} from '../../src/channels/index.ts';
import { discloseChannelMix, discloseVolumes, channelMixToCsv, volumesToTable } from '../../src/outputs/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-mix-');
let ws: Workspace;

// Group A is the postcodes M15 4AB, M15 4AD and M1 1AE; group B is SW1A 2AA and SB4 0QD.
//   A: 12 contacts, phone 6, web 4, face to face 2     B: 8 contacts, phone 2, web 2, face to face 4
//   ZZ99 9ZZ is not in the directory: one phone contact not placed.
// The borough's placed mix: phone 8 of 20 (40%), web 6 (30%), face to face 6 (30%).
//   A phone 6/12 = 50%, index 50/40 = 125 (High), Wilson 95% interval 25.38–74.62%
//   A web 33.33%, index 111.1 (Above average); A face to face 16.67%, index 55.6 (Low)
//   B phone 25%, index 62.5 (Low); B web 25%, 83.3 (Below average); B face to face 50%, 166.7 (High)
// Phone calls by service (9, the unplaced one too):
//   Switchboard 4 calls: 1 + 0:30 + 1.5 + 2:00 = 5 minutes; Benefits 3: 12 + 0:18:00 + 10 = 40;
//   Waste 2: 4, and "n/a" which is not a time (counted unreadable). 49 minutes in all.
//   Switchboard 4/9 = 44.44% of calls and 5/49 = 10.20% of the time; Benefits 33.33% and 81.63%.
const ROWS: [string, string, string, string][] = [
  // postcode, channel, service, handling
  ['M15 4AB', 'Tel', 'Switchboard', '1'],
  ['M15 4AB', 'phone', 'Switchboard', '0:30'],
  ['M15 4AD', 'Telephone', 'Switchboard', '1.5'],
  ['M15 4AD', 'phone', 'Benefits', '12'],
  ['M1 1AE', 'Phone call', 'Benefits', '0:18:00'],
  ['M1 1AE', 'tel', 'Waste', '4'],
  ['M15 4AB', 'web form', 'Waste', ''],
  ['M15 4AB', 'Online', 'Waste', ''],
  ['M15 4AD', 'web', 'Benefits', ''],
  ['M1 1AE', 'web', 'Council tax', ''],
  ['M1 1AE', 'F2F', 'Benefits', '20'],
  ['M15 4AB', 'face to face', 'Council tax', '15'],
  ['SW1A 2AA', 'phone', 'Benefits', '10'],
  ['SB4 0QD', 'phone', 'Switchboard', '2:00'],
  ['SW1A 2AA', 'web', 'Waste', ''],
  ['SB4 0QD', 'web', 'Waste', ''],
  ['SW1A 2AA', 'F2F', 'Benefits', '25'],
  ['SW1A 2AA', 'F2F', 'Benefits', '30'],
  ['SB4 0QD', 'In person', 'Council tax', '12'],
  ['SB4 0QD', 'Counter', 'Waste', '8'],
  ['ZZ99 9ZZ', 'phone', 'Waste', 'n/a'],
];

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const csv = [
    'contact_id,customer_ref,postcode,channel,service,handling_time',
    ...ROWS.map(([pc, ch, sv, h], i) => `${i + 1},CUST${(i % 5) + 1},${pc},${ch},${sv},${h}`),
  ].join('\n');
  writeFileSync(join(tmp.dir, 'contacts.csv'), csv);
  await importDataset(ws.engine, 'contacts', join(tmp.dir, 'contacts.csv'), {
    key: TEST_KEY,
    pseudonymise: ['customer_ref'],
  });
});
after(() => {
  ws.close();
  tmp.cleanup();
});

const cell = (r: ChannelMixResult, code: string, channel: string) =>
  r.cells.find((c) => c.code === code && c.channel === channel)!;
const r2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

test('channel mix by segment: each share, index, interval and band, worked by hand', async () => {
  const r = ChannelMixResultSchema.parse(await channelMix(ws.engine, { dataset: 'contacts' }));
  assert.equal(r.kind, 'segment');
  assert.equal(r.level, 'group');
  assert.equal(r.total.contacts, 20);
  assert.equal(r.notPlaced, 1);
  assert.deepEqual(
    r.groups.map((g) => [g.code, g.contacts]),
    [
      ['A', 12],
      ['B', 8],
    ],
  );
  assert.deepEqual(
    r.channels.map((c) => [c.channel, c.contacts, c.pct]),
    [
      ['phone', 8, 40],
      ['face to face', 6, 30],
      ['web', 6, 30],
    ],
  );
  const expect: [string, string, number, number, number, string][] = [
    ['A', 'phone', 6, 50, 125, 'High'],
    ['A', 'web', 4, 33.33, 111.11, 'Above average'],
    ['A', 'face to face', 2, 16.67, 55.56, 'Low'],
    ['B', 'phone', 2, 25, 62.5, 'Low'],
    ['B', 'web', 2, 25, 83.33, 'Below average'],
    ['B', 'face to face', 4, 50, 166.67, 'High'],
  ];
  for (const [code, channel, n, pct, index, band] of expect) {
    const c = cell(r, code, channel);
    assert.equal(c.contacts, n, `${code} ${channel}`);
    assert.equal(r2(c.pct), pct, `${code} ${channel} share`);
    assert.equal(r2(c.index), index, `${code} ${channel} index`);
    assert.equal(c.band, band, `${code} ${channel} band`);
  }
  const a = cell(r, 'A', 'phone');
  assert.equal(r2(a.ciLow), 25.38);
  assert.equal(r2(a.ciHigh), 74.62);
  // The shares of each segment's contacts add up to 100.
  for (const g of ['A', 'B'])
    assert.equal(r2(r.cells.filter((c) => c.code === g).reduce((s, c) => s + c.pct!, 0)), 100);
});

test('channel mix by area: by ward, the same arithmetic', async () => {
  const r = await channelMix(ws.engine, { dataset: 'contacts', byArea: 'ward' });
  assert.equal(r.kind, 'area');
  // E05000001 holds group A's postcodes, E05000002 group B's.
  assert.deepEqual(
    r.groups.map((g) => [g.code, g.contacts]),
    [
      ['E05000001', 12],
      ['E05000002', 8],
    ],
  );
  assert.equal(r2(cell(r, 'E05000002', 'face to face').index), 166.67);
});

/** Every row and column whose total is shown hides no cell, or at least two that add to min or more. */
function assertNothingRecoverable(r: ChannelMixResult, truth: ChannelMixResult, min: number) {
  const G = truth.groups.length;
  const lines: { total: number | null; cells: number[] }[] = [
    ...truth.groups.map((g, gi) => ({
      total: r.groups[gi].contacts,
      cells: truth.channels.map((_, k) => k * G + gi),
    })),
    ...truth.channels.map((c, k) => ({
      total: r.channels[k].contacts,
      cells: truth.groups.map((_, gi) => k * G + gi),
    })),
  ];
  for (const line of lines) {
    if (line.total === null) continue;
    const hidden = line.cells.filter((i) => r.cells[i].contacts === null);
    if (hidden.length === 0) continue;
    assert.ok(hidden.length >= 2, 'a single hidden cell in a line with its total shown');
    assert.ok(
      hidden.reduce((s, i) => s + truth.cells[i].contacts!, 0) >= min,
      'the hidden cells of a line add up to under the threshold',
    );
  }
  for (const c of r.cells) {
    if (c.contacts !== null) assert.ok(c.contacts >= min, 'a small count is shown');
    assert.equal(c.cellKey, null);
  }
}

test('what another viewer sees: small counts hidden so that no edge gives them back, keys gone', async () => {
  const truth = await channelMix(ws.engine, { dataset: 'contacts' });
  // The owner at a threshold of 3: A face to face (2), B phone (2) and B web (2) are under it.
  const r = ChannelMixResultSchema.parse(discloseChannelMix(truth, 3));
  for (const [g, ch] of [
    ['A', 'face to face'],
    ['B', 'phone'],
    ['B', 'web'],
  ])
    assert.equal(cell(r, g, ch).contacts, null, `${g} ${ch}`);
  assertNothingRecoverable(r, truth, 3);
  assert.equal(r.notPlaced, null);
  assert.ok(r.disclosure && r.disclosure.primary === 3 && r.disclosure.secondary > 0);
  // At the default of 10 every cell is small: nothing of a segment's mix is left.
  const r10 = discloseChannelMix(truth, 10);
  assert.ok(r10.cells.every((c) => c.contacts === null && c.pct === null && c.index === null));
  assert.equal(r10.total.contacts, 20);
  // A partner or the public: counts perturbed by their cell keys, measures worked from what is shown.
  const p = discloseChannelMix(truth, { minCell: 3, perturb: true });
  assertNothingRecoverable(p, truth, 3);
  assert.equal(p.disclosure?.perturbed, true);
  for (const c of p.cells) {
    if (c.contacts === null) continue;
    const g = p.groups.find((x) => x.code === c.code)!;
    if (g.contacts) assert.equal(r2(c.pct), r2((100 * c.contacts) / g.contacts));
  }
  assert.ok(!JSON.stringify(p).includes('cellKey":1'), 'no cell key is left');
  // The CSV says what is hidden, never a small number.
  const csv = channelMixToCsv(r);
  assert.match(csv, /^code,name,contacts,channel,channel_contacts,pct/);
  assert.ok(csv.split(/\r?\n/).some((l) => l.startsWith('B,') && l.includes(',phone,,') && l.endsWith(',yes')));
});

test('volume and handling time by service, as Bristol measured its calls', async () => {
  const r = ContactVolumesResultSchema.parse(
    await contactVolumes(ws.engine, { dataset: 'contacts', by: 'service', channel: 'phone' }),
  );
  assert.equal(r.handlingColumn, 'handling_time');
  assert.equal(r.contacts, 9);
  assert.equal(r.minutes, 49);
  assert.equal(r.unreadable, 1);
  const row = (v: string) => r.rows.find((x) => x.value === v)!;
  assert.deepEqual(
    ['Switchboard', 'Benefits', 'Waste'].map((v) => [
      v,
      row(v).contacts,
      r2(row(v).pct),
      r2(row(v).minutes),
      r2(row(v).minutesPct),
      r2(row(v).meanMinutes),
      row(v).timed,
    ]),
    [
      ['Switchboard', 4, 44.44, 5, 10.2, 1.25, 4],
      ['Benefits', 3, 33.33, 40, 81.63, 13.33, 3],
      ['Waste', 2, 22.22, 4, 8.16, 4, 1],
    ],
  );
  // Every channel: 21 contacts, web ones without a time.
  const all = await contactVolumes(ws.engine, { dataset: 'contacts', by: 'service' });
  assert.equal(all.contacts, 21);
  assert.equal(all.rows.find((x) => x.value === 'Council tax')!.contacts, 3);
  // Seconds: 90 read as a minute and a half.
  const secs = await contactVolumes(ws.engine, { dataset: 'contacts', by: 'service', handlingUnit: 'seconds' });
  assert.ok(secs.minutes! < all.minutes!);
  // A viewer at a threshold of 3 sees Waste's 2 calls hidden, and the next smallest with them.
  const shown = discloseVolumes(r, 3);
  assert.equal(shown.rows.find((x) => x.value === 'Waste')!.contacts, null);
  assert.equal(shown.rows.find((x) => x.value === 'Waste')!.minutes, null);
  assert.equal(shown.rows.filter((x) => x.contacts === null).length, 2);
  assert.equal(shown.unreadable, null);
  assert.match(volumesToTable(shown), /Counts under 3 are shown as \[c\]/);
  await assert.rejects(
    contactVolumes(ws.engine, { dataset: 'contacts', by: 'department_name' }),
    /no column "department_name" to group the contacts by/,
  );
});

test('channel mix for one service: only its contacts, by the log’s service column', async () => {
  const r = ChannelMixResultSchema.parse(await channelMix(ws.engine, { dataset: 'contacts', service: 'benefits' }));
  assert.equal(r.service, 'benefits');
  // Benefits: 7 contacts, all placed: phone 3 (12, 0:18:00 and 10), web 1, face to face 3.
  assert.equal(r.total.contacts, 7);
  const n = (channel: string) => r.channels.find((c) => c.channel === channel)?.contacts;
  assert.deepEqual([n('phone'), n('web'), n('face to face')], [3, 1, 3]);
  // The same as the filter written out.
  const w = await channelMix(ws.engine, { dataset: 'contacts', where: { column: 'service', values: ['Benefits'] } });
  assert.deepEqual(
    w.cells.map((c) => c.contacts),
    r.cells.map((c) => c.contacts),
  );
  assert.equal((await channelMix(ws.engine, { dataset: 'contacts' })).service, null);
});
