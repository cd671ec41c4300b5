import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importReference, referenceStatus } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { profileDataset } from '../../src/profiling/index.ts';
import { createRandom } from '../../src/core/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: T, skip } = sharedData('trafford');
const SHARED = T.replace(/\/trafford$/, '');
const tmp = tempDir();
let ws: Workspace;

function csvRows(file: string): string[][] {
  // These derived files have no quoted fields except IMD ranks, handled where read.
  return readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
}

before(async () => {
  if (skip) return;
  ws = await createWorkspace(join(tmp.dir, 'trafford.civic'));
  await importReference(ws.engine, {
    areas: [`${T}/derived/trafford_oa21_to_lsoa21.csv`],
    boundaries: [
      { file: `${T}/boundaries/oa_2021_trafford_oa_generalised.geojson`, level: 'oa21' },
      { file: `${T}/boundaries/oa_2011_trafford_oa_generalised.geojson`, level: 'oa11' },
      { file: `${T}/boundaries/lsoa_2011_trafford_lsoa_generalised.geojson`, level: 'lsoa11' },
      { file: `${T}/boundaries/ward_2023_trafford_ward_generalised.geojson`, level: 'ward' },
    ],
    postcodes: `${T}/postcodes/trafford_postcodes.csv`,
    base: [
      `${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`,
      `${T}/derived/trafford_census2021_ts001_usual_residents_by_oa21.csv`,
    ],
    classification: [`${T}/derived/trafford_oac2021_by_oa21.csv`, `${T}/derived/trafford_oac2011_lookup_by_oa11.csv`],
    deprivation: [`${T}/derived/trafford_imd2019_by_lsoa11.csv`],
    // The national names file: its codes match the 2011 OAC, so the names go there.
    segments: [`${SHARED}/national/oac2011-national/2011_OAC_names_and_codes_uk.csv`],
  });
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test('all 11,264 Trafford postcodes get an OA 2021 code by point in polygon', { skip }, async () => {
  const r = (await ws.engine.one<{ n: number; oa: number; pip: number }>(
    `SELECT count(*)::BIGINT AS n, count(oa21)::BIGINT AS oa, (SELECT count(*) FROM postcode_placement WHERE level = 'oa21' AND method = 'point in polygon')::BIGINT AS pip FROM postcode`,
  ))!;
  assert.deepEqual(r, { n: 11264, oa: 11264, pip: 11264 });
  // The OA found by point in polygon sits in the LSOA the postcode file names, for nearly every postcode.
  const agree = (await ws.engine.one<{ same: number }>(
    `SELECT count(*) FILTER (WHERE a.parent = p.lsoa21)::BIGINT AS same FROM postcode p JOIN area a ON a.code = p.oa21 AND a.level = 'oa21'`,
  ))!;
  assert.ok(agree.same / 11264 > 0.98, `only ${agree.same} of 11,264 agree with the published LSOA`);
});

test('the base is the Census 2021 household count per OA, exactly as published', { skip }, async () => {
  const published = csvRows(`${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`).slice(1);
  const base = new Map(
    (
      await ws.engine.all<{ area_code: string; households: number; population: number }>(
        `SELECT area_code, households, population FROM area_base WHERE level = 'oa21'`,
      )
    ).map((r) => [r.area_code, r]),
  );
  assert.equal(base.size, 738);
  for (const [oa, hh] of published) assert.equal(base.get(oa)!.households, Number(hh), oa);
  const pop = csvRows(`${T}/derived/trafford_census2021_ts001_usual_residents_by_oa21.csv`).slice(1);
  for (const [oa, p] of pop) assert.equal(base.get(oa)!.population, Number(p), oa);
});

test('the 2021 OAC is attached to every OA, and IMD 2019 to the 2011 LSOAs with its quoted ranks', {
  skip,
}, async () => {
  const status = await referenceStatus(ws.engine);
  const oac = status.classifications.find((c) => c.name === 'oac2021')!;
  assert.equal(oac.areas, 738);
  assert.deepEqual(oac.tiers, ['supergroup', 'group', 'subgroup']);
  const published = csvRows(`${T}/derived/trafford_oac2021_by_oa21.csv`).slice(1);
  const attached = new Map(
    (
      await ws.engine.all<{ area_code: string; code: string }>(
        `SELECT area_code, code FROM area_segment WHERE classification = 'oac2021' AND tier = 'subgroup'`,
      )
    ).map((r) => [r.area_code, r.code]),
  );
  for (const [oa, , , sub] of published) assert.equal(attached.get(oa), sub);
  const imd = status.deprivation.find((d) => d.name === 'imd2019')!;
  assert.equal(imd.areaLevel, 'lsoa11');
  assert.equal(imd.areas, 138);
  // "14,785" in the published file.
  const e = await ws.engine.one<{ rank: number; decile: number }>(
    `SELECT rank, decile FROM deprivation WHERE index_name = 'imd2019' AND domain = 'IMD' AND area_code = 'E01006074'`,
  );
  assert.deepEqual(e, { rank: 14785, decile: 5 });
  // Every postcode also reaches a 2011 LSOA, so IMD can be used for any record.
  const r = (await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM postcode p JOIN deprivation d ON d.area_code = p.lsoa11 AND d.domain = 'IMD' AND d.index_name = 'imd2019'`,
  ))!;
  assert.equal(r.n, 11264);
});

test('a generated service file profiles correctly on Trafford', { skip }, async () => {
  // Take-up depends on the OAC supergroup: supergroup 7 ten times as likely as the rest.
  const oac = new Map(
    csvRows(`${T}/derived/trafford_oac2021_by_oa21.csv`)
      .slice(1)
      .map((r) => [r[0], r[1]]),
  );
  const households = new Map(
    csvRows(`${T}/derived/trafford_census2021_ts041_households_by_oa21.csv`)
      .slice(1)
      .map((r) => [r[0], Number(r[1])]),
  );
  const pcs = await ws.engine.all<{ postcode: string; oa21: string }>(
    `SELECT left(pc_key, length(pc_key) - 3) || ' ' || right(pc_key, 3) AS postcode, oa21 FROM postcode ORDER BY pc_key`,
  );
  const rng = createRandom(11);
  const lines = ['client_id,client_postcode,referral'];
  const expected = new Map<string, number>();
  const perOa = new Map<string, number>();
  let n = 0;
  for (const p of pcs) {
    const sg = oac.get(p.oa21)!;
    const k = rng.next() < (sg === '7' ? 0.9 : 0.09) ? 1 + rng.int(3) : 0;
    for (let i = 0; i < k; i++) {
      lines.push(`${++n},${rng.next() < 0.2 ? p.postcode.toLowerCase().replace(' ', '') : p.postcode},self`);
      expected.set(sg, (expected.get(sg) ?? 0) + 1);
      perOa.set(p.oa21, (perOa.get(p.oa21) ?? 0) + 1);
    }
  }
  lines.push(`${++n},XX1 1XX,self`, `${++n},,self`);
  const file = join(tmp.dir, 'service.csv');
  writeFileSync(file, lines.join('\n'));
  const imp = await importDataset(ws.engine, 'service', file, { key: TEST_KEY });
  assert.deepEqual([imp.read, imp.matched, imp.unmatched, imp.rejected], [n, n - 2, 1, 1]);

  const p = await profileDataset(ws.engine, { dataset: 'service' });
  assert.equal(p.classification, 'oac2021');
  assert.equal(p.level, 'supergroup');
  assert.equal(p.rows.length, 8);
  const baseBySg = new Map<string, number>();
  for (const [oa, hh] of households) baseBySg.set(oac.get(oa)!, (baseBySg.get(oac.get(oa)!) ?? 0) + hh);
  for (const row of p.rows) {
    assert.equal(row.count, expected.get(row.code) ?? 0, `count for ${row.code}`);
    assert.equal(row.base, baseBySg.get(row.code), `base for ${row.code}`);
  }
  assert.equal(p.total.count, n - 2);
  assert.equal(p.total.base, 96271);
  assert.equal(p.unmatched, 2);
  const seven = p.rows.find((r) => r.code === '7')!;
  assert.equal(seven.band, 'High');
  assert.equal(seven.significant, true);

  // The 2011 OAC is on 2011 OAs: its base is bridged through postcodes, and no household is lost.
  const p11 = await profileDataset(ws.engine, { dataset: 'service', classification: 'oac2011', tier: 'supergroup' });
  assert.match(p11.baseMethod, /shared out/);
  assert.ok(Math.abs(p11.total.base - 96271) < 1e-6, `bridged base ${p11.total.base}`);
  assert.equal(p11.total.count, n - 2);

  // By ward and by deprivation decile.
  const wards = await profileDataset(ws.engine, { dataset: 'service', byArea: 'ward' });
  assert.equal(wards.rows.length, 21);
  assert.equal(wards.total.base, 96271);
  assert.equal(wards.baseExcluded, null);
  // LSOAs contain whole OAs: their bases are exact sums through the OA → LSOA lookup.
  const lsoas = await profileDataset(ws.engine, { dataset: 'service', byArea: 'lsoa21' });
  assert.match(lsoas.baseMethod, /area hierarchy/);
  assert.equal(lsoas.rows.length, 139);
  assert.ok(lsoas.rows.every((r) => Number.isInteger(r.base)));
  assert.equal(lsoas.total.base, 96271);
  // Records take the same path as households: postcode → OA → its LSOA in the lookup.
  assert.equal(lsoas.total.count, n - 2);
  const lookup = new Map(
    csvRows(`${T}/derived/trafford_oa21_to_lsoa21.csv`)
      .slice(1)
      .map((r) => [r[0], r[1]]),
  );
  const byLsoa = new Map<string, number>();
  for (const [sg, oaCount] of [...perOa]) byLsoa.set(lookup.get(sg)!, (byLsoa.get(lookup.get(sg)!) ?? 0) + oaCount);
  for (const row of lsoas.rows) assert.equal(row.count, byLsoa.get(row.code) ?? 0, row.code);
  assert.equal(wards.total.count, n - 2);
  const imd = await profileDataset(ws.engine, { dataset: 'service', classification: 'imd2019' });
  assert.equal(imd.rows.length, 10);
  assert.equal(imd.total.count, n - 2);
});

test('the 2011 OAC takes its names from the national names file, matching codes whatever their case', {
  skip,
}, async () => {
  const names = await ws.engine.all<{ tier: string; code: string; name: string }>(
    `SELECT tier, code, name FROM segment WHERE classification = 'oac2011' AND code IN ('5', '5b', '5b1') ORDER BY length(code)`,
  );
  assert.deepEqual(
    names.map((n) => [n.tier, n.code, n.name]),
    [
      ['supergroup', '5', 'Urbanites'],
      ['group', '5b', 'Ageing urban living'],
      ['subgroup', '5b1', 'Delayed retirement'],
    ],
  );
  assert.equal(
    (await ws.engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM segment WHERE classification = 'oac2011' AND name LIKE 'Supergroup %'`,
    ))!.n,
    0,
  );
  assert.equal(
    (await ws.engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM segment WHERE classification = 'oac2021' AND name LIKE 'Supergroup %'`,
    ))!.n,
    8,
  );
});

test('the national 2021 OAC, published as Parquet, imports and profiles Trafford alone', { skip }, async () => {
  const t2 = tempDir();
  try {
    const w = await createWorkspace(join(t2.dir, 'national-oac.civic'));
    try {
      const r = await importReference(w.engine, {
        boundaries: [{ file: `${T}/boundaries/oa_2021_trafford_oa_generalised.geojson`, level: 'oa21' }],
        postcodes: `${T}/postcodes/trafford_postcodes.csv`,
        base: [`${SHARED}/national/census2021-oa-national/ts041.csv.gz`],
        classification: [`${SHARED}/national/oac2021-national/UK_OAC_Final.parquet`],
        classificationName: 'oac2021',
      });
      assert.equal(r.classifications[0].areas, 239_023);
      assert.equal(r.classifications[0].format, 'ONS 2021 OAC');
      assert.equal(r.base[0].areas, 188_880);
      const file = join(t2.dir, 'svc.csv');
      writeFileSync(file, 'id,postcode\n1,M15 4AB\n2,M33 7XN\n3,WA14 2EE\n');
      await importDataset(w.engine, 'svc', file, { key: TEST_KEY });
      const p = await profileDataset(w.engine, { dataset: 'svc' });
      // The national base is cut to the areas Trafford's postcodes reach: its 96,271 households.
      assert.equal(p.total.base, 96271);
      assert.equal(p.baseExcluded!.areas, 188_880 - 738);
    } finally {
      w.close();
    }
  } finally {
    t2.cleanup();
  }
});
