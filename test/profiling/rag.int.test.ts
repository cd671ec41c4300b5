import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createWorkspace, openWorkspace, type Engine } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  profileDataset,
  ragSynopsis,
  ragOf,
  parseArea,
  checkThresholds,
  RagResultSchema,
  type RagResult,
  type RagRequest,
  parseMeasures,
} from '../../src/profiling/index.ts';
import { discloseProfile, ragToHtml, ragToJson, ragToTable, ragToXlsx } from '../../src/outputs/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicRun as civic } from '../helpers/cli.ts';

/*
 * Four output areas, one segment each, 1,000 households, in one borough (E08000001):
 *
 *   segment  OA         households  LSOA       postcodes (ward)
 *   A        E00000001  400         E01000001  RG1 1AA (West), RG1 1AB (West)
 *   B        E00000002  300         E01000001  RG2 1AA (West), RG2 1AB (East)
 *   C        E00000003  200         E01000002  RG3 1AA (East)
 *   D        E00000004  100         E01000002  RG4 1AA (East)
 *
 * The area file puts each OA in its LSOA and each LSOA in the borough, so an LSOA or the borough
 * is cut out of the base exactly, in whole OAs. Wards are not in that hierarchy: B's output area
 * straddles West and East, one live postcode in each, so half its 300 households count in each.
 *   West: A 400 + B 150 = 550 households.   East: B 150 + C 200 + D 100 = 450 households.
 *
 * bins:    A 60 (RG1 1AA), B 20 (RG2 1AA, West) + 10 (RG2 1AB, East), C 12, D 18 = 120
 * library: A 40 (RG1 1AB; 4 of them "child"), B 16 (West) + 20 (East), C 25 (5 "child"), D 9 = 110
 *
 * Whole area (index = segment penetration ÷ overall × 100; RAG on the index rounded):
 *   bins     overall 12%:  A 15% → 125 Green; B 10% → 83.3 Red;  C 6% → 50 Red;  D 18% → 150 Green
 *   library  overall 11%:  A 10% → 90.9 Amber; B 12% → 109.1 Amber; C 12.5% → 113.6 Green; D 9% → 81.8 Red
 * East alone:
 *   bins     B 10, C 12, D 18 = 40 of 450: overall 8.889%.
 *            B 10/150 = 6.667% → 75 Red;  C 12/200 = 6% → 67.5 Red;  D 18/100 = 18% → 202.5 Green; A no base.
 *   library  B 20, C 25, D 9 = 54 of 450: overall 12%.
 *            B 13.33% → 111.1 Green;  C 12.5% → 104.2 Amber;  D 9% → 75 Red.
 * Disclosed at 10, each column on its own:
 *   bins East:     A (0) is under 10; alone it could be worked out, so B (10, the smallest visible) goes too.
 *   library East:  A (0) and D (9) hold 9 < 10 records, so B (20) goes too.
 *   library whole: D (9), and C (25) with it.
 */
const tmp = tempDir();
const WS = join(tmp.dir, 'rag.civic');
const WEST = 'E05000001',
  EAST = 'E05000002';

