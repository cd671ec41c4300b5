/**
 * Issue 12, acceptance 1 (the rest of it) and point 3: an unseen borough from files shaped as ONS
 * and the CDRC publish them — British National Grid boundaries for output areas and wards with
 * codes and the OAC as properties, the population as m,f columns, a names file, a postcode
 * directory of 2011 output areas (an NSPL from before 2022) and a Census 2021 base — imports and
 * profiles with no conversion outside the Observatory. Built from Trafford's real files: the 2011
 * directory gives each postcode the 2011 output area its point lies in (worked out here, with turf,
 * from ONS's 2011 boundaries), and everything else is projected or reshaped from the published files.
 *
 * Then the same directory without the 2021 boundaries: the postcodes meet the 2021 base through the
 * codes that did not change, and the areas that did are named. The figures are checked against a
 * count made here from the published files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { lonLatToBng } from '../../src/geo/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: T, skip } = sharedData('trafford');
const tmp = tempDir('civic-trafford-2011-');
after(() => tmp.cleanup());
const F = (name: string) => join(tmp.dir, name);
const csvRows = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));

type Geometry = { type: string; coordinates: number[][][] | number[][][][] };
type Feature = { properties: Record<string, string>; geometry: Geometry };
let oa11Of: Map<string, string>; // postcode → 2011 OA by its point
let oa21Codes: Set<string>;
let oac: Map<string, string[]>;

const project = (c: unknown): unknown =>
  Array.isArray(c) && typeof c[0] === 'number' ? lonLatToBng(c[0], c[1] as number) : (c as unknown[]).map(project);
function bngFile(features: Feature[], props: (f: Feature) => Record<string, string>): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } },
    features: features.map((f) => ({
      type: 'Feature',
      properties: props(f),
      geometry: { type: f.geometry.type, coordinates: project(f.geometry.coordinates) },
    })),
  });
}

before(() => {
  if (skip) return;
  const read = (f: string) => JSON.parse(readFileSync(`${T}/boundaries/${f}`, 'utf8')).features as Feature[];
  const oa11 = read('oa_2011_trafford_oa_generalised.geojson');
  const oa21 = read('oa_2021_trafford_oa_generalised.geojson');
  const wards = read('ward_2023_trafford_ward_generalised.geojson');
  oa21Codes = new Set(oa21.map((f) => f.properties.area_code));
  oac = new Map(
    csvRows(`${T}/derived/trafford_oac2021_by_oa21.csv`)
      .slice(1)
      .map((r) => [r[0], r.slice(1)]),
  );
  // The 2011 output area of each postcode, by its point in ONS's 2011 boundaries (boxes first).
  const boxes = oa11.map((f) => {
    const xs: number[] = [],
      ys: number[] = [];
    const walk = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        xs.push(c[0]);
        ys.push(c[1] as number);
      } else (c as unknown[]).forEach(walk);
    };
    walk(f.geometry.coordinates);
    return { f, x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
  });
  oa11Of = new Map();
  const lines = ['pcd,oa11,osward,laua,lat,long'];
  const pcs = readFileSync(`${T}/postcodes/trafford_postcodes.csv`, 'utf8').trim().split(/\r?\n/).slice(1);
  for (const line of pcs) {
    // ward_name may be quoted with a comma inside: the fields wanted are at the two ends.
    const first = line.split(',');
    const [postcode, ward] = first;
    const lat = Number(first.at(-1)),
      lon = Number(first.at(-2));
    const hit = boxes.find(
      (b) =>
        lon >= b.x0 &&
        lon <= b.x1 &&
        lat >= b.y0 &&
        lat <= b.y1 &&
        booleanPointInPolygon([lon, lat], b.f.geometry as Parameters<typeof booleanPointInPolygon>[1]),
    );
    const oa = hit?.f.properties.area_code ?? '';
    if (oa) oa11Of.set(postcode, oa);
    lines.push([postcode, oa, ward, 'E08000009', lat, lon].join(','));
  }
  writeFileSync(F('nspl_2011_trafford.csv'), lines.join('\n') + '\n');
  writeFileSync(
    F('oa21_bng.geojson'),
    bngFile(oa21, (f) => {
      const [sg, g, sub] = oac.get(f.properties.area_code)!;
      return { OA21CD: f.properties.area_code, supgrpcode: sg, grpcode: g, subgrpcode: sub };
    }),
  );
  writeFileSync(
    F('wards_bng.geojson'),
    bngFile(wards, (f) => ({ WD23CD: f.properties.area_code, WD23NM: f.properties.area_name })),
  );
  const sexes = new Map<string, { m: number; f: number }>();
  for (const r of csvRows(`${T}/census2021/2021_population_by_sex_oa_trafford.csv`).slice(1)) {
    const e = sexes.get(r[0]) ?? { m: 0, f: 0 };
    if (r[4] === 'Male') e.m = Number(r[7]);
    if (r[4] === 'Female') e.f = Number(r[7]);
    sexes.set(r[0], e);
  }
  writeFileSync(
    F('population_m_f.csv'),
    ['geography code,m,f', ...[...sexes].map(([o, x]) => `${o},${x.m},${x.f}`)].join('\n'),
  );
  writeFileSync(
    F('supergroups.csv'),
    ['code,name', ...[...new Set([...oac.values()].map((t) => t[0]))].map((c) => `${c},Supergroup ${c}`)].join('\n'),
  );
  // A service file: one record for every third postcode.
  writeFileSync(
    F('service.csv'),
    ['id,postcode', ...[...oa11Of.keys()].filter((_, i) => i % 3 === 0).map((p, i) => `${i + 1},${p}`)].join('\n'),
  );
});

test('a 2011-area postcode directory, British National Grid boundaries for OAs and wards, and a Census 2021 base import and profile in one go', {
  skip,
}, async () => {
  const ws = F('unseen.civic');
  assert.equal((await civic('init', ws)).code, 0);
  const imp = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    F('oa21_bng.geojson'),
    '--level',
    'oa21',
    '--boundaries',
    F('wards_bng.geojson'),
    '--level',
    'ward',
    '--code-property',
    'oa21=OA21CD',
    '--code-property',
    'ward=WD23CD',
    '--classification-from-boundaries',
    '--postcodes',
    F('nspl_2011_trafford.csv'),
    '--base',
    `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`,
    '--base',
    F('population_m_f.csv'),
    '--base-sum',
    'population=m+f',
    '--segments',
    F('supergroups.csv'),
  );
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /738 oa21 areas \(converted from British National Grid\)/);
  assert.match(imp.stdout, /21 ward areas \(converted from British National Grid\)/);
  assert.match(imp.stdout, /Base from population_m_f\.csv: 738 oa21 areas/);
  assert.equal((await civic('dataset', 'import', ws, 'service', F('service.csv'))).code, 0);
  const prof = await civic('profile', ws, 'service', '--min-cell', '0', '--format', 'json');
  assert.equal(prof.code, 0, prof.stderr);
  const r = JSON.parse(prof.stdout);
  assert.equal(r.classification, 'oac2021');
  assert.equal(r.total.base, 96271, "Trafford's households, every one");
  const records = [...oa11Of.keys()].filter((_, i) => i % 3 === 0).length;
  assert.equal(r.total.count, records);
  assert.equal(r.rows.find((x: { code: string }) => x.code === '1').name, 'Supergroup 1');
  // By ward, from the ward boundaries' own codes.
  const byWard = await civic('profile', ws, 'service', '--by-area', 'ward', '--min-cell', '0', '--format', 'json');
  assert.equal(byWard.code, 0, byWard.stderr);
  assert.equal(JSON.parse(byWard.stdout).rows.length, 21);
});

test("the same 2011 directory with no 2021 boundaries meets the Census 2021 base through Trafford's unchanged output areas, naming the ones that changed", {
  skip,
}, async () => {
  const ws = F('bridged.civic');
  assert.equal((await civic('init', ws)).code, 0);
  const imp = await civic(
    'reference',
    'import',
    ws,
    '--postcodes',
    F('nspl_2011_trafford.csv'),
    '--base',
    `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`,
    '--format',
    'json',
  );
  assert.equal(imp.code, 0, imp.stderr);
  const out = JSON.parse(imp.stdout);
  assert.equal(out.base[0].level, 'oa21');
  assert.match(out.base[0].year.reason, /were first used in 2021: 2011 codes stop at E00176774/);
  // Counted here: postcodes whose 2011 area code is also a 2021 area code, and those in areas that changed.
  let unchanged = 0;
  const changed = new Set<string>();
  for (const oa of oa11Of.values()) {
    if (oa21Codes.has(oa)) unchanged++;
    else changed.add(oa);
  }
  const bridge = out.bridges.find((b: { to: string }) => b.to === 'oa21');
  assert.ok(bridge, JSON.stringify(out.bridges));
  assert.equal(bridge.postcodes, unchanged);
  assert.equal(bridge.left, oa11Of.size - unchanged);
  assert.equal(bridge.changedAreas, changed.size);
  assert.ok(changed.size > 0 && unchanged > 10_000, `${unchanged} unchanged, ${changed.size} changed areas`);
  console.log(
    `# Trafford: ${unchanged} postcodes carried across, ${oa11Of.size - unchanged} in ${changed.size} changed 2011 areas`,
  );
  assert.equal((await civic('dataset', 'import', ws, 'service', F('service.csv'))).code, 0);
  const prof = await civic('profile', ws, 'service', '--by-area', 'oa21', '--min-cell', '0', '--format', 'json');
  assert.equal(prof.code, 0, prof.stderr);
  const r = JSON.parse(prof.stdout);
  const inUnchanged = [...oa11Of.entries()].filter((_, i) => i % 3 === 0).filter(([, oa]) => oa21Codes.has(oa)).length;
  assert.equal(r.total.count, inUnchanged, 'records in unchanged areas are profiled');
  assert.ok(r.unmatched >= [...oa11Of.keys()].filter((_, i) => i % 3 === 0).length - inUnchanged);
});
