import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { serviceDeliveryFramework, SdfResultSchema, type SdfResult } from '../../src/profiling/index.ts';
import { discloseProfile, sdfToJson, sdfToTable, sdfToXlsx, sheetNames } from '../../src/outputs/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicRun as civic } from '../helpers/cli.ts';

/*
 * A tiny area: four output areas, one segment each, 1,000 households.
 *
 *   segment  OA         households  base %
 *   A        E00000001  400         40
 *   B        E00000002  300         30
 *   C        E00000003  200         20
 *   D        E00000004  100         10
 *
 * Three services. The index is the segment's penetration ÷ the overall penetration × 100, and the
 * band is taken on the index rounded to a whole number: High ≥ 120, Above average ≥ 110,
 * Average ≥ 90, Below average ≥ 80, Low below.
 *
 * bins (the council's own; no partner): A 60, B 30, C 12, D 18 = 120 records; overall 12%
 *   A 60/400 = 15%  → 15/12 × 100 = 125     High
 *   B 30/300 = 10%  → 10/12 × 100 = 83.33   Below average
 *   C 12/200 =  6%  →  6/12 × 100 = 50      Low
 *   D 18/100 = 18%  → 18/12 × 100 = 150     High
 *   z for A: (0.15 − 0.12) ÷ √(0.12 × 0.88 ÷ 400) = 0.03 ÷ 0.016248 = 1.85: not significant.
 *   z for C: (0.06 − 0.12) ÷ √(0.12 × 0.88 ÷ 200) = −0.06 ÷ 0.022978 = −2.61: significant.
 *
 * library (the council's own): A 40, B 36, C 25, D 9 = 110; overall 11%
 *   A 10%   → 90.91  Average;  B 12% → 109.09 Average;  C 12.5% → 113.64 Above average;
 *   D 9%    → 81.82  Below average.
 *   Disclosed at 10: D (9) is under 10; alone it could be worked out from the total, so the
 *   smallest visible cell, C (25), is hidden as well (2 cells, 34 records ≥ 10).
 *
 * fire_visits (partner "Fire and Rescue"): A 20, B 30, C 30, D 20 = 100; overall 10%
 *   A 5% → 50 Low;  B 10% → 100 Average;  C 15% → 150 High;  D 20% → 200 High.
 */
const OAS = ['E00000001', 'E00000002', 'E00000003', 'E00000004'];
/*
 * bins:paid=Direct Debit (measures): A 30, B 6, C 6, D 18 = 60 of 1,000 households; overall 6%
 *   A 7.5% → 125 High;  B 2% → 33.33 Low;  C 3% → 50 Low;  D 18% → 300 High.
 * bins:paid=(blank): A 30, B 24, C 6, D 0 = 60; overall 6%
 *   A 7.5% → 125 High;  B 8% → 133.33 High;  C 3% → 50 Low;  D 0% → 0 Low.
 */
const DIRECT_DEBIT = [30, 6, 6, 18];
const SEGMENTS = ['A', 'B', 'C', 'D'];
const HOUSEHOLDS = [400, 300, 200, 100];
const SERVICES: { name: string; counts: number[]; partner?: string; title?: string }[] = [
  { name: 'bins', counts: [60, 30, 12, 18], title: 'Garden bins' },
  { name: 'library', counts: [40, 36, 25, 9] },
  { name: 'fire_visits', counts: [20, 30, 30, 20], partner: 'Fire and Rescue', title: 'Safe and well visits' },
];

const tmp = tempDir();
const WS = join(tmp.dir, 'sdf.civic');

