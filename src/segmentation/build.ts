/**
 * C4: build a segmentation the way the ONS builds the OAC — variables per area, transformed and
 * weighted; k-means with many k-means++ restarts for the top tier; then each segment split into
 * the next tier's segments (top-down), the extra segments going wherever they reduce the
 * within-cluster sum of squares most. Same seed, same answer.
 */
import { z } from 'zod';
import { ParameterError, createRandom } from '../core/index.ts';
import { fitStep, applyStep, type Matrix, type Transform, type TransformStep } from './transform.ts';
import { kmeansParallel, type KMeansResult } from './kmeans.ts';
import { adjustedRandIndex, silhouette } from './diagnostics.ts';
import { MODEL_FORMAT, MODEL_VERSION, assignToModel, type SegmentationModel } from './model.ts';
import type { AreaVariables, LeftOutArea } from './variables.ts';
import { TRANSFORMS, OAC_TRANSFORMS } from './constants.ts';

export { TRANSFORMS, OAC_TRANSFORMS };
const TIER_NAMES = ['group', 'type', 'subtype'];

export interface BuildOptions {
  name: string;
  title?: string;
  /** segments in each tier, broadest first: [8] or [8, 26] */
  k: number[];
  tiers?: string[];
  transforms?: readonly Transform[];
  /** variable name → weight (a weight of 2 counts the variable twice in the distances) */
  weights?: Record<string, number>;
  seed?: number;
  restarts?: number;
  /** how many extra builds with other seeds to measure stability (0 to skip) */
  stabilityRuns?: number;
  workers?: number;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

export const BUILD_RESULT_VERSION = 1;
export const BuildResultSchema = z.object({
  version: z.literal(BUILD_RESULT_VERSION),
  name: z.string(),
  title: z.string().nullable(),
  areaLevel: z.string(),
  areas: z.number(),
  variables: z.array(
    z.object({
      name: z.string(),
      label: z.string().nullable(),
      denominator: z.string().nullable(),
      source: z.string(),
      weight: z.number(),
    }),
  ),
  transforms: z.array(z.string()),
  seed: z.number(),
  restarts: z.number(),
  tiers: z.array(
    z.object({
      name: z.string(),
      k: z.number(),
      wcss: z.number(),
      segments: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          parent: z.string().nullable(),
          areas: z.number(),
          meanCertainty: z.number(),
        }),
      ),
    }),
  ),
  /** agreement (adjusted Rand index) between the top tier and builds with other seeds */
  stability: z
    .object({
      runs: z.number(),
      seeds: z.array(z.number()),
      ari: z.array(z.number()),
      mean: z.number(),
      min: z.number(),
    })
    .nullable(),
  /** mean silhouette width of the top tier; on a sample when there are many areas */
  silhouette: z.object({ value: z.number(), sampled: z.number().nullable() }).nullable(),
  certainty: z.object({ mean: z.number(), uncertainShare: z.number() }),
  leftOut: z.array(
    z.object({
      area: z.string(),
      file: z.string(),
      row: z.number().nullable(),
      column: z.string().nullable(),
      reason: z.string(),
    }),
  ),
});
export type BuildResult = z.infer<typeof BuildResultSchema>;

export interface BuiltSegmentation {
  model: SegmentationModel;
  result: BuildResult;
  /** areas in build order, their codes per tier and certainty per tier */
  areas: string[];
  codes: string[][];
  certainty: Float64Array[];
}

/** One weight per variable, from a name → weight map (names matched without regard to case). */
function weightsFor(av: AreaVariables, given: Record<string, number> = {}): number[] {
  const lower = new Map(Object.entries(given).map(([k, w]) => [k.toLowerCase(), w]));
  const unknown = [...lower.keys()].filter((k) => !av.variables.some((v) => v.name.toLowerCase() === k));
  if (unknown.length)
    throw new ParameterError(
      `There is no variable called ${unknown.join(', ')} to weight.`,
      `Variables: ${av.variables
        .map((v) => v.name)
        .slice(0, 20)
        .join(', ')}.`,
    );
  return av.variables.map((v) => {
    const w = lower.get(v.name.toLowerCase()) ?? 1;
    if (!(w > 0)) throw new ParameterError(`The weight of ${v.name} must be more than 0, not ${w}.`);
    return w;
  });
}

