import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importReference } from '../../src/reference/index.ts';
import { ObservatoryError, ParameterError } from '../../src/core/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, snapshot, tempDir } from '../helpers/workspace.ts';

const tmp = tempDir();
let ws: Workspace;
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};
before(async () => {
  ws = await smallWorkspace(tmp.dir);
});
after(() => {
  ws.close();
  tmp.cleanup();
});

async function refused(
  req: Parameters<typeof importReference>[1],
  message: RegExp,
  where?: { row?: number; column?: string },
) {
  const before = await snapshot(ws.engine);
  await assert.rejects(importReference(ws.engine, req), (e: unknown) => {
    assert.ok(e instanceof ObservatoryError, String(e));
    assert.match((e as Error).message, message);
    if (where?.row !== undefined) assert.equal((e as ObservatoryError).location.row, where.row);
    if (where?.column !== undefined) assert.equal((e as ObservatoryError).location.column, where.column);
    return true;
  });
  assert.deepEqual(await snapshot(ws.engine), before, 'the workspace changed');
}

test('a postcode file with no postcode column is refused, naming what it found', async () => {
  await refused({ postcodes: file('pc1.csv', 'zip,lat,long\nM1 1AE,53.4,-2.2\n') }, /no postcode column/);
});

test('a base file with a count that is not a number is refused, naming the row and column', async () => {
  await refused(
    { base: [file('b1.csv', 'area_code,households\nE00000001,120\nE00000002,lots\n')] },
    /not (a )?whole number/,
    { row: 3, column: 'households' },
  );
});

test('a base file with neither households nor population is refused', async () => {
  await refused(
    { base: [file('b2.csv', 'area_code,dwellings\nE00000001,120\n')] },
    /neither a households nor a population/,
  );
});

test('a classification row with no segment code is refused, naming the row', async () => {
  await refused(
    { classification: [file('c1.csv', 'area_code,group,type\nE00000001,A,A1\nE00000002,,A2\n')] },
    /no area code or no segment code/,
    { row: 3 },
  );
});

test('boundaries neither in longitude/latitude nor in British National Grid are refused with what to do', async () => {
  // Web Mercator metres (EPSG:3857) around Manchester.
  const mercator = JSON.stringify({
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { code: 'E00000001' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [-250000, 7060000],
              [-249000, 7060000],
              [-249000, 7061000],
              [-250000, 7060000],
            ],
          ],
        },
      },
    ],
  });
  await refused(
    { boundaries: [{ file: file('mercator.geojson', mercator), level: 'oa21' }] },
    /neither longitude\/latitude \(WGS84\) nor British National Grid/,
  );
  await refused(
    { boundaries: [{ file: file('x.geojson', '{"type": "Feature"}'), level: 'oa21' }] },
    /not a GeoJSON FeatureCollection/,
  );
  await refused({ boundaries: [{ file: file('y.geojson', '{}'), level: 'parish' }] }, /Unknown boundary level/);
});

test('a deprivation file whose rank is not a number is refused, naming the row', async () => {
  await refused(
    { deprivation: [file('d1.csv', 'LSOA code (2011),IMD Rank,IMD Decile\nE01000001,"1,234",1\nE01000002,n/a,2\n')] },
    /not a number/,
    { row: 3 },
  );
});

test('asking for nothing, or for an empty or missing file, gets a plain message', async () => {
  await assert.rejects(importReference(ws.engine, {}), ParameterError);
  await refused({ base: [file('empty.csv', '')] }, /empty/);
  await refused({ postcodes: join(tmp.dir, 'nope.csv') }, /File not found/);
  await refused({ base: [file('h.csv', 'area_code,households\n')] }, /no records/);
});

test('an invalid row in a postcode directory is reported and the rest imported', async () => {
  const r = await importReference(ws.engine, {
    postcodes: file('pc2.csv', 'pcds,lat,long\nM1 2AB,53.4,-2.2\nNOT VALID,53.4,-2.2\nM1 2AD,99.999999,0.000000\n'),
  });
  assert.equal(r.postcodes!.imported, 2);
  assert.equal(r.postcodes!.rejected, 1);
  assert.deepEqual(r.postcodes!.rejectedExamples, [{ row: 3, value: 'NOT VALID', reason: 'not a valid UK postcode' }]);
  // ONSPD's "no location" marker is not a place.
  assert.equal(r.postcodes!.noLocation, 1);
});

