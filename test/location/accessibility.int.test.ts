import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  nearestAndReach,
  shareWithin,
  floatingCatchment,
  decayWeight,
  defaultSteps,
  accessibility,
  sfca,
  areaOrigins,
  importFacilities,
  AccessResultSchema,
  SfcaResultSchema,
  type CostMatrix,
  type CostSource,
  type Place,
} from '../../src/location/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';

/*
 * The made-up set: areas A, B, C with 100, 200 and 300 people; facilities X (supply 10) and Y (supply 20).
 * Minutes:      X    Y
 *          A    5   40
 *          B   20   10
 *          C   50   25
 */
const A: Place = { id: 'A', lon: 0, lat: 0 },
  B: Place = { id: 'B', lon: 0, lat: 0 },
  C: Place = { id: 'C', lon: 0, lat: 0 };
const X: Place = { id: 'X', lon: 0, lat: 0 },
  Y: Place = { id: 'Y', lon: 0, lat: 0 };
const MINUTES: Record<string, number> = { 'A>X': 5, 'A>Y': 40, 'B>X': 20, 'B>Y': 10, 'C>X': 50, 'C>Y': 25 };
const matrix: CostMatrix = {
  origins: [A, B, C],
  destinations: [X, Y],
  minutes: new Float32Array([5, 40, 20, 10, 50, 25]),
  mode: 'car',
  source: 'by hand',
};
const P = [100, 200, 300];
const S = [10, 20];
const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} is not ${b}`);

test('nearest facility and the counts within each threshold, by hand', () => {
  const r = nearestAndReach(matrix, [15, 30]);
  // Nearest: A → X at 5, B → Y at 10, C → Y at 25.
  assert.deepEqual([...r.nearestMinutes], [5, 10, 25]);
  assert.deepEqual([...r.nearestIndex], [0, 1, 1]);
  // Within 15: A has X (5); B has Y (10); C has none (25, 50).
  assert.deepEqual([...r.reachable[0]], [1, 1, 0]);
  // Within 30: A has X only (Y is 40); B has both (20, 10); C has Y (25).
  assert.deepEqual([...r.reachable[1]], [1, 2, 1]);
});

test('share of people within each threshold of their nearest facility, and the mean minimum journey', () => {
  const s = shareWithin([5, 10, 25], P, [15, 30]);
  // Within 15: A + B = 300 of 600 = 0.5; within 30: all 600 = 1.
  assert.deepEqual(s.within, [300, 600]);
  assert.deepEqual(s.share, [0.5, 1]);
  // (100×5 + 200×10 + 300×25) ÷ 600 = 10,000 ÷ 600 = 16.666…
  close(s.meanMinutes!, 10000 / 600);
  assert.equal(s.unreachable, 0);
  const none = shareWithin([5, Infinity, 25], P, [15]);
  assert.equal(none.unreachable, 200);
  // The mean is over people who can reach one: (500 + 7,500) ÷ 400 = 20.
  assert.equal(none.meanMinutes, 20);
});

test('classic 2SFCA: supply per head, by hand, and it conserves supply', () => {
  const r = floatingCatchment(matrix, P, S, 30, { kind: 'none' });
  // Step 1: X reaches A and B (C is 50 min away): R_X = 10 ÷ (100 + 200) = 1/30.
  //         Y reaches B and C (A is 40 min away): R_Y = 20 ÷ (200 + 300) = 0.04.
  close(r.facilityRatio[0], 1 / 30);
  close(r.facilityRatio[1], 0.04);
  assert.deepEqual([...r.facilityDemand], [300, 500]);
  // Step 2: A = R_X = 0.0333…; B = R_X + R_Y = 0.0733…; C = R_Y = 0.04.
  close(r.areaRatio[0], 1 / 30);
  close(r.areaRatio[1], 1 / 30 + 0.04);
  close(r.areaRatio[2], 0.04);
  assert.deepEqual([...r.facilitiesWithin], [1, 2, 1]);
  // 100 × 1/30 + 200 × 0.07333 + 300 × 0.04 = 3.333 + 14.667 + 12 = 30 = 10 + 20.
  close(
    r.areaRatio.reduce((s, a, i) => s + a * P[i], 0),
    30,
  );
});

test("E2SFCA with Luo and Qi's stepped weights (1, 0.68, 0.22 for 0–10, 10–20, 20–30 min), by hand", () => {
  const steps = defaultSteps(30);
  assert.deepEqual(steps, [
    { upTo: 10, weight: 1 },
    { upTo: 20, weight: 0.68 },
    { upTo: 30, weight: 0.22 },
  ]);
  const r = floatingCatchment(matrix, P, S, 30, { kind: 'stepped', steps });
  // Weights: A–X 5 min → 1; A–Y 40 → 0; B–X 20 → 0.68 (a zone includes its upper edge); B–Y 10 → 1; C–X 50 → 0; C–Y 25 → 0.22.
  // R_X = 10 ÷ (1 × 100 + 0.68 × 200) = 10 ÷ 236 = 0.0423729
  // R_Y = 20 ÷ (1 × 200 + 0.22 × 300) = 20 ÷ 266 = 0.0751880
  close(r.facilityRatio[0], 10 / 236);
  close(r.facilityRatio[1], 20 / 266);
  // A = 1 × R_X = 0.0423729; B = 0.68 × R_X + 1 × R_Y = 0.0288136 + 0.0751880 = 0.1040016; C = 0.22 × R_Y = 0.0165414
  close(r.areaRatio[0], 0.0423729);
  close(r.areaRatio[1], 0.1040016);
  close(r.areaRatio[2], 0.0165414);
  // 100 × 0.0423729 + 200 × 0.1040016 + 300 × 0.0165414 = 4.23729 + 20.80032 + 4.96241 = 30.
  close(
    r.areaRatio.reduce((s, a, i) => s + a * P[i], 0),
    30,
  );
});

test('E2SFCA with Gaussian decay (Dai): 1 at the door, 0 at the edge, by hand', () => {
  assert.equal(decayWeight({ kind: 'gaussian' }, 0, 30), 1);
  close(decayWeight({ kind: 'gaussian' }, 30, 30), 0);
  assert.equal(decayWeight({ kind: 'gaussian' }, 31, 30), 0);
  // W(d) = (e^(−½(d/30)²) − e^(−½)) ÷ (1 − e^(−½)), e^(−½) = 0.6065307:
  // W(5)  = (0.9862071 − 0.6065307) ÷ 0.3934693 = 0.9649455
  // W(10) = (0.9459595 − 0.6065307) ÷ 0.3934693 = 0.8626563
  // W(20) = (0.8007374 − 0.6065307) ÷ 0.3934693 = 0.4935753
  // W(25) = (0.7066483 − 0.6065307) ÷ 0.3934693 = 0.2544483
  close(decayWeight({ kind: 'gaussian' }, 5, 30), 0.9649455);
  close(decayWeight({ kind: 'gaussian' }, 10, 30), 0.8626563);
  close(decayWeight({ kind: 'gaussian' }, 20, 30), 0.4935753);
  close(decayWeight({ kind: 'gaussian' }, 25, 30), 0.2544483);
  const r = floatingCatchment(matrix, P, S, 30, { kind: 'gaussian' });
  // R_X = 10 ÷ (0.9649455 × 100 + 0.4935753 × 200) = 10 ÷ 195.20961 = 0.0512270
  // R_Y = 20 ÷ (0.8626563 × 200 + 0.2544483 × 300) = 20 ÷ 248.86576 = 0.0803646
  close(r.facilityRatio[0], 0.051227);
  close(r.facilityRatio[1], 0.0803646);
  // A = 0.9649455 × R_X = 0.0494312; B = 0.4935753 × R_X + 0.8626563 × R_Y = 0.0252844 + 0.0693270 = 0.0946114; C = 0.2544483 × R_Y = 0.0204486
  close(r.areaRatio[0], 0.0494312);
  close(r.areaRatio[1], 0.0946114);
  close(r.areaRatio[2], 0.0204486);
  close(
    r.areaRatio.reduce((s, a, i) => s + a * P[i], 0),
    30,
    1e-5,
  );
});

// ---- the same analyses through a workspace: origins, demand from the base and facilities from the table

const tmp = tempDir();
let ws: Workspace;
/** Minutes looked up by area code and facility name, as a stand-in for a network. */
let lookup: Record<string, number> = {};
const fixedCosts: CostSource = {
  description: 'by hand',
  async matrix(origins, destinations, mode) {
    const minutes = new Float32Array(origins.length * destinations.length);
    origins.forEach((o, i) =>
      destinations.forEach((d, j) => {
        minutes[i * destinations.length + j] = lookup[`${o.id}>${d.id}`] ?? Infinity;
      }),
    );
    return { origins, destinations, minutes, mode, source: 'by hand' };
  },
};

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const file = join(tmp.dir, 'clinics.csv');
  writeFileSync(file, 'name,lon,lat,capacity\nX Clinic,-2.26,53.46,10\nY Clinic,-2.24,53.48,20\n');
  await importFacilities(ws.engine, file, { kind: 'clinic' });
  const [a, b, c] = ['E00000001', 'E00000002', 'E00000003'];
  lookup = {};
  for (const [k, v] of Object.entries(MINUTES)) {
    const [o, d] = k.split('>');
    lookup[`${{ A: a, B: b, C: c }[o]}>${d === 'X' ? 'clinic-x-clinic' : 'clinic-y-clinic'}`] = v;
  }
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test("area origins: the mean of each area's live postcodes, carrying the base as demand", async () => {
  const o = await areaOrigins(ws.engine);
  assert.equal(o.level, 'oa21');
  assert.deepEqual(
    o.origins.map((x) => x.id),
    ['E00000001', 'E00000002', 'E00000003'],
  );
  // E00000001: M15 4AB and M15 4AD → ((53.465578 + 53.464903) ÷ 2, (−2.26046 − 2.260757) ÷ 2).
  close(o.origins[0].lat, (53.465578 + 53.464903) / 2, 1e-9);
  close(o.origins[0].lon, (-2.26046 - 2.260757) / 2, 1e-9);
  // E00000002: M1 1AE only, since M15 4ZZ is terminated.
  assert.deepEqual([o.origins[1].lat, o.origins[1].lon, o.origins[1].postcodes], [53.4808, -2.2426, 1]);
  assert.deepEqual(
    o.origins.map((x) => [x.households, x.population]),
    [
      [120, 260],
      [200, 450],
      [80, 150],
    ],
  );
});

test('accessibility and 2SFCA on a workspace give the hand-worked figures', async () => {
  const r = AccessResultSchema.parse(
    await accessibility(ws.engine, { kinds: ['clinic'], thresholds: [15, 30], measure: 'population' }, fixedCosts),
  );
  assert.deepEqual(
    r.areas.map((a) => a.kinds[0].nearestMinutes),
    [5, 10, 25],
  );
  assert.deepEqual(
    r.areas.map((a) => a.kinds[0].nearestName),
    ['X Clinic', 'Y Clinic', 'Y Clinic'],
  );
  assert.deepEqual(
    r.areas.map((a) => a.kinds[0].reachable),
    [
      [1, 1],
      [1, 2],
      [0, 1],
    ],
  );
  // People: 260, 450, 150. Within 15: 260 + 450 = 710 of 860.
  assert.deepEqual(r.kinds[0].borough.within, [710, 860]);
  close(r.kinds[0].borough.share[0], 710 / 860);
  const s = SfcaResultSchema.parse(await sfca(ws.engine, { kind: 'clinic', catchment: 30 }, fixedCosts));
  assert.equal(s.supplyMeasure, 'capacity');
  // R_X = 10 ÷ (260 + 450); R_Y = 20 ÷ (450 + 150).
  close(s.facilities[0].ratio, 10 / 710);
  close(s.facilities[1].ratio, 20 / 600);
  close(s.areas[1].ratio, 10 / 710 + 20 / 600);
  close(
    s.areas.reduce((t, a) => t + a.ratio * a.demand, 0),
    30,
  );
  assert.equal(s.totals.supplyReached, 30);
  const count = await sfca(ws.engine, { kind: 'clinic', catchment: 30, supply: 'count' }, fixedCosts);
  // One each: R_X = 1 ÷ 710.
  close(count.facilities[0].ratio, 1 / 710);
});
