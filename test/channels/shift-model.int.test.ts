/**
 * The channel-shift model by segment (issue 14 point 3), worked by hand: contacts a year, each
 * segment's propensity and band, the ceiling and its interval, contacts moved, savings with a
 * range, who is left behind, a protected segment, a preference table, and what another viewer sees.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  channelShiftModel,
  readPreferenceFile,
  unitCosts,
  ShiftModelResultSchema,
  type ShiftModelResult,
} from '../../src/channels/index.ts';
import { discloseShiftModel, shiftModelToTable, shiftModelToXlsx } from '../../src/outputs/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-shift-model-');
let ws: Workspace;

// Benefits contacts: group A (M15 4AB) 12: phone 6, web 4, face to face 2; group B (SW1A 2AA) 8:
// phone 2, web 6. Five Waste calls in A that a Benefits shift must not count. The log runs from
// 1 Jan 2025 00:00 to 1 Jan 2026 06:00, 365.25 days, so its contacts are a year's as they are.
//   Digital share (propensity): A 4/12 = 33.33%, B 6/8 = 75%; the borough's 10/20 = 50%.
//   Index: A 66.7 (Low), B 150 (High). Ceiling: B's 75%, the highest lower 95% bound (Wilson 6/8:
//   40.93% to 92.85%; A's 4/12 starts at 13.81%).
//   Move 50% of phone to web, planning on Low and above: A's headroom 75% × 12 − 4 = 5 contacts,
//   half its calls 3, so 3 move; B's headroom 75% × 8 − 6 = 0, so none. Bristol's £4.62 − £0.40
//   (self-serve) = £4.22 a contact: £12.66 a year. Range: A's headroom at 40.93% is
//   0.4093 × 12 − 4 = 0.911 contacts (£3.85); at 92.85%, 7.14, so still 3 (£12.66). B's at 92.85% is
//   0.9285 × 8 − 6 = 1.43, and half its 2 calls is 1: 1 moves (£4.22). In all £3.85 to £16.88.
const rows: [string, string, string][] = [
  ...Array.from({ length: 6 }, () => ['M15 4AB', 'phone', 'Benefits'] as [string, string, string]),
  ...Array.from({ length: 4 }, () => ['M15 4AB', 'self-serve', 'Benefits'] as [string, string, string]),
  ...Array.from({ length: 2 }, () => ['M15 4AB', 'F2F', 'Benefits'] as [string, string, string]),
  ...Array.from({ length: 2 }, () => ['SW1A 2AA', 'tel', 'Benefits'] as [string, string, string]),
  ...Array.from({ length: 6 }, () => ['SW1A 2AA', 'self service', 'Benefits'] as [string, string, string]),
  ...Array.from({ length: 5 }, () => ['M15 4AB', 'phone', 'Waste'] as [string, string, string]),
];

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const csv = [
    'contact_id,customer_ref,contact_datetime,channel,service,postcode',
    ...rows.map(([pc, ch, sv], i) => {
      const when = i === 0 ? '2025-01-01 00:00' : i === rows.length - 1 ? '2026-01-01 06:00' : '2025-06-01 12:00';
      return `${i + 1},C${i},${when},${ch},${sv},${pc}`;
    }),
  ].join('\n');
  writeFileSync(join(tmp.dir, 'log.csv'), csv);
  await importDataset(ws.engine, 'log', join(tmp.dir, 'log.csv'), { key: TEST_KEY, kind: 'contacts' });
});
after(() => {
  ws.close();
  tmp.cleanup();
});

const seg = (r: ShiftModelResult, code: string) => r.segments.find((s) => s.code === code)!;
const r2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
const bristol = () => unitCosts('bristol');
const base = { dataset: 'log', from: 'phone', to: 'self-serve', sharePct: 50, service: 'Benefits' };

test('contacts a year, propensity, band, ceiling, contacts moved and savings with a range, by hand', async () => {
  const r = ShiftModelResultSchema.parse(await channelShiftModel(ws.engine, { ...base, minBand: 'Low' }, bristol()));
  assert.equal(r2(r.days), 365.25);
  assert.equal(r.perYear, 1);
  assert.equal(r.fromCost, 4.62);
  assert.equal(r.toCost, 0.4);
  const a = seg(r, 'A');
  const b = seg(r, 'B');
  assert.deepEqual([a.contacts, a.fromContacts, r2(a.propensity), r2(a.index), a.band], [12, 6, 33.33, 66.67, 'Low']);
  assert.deepEqual([b.contacts, b.fromContacts, r2(b.propensity), r2(b.index), b.band], [8, 2, 75, 150, 'High']);
  assert.equal(a.ceiling, 75);
  assert.deepEqual([r2(b.propensityLow), r2(b.propensityHigh)], [40.93, 92.85]);
  assert.equal(a.moved, 3);
  assert.equal(b.moved, 0);
  assert.equal(a.saving, 12.66);
  assert.equal(r2(a.movedLow), 0.91);
  assert.equal(a.savingLow, 3.85);
  assert.equal(a.savingHigh, 12.66);
  assert.deepEqual([b.savingLow, b.savingHigh], [0, 4.22]);
  assert.deepEqual(
    [r.total.moved, r.total.saving, r.total.savingLow, r.total.savingHigh, r.total.leftBehind],
    [3, 12.66, 3.85, 16.88, 0],
  );
  assert.match(shiftModelToTable(r), /saving £12\.66 a year \(£3\.85 to £16\.88\)/);
});

test('segments below the band asked for, and protected ones, are left behind and named', async () => {
  // Average and above (the default): A, Low, is left behind with its 6 calls.
  const r = await channelShiftModel(ws.engine, base, bristol());
  assert.equal(seg(r, 'A').eligible, false);
  assert.match(seg(r, 'A').leftBehind!, /propensity Low, below Average/);
  assert.deepEqual([r.total.moved, r.total.saving, r.total.leftBehind], [0, 0, 6]);
  const p = await channelShiftModel(ws.engine, { ...base, minBand: 'Low', protect: ['A'] }, bristol());
  assert.match(seg(p, 'A').leftBehind!, /protected/);
  assert.equal(p.total.leftBehind, 6);
  await assert.rejects(channelShiftModel(ws.engine, { ...base, protect: ['Z'] }, bristol()), /no segment Z/);
  await assert.rejects(channelShiftModel(ws.engine, { ...base, from: 'post' }, bristol()), /no cost for post/);
  await assert.rejects(channelShiftModel(ws.engine, { ...base, sharePct: 0 }, bristol()), /share of contacts/);
  await assert.rejects(
    channelShiftModel(ws.engine, { ...base, to: 'email' }, unitCosts('bristol')),
    /no cost for email/,
  );
});

test('a channel-preference table sets propensity and ceiling', async () => {
  const file = join(tmp.dir, 'prefs.csv');
  writeFileSync(file, 'segment,propensity,ceiling\nA,60,80\n');
  const prefs = readPreferenceFile(file);
  const r = await channelShiftModel(ws.engine, { ...base, preferences: prefs }, bristol());
  const a = seg(r, 'A');
  // A's 60% against the borough's observed 50%: index 120, High, so planned on; ceiling 80%:
  // headroom 0.8 × 12 − 4 = 5.6, half its calls 3, so 3 move, with no range (the table's figures).
  assert.deepEqual([a.propensity, a.propensitySource, r2(a.index), a.band, a.ceiling], [60, 'table', 120, 'High', 80]);
  assert.deepEqual([a.moved, a.movedLow, a.movedHigh, a.saving], [3, 3, 3, 12.66]);
  writeFileSync(join(tmp.dir, 'bad.csv'), 'segment,propensity\nA,140\n');
  assert.throws(() => readPreferenceFile(join(tmp.dir, 'bad.csv')), /not a share from 0 to 100/);
  writeFileSync(join(tmp.dir, 'none.csv'), 'segment,score\nA,1\n');
  assert.throws(() => readPreferenceFile(join(tmp.dir, 'none.csv')), /propensity or ceiling column/);
});

test('what another viewer sees: small segments hidden, with the next smallest, so totals give nothing back', async () => {
  const truth = await channelShiftModel(ws.engine, { ...base, minBand: 'Low' }, bristol());
  // At 10, A (12 contacts, 6 calls) and B (8, 2) are both small by their calls: both hidden.
  const r = discloseShiftModel(truth, 10);
  assert.ok(r.segments.every((s) => s.contacts === null && s.moved === null && s.saving === null));
  assert.equal(r.notPlaced, null);
  assert.ok(r.segments.every((s) => s.cellKey === null));
  // At 3 only B's 2 calls are small; A goes with it, or A's figures less the total would give B's.
  const r3 = discloseShiftModel(truth, 3);
  assert.equal(seg(r3, 'B').fromContacts, null);
  assert.equal(seg(r3, 'A').fromContacts, null);
  assert.equal(r3.disclosure?.hidden, 2);
  // Whether a hidden segment is planned on would tell its band: not shown, unless the council protected it.
  assert.equal(seg(r3, 'B').eligible, null);
  assert.equal(seg(r3, 'A').eligible, null);
  const protectedA = discloseShiftModel(
    await channelShiftModel(ws.engine, { ...base, minBand: 'Low', protect: ['A'] }, bristol()),
    3,
  );
  assert.equal(seg(protectedA, 'A').eligible, false);
  assert.match(seg(protectedA, 'A').leftBehind!, /protected/);
  assert.match(shiftModelToTable(r3), /\[c\]/);
  // The owner sees everything.
  assert.equal(seg(discloseShiftModel(truth, 0), 'B').fromContacts, 2);
});

test('the business case as a workbook: the figures as numbers, money as money, the method and sources', async () => {
  const { default: excel } = await import('exceljs');
  const truth = await channelShiftModel(ws.engine, { ...base, minBand: 'Low' }, bristol());
  const wb = new excel.Workbook();
  await wb.xlsx.load((await shiftModelToXlsx(truth, bristol())) as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((s) => s.name),
    ['Business case', 'By segment', 'Notes'],
  );
  const bc = wb.getWorksheet('Business case')!;
  assert.deepEqual(
    [1, 2, 3, 4].map((c) => bc.getRow(4).getCell(c).value),
    ['Saving a year (£)', 3.85, 12.66, 16.88],
  );
  assert.match(String(bc.getRow(4).getCell(3).numFmt), /£/);
  const seg = wb.getWorksheet('By segment')!;
  assert.equal(seg.getRow(3).getCell(1).value, 'A');
  assert.equal(seg.getRow(3).getCell(10).value, 3);
  const notes = wb.getWorksheet('Notes')!;
  const text = notes.getSheetValues().flat().join(' ');
  assert.match(text, /Bristol|bristol/);
  assert.match(text, /95% interval/);
  // Another viewer's workbook is made from what they may see: B's two calls are not in it.
  const shown = new excel.Workbook();
  await shown.xlsx.load((await shiftModelToXlsx(discloseShiftModel(truth, 3))) as unknown as ArrayBuffer);
  const rows = shown.getWorksheet('By segment')!.getSheetValues();
  assert.ok(!rows.some((r) => Array.isArray(r) && r[1] === 'B' && r[4] === 2));
});