test('Census 2021 bulk files as Nomis publishes them are recognised: TS041 households and TS001 residents', async () => {
  const ts041 = file(
    'census2021-ts041-oa.csv',
    '"date","geography","geography code","Household: Total; measures: Value"\n2021,E00000001,E00000001,121\n2021,E00000002,E00000002,"1,201"\n',
  );
  const ts001 = file(
    'census2021-ts001-oa.csv',
    '"date","geography","geography code","Residence type: Total; measures: Value","Residence type: Lives in a household; measures: Value","Residence type: Lives in a communal establishment; measures: Value"\n2021,E00000001,E00000001,300,290,10\n2021,E00000002,E00000002,2500,2500,0\n',
  );
  const r = await importReference(ws.engine, { base: [ts041, ts001] });
  assert.equal(r.base[0].households, 1322);
  assert.equal(r.base[0].population, null);
  assert.equal(r.base[1].population, 2800);
  assert.equal(r.base[1].households, null);
  const row = await ws.engine.one(`SELECT households, population FROM area_base WHERE area_code = 'E00000002'`);
  assert.deepEqual(row, { households: 1201, population: 2500 });
});

test('a request with several files is all or nothing: a bad base file undoes the areas imported before it', async () => {
  await refused(
    {
      areas: [
        file('wards.csv', 'code,level,name,parent\nE05999999,ward,Test ward,E08999999\nE08999999,lad,Test LA,\n'),
      ],
      base: [file('bad-base.csv', 'area_code,households\nE00000001,12x\n')],
    },
    /not (a )?whole number/,
  );
  const wards = await ws.engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM area WHERE code = 'E05999999'`);
  assert.equal(wards!.n, 0);
});

test('a zip or workbook given as a reference CSV is refused plainly', async () => {
  await refused({ base: [file('base.csv.zip', 'PK\u0003\u0004rest-of-zip')] }, /zip archive or an Excel workbook/);
});

test('base counts must be whole numbers written plainly or with thousands separators', async () => {
  await refused({ base: [file('b3.csv', 'area_code,households\nE00000001,"2,00"\n')] }, /not (a )?whole number/, {
    row: 2,
  });
  await refused({ base: [file('b4.csv', 'area_code,households\nE00000001,1.5\n')] }, /not (a )?whole number/, {
    row: 2,
  });
  const ok = await importReference(ws.engine, {
    base: [file('b5.csv', 'area_code,households\nE00000001,"1,200"\nE00000002,7.0\n')],
  });
  assert.equal(ok.base[0].households, 1207);
});

test("a second authority's classification file adds to the first, keeping segment names", async () => {
  await importReference(ws.engine, {
    classification: [file('cls-a.csv', 'area_code,group,type\nE00000001,A,A1\nE00000002,A,A2\n')],
    classificationName: 'two_las',
    segments: [file('names-a.csv', 'tier,code,name,description\ngroup,A,Affluent,\n')],
  });
  await importReference(ws.engine, {
    classification: [file('cls-b.csv', 'area_code,group,type\nE00000003,B,B1\n')],
    classificationName: 'two_las',
  });
  const areas = await ws.engine.all(
    `SELECT area_code, code FROM area_segment WHERE classification = 'two_las' AND tier = 'group' ORDER BY area_code`,
  );
  assert.deepEqual(
    areas.map((a) => [a.area_code, a.code]),
    [
      ['E00000001', 'A'],
      ['E00000002', 'A'],
      ['E00000003', 'B'],
    ],
  );
  const names = await ws.engine.all(
    `SELECT code, name FROM segment WHERE classification = 'two_las' AND tier = 'group' ORDER BY code`,
  );
  assert.deepEqual(
    names.map((n) => [n.code, n.name]),
    [
      ['A', 'Affluent'],
      ['B', 'Group B'],
    ],
  );
});

test('a postcode file with neither locations nor area codes is refused; one without codes warns', async () => {
  await refused(
    { postcodes: file('pc-bare.csv', 'Post Code,Y,X\nM1 1AE,1,2\n') },
    /neither latitude\/longitude nor any area-code column/,
  );
  const r = await importReference(ws.engine, { postcodes: file('pc-loc.csv', 'postcode,lat,lon\nM1 9ZZ,53.4,-2.2\n') });
  assert.equal(r.postcodes!.warnings.length, 1);
  assert.match(r.postcodes!.warnings[0], /No area-code columns/);
});
