/**
 * The propensity module's arithmetic against hand-worked values (issue 15, acceptance 2): the
 * logistic fit against the closed form of a two-group table, the penalised fit against its own
 * optimality condition, and AUC, gains, lift, calibration and Spearman's rho on small data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLogistic, predictLogistic } from '../../src/propensity/index.ts';
import { auc, bootstrapAuc, calibration, gains, spearman } from '../../src/propensity/index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} is not ${b}`);

// Two groups: x = 0 has 2 users of 10, x = 1 has 6 users of 10.
test('unpenalised, a binary feature gives the log odds and log odds ratio of the table, with Woolf standard errors', () => {
  const grouped = fitLogistic(
    {
      x: Float64Array.from([0, 1]),
      rows: 2,
      features: 1,
      y: Float64Array.from([0.2, 0.6]),
      w: Float64Array.from([10, 10]),
    },
    { penalty: 0 },
  );
  assert.ok(grouped.converged);
  close(grouped.coefficients[0], Math.log(2 / 8));
  close(grouped.coefficients[1], Math.log(6 / 4 / (2 / 8)));
  close(grouped.standardErrors[0], Math.sqrt(1 / 2 + 1 / 8), 1e-8);
  close(grouped.standardErrors[1], Math.sqrt(1 / 2 + 1 / 8 + 1 / 6 + 1 / 4), 1e-8);
  // the same people one row each give the same fit
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 10; i++) {
    x.push(0);
    y.push(i < 2 ? 1 : 0);
  }
  for (let i = 0; i < 10; i++) {
    x.push(1);
    y.push(i < 6 ? 1 : 0);
  }
  const rows = fitLogistic({ x: Float64Array.from(x), rows: 20, features: 1, y: Float64Array.from(y) }, { penalty: 0 });
  close(rows.coefficients[0], grouped.coefficients[0]);
  close(rows.coefficients[1], grouped.coefficients[1]);
  close(rows.deviance, grouped.deviance + 0, 1e-8);
  const p = predictLogistic(rows.coefficients, Float64Array.from([0, 1]), 2, 1);
  close(p[0], 0.2);
  close(p[1], 0.6);
});

test('penalised, the fit meets its optimality condition and shrinks the slope but not the intercept', () => {
  const n = 200;
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 2] = Math.sin(i);
    x[i * 2 + 1] = Math.cos(3 * i);
    y[i] = (i * 7919) % 10 < 3 + 3 * (x[i * 2] > 0 ? 1 : 0) ? 1 : 0;
  }
  const lambda = 5;
  const f = fitLogistic({ x, rows: n, features: 2, y }, { penalty: lambda });
  const p = predictLogistic(f.coefficients, x, n, 2);
  const g = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    g[0] += y[i] - p[i];
    g[1] += (y[i] - p[i]) * x[i * 2];
    g[2] += (y[i] - p[i]) * x[i * 2 + 1];
  }
  close(g[0], 0, 1e-8);
  close(g[1], lambda * f.coefficients[1], 1e-8);
  close(g[2], lambda * f.coefficients[2], 1e-8);
  const free = fitLogistic({ x, rows: n, features: 2, y }, { penalty: 0 });
  assert.ok(Math.abs(f.coefficients[1]) < Math.abs(free.coefficients[1]));
});

test('a perfectly separated feature cannot be fitted without a penalty, and can with one', () => {
  const data = { x: Float64Array.from([0, 0, 1, 1]), rows: 4, features: 1, y: Float64Array.from([0, 0, 1, 1]) };
  assert.throws(() => fitLogistic(data, { penalty: 0, maxIterations: 60 }), /cannot be fitted|did not settle/);
  const g = fitLogistic(data, { penalty: 1 });
  assert.ok(g.converged && Number.isFinite(g.coefficients[1]));
  assert.throws(() => fitLogistic({ ...data, y: Float64Array.from([0, 0, 0, 0]) }), /No one in the data is a user/);
});

test('AUC counts the pairs a score puts in the right order, ties as half, households and areas alike', () => {
  // users score 0.35 and 0.8; non-users 0.1 and 0.4: 3 of the 4 pairs are right
  close(auc({ score: [0.1, 0.4, 0.35, 0.8], pos: [0, 0, 1, 1], neg: [1, 1, 0, 0] })!, 0.75);
  close(auc({ score: [0.5, 0.5], pos: [1, 0], neg: [0, 1] })!, 0.5);
  // an area of 3 users and 1 non-user at 0.9, one of 1 user and 3 non-users at 0.2:
  // pairs 4 × 4 = 16; right: 3 × 3 (high users over low non-users); ties: 3×1 + 1×3 at half
  close(auc({ score: [0.9, 0.2], pos: [3, 1], neg: [1, 3] })!, (9 + 0.5 * 6) / 16);
  assert.equal(auc({ score: [0.1, 0.2], pos: [1, 1], neg: [0, 0] }), null);
});

test('gains and lift by equal parts of the base, highest scores first', () => {
  const score = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const user = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1];
  const g = gains({ score, pos: user, neg: user.map((u) => 1 - u) }, 5);
  assert.equal(g.length, 5);
  close(g[0].basePct, 20);
  close(g[0].users, 2);
  close(g[0].ratePct, 100);
  close(g[0].lift, 2.5);
  close(g[0].cumulativeUsersPct, 50);
  close(g[1].cumulativeUsersPct, 75);
  close(g[1].lift, 1.25);
  close(g[1].cumulativeLift, 0.75 / 0.4);
  close(g[4].cumulativeUsersPct, 100);
  close(g[4].cumulativeLift, 1);
  // an area of 4 households straddling a cut is shared in proportion
  const a = gains({ score: [0.9, 0.1], pos: [2, 0], neg: [2, 4] }, 2);
  close(a[0].users, 2 * (4 / 4));
  close(a[1].users, 0);
  const b = gains({ score: [0.9, 0.1], pos: [3, 0], neg: [3, 2] }, 2);
  // 6 households at 0.9 fill the top half (4) and half of... 4 of 6 go up, 2 down
  close(b[0].users, 3 * (4 / 6));
  close(b[1].users, 3 * (2 / 6));
});

test('calibration: observed against expected, the Brier score, and slope 1 when the score is the truth', () => {
  const c = calibration({ score: [0.5, 0.5, 0.5, 0.5], pos: [1, 1, 0, 0], neg: [0, 0, 1, 1] }, 2);
  close(c.observedOverExpected, 1);
  close(c.brier, 0.25);
  close(c.groups[0].predictedPct, 50);
  // areas whose users are exactly their chances: slope 1, intercept 0
  const score = [0.1, 0.2, 0.4, 0.7];
  const n = 1000;
  const cal = calibration({ score, pos: score.map((p) => p * n), neg: score.map((p) => (1 - p) * n) }, 4);
  close(cal.slope!, 1, 1e-7);
  close(cal.intercept!, 0, 1e-7);
  close(cal.observedOverExpected, 1);
  cal.groups.forEach((g, i) => close(g.observedPct, 100 * score[i], 1e-9));
});

test('Spearman’s rho against the textbook formula, with ties at mid-ranks', () => {
  close(spearman([1, 2, 3, 4], [1, 3, 2, 4])!, 1 - (6 * 2) / (4 * 15));
  close(spearman([1, 2, 3], [3, 2, 1])!, -1);
  close(spearman([1, 1, 2], [1, 1, 2])!, 1);
  assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
});

test('the area bootstrap is repeatable and its intervals hold the estimates', () => {
  const n = 400;
  const score: number[] = [];
  const base: number[] = [];
  const pos: number[] = [];
  const group: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = ((i * 37) % 100) / 100;
    score.push(s);
    base.push(Math.round(s * 4) / 4);
    pos.push((i * 7919) % 100 < 100 * s ? 1 : 0);
    group.push(i % 20);
  }
  const neg = pos.map((p) => 1 - p);
  const one = bootstrapAuc({ score, pos, neg }, { score: base, pos, neg }, group, { replicates: 100, seed: 3 })!;
  const two = bootstrapAuc({ score, pos, neg }, { score: base, pos, neg }, group, { replicates: 100, seed: 3 })!;
  assert.deepEqual(one, two);
  const a = auc({ score, pos, neg })!;
  assert.ok(one.model.low <= a && a <= one.model.high);
  assert.ok(one.difference.low <= one.difference.estimate && one.difference.estimate <= one.difference.high);
});
