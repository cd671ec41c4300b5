/**
 * Access patterns on Sample Borough: library members and their home branch. The generator gives
 * 85% of members their nearest library (straight line from their postcode) and the rest a library
 * picked at random from the 8, so about 85% + 15% ÷ 8 ≈ 86.9% should use their nearest.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sampleBorough } from '../helpers/sample-borough.ts';
import type { Workspace } from '../../src/store/index.ts';
import {
  importFacilities,
  listFacilities,
  accessPatterns,
  PatternsResultSchema,
  type PatternsResult,
} from '../../src/location/index.ts';
import { disclosePatterns } from '../../src/outputs/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir();
let ws: Workspace;
let r: PatternsResult;

function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const d = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * d) / 2) ** 2 +
    Math.cos(lat1 * d) * Math.cos(lat2 * d) * Math.sin(((lon2 - lon1) * d) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(a));
}

before(async () => {
  // Seed 7: the borough most of the suite uses, so a run builds it once.
  const built = await sampleBorough(join(tmp.dir, 'sample.civic'), { households: 20000, seed: 7 });
  ws = built.workspace;
  const imp = await importFacilities(ws.engine, built.manifest.files.facilities, {
    kindColumn: 'type',
    capacityColumn: 'capacity',
  });
  assert.equal(imp.rejected, 0);
  r = PatternsResultSchema.parse(
    await accessPatterns(ws.engine, { dataset: 'library_members', outletColumn: 'branch', kind: 'library' }),
  );
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test('every branch in the file is a library; the users add up to the matched records', async () => {
  assert.deepEqual(r.unmatchedOutlets, []);
  assert.deepEqual(r.unusedFacilities, []);
  assert.equal(r.outlets.length, 8);
  assert.equal(r.outletColumn, 'Branch');
  const n = (await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM ds_library_members WHERE _status = 'matched'`,
  ))!.n;
  assert.equal(r.overall.users, n);
  assert.equal(
    r.outlets.reduce((s, o) => s + o.users!, 0),
    n,
  );
  const notMatched = (await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM ds_library_members WHERE _status <> 'matched'`,
  ))!.n;
  assert.equal(r.notPlaced.postcodeNotMatched, notMatched);
});

test("each outlet's distance bands and areas add up to its users; shares sum to 1", () => {
  for (const o of [...r.outlets, r.overall]) {
    assert.equal(
      o.bands.reduce((s, b) => s + b.users!, 0),
      o.users,
      o.outlet,
    );
    assert.ok(Math.abs(o.bands.reduce((s, b) => s + b.share!, 0) - 1) < 1e-12, o.outlet);
    assert.equal(
      o.byArea.reduce((s, a) => s + a.users!, 0),
      o.users,
      o.outlet,
    );
    assert.equal(o.usesNearest! + o.passedNearer!, o.users);
  }
  assert.deepEqual(
    r.overall.bands.map((b) => b.label),
    ['0–1 km', '1–2 km', '2–3 km', '3–5 km', '5+ km'],
  );
});

test('most members use their nearest library, as the generator makes them (85% + 15% ÷ 8 ≈ 86.9%)', () => {
  const share = r.overall.usesNearest! / r.overall.users!;
  assert.ok(share > 0.85 && share < 0.89, `share using their nearest library: ${share}`);
  assert.ok(Math.abs(r.overall.passedShare! - (1 - share)) < 1e-12);
});

test("Central Library's figures, worked out again from the records with SQL and a haversine", async () => {
  const libs = await listFacilities(ws.engine, { kind: 'library' });
  const central = libs.find((f) => f.name === 'Central Library')!;
  const rows = await ws.engine.all<{ lon: number; lat: number; ward: string; n: number }>(
    `SELECT p.lon, p.lat, p.ward, count(*)::BIGINT AS n FROM ds_library_members d JOIN postcode p ON p.pc_key = d._pc_key
     WHERE d._status = 'matched' AND d."Branch" = 'Central Library' GROUP BY ALL`,
  );
  const edges = [1, 2, 3, 5];
  const bands = [0, 0, 0, 0, 0];
  let users = 0,
    passed = 0;
  const wards = new Map<string, number>();
  for (const x of rows) {
    const km = haversineKm(x.lon, x.lat, central.lon, central.lat);
    const nearest = Math.min(...libs.map((l) => haversineKm(x.lon, x.lat, l.lon, l.lat)));
    users += x.n;
    bands[edges.filter((e) => km >= e).length] += x.n;
    if (km > nearest + 1e-9) passed += x.n;
    wards.set(x.ward, (wards.get(x.ward) ?? 0) + x.n);
  }
  const o = r.outlets.find((x) => x.outlet === 'Central Library')!;
  assert.equal(o.users, users);
  assert.deepEqual(
    o.bands.map((b) => b.users),
    bands,
  );
  assert.equal(o.passedNearer, passed);
  assert.deepEqual(o.byArea.map((a) => [a.code, a.users]).sort(), [...wards].sort());
});

test('for export, small counts of users are suppressed', () => {
  const shown = disclosePatterns(r, 10);
  assert.equal(shown.disclosure!.minCell, 10);
  for (const o of shown.outlets) {
    for (const a of o.byArea) assert.ok(a.users === null || a.users >= 10);
    const hidden = o.byArea.filter((a) => a.suppressed);
    // Never just one hidden cell: it could be worked out from the total.
    assert.ok(hidden.length === 0 || hidden.length >= 2);
  }
});
