import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  computeProfile,
  ProfileResultSchema,
  PROFILE_RESULT_VERSION,
  type ProfileResult,
} from '../../src/profiling/index.ts';
import {
  discloseProfile,
  profileToCsv,
  profileToJson,
  profileToTable,
  profileToXlsx,
} from '../../src/outputs/index.ts';
import { DEFAULT_BANDS } from '../../src/core/index.ts';

// Seed 003's table, as a result object.
const GROUPS: [string, string, number, number][] = [
  ['A', 'Career professionals living in sought after locations', 0, 2733],
  ['B', 'Younger families living in newer homes', 322, 12851],
  ['C', 'Older families living in suburbia', 1225, 16090],
  ['D', 'Close-knit, inner city and manufacturing town communities', 1330, 23297],
  ['E', 'Educated, young, single people living in areas of transient populations', 0, 10902],
  ['F', 'People living in social housing with uncertain employment in deprived areas', 114, 9139],
  ['G', 'Low income families living in estate based social housing', 2143, 10258],
  ['H', 'Upwardly mobile families living in homes bought from social landlords', 1440, 14984],
  ['I', 'Older people living in social housing with high care needs', 145, 2618],
  ['J', 'Independent older people with relatively active lifestyles', 223, 6946],
  ['K', 'People living in rural areas far from urbanisation', 0, 7],
];
function seedResult(): ProfileResult {
  const c = computeProfile(GROUPS.map(([code, name, count, base]) => ({ code, name, count, base })));
  return {
    version: PROFILE_RESULT_VERSION,
    dataset: 'stop_smoking',
    level: 'group',
    kind: 'segment',
    classification: 'mosaic_ps',
    baseMeasure: 'households',
    baseMethod: 'households per oa21',
    filter: null,
    countOf: null,
    rows: c.rows,
    total: c.total,
    unmatched: 0,
    unmatchedKey: null,
    notPlaced: { unmatched: 0, rejected: 0, noBase: 0, noSegment: 0 },
    baseExcluded: null,
    coverage: null,
    bands: DEFAULT_BANDS.map((b) => ({ name: b.name, min: Number.isFinite(b.min) ? b.min : null })),
    disclosure: null,
  };
}

test('every rendering starts from a result that satisfies the published schema', () => {
  const r = seedResult();
  assert.doesNotThrow(() => ProfileResultSchema.parse(r));
  assert.doesNotThrow(() => ProfileResultSchema.parse(JSON.parse(profileToJson(discloseProfile(r, 10)))));
});

test('the terminal table reads like the seed 003 report', () => {
  const text = profileToTable(seedResult());
  const g = text.split('\n').find((l) => l.startsWith('G '))!;
  assert.match(g, /2,143\s+30\.87\s+10,258\s+9\.34\s+20\.89\s+\S+\s+\S+\s+331\s+High\s+yes/);
  const total = text.split('\n').find((l) => l.startsWith('Total'))!;
  assert.match(total, /6,942\s+100\.00\s+109,825\s+100\.00\s+6\.32/);
});

test('suppressed cells show [c] in the table and are empty in CSV', () => {
  const r = discloseProfile(seedResult(), 10);
  const text = profileToTable(r);
  assert.match(text.split('\n').find((l) => l.startsWith('K '))!, /\[c\]/);
  const csv = profileToCsv(r).split('\r\n');
  assert.equal(
    csv[0],
    'code,name,count,filePct,base,basePct,penetration,ciLow,ciHigh,index,z,significant,band,suppressed',
  );
  assert.match(
    csv.find((l) => l.startsWith('K,'))!,
    /^K,People living in rural areas far from urbanisation,,,7,[0-9.e-]+,,,,,,,,true$/,
  );
  // A name with a comma is quoted.
  assert.ok(csv.some((l) => l.startsWith('D,"Close-knit, inner city')));
});

test('the XLSX has the report sheet with number formats and a notes sheet', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await profileToXlsx(seedResult())) as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet('Profile')!;
  assert.match(String(sheet.getCell('A1').value), /Profile of stop_smoking by mosaic_ps group/);
  assert.deepEqual((sheet.getRow(3).values as unknown[]).slice(1, 4), ['Code', 'Name', 'File count']);
  const g = sheet.getRow(10);
  assert.equal(g.getCell(1).value, 'G');
  assert.equal(g.getCell(3).value, 2143);
  assert.ok(Math.abs((g.getCell(7).value as number) - 0.2089) < 1e-4);
  assert.equal(sheet.getColumn(7).numFmt, '0.00%');
  assert.equal(g.getCell(10).value, 331);
  assert.equal(g.getCell(11).value, 'High');
  assert.ok(wb.getWorksheet('Notes'));
});