before(async () => {
  const pcs = [
    'pcds,lat,long,oa21cd,lsoa21cd,osward,oslaua',
    'RG1 1AA,52.91,-1.11,E00000001,E01000001,E05000001,E08000001',
    'RG1 1AB,52.911,-1.111,E00000001,E01000001,E05000001,E08000001',
    'RG2 1AA,52.92,-1.12,E00000002,E01000001,E05000001,E08000001',
    'RG2 1AB,52.921,-1.121,E00000002,E01000001,E05000002,E08000001',
    'RG3 1AA,52.93,-1.13,E00000003,E01000002,E05000002,E08000001',
    'RG4 1AA,52.94,-1.14,E00000004,E01000002,E05000002,E08000001',
  ];
  const areas = [
    'code,level,name,parent',
    'E08000001,lad,Borough,',
    'E01000001,lsoa21,Borough 001A,E08000001',
    'E01000002,lsoa21,Borough 001B,E08000001',
    'E05000001,ward,West,E08000001',
    'E05000002,ward,East,E08000001',
    'E00000001,oa21,,E01000001',
    'E00000002,oa21,,E01000001',
    'E00000003,oa21,,E01000002',
    'E00000004,oa21,,E01000002',
  ];
  const base = ['area_code,households', 'E00000001,400', 'E00000002,300', 'E00000003,200', 'E00000004,100'];
  const cls = ['area_code,group', 'E00000001,A', 'E00000002,B', 'E00000003,C', 'E00000004,D'];
  const segs = [
    'tier,code,name',
    'group,A,Affluent families',
    'group,B,Older owners',
    'group,C,Young renters & <sharers>',
    'group,D,Estate families',
  ];
  const records = (spec: [string, number, string?][]) => {
    const rows = ['ref,postcode,type'];
    let id = 0;
    for (const [pc, n, type] of spec) for (let k = 0; k < n; k++) rows.push(`r${++id},${pc},${type ?? 'adult'}`);
    rows.push(`r${++id},ZZ9 9ZZ,adult`);
    return rows;
  };
  const files: Record<string, string[]> = {
    'pc.csv': pcs,
    'areas.csv': areas,
    'base.csv': base,
    'cls.csv': cls,
    'segs.csv': segs,
    'bins.csv': records([
      ['RG1 1AA', 60],
      ['RG2 1AA', 20],
      ['RG2 1AB', 10],
      ['RG3 1AA', 12],
      ['RG4 1AA', 18],
    ]),
    'library.csv': records([
      ['RG1 1AB', 36],
      ['RG1 1AB', 4, 'child'],
      ['RG2 1AA', 16],
      ['RG2 1AB', 20],
      ['RG3 1AA', 20],
      ['RG3 1AA', 5, 'child'],
      ['RG4 1AA', 9],
    ]),
  };
  for (const [f, lines] of Object.entries(files)) writeFileSync(join(tmp.dir, f), lines.join('\n') + '\n');
  const ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    areas: [join(tmp.dir, 'areas.csv')],
    postcodes: join(tmp.dir, 'pc.csv'),
    base: [join(tmp.dir, 'base.csv')],
    classification: [join(tmp.dir, 'cls.csv')],
    classificationName: 'local',
    segments: [join(tmp.dir, 'segs.csv')],
  });
  await importDataset(ws.engine, 'bins', join(tmp.dir, 'bins.csv'), { key: TEST_KEY });
  await importDataset(ws.engine, 'library', join(tmp.dir, 'library.csv'), { key: TEST_KEY });
  ws.close();
});
after(() => tmp.cleanup());

async function within<T>(fn: (e: Engine) => Promise<T>): Promise<T> {
  const ws = await openWorkspace(WS);
  try {
    return await fn(ws.engine);
  } finally {
    ws.close();
  }
}
const close = (a: number | null | undefined, b: number, eps = 1e-9) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < eps, `${a} is not ${b}`);
const rag = (minCell: number, req: Partial<RagRequest> = {}) =>
  within((e) =>
    ragSynopsis(
      e,
      { measures: [{ dataset: 'bins' }, { dataset: 'library' }], area: { level: 'ward', code: EAST }, ...req },
      { disclose: (p) => discloseProfile(p, minCell) },
    ),
  );

test('profile with an area: a ward that output areas straddle takes its share of their households', async () => {
  const [west, east, whole] = await within(async (e) => [
    await profileDataset(e, { dataset: 'bins', area: { level: 'ward', code: WEST } }),
    await profileDataset(e, { dataset: 'bins', area: { level: 'ward', code: EAST } }),
    await profileDataset(e, { dataset: 'bins' }),
  ]);
  assert.deepEqual(
    west.rows.map((r) => [r.code, r.count, r.base]),
    [
      ['A', 60, 400],
      ['B', 20, 150],
      ['C', 0, 0],
      ['D', 0, 0],
    ],
  );
  assert.deepEqual(
    east.rows.map((r) => [r.code, r.count, r.base]),
    [
      ['A', 0, 0],
      ['B', 10, 150],
      ['C', 12, 200],
      ['D', 18, 100],
    ],
  );
  assert.equal(west.total.base + east.total.base, whole.total.base);
  close(east.total.penetration, (40 / 450) * 100);
  [null, 75, 67.5, 202.5].forEach((x, i) =>
    x === null ? assert.equal(east.rows[i].index, null) : close(east.rows[i].index, x),
  );
  assert.match(
    east.baseMethod,
    /^households per oa21; only ward E05000002 \(East\): each oa21 area counted by its share of live postcodes in it$/,
  );
  // The unmatched record cannot be placed in a ward, so an area's profile leaves it out.
  assert.equal(east.unmatched, 0);
  assert.equal(whole.unmatched, 1);
  // Without an area, nothing changed.
  assert.equal(whole.baseMethod, 'households per oa21');
});

