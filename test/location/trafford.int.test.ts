/**
 * Acceptance 1 on real data: Trafford's 13 libraries — nearest-library minutes for all 738 output
 * areas (checked against a brute-force haversine), catchment profiles by OAC 2021 supergroup, and
 * 2SFCA ratios (supply conserved; one area worked by hand) — on straight-line costs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import {
  importFacilities,
  listFacilities,
  accessibility,
  catchment,
  sfca,
  CatchmentResultSchema,
  AccessResultSchema,
} from '../../src/location/index.ts';
import { discloseCatchment } from '../../src/outputs/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: T, skip } = sharedData('trafford');
const tmp = tempDir();
const WS = join(tmp.dir, 'trafford.civic');
let ws: Workspace | undefined;

/** Haversine, written out again so the check does not lean on the code it checks. */
function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180,
    R = 6_371_008.8;
  const a =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}
/** Straight line × 1.3 at 30 km/h (500 m a minute), stored as the matrix stores it. */
const carMinutes = (m: number) => Math.fround((m * 1.3) / 500);

let centroids: { oa: string; lon: number; lat: number }[] = [];
let libraries: { id: string; name: string; lon: number; lat: number }[] = [];

before(async () => {
  if (skip) return;
  ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    areas: [`${T}/derived/trafford_oa21_to_lsoa21.csv`],
    boundaries: [
      { file: `${T}/boundaries/oa_2021_trafford_oa_generalised.geojson`, level: 'oa21' },
      { file: `${T}/boundaries/ward_2023_trafford_ward_generalised.geojson`, level: 'ward' },
    ],
    postcodes: `${T}/postcodes/trafford_postcodes.csv`,
    base: [
      `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`,
      `${T}/derived/trafford_census2021_ts001_usual_residents_by_oa21.csv`,
    ],
    classification: [`${T}/derived/trafford_oac2021_by_oa21.csv`],
  });
  const imp = await importFacilities(ws.engine, `${T}/facilities/trafford_libraries.csv`, { kind: 'library' });
  assert.deepEqual([imp.read, imp.imported, imp.rejected], [13, 13, 0]);
  // Independent centroids: the plain mean of each OA's postcodes (Trafford's list holds live postcodes only).
  centroids = await ws.engine.all(
    `SELECT oa21 AS oa, avg(lon) AS lon, avg(lat) AS lat FROM postcode WHERE oa21 IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  libraries = (await listFacilities(ws.engine, { kind: 'library' })).map((f) => ({
    id: f.id,
    name: f.name,
    lon: f.lon,
    lat: f.lat,
  }));
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test("Trafford's facility files import as published: 13 libraries, and 57 pharmacies from GeoJSON with weekday hours", {
  skip,
}, async () => {
  assert.equal(libraries.length, 13);
  assert.ok(libraries.some((l) => l.name === 'Altrincham Library' && Math.abs(l.lon + 2.3521566) < 1e-6));
  const ph = await importFacilities(ws!.engine, `${T}/facilities/trafford_pharmacies.geojson`, { kind: 'pharmacy' });
  assert.deepEqual([ph.format, ph.imported, ph.rejected], ['geojson', 57, 0]);
  const [first] = (await listFacilities(ws!.engine, { kind: 'pharmacy' })).filter(
    (f) => f.name === 'Alphabet Pharmacy',
  );
  assert.equal(
    first.openingHours,
    'Mon 09:00-17:00; Tue 09:00-17:00; Wed 09:00-17:00; Thu 09:00-17:00; Fri 09:00-17:00; Sat CLOSED; Sun CLOSED',
  );
  const gp = await importFacilities(ws!.engine, `${T}/facilities/trafford_general_practices.csv`, {
    kind: 'gp_surgery',
  });
  assert.deepEqual([gp.imported, gp.rejected], [26, 0]);
});

test('nearest-library minutes for all 738 output areas match a brute-force haversine', { skip }, async () => {
  const r = AccessResultSchema.parse(await accessibility(ws!.engine, { kinds: ['library'] }));
  assert.equal(r.areas.length, 738);
  assert.equal(centroids.length, 738);
  for (let i = 0; i < 738; i++) {
    const a = r.areas[i],
      c = centroids[i];
    assert.equal(a.code, c.oa);
    const brute = Math.min(...libraries.map((l) => carMinutes(haversine(c.lon, c.lat, l.lon, l.lat))));
    const got = a.kinds[0].nearestMinutes!;
    assert.ok(Number.isFinite(got), `${a.code} has no nearest library`);
    assert.ok(Math.abs(got - brute) < 1e-4, `${a.code}: ${got} against ${brute}`);
  }
  // Borough shares: households whose nearest library is within each threshold, against the same brute force.
  const hh = new Map(
    (
      await ws!.engine.all<{ c: string; h: number }>(
        `SELECT area_code AS c, households AS h FROM area_base WHERE level = 'oa21'`,
      )
    ).map((x) => [x.c, x.h]),
  );
  const total = [...hh.values()].reduce((s, x) => s + x, 0);
  const within15 = r.areas.filter((a) => a.kinds[0].nearestMinutes! <= 15).reduce((s, a) => s + hh.get(a.code)!, 0);
  assert.equal(r.kinds[0].borough.demand, total);
  assert.equal(r.kinds[0].borough.within[0], within15);
  assert.equal(r.kinds[0].borough.share[3], 1, 'every household is within an hour of a library by car');
});

test('catchment profiles for every library by OAC 2021 supergroup within 15 minutes, one checked by hand', {
  skip,
}, async () => {
  const seg = new Map(
    (
      await ws!.engine.all<{ a: string; c: string }>(
        `SELECT area_code AS a, code AS c FROM area_segment WHERE classification = 'oac2021' AND tier = 'supergroup'`,
      )
    ).map((x) => [x.a, x.c]),
  );
  const hh = new Map(
    (
      await ws!.engine.all<{ c: string; h: number }>(
        `SELECT area_code AS c, households AS h FROM area_base WHERE level = 'oa21'`,
      )
    ).map((x) => [x.c, x.h]),
  );
  for (const lib of libraries) {
    const r = CatchmentResultSchema.parse(
      await catchment(ws!.engine, {
        site: { facility: lib.id },
        minutes: 15,
        classification: 'oac2021',
        tier: 'supergroup',
      }),
    );
    assert.equal(r.segments.length, 8);
    // Brute force: OAs whose centroid is within 15 minutes, and their households by supergroup.
    const inside = centroids.filter((c) => carMinutes(haversine(c.lon, c.lat, lib.lon, lib.lat)) <= 15);
    assert.deepEqual(
      r.areas.map((a) => a.code).sort(),
      inside.map((c) => c.oa),
      lib.name,
    );
    const bySg = new Map<string, number>();
    for (const c of inside) bySg.set(seg.get(c.oa)!, (bySg.get(seg.get(c.oa)!) ?? 0) + hh.get(c.oa)!);
    for (const s of r.segments) assert.equal(s.inCatchment, bySg.get(s.code) ?? 0, `${lib.name} supergroup ${s.code}`);
    assert.equal(
      r.segments.reduce((t, s) => t + s.inCatchment!, 0),
      r.total.households,
    );
    assert.equal(r.borough.households, 96271);
    if (lib.name === 'Altrincham Library') {
      // Index = (catchment households in the supergroup ÷ catchment households) ÷ (its borough households ÷ 96,271) × 100.
      const s = r.segments.find((x) => (x.inCatchment ?? 0) > 0)!;
      const boroughSg = [...hh].filter(([oa]) => seg.get(oa) === s.code).reduce((t, [, h]) => t + h, 0);
      assert.equal(s.borough, boroughSg);
      assert.ok(Math.abs(s.index! - (s.inCatchment! / r.total.households! / (boroughSg / 96271)) * 100) < 1e-9);
      assert.ok(r.polygon && r.polygon.geometry.coordinates[0].length >= 4);
      assert.equal(r.polygon.properties.display, 'for display only');
      // Suppression for an export: counts under 10 hidden, with a second cell so none can be worked out.
      const shown = discloseCatchment(r, 10);
      const small = r.segments.filter((x) => x.inCatchment! < 10).length;
      assert.ok(shown.segments.filter((x) => x.suppressed).length >= (small ? Math.max(2, small) : 0));
    }
  }
});

test('2SFCA library ratios: every area is covered, the supply is conserved, and one area is worked by hand', {
  skip,
}, async () => {
  const r = await sfca(ws!.engine, { kind: 'library', catchment: 30, demand: 'population' });
  assert.equal(r.supplyMeasure, 'count');
  assert.equal(r.areas.length, 738);
  assert.ok(
    r.areas.every((a) => a.facilitiesWithin > 0),
    'every area has a library within 30 minutes',
  );
  // Σ ratio × demand = total supply (13 libraries, each with people in reach).
  assert.equal(r.totals.supplyReached, 13);
  const shared = r.areas.reduce((s, a) => s + a.ratio * a.demand, 0);
  assert.ok(Math.abs(shared - 13) < 1e-9, `supply shared out: ${shared}`);
  // By hand for the first area: R_j = 1 ÷ (people within 30 min of library j); A = Σ R_j over libraries within 30 min.
  const pop = new Map(
    (
      await ws!.engine.all<{ c: string; p: number }>(
        `SELECT area_code AS c, population AS p FROM area_base WHERE level = 'oa21'`,
      )
    ).map((x) => [x.c, x.p]),
  );
  const R = libraries.map(
    (l) =>
      1 /
      centroids
        .filter((c) => carMinutes(haversine(c.lon, c.lat, l.lon, l.lat)) <= 30)
        .reduce((s, c) => s + pop.get(c.oa)!, 0),
  );
  const c0 = centroids[0];
  const A0 = libraries.reduce(
    (s, l, j) => (carMinutes(haversine(c0.lon, c0.lat, l.lon, l.lat)) <= 30 ? s + R[j] : s),
    0,
  );
  assert.equal(r.areas[0].code, c0.oa);
  assert.ok(Math.abs(r.areas[0].ratio - A0) < 1e-12, `${r.areas[0].ratio} against ${A0}`);
});

test('the command line: civic location access … --format json, and a plain-English refusal', { skip }, () => {
  ws?.close();
  ws = undefined;
  const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const r = run('location', 'access', WS, '--kind', 'library', '--thresholds', '10,20', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.thresholds, [10, 20]);
  assert.equal(out.areas.length, 738);
  assert.equal(out.kinds[0].facilities, 13);
  const bad = run('location', 'catchment', WS, '--site', 'Atlantis Library', '--within', '15', '--format', 'json');
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stdout).error.code, 'not_found');
});

test('the command line: choosing libraries and closing one, on Trafford (civic location choose / scenario)', {
  skip,
}, async () => {
  const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  // Keep 13 libraries' worth of coverage with 6 new grid sites at most: none of today's may be chosen.
  const choose = run(
    'location',
    'choose',
    WS,
    '--kind',
    'library',
    '--problem',
    'mclp',
    '--sites',
    '6',
    '--standard',
    '15',
    '--mode',
    'walk',
    '--grid',
    '1500',
    '--grid-only',
    '--method',
    'heuristic',
    '--format',
    'json',
  );
  assert.equal(choose.status, 0, choose.stderr);
  const c = JSON.parse(choose.stdout) as {
    openIds: string[];
    candidates: { id: string; source: string }[];
    coverage: { share: number };
  };
  assert.equal(c.openIds.length, 6);
  const source = new Map(c.candidates.map((x) => [x.id, x.source]));
  assert.ok(
    c.openIds.every((id) => source.get(id) === 'grid'),
    `--grid-only opened ${c.openIds.join(', ')}`,
  );
  assert.ok(c.coverage.share > 0 && c.coverage.share < 1);
  // Closing a library never raises coverage; the change is after − before.
  const scen = run(
    'location',
    'scenario',
    WS,
    '--kind',
    'library',
    '--standard',
    '15',
    '--mode',
    'walk',
    '--close',
    'Sale Library',
    '--format',
    'json',
  );
  assert.equal(scen.status, 0, scen.stderr);
  const s = JSON.parse(scen.stdout) as {
    before: { coveredShare: number };
    after: { coveredShare: number };
    change: { coveredShare: number };
    openAfter: string[];
  };
  assert.ok(s.after.coveredShare <= s.before.coveredShare);
  assert.ok(Math.abs(s.after.coveredShare - s.before.coveredShare - s.change.coveredShare) < 1e-12);
  assert.equal(s.openAfter.length, 12);
  // The same scenario as a workbook for a report: the change, each segment, the areas losing coverage.
  const xlsx = join(tmp.dir, 'close-sale.xlsx');
  const w = run(
    'location',
    'scenario',
    WS,
    '--kind',
    'library',
    '--standard',
    '15',
    '--mode',
    'walk',
    '--close',
    'Sale Library',
    '--format',
    'xlsx',
    '--out',
    xlsx,
  );
  assert.equal(w.status, 0, w.stderr);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  assert.deepEqual(
    wb.worksheets.map((x) => x.name),
    ['Change', 'Segments', 'Losing coverage', 'Notes'],
  );
  const share = wb.getWorksheet('Change')!.getRow(4).values as (string | number)[];
  assert.equal(share[1], 'Share covered');
  assert.ok(
    Math.abs(Number(share[2]) - s.before.coveredShare) < 1e-12 &&
      Math.abs(Number(share[3]) - s.after.coveredShare) < 1e-12,
  );
});
