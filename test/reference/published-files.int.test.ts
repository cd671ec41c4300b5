import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importReference, parseBaseSum } from '../../src/reference/index.ts';
import { ObservatoryError, ParameterError } from '../../src/core/index.ts';
import { tempDir, snapshot } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';

const tmp = tempDir();
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};
let n = 0;
const fresh = (): Promise<Workspace> => createWorkspace(join(tmp.dir, `f${++n}.civic`));
after(() => tmp.cleanup());

async function refused(ws: Workspace, req: Parameters<typeof importReference>[1], message: RegExp) {
  const before = await snapshot(ws.engine);
  await assert.rejects(importReference(ws.engine, req), (e: unknown) => {
    assert.ok(e instanceof ObservatoryError, String(e));
    assert.match((e as Error).message, message);
    return true;
  });
  assert.deepEqual(await snapshot(ws.engine), before, 'the workspace changed');
}

test('--base-sum adds count columns, and checks each is a whole number', async () => {
  assert.deepEqual(parseBaseSum('population=m+f'), { field: 'population', terms: ['m', 'f'] });
  assert.throws(() => parseBaseSum('people=m+f'), ParameterError);
  assert.throws(() => parseBaseSum('population=m+'), ParameterError);
  const ws = await fresh();
  try {
    const r = await importReference(ws.engine, {
      base: [file('mf.csv', 'area_code,m,f,households\nE00000001,10,12,9\nE00000002,"1,000",3,400\n')],
      baseSum: [parseBaseSum('population=m+f')],
    });
    assert.equal(r.base[0].population, 1025);
    assert.equal(r.base[0].households, 409, 'the households column is still read as it is');
    const rows = await ws.engine.all(`SELECT area_code, population FROM area_base ORDER BY 1`);
    assert.deepEqual(
      rows.map((x) => [x.area_code, x.population]),
      [
        ['E00000001', 22],
        ['E00000002', 1003],
      ],
    );
    await refused(
      ws,
      {
        base: [file('mf-bad.csv', 'area_code,m,f\nE00000001,10,12\nE00000002,7,n/a\n')],
        baseSum: [parseBaseSum('population=m+f')],
      },
      /not a whole number, "n\/a"/,
    );
    await refused(
      ws,
      {
        base: [file('mf-dup.csv', 'area_code,m,f\nE00000001,10,12\nE00000001,7,1\n')],
        baseSum: [parseBaseSum('population=m+f')],
      },
      /more than once/,
    );
    await refused(
      ws,
      {
        base: [file('mf-none.csv', 'area_code,m,f,households\nE00000001,10,12,30\n')],
        baseSum: [parseBaseSum('population=men+women')],
      },
      /--base-sum names men, women, found in no --base file/,
    );
  } finally {
    ws.close();
  }
});

const trafford = sharedData('trafford');
test('--base-sum on a long Census file adds the indicators named (Trafford, population by sex)', {
  skip: trafford.skip,
}, async () => {
  const path = `${trafford.path}/census2021/2021_population_by_sex_oa_trafford.csv`;
  // What the file itself says, added up here: Female + Male per output area.
  const expected = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
    const c = line.split(',');
    if (c[4] === 'Female' || c[4] === 'Male') expected.set(c[0], (expected.get(c[0]) ?? 0) + Number(c[7]));
  }
  const ws = await fresh();
  try {
    const r = await importReference(ws.engine, { base: [path], baseSum: [parseBaseSum('population=Female+Male')] });
    assert.equal(r.base[0].areas, 738);
    assert.equal(r.base[0].level, 'oa21');
    assert.equal(
      r.base[0].population,
      [...expected.values()].reduce((a, b) => a + b, 0),
    );
    const got = await ws.engine.all<{ area_code: string; population: number }>(
      `SELECT area_code, population FROM area_base`,
    );
    for (const g of got) assert.equal(g.population, expected.get(g.area_code), g.area_code);
    await refused(
      ws,
      { base: [path], baseSum: [parseBaseSum('population=Female+Males')] },
      /"Males", neither a column nor a value of "indicator"/,
    );
  } finally {
    ws.close();
  }
});

const CDRC_PROPS = (code: string, i: number) => ({
  oa_code: code,
  supgrpcode: String(i + 1),
  supgrpname: ['Rural Residents', 'Cosmopolitans'][i],
  grpcode: `${i + 1}a`,
  grpname: ['Farming Communities', 'Students Around Campus'][i],
  subgrpcode: `${i + 1}a1`,
  subgrpname: ['Rural Workers and Families', 'Student Communal Living'][i],
});
function cdrcBoundaries(): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: ['E00000001', 'E00000002'].map((code, i) => ({
      type: 'Feature',
      properties: CDRC_PROPS(code, i),
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [-2.3 + i * 0.01, 53.4],
            [-2.29 + i * 0.01, 53.4],
            [-2.29 + i * 0.01, 53.41],
            [-2.3 + i * 0.01, 53.4],
          ],
        ],
      },
    })),
  });
}