before(async () => {
  const pcs = ['pcds,lat,long,oa21cd'];
  const base = ['area_code,households'];
  const cls = ['area_code,group'];
  OAS.forEach((oa, i) => {
    pcs.push(`SD${i + 1} 1AA,52.9${i},-1.1${i},${oa}`);
    base.push(`${oa},${HOUSEHOLDS[i]}`);
    cls.push(`${oa},${SEGMENTS[i]}`);
  });
  const segs = [
    'tier,code,name',
    'group,A,Affluent families',
    'group,B,Older owners',
    'group,C,Young renters',
    'group,D,Estate families',
  ];
  for (const [f, lines] of Object.entries({ 'pc.csv': pcs, 'base.csv': base, 'cls.csv': cls, 'segs.csv': segs }))
    writeFileSync(join(tmp.dir, f), lines.join('\n') + '\n');
  const ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    postcodes: join(tmp.dir, 'pc.csv'),
    base: [join(tmp.dir, 'base.csv')],
    classification: [join(tmp.dir, 'cls.csv')],
    classificationName: 'local',
    segments: [join(tmp.dir, 'segs.csv')],
  });
  for (const s of SERVICES) {
    const rows = ['ref,postcode,paid,joined'];
    let id = 0;
    s.counts.forEach((n, i) => {
      for (let k = 0; k < n; k++) {
        // bins: the first DIRECT_DEBIT[i] records of segment i pay by direct debit and joined in
        // March 2025; the rest have a blank payment and joined in June 2023.
        const dd = s.name === 'bins' && k < DIRECT_DEBIT[i];
        rows.push(`${s.name}${++id},SD${i + 1} 1AA,${dd ? 'Direct Debit' : ''},${dd ? '2025-03-01' : '2023-06-01'}`);
      }
    });
    // One record whose postcode cannot be matched: never in the matrix.
    rows.push(`${s.name}x,ZZ9 9ZZ,,`);
    writeFileSync(join(tmp.dir, `${s.name}.csv`), rows.join('\n') + '\n');
    await importDataset(ws.engine, s.name, join(tmp.dir, `${s.name}.csv`), {
      key: TEST_KEY,
      partner: s.partner,
      title: s.title,
    });
  }
  ws.close();
});
after(() => tmp.cleanup());

async function sdf(minCell: number, req: Parameters<typeof serviceDeliveryFramework>[1] = {}): Promise<SdfResult> {
  const ws = await openWorkspace(WS);
  try {
    return await serviceDeliveryFramework(ws.engine, req, { disclose: (p) => discloseProfile(p, minCell) });
  } finally {
    ws.close();
  }
}

