/**
 * The portable segmentation model: everything needed to put new areas into the same segments —
 * the variables and how each was made, the fitted transformation steps, the weights, and the
 * centres of every segment in every tier. A county exports it; a partner imports it and assigns
 * its own areas, households or postcodes.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { applyStep, type Matrix, type TransformStep } from './transform.ts';

export const MODEL_FORMAT = 'civic-segmentation';
export const MODEL_VERSION = 1;

const StepSchema = z.union([
  z.object({ kind: z.enum(['none', 'ihs', 'log']) }),
  z.object({ kind: z.literal('zscore'), mean: z.array(z.number()), sd: z.array(z.number()) }),
  z.object({ kind: z.literal('range'), min: z.array(z.number()), max: z.array(z.number()) }),
]);

export const ModelSegmentSchema = z.object({
  code: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  /** in the transformed, weighted space */
  centre: z.array(z.number()),
  areas: z.number(),
});

export const SegmentationModelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  name: z.string(),
  title: z.string().nullable(),
  areaLevel: z.string(),
  variables: z.array(
    z.object({
      name: z.string(),
      label: z.string().nullable(),
      denominator: z.string().nullable(),
      source: z.string(),
      weight: z.number().positive(),
    }),
  ),
  steps: z.array(StepSchema),
  tiers: z.array(z.object({ name: z.string(), segments: z.array(ModelSegmentSchema) })),
  build: z.object({
    seed: z.number(),
    restarts: z.number(),
    k: z.array(z.number()),
    areas: z.number(),
    createdAt: z.string(),
  }),
});
export type SegmentationModel = z.infer<typeof SegmentationModelSchema>;

/** Puts raw variable values (areas × variables, in the model's order) into the model's space. */
export function toModelSpace(model: SegmentationModel, raw: Matrix, areaCodes?: readonly string[]): Matrix {
  if (raw.d !== model.variables.length)
    throw new Error(`The model has ${model.variables.length} variables; the data has ${raw.d}.`);
  let m = raw;
  for (const step of model.steps) {
    // The model was built with a log, which has no value below zero: say which area and variable.
    if (step.kind === 'log') {
      const at = m.data.findIndex((x) => x < 0);
      if (at >= 0) {
        const area = areaCodes?.[Math.floor(at / m.d)] ?? `row ${Math.floor(at / m.d) + 1}`;
        const variable = model.variables[at % m.d].name;
        const negatives = m.data.reduce((t, x) => t + (x < 0 ? 1 : 0), 0);
        throw new ParameterError(
          `The segmentation ${model.name} takes the log of every variable, which needs values of zero or more, but ${variable} is below zero for ${area}${negatives > 1 ? ` (and ${negatives - 1} more values)` : ''}.`,
          'Check the file for negative values (a sign error, or a change from a previous year), correct them and assign again; or rebuild the segmentation with ihs (inverse hyperbolic sine), which accepts them.',
        );
      }
    }
    m = applyStep(m, step as TransformStep);
  }
  const w = model.variables.map((v) => Math.sqrt(v.weight));
  if (w.every((x) => x === 1)) return m;
  const data = new Float64Array(m.data);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.d; j++) data[i * m.d + j] *= w[j];
  return { data, n: m.n, d: m.d };
}

export interface Assignment {
  /** codes[tier][area] */
  codes: string[][];
  /** certainty[tier][area]: 1 − own distance ÷ next-nearest distance among the candidates */
  certainty: Float64Array[];
}

/**
 * Nearest centre, top-down: an area takes the nearest top-tier segment, then the nearest of that
 * segment's children, as the segments were built.
 */
export function assignToModel(model: SegmentationModel, space: Matrix): Assignment {
  const { data, n, d } = space;
  const codes: string[][] = model.tiers.map(() => new Array<string>(n));
  const certainty = model.tiers.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    let parent: string | null = null;
    model.tiers.forEach((tier, t) => {
      const candidates = tier.segments.filter((s) => t === 0 || s.parent === parent);
      let best = -1,
        bestD = Infinity,
        next = Infinity;
      candidates.forEach((s, c) => {
        let sum = 0;
        for (let j = 0; j < d; j++) {
          const x = data[i * d + j] - s.centre[j];
          sum += x * x;
        }
        if (sum < bestD) {
          next = bestD;
          bestD = sum;
          best = c;
        } else if (sum < next) next = sum;
      });
      const chosen = candidates[best];
      codes[t][i] = chosen.code;
      const own = Math.sqrt(bestD),
        other = Math.sqrt(next);
      certainty[t][i] = !Number.isFinite(other) || other === 0 ? 1 : Math.max(0, 1 - own / other);
      parent = chosen.code;
    });
  }
  return { codes, certainty };
}