/** Fits the transformation steps to the data and returns the matrix k-means works on. */
function prepareSpace(
  av: AreaVariables,
  transforms: readonly Transform[],
  weights: number[],
): { steps: TransformStep[]; space: Matrix } {
  if (av.raw.data.some((x) => !Number.isFinite(x)))
    throw new ParameterError('A variable has a value that is not a finite number.');
  const steps: TransformStep[] = [];
  let m = av.raw;
  for (const t of transforms) {
    if (!TRANSFORMS.includes(t))
      throw new ParameterError(`Unknown transformation "${t}".`, `Use any of: ${TRANSFORMS.join(', ')}.`);
    if (t === 'log' && m.data.some((x) => x < 0))
      throw new ParameterError(
        'The log transformation needs values of zero or more.',
        'Use ihs (inverse hyperbolic sine), which accepts negative values.',
      );
    const step = fitStep(m, t);
    steps.push(step);
    m = applyStep(m, step);
  }
  const w = weights.map(Math.sqrt);
  if (w.some((x) => x !== 1)) {
    const data = new Float64Array(m.data);
    for (let i = 0; i < m.n; i++) for (let j = 0; j < m.d; j++) data[i * m.d + j] *= w[j];
    m = { data, n: m.n, d: m.d };
  }
  return { steps, space: m };
}

/** Below this many areas the silhouette is exact; above, it is measured on a fixed random sample. */
const SILHOUETTE_EXACT = 3000;

function subMatrix(m: Matrix, rows: readonly number[]): Matrix {
  const data = new Float64Array(rows.length * m.d);
  rows.forEach((r, i) => data.set(m.data.subarray(r * m.d, (r + 1) * m.d), i * m.d));
  return { data, n: rows.length, d: m.d };
}

/** Cluster indices renumbered by size (largest first), ties by the first area in each. */
function orderBySize(labels: Int32Array, k: number): number[] {
  const size = new Array(k).fill(0),
    first = new Array(k).fill(Infinity);
  labels.forEach((l, i) => {
    size[l]++;
    if (i < first[l]) first[l] = i;
  });
  const order = [...Array(k).keys()].sort((a, b) => size[b] - size[a] || first[a] - first[b]);
  const rank = new Array(k);
  order.forEach((c, r) => {
    rank[c] = r;
  });
  return rank;
}

const childCode = (parent: string, depth: number, i: number) =>
  depth === 1
    ? parent + String.fromCharCode(97 + i)
    : `${parent}${depth >= 2 && /\d$/.test(parent) ? '.' : ''}${i + 1}`;

export function validateK(k: number[], n: number): void {
  if (!k.length) throw new ParameterError('Give at least one number of segments, e.g. --k 8 or --k 8,26.');
  k.forEach((x, i) => {
    if (!Number.isInteger(x) || x < 2)
      throw new ParameterError(`Each number of segments must be a whole number of 2 or more, not ${x}.`);
    if (i > 0 && x < k[i - 1])
      throw new ParameterError(
        `Each tier needs at least as many segments as the one above it (${k[i - 1]} then ${x}).`,
        'Give the broadest tier first, e.g. --k 8,26.',
      );
    if (x > n)
      throw new ParameterError(`Cannot make ${x} segments from ${n} areas.`, 'Give fewer segments or more areas.');
  });
  if (k.length > TIER_NAMES.length) throw new ParameterError(`At most ${TIER_NAMES.length} tiers can be built.`);
}

