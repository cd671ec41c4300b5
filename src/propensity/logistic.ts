/**
 * Ridge-penalised logistic regression by iteratively reweighted least squares (Newton's method on
 * the penalised log-likelihood), for C10 (issue 15, point 2). Each row has a number of trials w
 * (1 for a household; an area's households for a table of areas) and the share y of them that are
 * users, so one fit serves households and areas alike. It maximises
 *
 *   Σ_i w_i [y_i log p_i + (1 − y_i) log(1 − p_i)] − (λ/2) Σ_{j≥1} β_j²,   p_i = 1 / (1 + e^(−x_i·β))
 *
 * with the intercept β_0 left out of the penalty: the objective of scikit-learn's
 * LogisticRegression with C = 1/λ and sample weights, which `bench/propensity` checks. Each step
 * solves (XᵀWX + λD) Δ = Xᵀw(y − p) − λDβ by Cholesky, halving the step while the objective
 * falls; it stops when no coefficient moves by more than `tolerance`. Standard errors come from the
 * inverse of the penalised information matrix at the optimum (the usual approximation for ridge).
 */
import { ParameterError } from '../core/index.ts';

export interface LogisticData {
  /** rows × features, row-major; an intercept is added, not given */
  x: Float64Array;
  rows: number;
  features: number;
  /** the share of each row's trials that are users, 0–1 */
  y: Float64Array;
  /** each row's trials (default 1) */
  w?: Float64Array;
}

export interface LogisticFit {
  /** intercept first, then one per feature */
  coefficients: number[];
  /** standard errors in the same order (from the inverse penalised information) */
  standardErrors: number[];
  iterations: number;
  converged: boolean;
  /** −2 × log-likelihood (without the penalty) */
  deviance: number;
  /** Pearson χ² ÷ (trials' rows − parameters): above 1 means more spread than binomial */
  dispersion: number;
  penalty: number;
}

const sigmoid = (t: number) => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));
const log1pExp = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

/** Cholesky factor L (lower, row-major) of a symmetric positive definite matrix, or null when it is not. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 1e-300)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** Solves L Lᵀ x = b. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** The linear predictor of one row: β_0 + x·β. */
export function linearPredictor(
  coefficients: readonly number[],
  x: Float64Array,
  row: number,
  features: number,
): number {
  let t = coefficients[0];
  const o = row * features;
  for (let j = 0; j < features; j++) t += coefficients[j + 1] * x[o + j];
  return t;
}

