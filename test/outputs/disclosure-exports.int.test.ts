import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { createWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicOut as civic } from '../helpers/cli.ts';

const tmp = tempDir();
const WS = join(tmp.dir, 'd.civic');
// Six output areas, one type each; file counts chosen so that one cell is small (4) and the
// next smallest (12) must be hidden as well, and a zero cell is small too.
const TYPES = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'];
const COUNTS = [50, 4, 25, 30, 12, 0];
const HOUSEHOLDS = [500, 300, 400, 350, 200, 100];

before(async () => {
  const pcs = ['pcds,lat,long,oa21cd'];
  const base = ['area_code,households'];
  const cls = ['area_code,group,type'];
  const records = ['id,postcode'];
  let id = 0;
  TYPES.forEach((t, i) => {
    const oa = `E0090000${i + 1}`;
    const pc = `SB${i + 1} 1AA`;
    pcs.push(`${pc},52.9${i},-1.1${i},${oa}`);
    base.push(`${oa},${HOUSEHOLDS[i]}`);
    cls.push(`${oa},${i < 3 ? 'A' : 'B'},${t}`);
    for (let k = 0; k < COUNTS[i]; k++) records.push(`${++id},${pc}`);
  });
  for (const [f, lines] of Object.entries({ 'pc.csv': pcs, 'base.csv': base, 'cls.csv': cls, 'records.csv': records }))
    writeFileSync(join(tmp.dir, f), lines.join('\n') + '\n');
  const ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    postcodes: join(tmp.dir, 'pc.csv'),
    base: [join(tmp.dir, 'base.csv')],
    classification: [join(tmp.dir, 'cls.csv')],
    classificationName: 'local',
  });
  await importDataset(ws.engine, 'service', join(tmp.dir, 'records.csv'), { key: TEST_KEY });
  ws.close();
});
after(() => tmp.cleanup());

const SMALL_FIELDS = [
  'count',
  'filePct',
  'penetration',
  'index',
  'ciLow',
  'ciHigh',
  'z',
  'significant',
  'band',
] as const;

function checkRecoverability(visible: (number | null)[], total: number | null, min: number) {
  for (const v of visible) if (v !== null) assert.ok(v >= min, `a visible count ${v} is under ${min}`);
  const hidden = COUNTS.filter((_, i) => visible[i] === null);
  if (total !== null && hidden.length) {
    assert.ok(hidden.length >= 2, 'a single hidden cell could be recovered from the total');
    const recovered = total - visible.reduce<number>((s, v) => s + (v ?? 0), 0);
    assert.ok(recovered >= min, `the hidden cells add up to ${recovered}, under ${min}`);
  }
}

test('JSON export: no count under the threshold, suppressed rows carry nothing that reveals their count', async () => {
  const out = JSON.parse(await civic('profile', WS, 'service', '--level', 'type', '--format', 'json'));
  assert.equal(out.disclosure.minCell, 10);
  const counts = out.rows.map((r: { count: number | null }) => r.count);
  assert.deepEqual(counts, [50, null, 25, 30, null, null]);
  checkRecoverability(counts, out.total.count, 10);
  for (const r of out.rows.filter((x: { suppressed: boolean }) => x.suppressed))
    for (const f of SMALL_FIELDS) assert.equal(r[f], null, `${r.code}.${f}`);
  assert.equal(out.total.count, 121);
  assert.equal(out.notPlaced, null);
});

test('CSV export with a higher threshold', async () => {
  const text = await civic('profile', WS, 'service', '--level', 'type', '--format', 'csv', '--min-cell', '26');
  const rows = Papa.parse<Record<string, string>>(text.trim(), { header: true }).data.filter((r) => r.code !== 'Total');
  const counts = rows.map((r) => (r.count === '' ? null : Number(r.count)));
  checkRecoverability(counts, 121, 26);
  for (const r of rows)
    if (r.suppressed === 'true') for (const f of SMALL_FIELDS) assert.equal(r[f], '', `${r.code}.${f}`);
});

test('XLSX export: every numeric count cell is at or above the threshold', async () => {
  const file = join(tmp.dir, 'p.xlsx');
  await civic('profile', WS, 'service', '--level', 'type', '--format', 'xlsx', '--out', file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.getWorksheet('Profile')!;
  const counts: (number | null)[] = [];
  sheet.eachRow((row, n) => {
    if (n <= 3) return;
    const code = String(row.getCell(1).value);
    if (code === 'Total') return;
    const v = row.getCell(3).value;
    counts.push(typeof v === 'number' ? v : null);
    if (typeof v !== 'number')
      for (const c of [4, 7, 8, 9, 10])
        assert.ok(typeof row.getCell(c).value !== 'number', `row ${n} col ${c} reveals a suppressed cell`);
  });
  assert.equal(counts.length, 6);
  checkRecoverability(counts, 121, 10);
});

test("the owner's own table view is unsuppressed only when asked for, and group totals stay safe", async () => {
  const table = await civic('profile', WS, 'service', '--level', 'type');
  assert.match(table, /\b4\b/);
  const groups = JSON.parse(await civic('profile', WS, 'service', '--level', 'group', '--format', 'json'));
  // Group A = 50 + 4 + 25 = 79, B = 30 + 12 + 0 = 42: both safe to show.
  assert.deepEqual(
    groups.rows.map((r: { count: number }) => r.count),
    [79, 42],
  );
  const unsuppressed = JSON.parse(
    await civic('profile', WS, 'service', '--level', 'type', '--format', 'json', '--min-cell', '0'),
  );
  assert.deepEqual(
    unsuppressed.rows.map((r: { count: number }) => r.count),
    COUNTS,
  );
  assert.equal(unsuppressed.disclosure, null);
});

test('formula-like text in exports is neutralised', async () => {
  const { safeCellText } = await import('../../src/outputs/index.ts');
  assert.equal(safeCellText('=HYPERLINK("http://x")'), `'=HYPERLINK("http://x")`);
  assert.equal(safeCellText('+44 161'), `'+44 161`);
  assert.equal(safeCellText('-12.5'), '-12.5');
  assert.equal(safeCellText('Northgate'), 'Northgate');
});
