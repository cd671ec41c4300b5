import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/core/index.ts';
import {
  applyChange,
  compareScenarios,
  findCandidate,
  gridCandidates,
  importFacilities,
  loadSiteInputs,
  runScenario,
  solve,
  type CostMatrix,
  type CostSource,
  type Place,
  type ScenarioInput,
} from '../../src/location/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';

const near = (a: number | null, b: number, tol = 1e-9) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} is not ${b}`);

/*
 * 5 demand points (weights 10, 20, 30, 40, 50; groups x, x, y, y, y) × 4 sites, standard 5 minutes.
 *          A   B   C   D
 *   D0     2   9  12  20
 *   D1     4   5  14  18
 *   D2    12   3   4  16
 *   D3    15  11   5   9
 *   D4    20  16   7   3
 * Open now: A and C. Nearest: D0 2, D1 4, D2 4, D3 5, D4 7 → covered D0–D3 = 100 of 150;
 * weighted minutes 20 + 80 + 120 + 200 + 350 = 770, mean 770/150.
 * Group x (D0, D1; 30): covered 30/30, mean (20 + 80)/30.  Group y (D2–D4; 120): covered 70/120, mean 670/120.
 */
const place = (id: string): Place => ({ id, lon: 0, lat: 0 });
const costs: CostMatrix = {
  origins: ['D0', 'D1', 'D2', 'D3', 'D4'].map(place),
  destinations: ['A', 'B', 'C', 'D'].map(place),
  minutes: Float32Array.from([2, 9, 12, 20, 4, 5, 14, 18, 12, 3, 4, 16, 15, 11, 5, 9, 20, 16, 7, 3]),
  mode: 'car',
  source: 'by hand',
};
const input: ScenarioInput = {
  costs,
  weights: Float64Array.from([10, 20, 30, 40, 50]),
  groups: ['x', 'x', 'y', 'y', 'y'],
  standard: 5,
  current: ['A', 'C'],
};

test("before: today's coverage and travel time, overall and by group", () => {
  const r = runScenario(input, {});
  assert.equal(r.description, 'no change');
  assert.equal(r.before.coveredWeight, 100);
  near(r.before.coveredShare, 100 / 150);
  near(r.before.meanMinutes, 770 / 150);
  assert.equal(r.before.maxMinutes, 7);
  assert.deepEqual(r.change, { coveredWeight: 0, coveredShare: 0, meanMinutes: 0, unservedWeight: 0 });
  near(r.groups[0].before.meanMinutes, 100 / 30);
  near(r.groups[1].before.coveredShare, 70 / 120);
  assert.deepEqual(r.losers, []);
});

test('close C: D2 and D3 lose coverage (70), mean rises from 770/150 to 2060/150', () => {
  // Only A: nearest 2, 4, 12, 15, 20 → covered D0, D1 = 30; weighted 20 + 80 + 360 + 600 + 1000 = 2060.
  const r = runScenario(input, { close: ['C'] });
  assert.deepEqual(r.openAfter, ['A']);
  assert.equal(r.after.coveredWeight, 30);
  assert.equal(r.change.coveredWeight, -70);
  near(r.change.coveredShare, -70 / 150);
  near(r.after.meanMinutes, 2060 / 150);
  near(r.change.meanMinutes, (2060 - 770) / 150);
  assert.equal(r.after.maxMinutes, 20);
  // Losers, longest new trip first: D3 (15 minutes) then D2 (12).
  assert.deepEqual(
    r.losers.map((p) => [p.id, p.group, p.weight, p.minutesBefore, p.minutesAfter]),
    [
      ['D3', 'y', 40, 5, 15],
      ['D2', 'y', 30, 4, 12],
    ],
  );
  assert.equal(r.lostWeight, 70);
  assert.deepEqual(r.gainers, []);
  // Group x keeps everything; group y falls from 70/120 covered to 0, mean from 670/120 to 1960/120.
  assert.deepEqual(r.groups[0].change, { coveredShare: 0, meanMinutes: 0 });
  near(r.groups[1].after.coveredShare, 0);
  near(r.groups[1].change.coveredShare, -70 / 120);
  near(r.groups[1].after.meanMinutes, 1960 / 120);
});

test('open D: D4 gains coverage, everyone is within 5 minutes, mean falls to 570/150', () => {
  // A, C, D: nearest 2, 4, 4, 5, 3 → weighted 20 + 80 + 120 + 200 + 150 = 570.
  const r = runScenario(input, { open: ['D'] });
  assert.deepEqual(r.openAfter, ['A', 'C', 'D']);
  assert.equal(r.after.coveredWeight, 150);
  assert.equal(r.after.coveredShare, 1);
  near(r.change.meanMinutes, (570 - 770) / 150);
  assert.deepEqual(
    r.gainers.map((p) => [p.id, p.weight, p.minutesBefore, p.minutesAfter]),
    [['D4', 50, 7, 3]],
  );
  assert.equal(r.gainedWeight, 50);
  assert.deepEqual(r.losers, []);
  near(r.groups[1].after.coveredShare, 1);
  near(r.groups[1].after.meanMinutes, 470 / 120);
});

test('move C to B: D3 loses coverage, D2 keeps it, mean rises to 1430/150', () => {
  // A, B: nearest 2, 4, 3, 11, 16 → covered D0, D1, D2 = 60; weighted 20 + 80 + 90 + 440 + 800 = 1430.
  const r = runScenario(input, { move: [{ from: 'C', to: 'B' }] });
  assert.equal(r.description, 'move C to B');
  assert.deepEqual(r.openAfter, ['A', 'B']);
  assert.equal(r.after.coveredWeight, 60);
  assert.equal(r.change.coveredWeight, -40);
  near(r.after.meanMinutes, 1430 / 150);
  assert.deepEqual(
    r.losers.map((p) => p.id),
    ['D3'],
  );
  assert.equal(r.lostWeight, 40);
  // Group y: covered 30/120 (D2 only), mean (90 + 440 + 800)/120.
  near(r.groups[1].after.coveredShare, 30 / 120);
  near(r.groups[1].after.meanMinutes, 1330 / 120);
  near(r.groups[1].change.meanMinutes, (1330 - 670) / 120);
});

test('a combination: close A and move C to D leaves only D', () => {
  // D only: nearest 20, 18, 16, 9, 3 → covered D4 = 50; weighted 200 + 360 + 480 + 360 + 150 = 1550.
  const r = runScenario(input, { close: ['A'], move: [{ from: 'C', to: 'D' }] });
  assert.equal(r.description, 'close A; move C to D');
  assert.deepEqual(r.openAfter, ['D']);
  assert.equal(r.after.coveredWeight, 50);
  near(r.after.meanMinutes, 1550 / 150);
  assert.deepEqual(
    r.losers.map((p) => p.id),
    ['D0', 'D1', 'D2', 'D3'],
  );
  assert.equal(r.lostWeight, 100);
  assert.deepEqual(
    r.gainers.map((p) => p.id),
    ['D4'],
  );
  near(r.groups[0].after.coveredShare, 0);
  near(r.groups[0].after.meanMinutes, 560 / 30);
  // Several alternatives at once, each against today.
  const [a, b] = compareScenarios(input, [{ close: ['C'] }, { open: ['D'] }]);
  assert.equal(a.change.coveredWeight, -70);
  assert.equal(b.change.coveredWeight, 50);
});

test('closing every site leaves all demand unserved; unreachable demand counts as unserved', () => {
  const r = runScenario(input, { close: ['A', 'C'] });
  assert.equal(r.after.coveredWeight, 0);
  assert.equal(r.after.meanMinutes, null);
  assert.equal(r.after.unservedWeight, 150);
  assert.equal(r.change.meanMinutes, null);
  assert.equal(r.losers.length, 4);
  assert.equal(r.losers[0].minutesAfter, null);
  // A demand point only B reaches is unserved today and served after opening B.
  const c2: CostMatrix = {
    ...costs,
    origins: [...costs.origins, place('D5')],
    minutes: Float32Array.from([...costs.minutes, Infinity, 4, Infinity, Infinity]),
  };
  const r2 = runScenario(
    { ...input, costs: c2, weights: Float64Array.from([10, 20, 30, 40, 50, 5]), groups: undefined },
    { open: ['B'] },
  );
  assert.equal(r2.before.unservedWeight, 5);
  assert.equal(r2.after.unservedWeight, 0);
  assert.equal(r2.change.unservedWeight, -5);
  assert.deepEqual(
    r2.gainers.map((p) => [p.id, p.group, p.minutesBefore, p.minutesAfter]),
    [['D5', null, null, 4]],
  );
  assert.deepEqual(r2.groups, []);
});

test('changes that make no sense are refused in plain English', () => {
  assert.throws(
    () => applyChange(costs, ['A', 'C'], { close: ['B'] }),
    (e: InputError) => e.code === 'scenario_close_not_open',
  );
  assert.throws(() => applyChange(costs, ['A', 'C'], { close: ['C'], move: [{ from: 'C', to: 'D' }] }), /closed twice/);
  assert.throws(
    () => applyChange(costs, ['A', 'C'], { open: ['A'] }),
    (e: InputError) => e.code === 'scenario_open_already_open',
  );
  assert.throws(() => applyChange(costs, ['A', 'C'], { open: ['Z'] }), /"Z" is not one of the 4 sites/);
  assert.throws(() => runScenario({ ...input, standard: 0 }, {}), InputError);
  // Moving a site to itself is a closure then a reopening: no change at all.
  assert.deepEqual(applyChange(costs, ['A', 'C'], { move: [{ from: 'C', to: 'C' }] }).sort(), ['A', 'C']);
});

test("site inputs from a workspace: areas weighted by households, labelled by segment, facilities as today's sites", async () => {
  const { dir, cleanup } = tempDir();
  const ws = await smallWorkspace(dir);
  try {
    const file = join(dir, 'clinics.csv');
    writeFileSync(file, 'name,lon,lat\nX Clinic,-2.26,53.46\nY Clinic,-2.24,53.48\n');
    await importFacilities(ws.engine, file, { kind: 'clinic' });
    // Hand-set minutes: E00000001 → X 2, Y 6; E00000002 → X 7, Y 1; E00000003 (London) → 300 to both; a third site Hub 3 from everyone in Manchester.
    const table: Record<string, number> = {
      'E00000001>X Clinic': 2,
      'E00000001>Y Clinic': 6,
      'E00000002>X Clinic': 7,
      'E00000002>Y Clinic': 1,
      'E00000001>Hub': 3,
      'E00000002>Hub': 3,
    };
    const source: CostSource = {
      description: 'by hand',
      async matrix(origins, destinations, mode) {
        const names = new Map([...destinations].map((d) => [d.id, (d as { name?: string }).name ?? d.id]));
        const minutes = Float32Array.from(
          origins.flatMap((o) => destinations.map((d) => table[`${o.id}>${names.get(d.id)}`] ?? 300)),
        );
        return { origins, destinations, minutes, mode, source: 'by hand' };
      },
    };
    const inputs = await loadSiteInputs(
      ws.engine,
      { kind: 'clinic', points: [{ name: 'Hub', lon: -2.25, lat: 53.47 }] },
      source,
    );
    assert.equal(inputs.level, 'oa21');
    assert.deepEqual(
      inputs.costs.origins.map((o) => o.id),
      ['E00000001', 'E00000002', 'E00000003'],
    );
    assert.deepEqual([...inputs.weights], [120, 200, 80]);
    assert.deepEqual(inputs.groups, ['A', 'A', 'B']);
    assert.deepEqual(
      inputs.candidates.map((c) => [c.name, c.source, c.existing]),
      [
        ['X Clinic', 'facility', true],
        ['Y Clinic', 'facility', true],
        ['Hub', 'point', false],
      ],
    );
    assert.deepEqual(inputs.existing, [0, 1]);
    assert.equal(inputs.candidates[findCandidate(inputs, 'y clinic')].name, 'Y Clinic');
    assert.throws(() => findCandidate(inputs, 'Z Clinic'), /no site called "Z Clinic"/);

    // One site within 5 minutes: X covers 120, Y 200, Hub 120 + 200 → Hub covers all of Manchester (320 of 400).
    const best = await solve(
      { weights: inputs.weights, groups: inputs.groups, costs: inputs.costs, p: 1, standard: 5 },
      'mclp',
    );
    assert.deepEqual(
      best.open.map((j) => inputs.candidates[j].name),
      ['Hub'],
    );
    assert.equal(best.objective, 320);
    assert.deepEqual(best.uncoverable, { points: [2], weight: 80 });

    // Close Y: E00000002 loses coverage (200 households), its trip from 1 to 7 minutes; group A mean (120×2 + 200×1)/320 → (120×2 + 200×7)/320.
    const current = inputs.existing.map((j) => inputs.candidates[j].id);
    const r = runScenario(
      { costs: inputs.costs, weights: inputs.weights, groups: inputs.groups, standard: 5, current },
      { close: [inputs.candidates[1].id] },
    );
    assert.deepEqual(
      r.losers.map((p) => [p.id, p.weight, p.minutesBefore, p.minutesAfter]),
      [['E00000002', 200, 1, 7]],
    );
    near(r.groups[0].before.meanMinutes, 440 / 320);
    near(r.groups[0].after.meanMinutes, 1640 / 320);
    // Move Y to the Hub instead: no one loses coverage.
    assert.equal(
      runScenario(
        { costs: inputs.costs, weights: inputs.weights, standard: 5, current },
        { move: [{ from: inputs.candidates[1].id, to: 'Hub' }] },
      ).lostWeight,
      0,
    );

    // Demand limited to segment B: only London's 80 households count.
    const onlyB = await loadSiteInputs(ws.engine, { kind: 'clinic', segments: ['B'] }, source);
    assert.deepEqual([...onlyB.weights], [0, 0, 80]);
    await assert.rejects(loadSiteInputs(ws.engine, { kind: 'clinic', segments: ['Q'] }, source), /segment Q/);
    await assert.rejects(loadSiteInputs(ws.engine, { kind: 'library' }, source), /no facilities of kind "library"/);
  } finally {
    ws.close();
    cleanup();
  }
});

test('grid candidates: a square grid from the south-west corner', () => {
  // 1,000 m spacing is 0.0089832° of latitude: a 0.02° tall, zero-width box holds rows at 0, 1 and 2 spacings.
  const g = gridCandidates({ minLon: -2.3, maxLon: -2.3, minLat: 53, maxLat: 53.02 }, 1000);
  assert.deepEqual(
    g.map((p) => p.id),
    ['grid-0-0', 'grid-1-0', 'grid-2-0'],
  );
  near(g[2].lat - g[0].lat, 2000 / 111_320);
  assert.throws(() => gridCandidates({ minLon: 0, maxLon: 0, minLat: 0, maxLat: 0 }, 0), /above 0/);
});
