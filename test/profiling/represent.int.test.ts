import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  representAnalysis,
  chiSquarePValue,
  chiSquareGoodnessOfFit,
  RepresentResultSchema,
  type RepresentResult,
} from '../../src/profiling/index.ts';
import { discloseRepresent, representToTable } from '../../src/outputs/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicOut as civic } from '../helpers/cli.ts';

const tmp = tempDir();
const WS = join(tmp.dir, 'r.civic');

// Four output areas, one postcode each. Groups A, B, C; group C is types C1 and C2.
//   OA1 A/A1 500 households, OA2 B/B1 300, OA3 C/C1 196, OA4 C/C2 4: group shares 0.5, 0.3, 0.2.
// The sample ("forum", as in Gravesham's study of its consultation forums) has 100 placed members:
//   68 in A, 20 in B, 12 in C (all in C1), and one with no usable postcode.
// The register has 500 households spread exactly as the base: 250, 150, 98, 2.
const FILES: Record<string, string[]> = {
  'pc.csv': [
    'pcds,lat,long,oa21cd',
    'SB1 1AA,52.9,-1.1,E00900001',
    'SB2 1AA,52.91,-1.11,E00900002',
    'SB3 1AA,52.92,-1.12,E00900003',
    'SB3 1AB,52.92,-1.12,E00900004',
  ],
  'base.csv': ['area_code,households', 'E00900001,500', 'E00900002,300', 'E00900003,196', 'E00900004,4'],
  'cls.csv': ['area_code,group,type', 'E00900001,A,A1', 'E00900002,B,B1', 'E00900003,C,C1', 'E00900004,C,C2'],
  'seg.csv': [
    'tier,code,name,description',
    'group,A,Settled owners,',
    'group,B,Young married families,',
    'group,C,Young single families,',
    'type,A1,Settled owners,',
    'type,B1,Young married couples,',
    'type,C1,Young single parents,',
    'type,C2,Single sharers,',
  ],
  'forum.csv': [
    'member,postcode',
    ...Array.from({ length: 68 }, (_, i) => `F${i},SB1 1AA`),
    ...Array.from({ length: 20 }, (_, i) => `G${i},SB2 1AA`),
    ...Array.from({ length: 12 }, (_, i) => `H${i},SB3 1AA`),
    'X1,NOT KNOWN',
  ],
  'register.csv': [
    'account,postcode',
    ...[
      ['SB1 1AA', 250],
      ['SB2 1AA', 150],
      ['SB3 1AA', 98],
      ['SB3 1AB', 2],
    ].flatMap(([pc, n]) => Array.from({ length: n as number }, (_, i) => `${pc}-${i},${pc}`)),
  ],
};

before(async () => {
  for (const [f, lines] of Object.entries(FILES)) writeFileSync(join(tmp.dir, f), lines.join('\n') + '\n');
  const ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    postcodes: join(tmp.dir, 'pc.csv'),
    base: [join(tmp.dir, 'base.csv')],
    classification: [join(tmp.dir, 'cls.csv')],
    classificationName: 'local',
    segments: [join(tmp.dir, 'seg.csv')],
  });
  await importDataset(ws.engine, 'forum', join(tmp.dir, 'forum.csv'), { key: TEST_KEY });
  await importDataset(ws.engine, 'register', join(tmp.dir, 'register.csv'), { key: TEST_KEY });
  ws.close();
});
after(() => tmp.cleanup());

async function analyse(req: Parameters<typeof representAnalysis>[1]): Promise<RepresentResult> {
  const ws = await openWorkspace(WS);
  try {
    return await representAnalysis(ws.engine, req);
  } finally {
    ws.close();
  }
}
const near = (a: number | null, b: number, tol = 1e-6) =>
  assert.ok(a !== null && Math.abs(a - b) < tol, `${a} is not ${b}`);

test('chi-square p-values agree with the printed table', async () => {
  // Critical values at 5%: 3.841 (1 df), 5.991 (2 df), 7.815 (3 df), 11.070 (5 df); at 1%: 6.635 (1 df), 9.210 (2 df).
  near(chiSquarePValue(3.841, 1), 0.05, 1e-4);
  near(chiSquarePValue(5.991, 2), 0.05, 1e-4);
  near(chiSquarePValue(7.815, 3), 0.05, 1e-4);
  near(chiSquarePValue(11.07, 5), 0.05, 1e-4);
  near(chiSquarePValue(6.635, 1), 0.01, 1e-4);
  near(chiSquarePValue(9.21, 2), 0.01, 1e-4);
  // With 2 degrees of freedom the upper tail is exactly e^(−x/2).
  near(chiSquarePValue(13.0133333, 2), Math.exp(-13.0133333 / 2), 1e-12);
  assert.equal(chiSquarePValue(0, 3), 1);
});

