import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assignToModel,
  toModelSpace,
  fitStep,
  applyStep,
  matrixFromRows,
  MODEL_FORMAT,
  MODEL_VERSION,
  type SegmentationModel,
} from '../../src/segmentation/index.ts';
import { ParameterError } from '../../src/core/index.ts';

/** Two groups on one variable, each split in two types; centres chosen by hand. */
function model(): SegmentationModel {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: 'hand',
    title: null,
    areaLevel: 'oa21',
    variables: [
      { name: 'x', label: null, denominator: null, source: 'test', weight: 1 },
      { name: 'y', label: null, denominator: null, source: 'test', weight: 1 },
    ],
    steps: [{ kind: 'none' }],
    tiers: [
      {
        name: 'group',
        segments: [
          { code: '1', name: 'Low', parent: null, centre: [0, 0], areas: 0 },
          { code: '2', name: 'High', parent: null, centre: [10, 0], areas: 0 },
        ],
      },
      {
        name: 'type',
        segments: [
          { code: '1a', name: 'a', parent: '1', centre: [-1, 0], areas: 0 },
          { code: '1b', name: 'b', parent: '1', centre: [1, 0], areas: 0 },
          { code: '2a', name: 'c', parent: '2', centre: [9, 0], areas: 0 },
          { code: '2b', name: 'd', parent: '2', centre: [11, 0], areas: 0 },
        ],
      },
    ],
    build: { seed: 1, restarts: 1, k: [2, 4], areas: 0, createdAt: '2026-01-01' },
  };
}

test('certainty is 1 − distance to own centre ÷ distance to the next nearest (hand-worked)', () => {
  // (3,0): group 1 at distance 3, group 2 at 7 → certainty 1 − 3/7 = 0.5714…
  // Types within group 1 only: 1b at distance 2, 1a at 4 → 1 − 2/4 = 0.5.
  // (5,0): exactly between the groups → certainty 0.
  const a = assignToModel(
    model(),
    matrixFromRows([
      [3, 0],
      [5, 0],
      [0, 0],
    ]),
  );
  assert.deepEqual(a.codes[0], ['1', '1', '1']);
  assert.deepEqual(a.codes[1], ['1b', '1b', '1a']);
  assert.ok(Math.abs(a.certainty[0][0] - (1 - 3 / 7)) < 1e-12);
  assert.equal(a.certainty[1][0], 0.5);
  assert.equal(a.certainty[0][1], 0);
  // (0,0) is on the centre of group 1: certainty 1; equidistant from 1a and 1b: 0.
  assert.equal(a.certainty[0][2], 1);
  assert.equal(a.certainty[1][2], 0);
});

test('types are only chosen among their own group’s types (top-down, as built)', () => {
  // Move type 1b far away, so that for (4.9, 0) the nearest type overall is in the other group.
  const m = model();
  m.tiers[1].segments[1].centre = [1, 8]; // 1b
  const a = assignToModel(m, matrixFromRows([[4.9, 0]]));
  assert.equal(a.codes[0][0], '1');
  // Nearest type overall is 2a (distance 4.1) but the area is in group 1: 1a (5.9) beats 1b (8.9).
  assert.equal(a.codes[1][0], '1a');
});

test('fitted transformations are applied to new areas with the build’s parameters, and weights count twice', () => {
  const built = matrixFromRows([
    [0, 10],
    [10, 30],
  ]);
  const range = fitStep(built, 'range');
  assert.deepEqual(range, { kind: 'range', min: [0, 10], max: [10, 30] });
  const fresh = applyStep(matrixFromRows([[5, 50]]), range);
  // (5 − 0)/10 = 0.5; (50 − 10)/20 = 2 (outside 0–1 is kept: the partner's area is more extreme).
  assert.deepEqual(Array.from(fresh.data), [0.5, 2]);
  const z = fitStep(built, 'zscore');
  assert.deepEqual(z, { kind: 'zscore', mean: [5, 20], sd: [5, 10] });
  const m = model();
  m.steps = [range];
  m.variables[1].weight = 4; // √4 = 2 multiplies the coordinate, so squared distances count it 4×
  const s = toModelSpace(m, matrixFromRows([[5, 20]]));
  assert.deepEqual(Array.from(s.data), [0.5, 1]);
});

test('a model built with a log refuses a negative value when assigning, naming the area and the variable', () => {
  const m = { ...model(), steps: [{ kind: 'log' as const }] };
  const raw = matrixFromRows([
    [1, 2],
    [3, -0.5],
    [-2, 4],
  ]);
  assert.throws(
    () => toModelSpace(m, raw, ['E00000001', 'E00000002', 'E00000003']),
    (e: unknown) =>
      e instanceof ParameterError &&
      /y is below zero for E00000002 \(and 1 more values\)/.test(e.message) &&
      /ihs/.test(e.fix ?? ''),
  );
  // Values of zero or more go through: log1p(3) for the first variable of the second area.
  const ok = toModelSpace(m, matrixFromRows([[3, 0]]));
  assert.ok(Math.abs(ok.data[0] - Math.log1p(3)) < 1e-12 && ok.data[1] === 0);
});
