/**
 * bench/propensity: the Observatory's logistic regression (IRLS, ridge penalty) against
 * scikit-learn's LogisticRegression on the same matrix, in the same run (issue 15, acceptance 2):
 * coefficients must agree within 1e-4, and the fit times are reported as a ratio.
 *
 * The matrix is seeded: ROWS households × FEATURES standardised features, users drawn from a known
 * logistic model with a rare outcome (about 8%), like a service's users against a borough.
 *
 * Run: npx tsx bench/propensity/run.ts   (needs Debian's python3-sklearn; ROWS, FEATURES, PENALTY to override)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../../src/core/index.ts';
import { fitLogistic } from '../../src/propensity/index.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const FEATURES = Number(process.env.FEATURES ?? 30);
const PENALTY = Number(process.env.PENALTY ?? 1);

const rng = createRandom(2026);
const x = new Float64Array(ROWS * FEATURES);
const y = new Float64Array(ROWS);
const truth = Array.from({ length: FEATURES }, (_, j) => (j % 3 === 0 ? 0 : rng.normal() * 0.5));
for (let i = 0; i < ROWS; i++) {
  let t = -2.6;
  for (let j = 0; j < FEATURES; j++) {
    // a mix of continuous features and 0/1 dummies, then standardised below
    const v = j % 4 === 1 ? (rng.next() < 0.3 ? 1 : 0) : rng.normal();
    x[i * FEATURES + j] = v;
    t += truth[j] * v;
  }
  y[i] = rng.next() < 1 / (1 + Math.exp(-t)) ? 1 : 0;
}
for (let j = 0; j < FEATURES; j++) {
  let m = 0;
  for (let i = 0; i < ROWS; i++) m += x[i * FEATURES + j];
  m /= ROWS;
  let s = 0;
  for (let i = 0; i < ROWS; i++) s += (x[i * FEATURES + j] - m) ** 2;
  s = Math.sqrt(s / ROWS) || 1;
  for (let i = 0; i < ROWS; i++) x[i * FEATURES + j] = (x[i * FEATURES + j] - m) / s;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-propensity-'));
try {
  const file = join(dir, 'matrix.csv');
  const lines = [[...Array.from({ length: FEATURES }, (_, j) => `x${j}`), 'y'].join(',')];
  for (let i = 0; i < ROWS; i++) {
    const row: string[] = [];
    for (let j = 0; j < FEATURES; j++) row.push(x[i * FEATURES + j].toPrecision(17));
    row.push(String(y[i]));
    lines.push(row.join(','));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);

  const runs: { civic: number; sklearn: number; maxDiff: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const fit = fitLogistic({ x, rows: ROWS, features: FEATURES, y }, { penalty: PENALTY, tolerance: 1e-10 });
    const civic = (performance.now() - t0) / 1000;
    const peer = JSON.parse(
      execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'sklearn_fit.py'), file, String(PENALTY)], {
        encoding: 'utf8',
      }),
    ) as { intercept: number; coefficients: number[]; seconds: number };
    const theirs = [peer.intercept, ...peer.coefficients];
    const maxDiff = Math.max(...fit.coefficients.map((b, j) => Math.abs(b - theirs[j])));
    runs.push({ civic, sklearn: peer.seconds, maxDiff });
    console.log(
      `run ${r + 1}: civic ${civic.toFixed(3)} s (${fit.iterations} steps), scikit-learn ${peer.seconds.toFixed(3)} s, ratio sklearn ÷ civic ${(peer.seconds / civic).toFixed(2)}, largest coefficient gap ${maxDiff.toExponential(2)}`,
    );
  }
  const worst = Math.max(...runs.map((r) => r.maxDiff));
  console.log(
    `${ROWS} rows × ${FEATURES} features, penalty ${PENALTY}: coefficients ${worst <= 1e-4 ? 'agree' : 'DO NOT agree'} within 1e-4 (largest gap ${worst.toExponential(2)})`,
  );
  if (worst > 1e-4) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