test('goodness of fit, worked by hand: statistic, degrees of freedom, p-value, adjusted residuals, index', async () => {
  const r = await analyse({ sample: 'forum' });
  RepresentResultSchema.parse(r);
  assert.deepEqual(
    [r.classification, r.level, r.reference.kind, r.reference.name],
    ['local', 'group', 'base', 'households'],
  );
  // n = 100; expected shares 500/1000, 300/1000, 200/1000 → expected 50, 30, 20.
  assert.deepEqual(
    r.rows.map((x) => [x.code, x.observed, x.expected]),
    [
      ['A', 68, 50],
      ['B', 20, 30],
      ['C', 12, 20],
    ],
  );
  // χ² = (68−50)²/50 + (20−30)²/30 + (12−20)²/20 = 6.48 + 3.3333 + 3.2 = 13.0133, with 3 − 1 = 2 df.
  near(r.test!.statistic, 6.48 + 100 / 30 + 3.2);
  assert.equal(r.test!.df, 2);
  // p = e^(−13.0133/2) = 0.00149: between the table's 0.005 (10.597) and 0.001 (13.816) points.
  near(r.test!.pValue, Math.exp(-(6.48 + 100 / 30 + 3.2) / 2), 1e-9);
  assert.ok(r.test!.pValue < 0.005 && r.test!.pValue > 0.001);
  assert.equal(r.test!.significant, true);
  // Adjusted residuals (O − E) ÷ √(E(1 − p)): A 18/√25 = 3.6; B −10/√21 = −2.1822; C −8/√16 = −2.
  near(r.rows[0].residual, 3.6);
  near(r.rows[1].residual, -10 / Math.sqrt(21));
  near(r.rows[2].residual, -2);
  assert.deepEqual(
    r.rows.map((x) => [x.significant, x.direction]),
    [
      [true, 'over'],
      [true, 'under'],
      [true, 'under'],
    ],
  );
  // Index: observed share ÷ expected share × 100: 68/50, 20/30, 12/20.
  near(r.rows[0].index, 136);
  near(r.rows[1].index, 200 / 3);
  near(r.rows[2].index, 60);
  assert.deepEqual(
    r.underRepresented.map((x) => x.code),
    ['B', 'C'],
  );
  assert.deepEqual(
    r.overRepresented.map((x) => x.code),
    ['A'],
  );
  assert.equal(
    r.summary[1],
    'Two groups are under-represented: B Young married families (index 67) and C Young single families (index 60).',
  );
  assert.equal(r.summary[2], 'One group is over-represented: A Settled owners (index 136).');
  assert.match(
    r.summary[0],
    /not spread across the segments in the same way as the area's households \(chi-square 13\.01, 2 degrees of freedom, p = 0\.001\)/,
  );
  assert.deepEqual(r.smallExpected, []);
  assert.equal(r.notPlaced, 1); // "NOT KNOWN"
  near(r.total.observed, 100);
  near(r.total.expected, 100);
});

test('expected counts under 5 are flagged, never merged', async () => {
  const r = await analyse({ sample: 'forum', tier: 'type' });
  // Types: A1 68 (E 50), B1 20 (E 30), C1 12 (E 19.6), C2 0 (E 0.4).
  // χ² = 6.48 + 3.3333 + 7.6²/19.6 + 0.4²/0.4 = 6.48 + 3.3333 + 2.9469 + 0.4 = 13.1603, 3 df.
  assert.equal(r.rows.length, 4);
  near(r.test!.statistic, 6.48 + 100 / 30 + 57.76 / 19.6 + 0.4);
  assert.equal(r.test!.df, 3);
  assert.equal(r.test!.cells, 4);
  assert.equal(r.test!.merged, null);
  assert.deepEqual(
    r.smallExpected.map((s) => s.code),
    ['C2'],
  );
  near(r.smallExpected[0].expected, 0.4);
  assert.ok(
    r.warnings.some((w) => /1 of 4 segments has an expected count under 5 \(C2\).*Nothing has been merged/.test(w)),
  );
  // C1: (12 − 19.6) ÷ √(19.6 × 0.804) = −1.9145: under, but not significantly.
  near(r.rows[2].residual, -7.6 / Math.sqrt(19.6 * 0.804));
  assert.equal(r.rows[2].significant, false);
  assert.equal(r.rows[2].direction, 'as expected');
});

test('against another dataset: its spread gives the expected shares', async () => {
  const r = await analyse({ sample: 'forum', against: 'register' });
  assert.deepEqual([r.reference.kind, r.reference.name], ['dataset', 'register']);
  // The register is spread 250 : 150 : 100, as the base is, so the statistic is the same 13.0133.
  near(r.test!.statistic, 6.48 + 100 / 30 + 3.2);
  assert.deepEqual(
    r.rows.map((x) => x.expectedPct),
    [50, 30, 20],
  );
  // 500 register records is under 10 times the 100 in the sample: flagged.
  assert.ok(r.warnings.some((w) => /fewer than 10 times as many records/.test(w)));
  await assert.rejects(analyse({ sample: 'forum', against: 'forum' }), /cannot be compared against itself/);
  await assert.rejects(analyse({ sample: 'forum', against: 'nosuch' }), /There is no dataset called "nosuch"/);
});

