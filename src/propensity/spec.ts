/**
 * What a propensity model is asked to learn (issue 15, point 2): a service's users against a base,
 * from which kinds of feature, with which penalty and which areas held out. Plain and validated, so
 * a saved model can be fitted again on next year's files and say what it was.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';

export const FEATURE_KINDS = ['segment', 'census', 'deprivation', 'access', 'services'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

export const FEATURE_KIND_WORDS: Record<FeatureKind, string> = {
  segment: 'the area’s segment at every tier of the classification',
  census: 'the census variables the classification was built from',
  deprivation: 'every domain of every deprivation index in the workspace',
  access: 'walking minutes to the nearest facility of each kind (straight line × 1.3 at 4.8 km/h)',
  services: 'whether the household uses each of the council’s other services (households only)',
};

export const PropensitySpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use lower-case letters, digits, _ and -'),
    /** the service whose users are modelled */
    dataset: z.string().min(1),
    /** a dataset listing the households (e.g. the council tax register): the model is then fitted on households */
    population: z.string().min(1).nullable().default(null),
    classification: z.string().min(1).nullable().default(null),
    features: z
      .array(z.enum(FEATURE_KINDS))
      .min(1)
      .default([...FEATURE_KINDS]),
    /**
     * λ of the ridge penalty on standardised features (scikit-learn's C = 1/λ), or "auto": the
     * value of PENALTY_GRID with the lowest log loss on the held-out areas
     */
    penalty: z.union([z.number().min(0).max(1e6), z.literal('auto')]).default('auto'),
    folds: z.number().int().min(2).max(20).default(5),
    /** the areas held out together, so neighbours never sit on both sides of a split */
    holdoutLevel: z.enum(['lsoa21', 'msoa21', 'ward', 'lsoa11', 'msoa11']).default('lsoa21'),
    seed: z.number().int().default(1),
  })
  .strict();

/** The penalties tried when the spec says "auto". */
export const PENALTY_GRID = [0.1, 1, 10, 100, 1000] as const;

export type PropensitySpec = z.infer<typeof PropensitySpecSchema>;

/** Checks a spec, naming the field that is wrong. */
export function parsePropensitySpec(v: unknown): PropensitySpec {
  const r = PropensitySpecSchema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ParameterError(
      `The propensity model is not valid: ${i.path.join('.') || 'the model'}: ${i.message}.`,
      'Correct it and try again (docs/propensity.md describes every field).',
    );
  }
  return r.data;
}

/** Feature kinds from a comma list, as the command line and the portal give them. */
export function parseFeatureKinds(v: string | undefined): FeatureKind[] | undefined {
  if (v === undefined) return undefined;
  const kinds = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = kinds.filter((k) => !(FEATURE_KINDS as readonly string[]).includes(k));
  if (bad.length || !kinds.length)
    throw new ParameterError(
      `"${bad[0] ?? v}" is not a kind of feature.`,
      `Give one or more of: ${FEATURE_KINDS.join(', ')}, separated by commas.`,
    );
  return [...new Set(kinds)] as FeatureKind[];
}