test('profile with an area: an LSOA or the borough is cut out in whole output areas through the hierarchy', async () => {
  const [lsoa, lad, whole, child] = await within(async (e) => [
    await profileDataset(e, { dataset: 'bins', area: { level: 'lsoa', code: 'E01000001' } }),
    await profileDataset(e, { dataset: 'bins', area: { level: 'lad', code: 'E08000001' } }),
    await profileDataset(e, { dataset: 'bins' }),
    await profileDataset(e, {
      dataset: 'library',
      where: { column: 'type', values: ['child'] },
      area: { level: 'lsoa21', code: 'E01000002' },
    }),
  ]);
  // E01000001 = OA1 + OA2: A 400 and B 300 households, all 90 of their bins: overall 90/700 = 12.857%.
  // A 15% → 116.67; B 10% → 77.78.
  assert.deepEqual(
    lsoa.rows.map((r) => [r.code, r.count, r.base]),
    [
      ['A', 60, 400],
      ['B', 30, 300],
      ['C', 0, 0],
      ['D', 0, 0],
    ],
  );
  close(lsoa.rows[0].index, (15 / ((90 / 700) * 100)) * 100);
  close(lsoa.rows[1].index, (10 / ((90 / 700) * 100)) * 100);
  assert.match(
    lsoa.baseMethod,
    /only lsoa21 E01000001 \(Borough 001A\): its whole oa21 areas, through the area hierarchy/,
  );
  // The borough is the whole workspace: the same figures.
  assert.deepEqual(lad.rows, whole.rows);
  // With --where as well: 5 "child" records in C, none in D, against E01000002's 300 households.
  assert.deepEqual(
    child.rows.map((r) => [r.code, r.count, r.base]),
    [
      ['A', 0, 0],
      ['B', 0, 0],
      ['C', 5, 200],
      ['D', 0, 100],
    ],
  );
  assert.equal(child.filter, 'type = child');
});

test('profile with an area: unknown areas and levels are refused in plain English', async () => {
  await within(async (e) => {
    await assert.rejects(
      profileDataset(e, { dataset: 'bins', area: { level: 'ward', code: 'E05999999' } }),
      /No postcode in the workspace is in ward E05999999[\s\S]*/,
    );
    await assert.rejects(
      profileDataset(e, { dataset: 'bins', area: { level: 'county', code: 'X' } }),
      /Unknown area level "county"/,
    );
  });
});

test('RAG: the rule, with its thresholds as options', async () => {
  assert.equal(ragOf(125), 'Green');
  assert.equal(ragOf(109.5), 'Green'); // shown as 110
  assert.equal(ragOf(109.4), 'Amber');
  assert.equal(ragOf(89.5), 'Amber'); // shown as 90
  assert.equal(ragOf(89.4), 'Red');
  assert.equal(ragOf(null), null);
  assert.equal(ragOf(115, { green: 120, red: 80 }), 'Amber');
  assert.equal(ragOf(79, { green: 120, red: 80 }), 'Red');
  assert.throws(() => checkThresholds({ green: 90, red: 110 }), /must be below/);
  assert.deepEqual(parseArea('ward:E05000001'), { level: 'ward', code: 'E05000001' });
  assert.deepEqual(parseArea('LAD=E06000001'), { level: 'lad', code: 'E06000001' });
  assert.throws(
    () => parseArea('E05000001'),
    (e: Error & { fix?: string }) =>
      /Cannot read the area/.test(e.message) && /Write it as LEVEL:CODE/.test(e.fix ?? ''),
  );
  assert.deepEqual(parseMeasures('bins, library:type=child|teen', undefined, 'Bins,Children'), [
    { dataset: 'bins', where: undefined, label: 'Bins' },
    { dataset: 'library', where: { column: 'type', values: ['child', 'teen'] }, label: 'Children' },
  ]);
  assert.deepEqual(parseMeasures('bins,library', 'type=adult')[1].where, { column: 'type', values: ['adult'] });
  assert.throws(() => parseMeasures('bins,library', undefined, 'One'), /1 labels for 2 measures/);
});