test('disclosure: small counts are hidden with secondary suppression, and the test merges them so it reveals nothing', async () => {
  const truth = await analyse({ sample: 'forum', tier: 'type' });
  const shown = discloseRepresent(truth, 10);
  RepresentResultSchema.parse(shown);
  // C2 (0) is under 10; C1 (12), the smallest other, is hidden so C2 cannot be worked out from the total.
  assert.deepEqual(
    shown.rows.map((x) => x.observed),
    [68, 20, null, null],
  );
  for (const x of shown.rows.filter((y) => y.suppressed))
    assert.deepEqual([x.observedPct, x.index, x.residual, x.significant, x.direction], [null, null, null, null, null]);
  assert.deepEqual(shown.disclosure, { minCell: 10, primary: 1, secondary: 1, perturbed: false });
  // With C1 and C2 merged the test is the group-level one: 13.0133 on 2 df, a function of visible counts and the total only.
  near(shown.test!.statistic, 6.48 + 100 / 30 + 3.2);
  assert.equal(shown.test!.df, 2);
  assert.deepEqual(shown.test!.merged, ['C1', 'C2']);
  assert.equal(shown.summary[1], 'One group is under-represented: B1 Young married couples (index 67).');
  assert.equal(shown.summary[3], 'Two groups have too few records to show.');
  assert.equal(shown.notPlaced, null, 'one unplaced record is a small count too');
  // Nothing hidden with no threshold, but the cells' keys never leave.
  assert.deepEqual(discloseRepresent(truth, 0), {
    ...truth,
    rows: truth.rows.map((r) => ({ ...r, cellKey: null })),
    total: { ...truth.total, cellKey: null },
    notPlacedKey: null,
  });
  const table = representToTable(shown);
  assert.match(table, /C1\s+Young single parents\s+\[c\]/);
  assert.match(table, /merges the suppressed segments \(C1, C2\)/);
  // A sample under the threshold: nothing that reveals its size is left.
  const tiny = discloseRepresent(truth, 200);
  assert.equal(tiny.total.observed, null);
  assert.ok(tiny.rows.every((x) => x.observed === null && x.expected === null));
  assert.equal(tiny.test, null);
});

test('the pure test leaves out cells with no expected share', async () => {
  const fit = chiSquareGoodnessOfFit([10, 20, 0], [1, 1, 0]);
  // Two cells, 15 expected each: (10−15)²/15 + (20−15)²/15 = 3.3333, 1 df.
  near(fit.statistic, 50 / 15);
  assert.equal(fit.df, 1);
  assert.equal(fit.residuals[2], null);
});

test('civic represent: table, JSON and XLSX', async () => {
  const table = await civic('represent', WS, 'forum');
  assert.match(table, /Representativeness of forum by local group, against households/);
  assert.match(
    table,
    /Two groups are under-represented: B Young married families \(index 67\) and C Young single families \(index 60\)\./,
  );
  assert.match(table, /1 forum record is in no segment/);

  const json = JSON.parse(await civic('represent', WS, 'forum', '--format', 'json'));
  RepresentResultSchema.parse(json);
  assert.equal(json.disclosure.minCell, 10);
  assert.deepEqual(
    json.rows.map((x: { observed: number }) => x.observed),
    [68, 20, 12],
  );
  assert.equal(json.notPlaced, null);
  near(json.test.statistic, 6.48 + 100 / 30 + 3.2);

  const file = join(tmp.dir, 'represent.xlsx');
  await civic('represent', WS, 'forum', '--level', 'type', '--format', 'xlsx', '--out', file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.getWorksheet('Representativeness')!;
  assert.match(String(sheet.getCell('A1').value), /Representativeness of forum by local type/);
  assert.equal(sheet.getRow(3).getCell(3).value, 'Observed');
  const row = (code: string) => {
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((r) => {
      if (r.getCell(1).value === code) found = r;
    });
    return found!;
  };
  assert.equal(row('A1').getCell(3).value, 68);
  near(row('A1').getCell(8).value as number, 3.6);
  assert.equal(row('C1').getCell(3).value, '[c]');
  assert.equal(row('C2').getCell(3).value, '[c]');
  assert.equal(row('C2').getCell(8).value, '[c]');
  near(row('Chi-square').getCell(2).value as number, 6.48 + 100 / 30 + 3.2);
  assert.equal(row('Degrees of freedom').getCell(2).value, 2);
  const notes = wb.getWorksheet('Notes')!;
  assert.equal(notes.getCell('A1').value, 'Sample');
});
