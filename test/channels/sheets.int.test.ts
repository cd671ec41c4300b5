/**
 * The customer access and channel insights sheets (issue 14 point 4): each segment's portrait,
 * channel shares and bands, communication preferences and resolution tiers put together, and
 * protected by the channel mix's boundary.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { accessSheets, AccessSheetsSchema, channelMix } from '../../src/channels/index.ts';
import { accessSheetsToHtml, accessSheetsToTable, discloseAccessSheets } from '../../src/outputs/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-sheets-');
let ws: Workspace;

// A: 12 contacts (phone 6, web 4, face to face 2), reasons: Missed bin ×8 (tier 1), Benefit claim ×4 (tier 2).
// B: 8 contacts (phone 2, web 2, face to face 4), reasons: Missed bin ×2, Care assessment ×6 (tier 3).
//   Tiers: A tier 1 8/12 = 66.7%, tier 2 33.3%; B tier 1 25%, tier 3 75%.
const ROWS: [string, string, string, number][] = [
  ['M15 4AB', 'phone', 'Missed bin', 6],
  ['M15 4AB', 'web', 'Missed bin', 2],
  ['M15 4AB', 'web', 'Benefit claim', 2],
  ['M15 4AB', 'F2F', 'Benefit claim', 2],
  ['SW1A 2AA', 'phone', 'Missed bin', 2],
  ['SW1A 2AA', 'web', 'Care assessment', 2],
  ['SW1A 2AA', 'F2F', 'Care assessment', 4],
];
const TIERS = new Map([
  ['Missed bin', '1'],
  ['Benefit claim', '2'],
  ['Care assessment', '3'],
]);

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const lines = ROWS.flatMap(([pc, ch, why, n]) => Array.from({ length: n }, () => `${pc},${ch},${why}`));
  writeFileSync(join(tmp.dir, 'log.csv'), ['postcode,channel,reason', ...lines].join('\n'));
  await importDataset(ws.engine, 'log', join(tmp.dir, 'log.csv'), { key: TEST_KEY, kind: 'contacts' });
});
after(() => {
  ws.close();
  tmp.cleanup();
});

test('a sheet per segment: portrait, channels with bands, tiers, communication preferences', async () => {
  const r = AccessSheetsSchema.parse(
    await accessSheets(ws.engine, {
      dataset: 'log',
      tiers: TIERS,
      preferences: [{ segment: 'A', kind: 'information', channel: 'local papers', band: 'Low' }],
    }),
  );
  assert.deepEqual(
    r.portraits.map((p) => p.code),
    ['A', 'B'],
  );
  const tier = (code: string, t: string) =>
    Math.round(r.tiers!.cells.find((c) => c.code === code && c.channel === `tier ${t}`)!.pct! * 10) / 10;
  assert.deepEqual([tier('A', '1'), tier('A', '2'), tier('A', '3')], [66.7, 33.3, 0]);
  assert.deepEqual([tier('B', '1'), tier('B', '2'), tier('B', '3')], [25, 0, 75]);
  const text = accessSheetsToTable(r);
  assert.match(text, /phone\s+50%\s+High/);
  assert.match(text, /Communication preferences: local papers Low/);
  // Every reason has a tier here: untiered is 0.
  assert.match(text, /Resolution tiers: tier 1 8 \(67%\), tier 2 4 \(33%\), tier 3 0 \(0%\), untiered 0 \(0%\)/);
  const html = accessSheetsToHtml(r);
  assert.match(html, /<html lang="en-GB">/);
  assert.match(html, /<h2 id="h-A"><span class="code">A<\/span>/);
  assert.match(html, /<h3>Resolution tiers<\/h3>/);
  assert.equal((html.match(/<section class="sheet"/g) ?? []).length, 2);
});

test('what another viewer sees: no small count, in the channels or the tiers, in any format', async () => {
  const truth = await accessSheets(ws.engine, { dataset: 'log', tiers: TIERS });
  const r = discloseAccessSheets(truth, { minCell: 10, perturb: true });
  // Every count here is under 10.
  assert.ok(r.mix.cells.every((c) => c.contacts === null && c.pct === null && c.band === null));
  assert.ok(r.tiers!.cells.every((c) => c.contacts === null && c.pct === null));
  assert.ok(JSON.stringify(r).includes('"cellKey":null'));
  assert.ok(!/"cellKey":\d/.test(JSON.stringify(r)));
  const text = accessSheetsToTable(r);
  assert.doesNotMatch(text, /\b(50|33|67|25|75)%/);
  assert.doesNotMatch(accessSheetsToHtml(r), /\b(50|33|67|25|75)%/);
});

// Reasons without a tier: A 45 contacts: Missed bin 30 (tier 1), Noise 12 and 3 with no reason
// (untiered, 15: 33.3%); B 22: Care assessment 20 (tier 3), Fly-tipping 2 (untiered, 9.1%).
test('contacts whose reason has no tier are shown as untiered, under the same disclosure', async () => {
  const rows: [string, string, string, number][] = [
    ['M15 4AB', 'phone', 'Missed bin', 30],
    ['M15 4AB', 'web', 'Noise', 12],
    ['M15 4AB', 'phone', '', 3],
    ['SW1A 2AA', 'F2F', 'Care assessment', 20],
    ['SW1A 2AA', 'web', 'Fly-tipping', 2],
  ];
  const lines = rows.flatMap(([pc, ch, why, n]) => Array.from({ length: n }, () => `${pc},${ch},${why}`));
  writeFileSync(join(tmp.dir, 'untiered.csv'), ['postcode,channel,reason', ...lines].join('\n'));
  await importDataset(ws.engine, 'untiered', join(tmp.dir, 'untiered.csv'), { key: TEST_KEY, kind: 'contacts' });
  const truth = AccessSheetsSchema.parse(await accessSheets(ws.engine, { dataset: 'untiered', tiers: TIERS }));
  assert.equal(truth.version, 2);
  assert.deepEqual(
    truth.tiers!.channels.map((c) => [c.channel, c.contacts]),
    [
      ['tier 1', 30],
      ['tier 2', 0],
      ['tier 3', 20],
      ['untiered', 17],
    ],
  );
  const cell = (r: typeof truth, code: string) =>
    r.tiers!.cells.find((c) => c.code === code && c.channel === 'untiered')!;
  assert.equal(cell(truth, 'A').contacts, 15);
  assert.equal(Math.round(cell(truth, 'A').pct! * 10) / 10, 33.3);
  assert.equal(cell(truth, 'B').contacts, 2);
  // Every contact is in one column: each segment's tiers add up to its contacts.
  for (const g of truth.tiers!.groups)
    assert.equal(
      truth.tiers!.cells.filter((c) => c.code === g.code).reduce((s, c) => s + c.contacts!, 0),
      g.contacts,
    );
  assert.match(
    accessSheetsToTable(truth),
    /Resolution tiers: tier 1 30 \(67%\), tier 2 0 \(0%\), tier 3 0 \(0%\), untiered 15 \(33%\)/,
  );
  assert.match(accessSheetsToHtml(truth), /<tr><td>untiered<\/td><td class="num">15<\/td><td class="num">33%<\/td>/);

  // The untiered cells' keys (for the cell key method's noise) are their contacts' own: the same as
  // a mix of the reasons without a tier counted directly.
  const direct = await channelMix(ws.engine, {
    dataset: 'untiered',
    classification: truth.classification!,
    tier: truth.level,
    categories: [{ name: 'untiered', where: { column: 'reason', values: ['Noise', 'Fly-tipping', ''] } }],
  });
  for (const code of ['A', 'B']) {
    const d = direct.cells.find((c) => c.code === code)!;
    assert.deepEqual([cell(truth, code).contacts, cell(truth, code).cellKey], [d.contacts, d.cellKey]);
    assert.notEqual(d.cellKey, null);
  }

  // For anyone else, B's 2 untiered are hidden, and no segment's contacts less the counts shown
  // give back a small number.
  const shown = discloseAccessSheets(truth, { minCell: 10, perturb: false });
  assert.equal(cell(shown, 'B').contacts, null);
  assert.equal(cell(shown, 'B').pct, null);
  for (const g of shown.tiers!.groups) {
    if (g.contacts === null) continue;
    const rest =
      g.contacts - shown.tiers!.cells.filter((c) => c.code === g.code).reduce((s, c) => s + (c.contacts ?? 0), 0);
    assert.ok(rest === 0 || rest >= 10, `${g.code}: ${rest}`);
  }
  assert.doesNotMatch(accessSheetsToTable(shown), /untiered 2 /);
});