/** Fits the model; λ ≥ 0 (0 is plain maximum likelihood, which fails on separated data). */
export function fitLogistic(
  data: LogisticData,
  opts: {
    penalty?: number;
    tolerance?: number;
    maxIterations?: number;
    start?: readonly number[];
    /** false skips the standard errors (NaN), for fits whose coefficients are only used to score */
    standardErrors?: boolean;
  } = {},
): LogisticFit {
  const { x, rows: n, features: f, y } = data;
  const w = data.w ?? new Float64Array(n).fill(1);
  const lambda = opts.penalty ?? 1;
  const tol = opts.tolerance ?? 1e-10;
  const maxIt = opts.maxIterations ?? 100;
  if (!(lambda >= 0) || !Number.isFinite(lambda))
    throw new ParameterError(`The penalty must be 0 or more (it was ${lambda}).`, 'Give it as --penalty 1.');
  const p = f + 1;
  let trials = 0;
  let users = 0;
  for (let i = 0; i < n; i++) {
    trials += w[i];
    users += w[i] * y[i];
  }
  if (!(trials > 0) || users <= 0 || users >= trials)
    throw new ParameterError(
      users <= 0
        ? 'No one in the data is a user, so there is nothing to learn.'
        : 'Everyone in the data is a user, so there is nothing to learn.',
      'Check the dataset and the base: the model compares a service’s users with the rest.',
    );
  const beta = new Float64Array(p);
  // a warm start (the fit at a neighbouring penalty) when it has the right length, else the base rate
  if (opts.start && opts.start.length === p && opts.start.every(Number.isFinite)) beta.set(opts.start);
  else beta[0] = Math.log(users / (trials - users));
  const eta = new Float64Array(n);
  const objective = (b: Float64Array) => {
    let ll = 0;
    for (let i = 0; i < n; i++) {
      let t = b[0];
      const o = i * f;
      for (let j = 0; j < f; j++) t += b[j + 1] * x[o + j];
      eta[i] = t;
      // y log p + (1 − y) log(1 − p) = y t − log(1 + e^t)
      ll += w[i] * (y[i] * t - log1pExp(t));
    }
    let pen = 0;
    for (let j = 1; j < p; j++) pen += b[j] * b[j];
    return ll - (lambda / 2) * pen;
  };
  let current = objective(beta);
  let iterations = 0;
  let converged = false;
  const h = new Float64Array(p * p);
  const g = new Float64Array(p);
  // XᵀWX four rows at a time: each pass over the lower triangle adds four rows' products, which
  // halves the time of the one-row loop (bench/propensity measures the whole fit)
  const xs = new Float64Array(4 * p);
  const ws = new Float64Array(4);
  const information = () => {
    h.fill(0);
    g.fill(0);
    for (let i0 = 0; i0 < n; i0 += 4) {
      const m = Math.min(4, n - i0);
      xs.fill(0);
      ws.fill(0);
      for (let r = 0; r < m; r++) {
        const i = i0 + r;
        const pi = sigmoid(eta[i]);
        const ri = w[i] * (y[i] - pi);
        ws[r] = w[i] * pi * (1 - pi);
        const o = i * f;
        const q = r * p;
        xs[q] = 1;
        for (let j = 0; j < f; j++) xs[q + j + 1] = x[o + j];
        for (let a = 0; a < p; a++) g[a] += ri * xs[q + a];
      }
      const p1 = p;
      const p2 = 2 * p;
      const p3 = 3 * p;
      for (let a = 0; a < p; a++) {
        const c0 = ws[0] * xs[a];
        const c1 = ws[1] * xs[p1 + a];
        const c2 = ws[2] * xs[p2 + a];
        const c3 = ws[3] * xs[p3 + a];
        const row = a * p;
        for (let b = 0; b <= a; b++) h[row + b] += c0 * xs[b] + c1 * xs[p1 + b] + c2 * xs[p2 + b] + c3 * xs[p3 + b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) h[b * p + a] = h[a * p + b];
    for (let j = 1; j < p; j++) {
      h[j * p + j] += lambda;
      g[j] -= lambda * beta[j];
    }
  };
  for (; iterations < maxIt; ) {
    iterations++;
    information();
    const l = cholesky(h, p);
    if (!l)
      throw new ParameterError(
        'The model cannot be fitted: some features repeat each other exactly or separate users from the rest perfectly.',
        'Use a penalty above 0 (--penalty 1), or leave out the features that repeat each other.',
      );
    const step = choleskySolve(l, p, g);
    let t = 1;
    const trial = new Float64Array(p);
    let next = -Infinity;
    for (let half = 0; half < 30; half++) {
      for (let j = 0; j < p; j++) trial[j] = beta[j] + t * step[j];
      next = objective(trial);
      if (next >= current - 1e-12 * Math.abs(current)) break;
      t /= 2;
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(trial[j] - beta[j]));
    beta.set(trial);
    current = next;
    if (moved < tol) {
      converged = true;
      break;
    }
  }
  if (!converged)
    throw new ParameterError(
      `The model did not settle in ${maxIt} steps: a feature may separate users from the rest almost perfectly.`,
      'Use a larger penalty (--penalty 10), or leave out the feature that gives the answer away.',
    );
  objective(beta);
  const standardErrors = new Array<number>(p).fill(Number.NaN);
  const wanted = opts.standardErrors ?? true;
  if (wanted) information();
  const l = wanted ? cholesky(h, p) : null;
  if (l)
    for (let j = 0; j < p; j++) {
      const e = new Float64Array(p);
      e[j] = 1;
      standardErrors[j] = Math.sqrt(choleskySolve(l, p, e)[j]);
    }
  let deviance = 0;
  let pearson = 0;
  for (let i = 0; i < n; i++) {
    const pi = sigmoid(eta[i]);
    deviance += -2 * w[i] * (y[i] * eta[i] - log1pExp(eta[i]));
    pearson += (w[i] * (y[i] - pi) ** 2) / Math.max(pi * (1 - pi), 1e-300);
  }
  return {
    coefficients: [...beta],
    standardErrors,
    iterations,
    converged,
    deviance,
    dispersion: n > p ? pearson / (n - p) : Number.NaN,
    penalty: lambda,
  };
}

/** Probabilities for every row of a matrix with the same features. */
export function predictLogistic(
  coefficients: readonly number[],
  x: Float64Array,
  rows: number,
  features: number,
): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = sigmoid(linearPredictor(coefficients, x, i, features));
  return out;
}

export { sigmoid };