const service = (r: SdfResult, name: string) => r.services.find((s) => s.dataset === name)!;
const close = (a: number | null, b: number, eps = 1e-9) =>
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} is not ${b}`);

test("SDF: every cell is the service's index and band in the segment, worked by hand", async () => {
  const r = await sdf(0);
  assert.doesNotThrow(() => SdfResultSchema.parse(r));
  assert.equal(r.classification, 'local');
  assert.equal(r.level, 'group');
  assert.deepEqual(
    r.segments.map((s) => [s.code, s.name, s.base, s.basePct]),
    [
      ['A', 'Affluent families', 400, 40],
      ['B', 'Older owners', 300, 30],
      ['C', 'Young renters', 200, 20],
      ['D', 'Estate families', 100, 10],
    ],
  );
  // Every dataset, by name: bins, fire_visits, library.
  assert.deepEqual(
    r.services.map((s) => [s.dataset, s.partner]),
    [
      ['bins', 'Council'],
      ['fire_visits', 'Fire and Rescue'],
      ['library', 'Council'],
    ],
  );

  const bins = service(r, 'bins');
  [125, 250 / 3, 50, 150].forEach((x, i) => close(bins.cells[i].index, x));
  assert.deepEqual(
    bins.cells.map((c) => c.band),
    ['High', 'Below average', 'Low', 'High'],
  );
  assert.deepEqual(
    bins.cells.map((c) => c.count),
    [60, 30, 12, 18],
  );
  [15, 10, 6, 18].forEach((x, i) => close(bins.cells[i].penetration, x));
  assert.equal(bins.cells[0].significant, false); // z = 1.85
  assert.equal(bins.cells[2].significant, true); // z = −2.61
  assert.deepEqual(bins.total, { count: 120, penetration: 12 });
  assert.equal(bins.unmatched, 1);
  assert.equal(bins.title, 'Garden bins');

  const library = service(r, 'library');
  [1000 / 11, 1200 / 11, 1250 / 11, 900 / 11].forEach((x, i) => close(library.cells[i].index, x));
  assert.deepEqual(
    library.cells.map((c) => c.band),
    ['Average', 'Average', 'Above average', 'Below average'],
  );

  const fire = service(r, 'fire_visits');
  [50, 100, 150, 200].forEach((x, i) => close(fire.cells[i].index, x));
  assert.deepEqual(
    fire.cells.map((c) => c.band),
    ['Low', 'Average', 'High', 'High'],
  );
  assert.equal(r.disclosure, null);
});

test('SDF: one sheet per partner, datasets without a partner under "Council", then All partners', async () => {
  const r = await sdf(0);
  assert.deepEqual(r.sheets, [
    { name: 'Council', columns: ['bins', 'library'] },
    { name: 'Fire and Rescue', columns: ['fire_visits'] },
    { name: 'All partners', columns: ['bins', 'fire_visits', 'library'] },
  ]);
  // --datasets chooses the columns and their order.
  const chosen = await sdf(0, { datasets: ['library', 'fire_visits'] });
  assert.deepEqual(
    chosen.services.map((s) => s.dataset),
    ['library', 'fire_visits'],
  );
  assert.deepEqual(chosen.sheets.at(-1), { name: 'All partners', columns: ['library', 'fire_visits'] });
  // --partner: only that partner's datasets and its sheet (its name matched whatever the case).
  const fire = await sdf(0, { partner: 'fire and rescue' });
  assert.deepEqual(fire.sheets, [{ name: 'Fire and Rescue', columns: ['fire_visits'] }]);
  assert.deepEqual(
    fire.services.map((s) => s.dataset),
    ['fire_visits'],
  );
  const council = await sdf(0, { partner: 'Council' });
  assert.deepEqual(council.sheets, [{ name: 'Council', columns: ['bins', 'library'] }]);
  await assert.rejects(sdf(0, { partner: 'Police' }), /No dataset belongs to the partner "Police"[\s\S]*/);
  await assert.rejects(sdf(0, { datasets: ['nope'] }), /There is no dataset called "nope"/);
});

test('SDF: disclosure is applied to each service before the matrix is built', async () => {
  const r = await sdf(10);
  assert.deepEqual(r.disclosure, { minCell: 10 });
  const library = service(r, 'library');
  // D (9) is primary; C (25) secondary, so D cannot be worked out from the total of 110.
  assert.deepEqual(
    library.cells.map((c) => c.count),
    [40, 36, null, null],
  );
  assert.deepEqual(
    library.cells.map((c) => c.suppressed),
    [false, false, true, true],
  );
  for (const c of library.cells.filter((x) => x.suppressed))
    assert.deepEqual([c.index, c.band, c.penetration, c.significant], [null, null, null, null]);
  assert.deepEqual(library.disclosure, { minCell: 10, primary: 1, secondary: 1, perturbed: false });
  // Nothing in bins is under 10; its single unmatched record (1, under 10) is hidden.
  assert.deepEqual(
    service(r, 'bins').cells.map((c) => c.suppressed),
    [false, false, false, false],
  );
  assert.equal(service(r, 'bins').unmatched, null);
  // The JSON export carries no count under 10 and still satisfies the schema.
  const json = JSON.parse(sdfToJson(r));
  assert.doesNotThrow(() => SdfResultSchema.parse(json));
  for (const s of json.services) for (const c of s.cells) assert.ok(c.count === null || c.count >= 10);
  // The table shows [c] where a cell is hidden.
  const text = sdfToTable(r);
  assert.match(text.split('\n').find((l) => l.startsWith('D '))!, /\[c\]/);
  assert.match(text, /Counts under 10 are suppressed/);
});

test('SDF workbook: a sheet per partner and All partners, band named in the cell and coloured, and Notes', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await sdfToXlsx(await sdf(10), new Date('2026-01-15T12:00:00Z'))) as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Council', 'Fire and Rescue', 'All partners', 'Notes'],
  );
  const council = wb.getWorksheet('Council')!;
  assert.equal(council.getCell('E3').value, 'Garden bins');
  assert.equal(council.getCell('G3').value, 'library');
  // Row 5 is segment A: bins index 125, band High (not significant, so marked †).
  assert.equal(council.getCell('A5').value, 'A');
  assert.equal(council.getCell('C5').value, 400);
  assert.equal(council.getCell('E5').value, 125);
  assert.equal(council.getCell('F5').value, 'High †');
  const fill = (c: ExcelJS.Cell) => (c.fill as ExcelJS.FillPattern).fgColor?.argb;
  assert.equal(fill(council.getCell('F5')), 'FF92C5DE');
  // Row 8 is segment D: library suppressed, grey, [c] in both cells.
  assert.equal(council.getCell('G8').value, '[c]');
  assert.equal(council.getCell('H8').value, '[c]');
  assert.equal(fill(council.getCell('H8')), 'FFDDDDDD');
  // The library index column: numbers only where the cell is visible (A 90.91 and B 109.09, rounded).
  assert.deepEqual(
    [5, 6, 7, 8].map((r) => council.getCell(`G${r}`).value),
    [91, 109, '[c]', '[c]'],
  );
  const all = wb.getWorksheet('All partners')!;
  assert.deepEqual(
    [all.getCell('E3').value, all.getCell('G3').value, all.getCell('I3').value],
    ['Garden bins', 'Safe and well visits', 'library'],
  );
  assert.equal(all.getCell('H7').value, 'High'); // fire_visits, C: 150, significant
  const notes = wb.getWorksheet('Notes')!;
  const text = notes.getColumn(2).values.join('\n');
  assert.match(text, /local/);
  assert.match(text, /households per oa21/);
  assert.match(text, /Counts under 10 are suppressed/);
  assert.match(text, /2026-01-15/);
});

test('SDF worksheet names are safe for Excel and unique', async () => {
  assert.deepEqual(sheetNames(['Council', 'Kent Fire/Rescue: [East]', 'notes', 'A'.repeat(40), 'A'.repeat(35)]), [
    'Council',
    'Kent Fire Rescue East',
    'notes (2)',
    'A'.repeat(31),
    `${'A'.repeat(27)} (2)`,
  ]);
});

test('civic sdf: XLSX and JSON from the command line, suppressed by default', async () => {
  const file = join(tmp.dir, 'sdf.xlsx');
  const x = await civic('sdf', WS, '--format', 'xlsx', '--out', file);
  assert.equal(x.status, 0, x.stderr);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Council', 'Fire and Rescue', 'All partners', 'Notes'],
  );
  assert.equal(wb.getWorksheet('Fire and Rescue')!.getCell('E7').value, 150);
  assert.equal(wb.getWorksheet('Council')!.getCell('G7').value, '[c]');

  const j = await civic('sdf', WS, '--format', 'json', '--partner', 'Council', '--datasets', 'library,bins');
  assert.equal(j.status, 0, j.stderr);
  const r = SdfResultSchema.parse(JSON.parse(j.stdout));
  assert.deepEqual(r.sheets, [{ name: 'Council', columns: ['library', 'bins'] }]);
  assert.deepEqual(
    r.services[0].cells.map((c) => c.count),
    [40, 36, null, null],
  );
  // The owner's screen is unsuppressed; --min-cell 0 switches suppression off in JSON too.
  const open = SdfResultSchema.parse(
    JSON.parse((await civic('sdf', WS, '--format', 'json', '--min-cell', '0')).stdout),
  );
  assert.deepEqual(
    service(open, 'library').cells.map((c) => c.count),
    [40, 36, 25, 9],
  );
  const table = await civic('sdf', WS);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Service Delivery Framework: Fire and Rescue/);
  assert.match(table.stdout.split('\n').find((l) => l.startsWith('D '))!, /82 Below average/);

  const bad = await civic('sdf', WS, '--format', 'xlsx');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /needs a file/);
  const none = await civic('sdf', WS, '--partner', 'Police', '--format', 'json');
  assert.equal(none.status, 2);
  assert.equal(JSON.parse(none.stdout).error.code, 'parameter_invalid');
});

test('SDF with measures: a dataset beside its own filtered records (an option, a blank, a period), each its own column', async () => {
  const r = await sdf(0, {
    measures: [
      { dataset: 'bins' },
      { dataset: 'bins', where: { column: 'paid', values: ['direct debit'] } },
      { dataset: 'bins', where: { column: 'paid', values: [''] }, label: 'No payment method' },
      {
        dataset: 'bins',
        where: { column: 'joined', values: [], period: { from: null, to: null, last: { n: 12, unit: 'months' } } },
      },
    ],
  });
  assert.doesNotThrow(() => SdfResultSchema.parse(r));
  assert.deepEqual(
    r.services.map((s) => [s.key, s.label, s.filter]),
    [
      ['bins', null, null],
      ['bins (paid = direct debit)', null, 'paid = direct debit'],
      ['No payment method', 'No payment method', 'paid = (blank)'],
      [
        'bins (joined in the last 12 months to the latest date in the column (from 2024-03-02 to 2025-03-01))',
        null,
        'joined in the last 12 months to the latest date in the column (from 2024-03-02 to 2025-03-01)',
      ],
    ],
  );
  const [all, dd, blank, recent] = r.services;
  assert.deepEqual(
    all.cells.map((c) => c.count),
    [60, 30, 12, 18],
  );
  assert.deepEqual(
    dd.cells.map((c) => c.count),
    DIRECT_DEBIT,
  );
  close(dd.cells[0].index, 125);
  close(dd.cells[1].index, 100 / 3);
  close(dd.cells[3].index, 300);
  assert.deepEqual(
    dd.cells.map((c) => c.band),
    ['High', 'Low', 'Low', 'High'],
  );
  assert.deepEqual(
    blank.cells.map((c) => c.count),
    [30, 24, 6, 0],
  );
  assert.deepEqual(
    blank.cells.map((c) => c.band),
    ['High', 'High', 'Low', 'Low'],
  );
  // Those who joined in the last 12 months are those paying by direct debit.
  assert.deepEqual(
    recent.cells.map((c) => c.count),
    DIRECT_DEBIT,
  );
  // The unmatched record has a blank payment: it is among the blank column's records not placed, not the direct debit one's.
  assert.equal(dd.unmatched, 0);
  assert.equal(blank.unmatched, 1);
  assert.deepEqual(r.sheets, [
    { name: 'Council', columns: r.services.map((s) => s.key) },
    { name: 'All partners', columns: r.services.map((s) => s.key) },
  ]);
  // The same measure twice is one column; the same dataset with a different filter is another.
  const twice = await sdf(0, {
    measures: [{ dataset: 'library' }, { dataset: 'library' }, { dataset: 'fire_visits' }],
  });
  assert.deepEqual(
    twice.services.map((s) => s.key),
    ['library', 'fire_visits'],
  );
  // --partner keeps the partner's measures only.
  const fire = await sdf(0, {
    partner: 'Fire and Rescue',
    measures: [{ dataset: 'bins' }, { dataset: 'fire_visits' }],
  });
  assert.deepEqual(
    fire.services.map((s) => s.key),
    ['fire_visits'],
  );
  await assert.rejects(
    sdf(0, { datasets: ['bins'], measures: [{ dataset: 'bins' }] }),
    /Give either the datasets or the measures, not both/,
  );
  await assert.rejects(sdf(0, { measures: [{ dataset: 'nope' }] }), /There is no dataset called "nope"/);
});

test('civic sdf --measures: labels, a common --where, and the filter in every format', async () => {
  const j = await civic(
    'sdf',
    WS,
    '--measures',
    'bins,bins:paid=Direct Debit',
    '--labels',
    'Garden bins,Paying by direct debit',
    '--format',
    'json',
    '--min-cell',
    '0',
  );
  assert.equal(j.status, 0, j.stderr);
  const r = SdfResultSchema.parse(JSON.parse(j.stdout));
  assert.deepEqual(
    r.services.map((s) => [s.key, s.filter, s.cells.map((c) => c.count)]),
    [
      ['Garden bins', null, [60, 30, 12, 18]],
      ['Paying by direct debit', 'paid = Direct Debit', DIRECT_DEBIT],
    ],
  );
  // A --where for every measure without its own.
  const w = SdfResultSchema.parse(
    JSON.parse(
      (
        await civic(
          'sdf',
          WS,
          '--measures',
          'bins,library',
          '--where',
          'paid=(blank)',
          '--format',
          'json',
          '--min-cell',
          '0',
        )
      ).stdout,
    ),
  );
  assert.deepEqual(
    w.services.map((s) => s.cells.map((c) => c.count)),
    [
      [30, 24, 6, 0],
      [40, 36, 25, 9],
    ],
  );
  const file = join(tmp.dir, 'sdf-measures.xlsx');
  const x = await civic('sdf', WS, '--measures', 'bins,bins:paid=Direct Debit', '--format', 'xlsx', '--out', file);
  assert.equal(x.status, 0, x.stderr);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  assert.equal(wb.getWorksheet('Council')!.getCell('G3').value, 'Garden bins (paid = Direct Debit)');
  const table = await civic('sdf', WS, '--measures', 'bins,bins:paid=Direct Debit');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /bins \(paid = Direct Debit\)/);
  // The owner is told when a filter matches nothing, with the column's values.
  const none = await civic('sdf', WS, '--measures', 'bins:paid=Cash', '--format', 'json');
  assert.equal(none.status, 2);
  assert.match(JSON.parse(none.stdout).error.message, /No record has paid = Cash/);
  const lonely = await civic('sdf', WS, '--where', 'paid=Cash');
  assert.equal(lonely.status, 2);
  assert.match(lonely.stderr, /--where needs --measures/);
});
