/**
 * The typed, versioned result of training a propensity model (C10): what was learnt, how every
 * household was accounted for, the odds ratios in plain English, and the evaluation on held-out
 * areas against the segment-only baseline. A saved model is this result plus the coefficients
 * needed to score again, so a model says what it was when it is used a year later.
 */
import { z } from 'zod';
import { FEATURE_KINDS, PropensitySpecSchema } from './spec.ts';

export const PROPENSITY_RESULT_VERSION = 1;

const Interval = z.object({ low: z.number(), high: z.number() });

export const FeatureEffectSchema = z.object({
  name: z.string(),
  kind: z.enum(FEATURE_KINDS),
  label: z.string(),
  binary: z.boolean(),
  unit: z.string().nullable(),
  /** the change the odds ratio is for, in the feature's units */
  step: z.number(),
  stepWords: z.string(),
  /** on the rows of the final fit, for standardising a household when it is scored */
  mean: z.number(),
  sd: z.number(),
  /** on the standardised scale */
  coefficient: z.number(),
  standardError: z.number().nullable(),
  oddsRatio: z.number(),
  interval: Interval.nullable(),
  /** whether the 95% interval leaves out 1 */
  clear: z.boolean(),
  sentence: z.string(),
});

export const GainsRowSchema = z.object({
  group: z.number(),
  basePct: z.number(),
  users: z.number(),
  cumulativeUsersPct: z.number(),
  ratePct: z.number(),
  lift: z.number(),
});

export const CalibrationSchema = z.object({
  groups: z.array(z.object({ group: z.number(), predictedPct: z.number(), observedPct: z.number(), base: z.number() })),
  observedOverExpected: z.number(),
  slope: z.number().nullable(),
  intercept: z.number().nullable(),
  brier: z.number(),
});

export const PropensityResultSchema = z.object({
  kind: z.literal('propensity'),
  version: z.literal(PROPENSITY_RESULT_VERSION),
  spec: PropensitySpecSchema,
  unit: z.literal('household'),
  /** the households fitted on, and the users among them */
  rows: z.number(),
  users: z.number(),
  accounts: z.object({
    population: z.number(),
    usersOnPopulation: z.number(),
    usersOffPopulation: z.number(),
    usersNotPlaced: z.number(),
    householdsWithoutArea: z.number(),
    usersWithoutArea: z.number(),
  }),
  classification: z.object({ name: z.string(), level: z.string(), tiers: z.array(z.string()) }).nullable(),
  penalty: z.object({
    chosen: z.number(),
    /** how it was chosen: given in the spec, or the lowest held-out log loss over the grid */
    by: z.enum(['given', 'cross-validation']),
    grid: z.array(z.object({ penalty: z.number(), logLoss: z.number(), auc: z.number().nullable() })),
  }),
  intercept: z.number(),
  features: z.array(FeatureEffectSchema),
  /** features left out because they do not vary among the households */
  constant: z.array(z.string()),
  evaluation: z.object({
    folds: z.number(),
    heldOutBy: z.string(),
    areas: z.number(),
    auc: z.number().nullable(),
    baselineAuc: z.number().nullable(),
    interval: z
      .object({
        model: Interval,
        baseline: Interval,
        difference: z.object({ estimate: z.number(), low: z.number(), high: z.number() }),
        replicates: z.number(),
      })
      .nullable(),
    gains: z.array(GainsRowSchema),
    baselineGains: z.array(GainsRowSchema),
    calibration: CalibrationSchema,
    /** better: the difference's interval is above 0; worse: below; else no clear difference */
    verdict: z.enum(['better', 'no-clear-difference', 'worse']),
    sentence: z.string(),
  }),
  method: z.string(),
});

export type FeatureEffect = z.infer<typeof FeatureEffectSchema>;
export type PropensityResult = z.infer<typeof PropensityResultSchema>;