test('a classification given as boundary properties imports with its names, found by name or named', async () => {
  const ws = await fresh();
  try {
    const plain = await importReference(ws.engine, {
      boundaries: [{ file: file('cdrc.geojson', cdrcBoundaries()), level: 'oa11' }],
    });
    assert.deepEqual(plain.boundaries[0].classificationProperties, ['supgrpcode', 'grpcode', 'subgrpcode']);
    assert.equal(plain.classifications.length, 0, 'not imported unless asked');
    const r = await importReference(ws.engine, {
      boundaries: [{ file: file('cdrc2.geojson', cdrcBoundaries()), level: 'oa11' }],
      classificationFromBoundaries: true,
    });
    assert.deepEqual(
      r.classifications.map((c) => [c.name, c.areaLevel, c.areas, c.segments, c.format]),
      [['oac2011', 'oa11', 2, { supergroup: 2, group: 2, subgroup: 2 }, 'properties of cdrc2.geojson']],
    );
    const names = await ws.engine.all(
      `SELECT tier, code, name, parent FROM segment WHERE classification = 'oac2011' ORDER BY ordinal, tier`,
    );
    assert.deepEqual(
      names.filter((x) => x.code === '2a1' || x.code === '1').map((x) => [x.tier, x.code, x.name, x.parent]),
      [
        ['supergroup', '1', 'Rural Residents', null],
        ['subgroup', '2a1', 'Student Communal Living', '2a'],
      ],
    );
    // Named properties, under a name given.
    const named = await importReference(ws.engine, {
      boundaries: [{ file: file('cdrc3.geojson', cdrcBoundaries()), level: 'oa11' }],
      classificationFromBoundaries: ['supgrpcode', 'subgrpcode'],
      classificationName: 'two_tiers',
    });
    assert.deepEqual(named.classifications[0].tiers, ['supergroup', 'subgroup']);
    assert.equal(named.classifications[0].name, 'two_tiers');
    await refused(
      ws,
      {
        boundaries: [{ file: file('cdrc4.geojson', cdrcBoundaries()), level: 'oa11' }],
        classificationFromBoundaries: ['supgrpcd'],
      },
      /no property "supgrpcd"/,
    );
  } finally {
    ws.close();
  }
});

test('segment names one row per subgroup with its parents, or a heading per tier then "code - name"', async () => {
  const ws = await fresh();
  try {
    await importReference(ws.engine, {
      classification: [file('c.csv', 'area_code,supergroup,group,subgroup\nE00000001,1,1a,1a1\nE00000002,2,2b,2b3\n')],
      classificationName: 'cdrc',
    });
    const perRow = await importReference(ws.engine, {
      segments: [
        file(
          'per-row.csv',
          'Supergroup Code,Supergroup Name,Group Code,Group Name,Subgroup Code,Subgroup Name\n1,Rural Residents,1a,Farming Communities,1a1,Rural Workers and Families\n2,Cosmopolitans,2b,Inner-City Students,2b3,Student Digs\n',
        ),
      ],
      classificationName: 'cdrc',
    });
    assert.equal(perRow.segments[0].named, 6);
    const sectioned = await importReference(ws.engine, {
      segments: [
        file(
          'Cluster_Names.csv',
          'Supergroup\n1 - Rural Residents\n2 - Cosmopolitans\nGroup\n1a - Farming Folk\n2b - Inner-City Students\nSubgroup\n1a1 - Rural Workers\n2b3 - "Student Digs"\n',
        ),
      ],
      classificationName: 'cdrc',
    });
    assert.equal(sectioned.segments[0].named, 6);
    const names = await ws.engine.all(
      `SELECT tier, code, name FROM segment WHERE classification = 'cdrc' ORDER BY tier, code`,
    );
    assert.deepEqual(
      names.map((x) => `${x.tier} ${x.code} ${x.name}`),
      [
        'group 1a Farming Folk',
        'group 2b Inner-City Students',
        'subgroup 1a1 Rural Workers',
        'subgroup 2b3 Student Digs',
        'supergroup 1 Rural Residents',
        'supergroup 2 Cosmopolitans',
      ],
    );
    await refused(
      ws,
      {
        segments: [file('Cluster_Bad.csv', 'Supergroup\n1 - Rural Residents\nnot a segment\n')],
        classificationName: 'cdrc',
      },
      /Line 3 of the names file/,
    );
  } finally {
    ws.close();
  }
});

const leicester = sharedData('leicester-oac2011');
test('the CDRC’s Leicester pack imports as published through the CLI: shapefile, OAC from its properties, Cluster_Names.csv', {
  skip: leicester.skip,
}, async () => {
  const L = leicester.path;
  const ws = join(tmp.dir, 'leicester.civic');
  await civic('init', ws);
  const r = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    `${L}/E06000016_Leicester.shp`,
    '--level',
    'oa11',
    '--classification-from-boundaries',
    '--segments',
    `${L}/Cluster_Names.csv`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /Boundaries from E06000016_Leicester\.shp: 969 oa11 areas \(converted from British National Grid\)/,
  );
  assert.match(r.stdout, /Classification oac2011 \(properties of E06000016_Leicester\.shp\) on 969 oa11 areas/);
  // Every area's subgroup is the one the CDRC's own table gives it.
  const table = readFileSync(`${L}/2011_OAC_Raw_uVariables_Leicester.csv`, 'utf8').trim().split('\n');
  const h = table[0].split(',');
  const oa = h.indexOf('OA11CD');
  const sub = h.indexOf('subgrpcode');
  const s = await civic('reference', 'status', ws, '--format', 'json');
  const status = JSON.parse(s.stdout);
  assert.equal(status.classifications[0].areas, 969);
  const wsx = await (await import('../../src/store/index.ts')).openWorkspace(ws);
  try {
    const got = new Map(
      (
        await wsx.engine.all<{ area_code: string; code: string }>(
          `SELECT area_code, code FROM area_segment WHERE classification = 'oac2011' AND tier = 'subgroup'`,
        )
      ).map((x) => [x.area_code, x.code]),
    );
    for (const line of table.slice(1)) {
      const c = line.split(',');
      assert.equal(got.get(c[oa]), c[sub], c[oa]);
    }
    const named = await wsx.engine.one<{ n: number; blank: number }>(
      `SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE name LIKE 'Subgroup %' OR name LIKE 'Group %')::BIGINT AS blank FROM segment WHERE classification = 'oac2011'`,
    );
    assert.deepEqual(named, { n: 76, blank: 0 });
  } finally {
    wsx.close();
  }
});