test('RAG synopsis: A local, A whole, B local, B whole for each segment, worked by hand', async () => {
  const r = await rag(0);
  assert.doesNotThrow(() => RagResultSchema.parse(r));
  assert.deepEqual(r.area, { level: 'ward', code: EAST, name: 'East' });
  assert.deepEqual(r.thresholds, { green: 110, red: 90 });
  assert.deepEqual(
    r.columns.map((c) => [c.measure, c.dataset, c.scope]),
    [
      ['A', 'bins', 'local'],
      ['A', 'bins', 'whole'],
      ['B', 'library', 'local'],
      ['B', 'library', 'whole'],
    ],
  );
  assert.deepEqual(
    r.rows.map((x) => [x.code, x.base, x.localBase]),
    [
      ['A', 400, 0],
      ['B', 300, 150],
      ['C', 200, 200],
      ['D', 100, 100],
    ],
  );
  const idx = r.rows.map((x) => x.cells.map((c) => c.index));
  const expected = [
    [null, 125, null, 1000 / 11],
    [75, 250 / 3, 400 / 3.6, 1200 / 11],
    [67.5, 50, (12.5 / 12) * 100, 1250 / 11],
    [202.5, 150, 75, 900 / 11],
  ];
  expected.forEach((row, i) =>
    row.forEach((x, j) => (x === null ? assert.equal(idx[i][j], null) : close(idx[i][j], x))),
  );
  assert.deepEqual(
    r.rows.map((x) => x.cells.map((c) => c.rag)),
    [
      [null, 'Green', null, 'Amber'],
      ['Red', 'Red', 'Green', 'Amber'],
      ['Red', 'Red', 'Amber', 'Green'],
      ['Green', 'Green', 'Red', 'Red'],
    ],
  );
  assert.deepEqual(
    r.columns.map((c) => c.total.count),
    [40, 120, 54, 110],
  );
  assert.equal(r.disclosure, null);
  // Other thresholds: 83 is Amber and 125 is Green with --green 120 --red 80.
  const wide = await rag(0, { thresholds: { green: 120, red: 80 } });
  assert.deepEqual(
    wide.rows.map((x) => x.cells[1].rag),
    ['Green', 'Amber', 'Red', 'Green'],
  );
  // Without an area: two columns.
  const plain = await rag(0, { area: undefined });
  assert.deepEqual(
    plain.columns.map((c) => c.scope),
    ['whole', 'whole'],
  );
  assert.equal(plain.rows[0].localBase, null);
});

test('RAG synopsis: each column is suppressed as its own table; a suppressed cell has no colour', async () => {
  const r = await rag(10);
  assert.deepEqual(r.disclosure, { minCell: 10 });
  assert.deepEqual(
    r.rows.map((x) => x.cells.map((c) => c.suppressed)),
    [
      [true, false, true, false],
      [true, false, true, false],
      [false, false, false, true],
      [false, false, true, true],
    ],
  );
  for (const row of r.rows)
    for (const c of row.cells.filter((x) => x.suppressed))
      assert.deepEqual([c.index, c.rag, c.count, c.penetration], [null, null, null, null]);
  const json = RagResultSchema.parse(JSON.parse(ragToJson(r)));
  for (const row of json.rows) for (const c of row.cells) assert.ok(c.count === null || c.count >= 10);
  const text = ragToTable(r);
  assert.match(
    text,
    /Green: index 110 or more \(well represented\)\. Amber: 90 to under 110\. Red: under 90 \(under-represented\)\./,
  );
  assert.match(text.split('\n').find((l) => l.startsWith('D '))!, /203 Green\s+150 Green†\s+\[c\]\s+\[c\]/);
});

