/**
 * Issue 12, acceptance 1: Trafford's real files in the shapes ONS and the CDRC publish them —
 * output-area boundaries in British National Grid carrying the 2021 OAC as properties, the
 * population as male and female count columns, a names file of code and name — import and
 * profile through the CLI with no conversion outside the Observatory. The fixture builder turns
 * the published WGS84 files into those shapes (with proj4, as ONS's own BNG files are made).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lonLatToBng } from '../../src/geo/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: T, skip } = sharedData('trafford');
const tmp = tempDir();
after(() => tmp.cleanup());

const rows = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
let oac: Map<string, string[]>;
let sexes: Map<string, { m: number; f: number }>;
const F = (name: string) => join(tmp.dir, name);

before(() => {
  if (skip) return;
  oac = new Map(
    rows(`${T}/derived/trafford_oac2021_by_oa21.csv`)
      .slice(1)
      .map((r) => [r[0], r.slice(1)]),
  );
  // Boundaries in British National Grid, as ONS publishes them, with the OAC as properties.
  const wgs = JSON.parse(readFileSync(`${T}/boundaries/oa_2021_trafford_oa_generalised.geojson`, 'utf8'));
  const project = (c: unknown): unknown =>
    Array.isArray(c) && typeof c[0] === 'number' ? lonLatToBng(c[0], c[1] as number) : (c as unknown[]).map(project);
  const bng = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } },
    features: wgs.features.map(
      (f: { properties: { area_code: string }; geometry: { type: string; coordinates: unknown } }) => {
        const [sg, g, sub] = oac.get(f.properties.area_code)!;
        return {
          type: 'Feature',
          properties: {
            OA21CD: f.properties.area_code,
            LAD22CD: 'E08000009',
            supgrpcode: sg,
            grpcode: g,
            subgrpcode: sub,
          },
          geometry: { type: f.geometry.type, coordinates: project(f.geometry.coordinates) },
        };
      },
    ),
  };
  writeFileSync(F('oa21_bng.geojson'), JSON.stringify(bng));
  // Population as male and female count columns, from the Census 2021 file by sex.
  sexes = new Map();
  for (const r of rows(`${T}/census2021/2021_population_by_sex_oa_trafford.csv`).slice(1)) {
    const e = sexes.get(r[0]) ?? { m: 0, f: 0 };
    if (r[4] === 'Male') e.m = Number(r[7]);
    if (r[4] === 'Female') e.f = Number(r[7]);
    sexes.set(r[0], e);
  }
  writeFileSync(
    F('population_m_f.csv'),
    ['oa21cd,m,f', ...[...sexes].map(([oa, x]) => `${oa},${x.m},${x.f}`)].join('\n'),
  );
  // A names file of code and name (one line per segment of any tier).
  const codes = new Set<string>();
  for (const t of oac.values()) for (const c of t) codes.add(c);
  writeFileSync(F('oac_names.csv'), ['code,name', ...[...codes].map((c) => `${c},Trafford segment ${c}`)].join('\n'));
});

test('Trafford as published in British National Grid, with the OAC as boundary properties and the population in parts, imports and profiles through the CLI', {
  skip,
}, async () => {
  const ws = F('trafford-bng.civic');
  assert.equal((await civic('init', ws)).code, 0);
  const imp = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    F('oa21_bng.geojson'),
    '--level',
    'oa21',
    '--code-property',
    'oa21=OA21CD',
    '--classification-from-boundaries',
    '--postcodes',
    `${T}/postcodes/trafford_postcodes.csv`,
    '--base',
    `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`,
    '--base',
    F('population_m_f.csv'),
    '--base-sum',
    'population=m+f',
    '--segments',
    F('oac_names.csv'),
  );
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(
    imp.stdout,
    /Boundaries from oa21_bng\.geojson: 738 oa21 areas \(converted from British National Grid\)/,
  );
  assert.match(
    imp.stdout,
    /Classification oac2021 \(properties of oa21_bng\.geojson\) on 738 oa21 areas: 8 supergroups/,
  );
  assert.match(imp.stdout, /11,264 postcodes given their Output area \(2021\) code from the boundaries/);
  const people = [...sexes.values()].reduce((a, x) => a + x.m + x.f, 0);
  assert.match(
    imp.stdout,
    new RegExp(`Base from population_m_f\\.csv: 738 oa21 areas, ${people.toLocaleString('en-GB')} people`),
  );

  // Every postcode is in the output area the published WGS84 boundaries put it in.
  const ref = F('trafford-wgs.civic');
  await civic('init', ref);
  const r2 = await civic(
    'reference',
    'import',
    ref,
    '--boundaries',
    `${T}/boundaries/oa_2021_trafford_oa_generalised.geojson`,
    '--level',
    'oa21',
    '--postcodes',
    `${T}/postcodes/trafford_postcodes.csv`,
  );
  assert.equal(r2.code, 0, r2.stderr);
  const placed = async (path: string) => {
    const w = await openWorkspace(path);
    try {
      return new Map(
        (await w.engine.all<{ pc_key: string; oa21: string }>(`SELECT pc_key, oa21 FROM postcode`)).map((p) => [
          p.pc_key,
          p.oa21,
        ]),
      );
    } finally {
      w.close();
    }
  };
  const [a, b] = [await placed(ws), await placed(ref)];
  assert.equal(a.size, 11264);
  let same = 0;
  for (const [k, oa] of a) if (b.get(k) === oa) same++;
  assert.equal(same, 11264);

  // A service file (one record per postcode) profiles by the OAC from the boundary properties, named by the names file.
  const pcs = [...a.keys()];
  writeFileSync(
    F('service.csv'),
    ['id,postcode', ...pcs.map((k, i) => `${i + 1},${k.slice(0, -3)} ${k.slice(-3)}`)].join('\n'),
  );
  assert.equal((await civic('dataset', 'import', ws, 'service', F('service.csv'))).code, 0);
  const prof = await civic('profile', ws, 'service', '--format', 'json');
  assert.equal(prof.code, 0, prof.stderr);
  const p = JSON.parse(prof.stdout);
  const result = p.profile ?? p.result ?? p;
  assert.equal(result.classification, 'oac2021');
  assert.equal(result.total.base, 96271);
  assert.equal(result.total.count, 11264);
  // Counted here from the published OAC file: the records per supergroup.
  const expected = new Map<string, number>();
  for (const k of pcs) {
    const sg = oac.get(a.get(k)!)![0];
    expected.set(sg, (expected.get(sg) ?? 0) + 1);
  }
  assert.equal(result.rows.length, 8);
  for (const row of result.rows) {
    assert.equal(row.suppressed, false, row.code);
    assert.equal(row.count, expected.get(row.code) ?? 0, row.code);
    assert.equal(row.name, `Trafford segment ${row.code}`);
  }
});