export async function buildSegmentation(av: AreaVariables, opts: BuildOptions): Promise<BuiltSegmentation> {
  const n = av.areas.length;
  validateK(opts.k, n);
  const tierNames = opts.tiers ?? TIER_NAMES.slice(0, opts.k.length);
  if (tierNames.length !== opts.k.length)
    throw new ParameterError(
      `Give a tier name for each number of segments (${opts.k.length}), not ${tierNames.length}.`,
    );
  const transforms = opts.transforms ?? OAC_TRANSFORMS;
  const seed = opts.seed ?? 1,
    restarts = opts.restarts ?? 10;
  const weights = weightsFor(av, opts.weights);

  const { steps, space } = prepareSpace(av, transforms, weights);
  const variables = av.variables.map((v, j) => ({ ...v, weight: weights[j] }));
  const draft: SegmentationModel = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: opts.name,
    title: opts.title ?? null,
    areaLevel: av.level,
    variables,
    steps,
    tiers: [],
    build: { seed, restarts, k: opts.k, areas: n, createdAt: new Date().toISOString() },
  };
  const totalSteps = opts.k.reduce((s, x) => s + x, 0) + (opts.stabilityRuns ?? 5) + 1;
  let done = 0;
  const tick = (stage: string) => opts.onProgress?.({ stage, done: ++done, total: totalSteps });
  const km = (m: Matrix, k: number, s: number) => kmeansParallel(m, { k, seed: s, restarts, workers: opts.workers });

  // Top tier.
  const top = await km(space, opts.k[0], seed);
  tick('segments');
  const rank = orderBySize(top.labels, opts.k[0]);
  let members: { code: string; parent: string | null; rows: number[]; centre: number[] }[] = [
    ...Array(opts.k[0]).keys(),
  ]
    .map((c) => ({ c, r: rank[c] }))
    .sort((a, b) => a.r - b.r)
    .map(({ c, r }) => ({
      code: String(r + 1),
      parent: null,
      rows: [] as number[],
      centre: Array.from(top.centres.subarray(c * space.d, (c + 1) * space.d)),
    }));
  top.labels.forEach((l, i) => members[rank[l]].rows.push(i));
  const tiers: SegmentationModel['tiers'] = [
    {
      name: tierNames[0],
      segments: members.map((m) => ({
        code: m.code,
        name: `${cap(tierNames[0])} ${m.code}`,
        parent: null,
        centre: m.centre,
        areas: m.rows.length,
      })),
    },
  ];
  const wcss = [top.wcss];

  // Lower tiers, top-down.
  for (let t = 1; t < opts.k.length; t++) {
    const parents = members;
    const subs = parents.map((p) => subMatrix(space, p.rows));
    const cache = new Map<string, KMeansResult>();
    const solve = async (p: number, k: number) => {
      const key = `${p}:${k}`;
      if (!cache.has(key)) cache.set(key, await km(subs[p], k, seed + 7919 * t + p));
      return cache.get(key)!;
    };
    const kOf = parents.map(() => 1);
    const current = await Promise.all(parents.map((_, p) => solve(p, 1)));
    let extra = opts.k[t] - parents.length;
    while (extra > 0) {
      let bestP = -1,
        bestGain = -Infinity;
      for (let p = 0; p < parents.length; p++) {
        if (parents[p].rows.length < kOf[p] + 1) continue;
        const next = await solve(p, kOf[p] + 1);
        const gain = current[p].wcss - next.wcss;
        if (gain > bestGain) {
          bestGain = gain;
          bestP = p;
        }
      }
      if (bestP < 0)
        throw new ParameterError(
          `Cannot make ${opts.k[t]} ${tierNames[t]}s: the ${tierNames[t - 1]}s have too few areas.`,
        );
      kOf[bestP]++;
      current[bestP] = await solve(bestP, kOf[bestP]);
      extra--;
      tick('segments');
    }
    const next: typeof members = [];
    parents.forEach((p, pi) => {
      const res = current[pi];
      const r = orderBySize(res.labels, res.k);
      const kids = [...Array(res.k).keys()]
        .sort((a, b) => r[a] - r[b])
        .map((c) => ({
          code: childCode(p.code, t, r[c]),
          parent: p.code,
          rows: [] as number[],
          centre: Array.from(res.centres.subarray(c * space.d, (c + 1) * space.d)),
        }));
      res.labels.forEach((l, i) => kids[r[l]].rows.push(p.rows[i]));
      next.push(...kids);
    });
    tiers.push({
      name: tierNames[t],
      segments: next.map((m) => ({
        code: m.code,
        name: `${cap(tierNames[t])} ${m.code}`,
        parent: m.parent,
        centre: m.centre,
        areas: m.rows.length,
      })),
    });
    wcss.push(current.reduce((s, x) => s + x.wcss, 0));
    members = next;
  }
  const model: SegmentationModel = { ...draft, tiers };
  const assigned = assignToModel(model, space);
  // Top-down assignment by nearest centre agrees with the clusters k-means left behind except
  // where an area sits exactly between two centres; the model's answer is the one stored, so
  // that assigning the same areas again gives the same codes.
  const codes = assigned.codes;

  // Stability: the top tier again with other seeds.
  let stability: BuildResult['stability'] = null;
  const runs = opts.stabilityRuns ?? 5;
  if (runs > 0) {
    const seeds = [...Array(runs).keys()].map((i) => seed + 1000 + i);
    const ari: number[] = [];
    for (const s of seeds) {
      const other = await km(space, opts.k[0], s);
      ari.push(adjustedRandIndex(top.labels, other.labels));
      tick('stability');
    }
    stability = { runs, seeds, ari, mean: ari.reduce((a, b) => a + b, 0) / runs, min: Math.min(...ari) };
  }

  // Silhouette of the top tier, on a fixed sample when there are many areas.
  let sil: BuildResult['silhouette'] = null;
  if (n > opts.k[0]) {
    if (n <= SILHOUETTE_EXACT) sil = { value: silhouette(space, top.labels, opts.k[0]), sampled: null };
    else {
      const rng = createRandom(seed);
      const pick = [...Array(n).keys()];
      for (let i = 0; i < SILHOUETTE_EXACT; i++) {
        const j = i + rng.int(n - i);
        [pick[i], pick[j]] = [pick[j], pick[i]];
      }
      const rows = pick.slice(0, SILHOUETTE_EXACT).sort((a, b) => a - b);
      sil = {
        value: silhouette(
          subMatrix(space, rows),
          Int32Array.from(rows, (r) => top.labels[r]),
          opts.k[0],
        ),
        sampled: SILHOUETTE_EXACT,
      };
    }
  }
  tick('checks');

  const topCertainty = assigned.certainty[0];
  const meanOf = (xs: Iterable<number>) => {
    let s = 0,
      c = 0;
    for (const x of xs) {
      s += x;
      c++;
    }
    return c ? s / c : 0;
  };
  const result: BuildResult = {
    version: BUILD_RESULT_VERSION,
    name: opts.name,
    title: opts.title ?? null,
    areaLevel: av.level,
    areas: n,
    variables,
    transforms: [...transforms],
    seed,
    restarts,
    tiers: tiers.map((tier, t) => ({
      name: tier.name,
      k: tier.segments.length,
      wcss: wcss[t],
      segments: tier.segments.map((s) => ({
        code: s.code,
        name: s.name,
        parent: s.parent,
        areas: codes[t].filter((c) => c === s.code).length,
        meanCertainty: meanOf(codes[t].flatMap((c, i) => (c === s.code ? [assigned.certainty[t][i]] : []))),
      })),
    })),
    stability,
    silhouette: sil,
    certainty: {
      mean: meanOf(topCertainty),
      uncertainShare: meanOf(Array.from(topCertainty, (c) => (c < 0.1 ? 1 : 0))),
    },
    leftOut: av.leftOut as LeftOutArea[],
  };
  for (const [t, tier] of model.tiers.entries())
    for (const s of tier.segments) s.areas = result.tiers[t].segments.find((x) => x.code === s.code)!.areas;
  return { model, result, areas: av.areas, codes, certainty: assigned.certainty };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const DiagnosticsResultSchema = z.object({
  version: z.literal(1),
  areaLevel: z.string(),
  areas: z.number(),
  variables: z.number(),
  transforms: z.array(z.string()),
  rows: z.array(z.object({ k: z.number(), wcss: z.number(), silhouette: z.number(), smallest: z.number() })),
  silhouetteSampled: z.number().nullable(),
});
export type DiagnosticsResult = z.infer<typeof DiagnosticsResultSchema>;