test('RAG page: one printable HTML page with colour and words in each cell, a legend and the notes', async () => {
  const html = ragToHtml(
    await rag(10, {
      measures: [
        { dataset: 'bins', label: 'Bins' },
        { dataset: 'library', label: 'Library' },
      ],
    }),
    new Date('2026-02-01T09:00:00Z'),
  );
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /<script|<link|src=/);
  assert.match(
    html,
    /<h1>RAG synopsis: Bins and Library by local group, East \(ward E05000002\) and the whole area<\/h1>/,
  );
  // D, bins, East: 202.5 shown as 203, Green, with the word in the cell.
  assert.match(html, /<td class="rag rag-green"><span class="idx">203<\/span> <span class="lbl">Green<\/span>/);
  assert.match(html, /<td class="rag rag-suppressed"><span class="idx">\[c\]<\/span>/);
  assert.match(html, /<ul class="legend"[^>]*>.*Green.*index 110 or more.*Amber.*Red.*index under 90.*\[c\]/s);
  assert.match(html, /Young renters &amp; &lt;sharers&gt;/);
  assert.match(html, /Base: households\. Whole area: households per oa21\. East: /);
  assert.match(
    html,
    /Counts under 10 are suppressed \(\[c\]\) in each column \(grey\), each column a table of its own/,
  );
  assert.match(html, /Produced 2026-02-01/);
  assert.match(html, /@page \{ size: A4 landscape/);
});

test('civic rag: table, JSON, XLSX and HTML from the command line', async () => {
  const table = await civic(
    'rag',
    WS,
    '--measures',
    'bins,library',
    '--labels',
    'Bins,Library',
    '--area',
    `ward:${EAST}`,
    '--green',
    '120',
    '--red',
    '80',
    '--min-cell',
    '0',
  );
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Green: index 120 or more \(well represented\)\. Amber: 80 to under 120\. Red: under 80/);
  assert.match(
    table.stdout.split('\n').find((l) => l.startsWith('B '))!,
    /75 Red†?\s+83 Amber†?\s+111 Amber†?\s+109 Amber†?/,
  );

  const json = await civic('rag', WS, '--measures', 'bins,library:type=child', '--format', 'json');
  assert.equal(json.status, 0, json.stderr);
  const r: RagResult = RagResultSchema.parse(JSON.parse(json.stdout));
  assert.equal(r.area, null);
  assert.deepEqual(
    r.columns.map((c) => [c.dataset, c.filter, c.label]),
    [
      ['bins', null, 'bins'],
      ['library', 'type = child', 'library (type = child)'],
    ],
  );
  // 9 child records in all: every cell under 10, so all of them are hidden, and the total too.
  assert.ok(r.rows.every((x) => x.cells[1].suppressed));
  assert.equal(r.columns[1].total.count, null);

  const xlsx = join(tmp.dir, 'rag.xlsx');
  const x = await civic(
    'rag',
    WS,
    '--measures',
    'bins,library',
    '--area',
    `ward:${EAST}`,
    '--format',
    'xlsx',
    '--out',
    xlsx,
  );
  assert.equal(x.status, 0, x.stderr);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['RAG synopsis', 'Notes'],
  );
  const sheet = wb.getWorksheet('RAG synopsis')!;
  // Columns: Code, Segment, Households in East, Households, then index and RAG for each column.
  assert.equal(sheet.getCell('E3').value, 'bins: East');
  assert.equal(sheet.getCell('A8').value, 'D');
  assert.equal(sheet.getCell('E8').value, 203);
  assert.equal(sheet.getCell('F8').value, 'Green');
  assert.equal((sheet.getCell('F8').fill as ExcelJS.FillPattern).fgColor?.argb, 'FF00703C');
  assert.equal(sheet.getCell('E5').value, '[c]');

  const html = join(tmp.dir, 'rag.html');
  const h = await civic(
    'rag',
    WS,
    '--measures',
    'bins,library',
    '--area',
    `ward:${EAST}`,
    '--format',
    'html',
    '--out',
    html,
  );
  assert.equal(h.status, 0, h.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /rag-suppressed/);
  assert.match(page, /Counts under 10 are suppressed \(\[c\]\) in each column/);

  const bad = await civic('rag', WS, '--measures', 'bins,library', '--area', 'E05000002', '--format', 'json');
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stdout).error.code, 'parameter_invalid');
  const missing = await civic('rag', WS);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /required option '--measures <list>'/);
});