/** Total within-cluster sum of squares and silhouette across a range of k, to help choose k. */
export async function diagnoseK(
  av: AreaVariables,
  ks: number[],
  opts: {
    transforms?: readonly Transform[];
    weights?: Record<string, number>;
    seed?: number;
    restarts?: number;
    onProgress?: BuildOptions['onProgress'];
  },
): Promise<DiagnosticsResult> {
  const { space } = prepareSpace(av, opts.transforms ?? OAC_TRANSFORMS, weightsFor(av, opts.weights));
  const n = space.n;
  let sample: number[] | null = null;
  if (n > SILHOUETTE_EXACT) {
    const rng = createRandom(opts.seed ?? 1);
    const pick = [...Array(n).keys()];
    for (let i = 0; i < SILHOUETTE_EXACT; i++) {
      const j = i + rng.int(n - i);
      [pick[i], pick[j]] = [pick[j], pick[i]];
    }
    sample = pick.slice(0, SILHOUETTE_EXACT).sort((a, b) => a - b);
  }
  const rows: DiagnosticsResult['rows'] = [];
  for (const [i, k] of ks.entries()) {
    if (!Number.isInteger(k) || k < 2 || k > n)
      throw new ParameterError(`Cannot try ${k} segments with ${n} areas.`, 'Give a range such as --k 2-12.');
    const res = await kmeansParallel(space, { k, seed: opts.seed ?? 1, restarts: opts.restarts ?? 10 });
    const s = sample
      ? silhouette(
          subMatrix(space, sample),
          Int32Array.from(sample, (r) => res.labels[r]),
          k,
        )
      : silhouette(space, res.labels, k);
    rows.push({ k, wcss: res.wcss, silhouette: s, smallest: Math.min(...res.sizes) });
    opts.onProgress?.({ stage: 'k', done: i + 1, total: ks.length });
  }
  return {
    version: 1,
    areaLevel: av.level,
    areas: n,
    variables: av.raw.d,
    transforms: [...(opts.transforms ?? OAC_TRANSFORMS)],
    rows,
    silhouetteSampled: sample ? SILHOUETTE_EXACT : null,
  };
}

/** "2-12" or "4,6,8" → [2..12] or [4,6,8]. */
export function parseKList(text: string): number[] {
  const t = text.trim();
  const range = /^(\d+)\s*(?:-|\.\.)\s*(\d+)$/.exec(t);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw new ParameterError(`Cannot read the range "${text}".`, 'Write it low-high, e.g. 2-12.');
    return [...Array(b - a + 1).keys()].map((i) => a + i);
  }
  const list = t.split(',').map((x) => Number(x.trim()));
  if (!list.length || list.some((x) => !Number.isInteger(x)))
    throw new ParameterError(`Cannot read "${text}" as numbers of segments.`, 'Write e.g. 8, 8,26 or 2-12.');
  return list;
}
