/**
 * The targeting and campaign-evaluation results: contracts shared by the CLI, the exports and the
 * portal. Numbers are unrounded; rates are fractions (0.16 means 16%), unlike profiles' percents,
 * because they feed straight into the expected-new-customer arithmetic.
 */
import { z } from 'zod';

/** 2: cell keys on segments, areas and the total (for the cell key method at the boundary), and users in the chosen segments per area. */
/** Version 3: the users may be a filtered set of the dataset's records (filter). */
/** Version 4: users may be households (records at one property reference) or distinct customers (countOf). */
export const TARGET_RESULT_VERSION = 4;
export const EVALUATION_RESULT_VERSION = 1;

export const TargetSegmentSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  /** users ÷ base in the whole area profiled, as a fraction */
  penetration: z.number().nullable(),
  index: z.number().nullable(),
  significant: z.boolean().nullable(),
  base: z.number(),
  users: z.number().nullable(),
  /** the cell key of the users (internal: removed at the boundary) */
  cellKey: z.number().nullable(),
});
export type TargetSegment = z.infer<typeof TargetSegmentSchema>;

export const TargetAreaSchema = z.object({
  /** 1 = most expected new customers */
  rank: z.number(),
  code: z.string(),
  name: z.string().nullable(),
  /** households (or people) in the area, every segment */
  base: z.number(),
  /** current users in the area, every segment */
  users: z.number().nullable(),
  /** users ÷ base, fraction */
  penetration: z.number().nullable(),
  /** the cell key of the users (internal: removed at the boundary) */
  cellKey: z.number().nullable(),
  /** households in the chosen segments */
  targetBase: z.number(),
  /** current users in the chosen segments */
  targetUsers: z.number().nullable(),
  /** the cell key of targetUsers (internal: removed at the boundary) */
  targetCellKey: z.number().nullable(),
  /** households in the chosen segments that do not use the service yet (base − users, never below 0) */
  nonUsers: z.number().nullable(),
  /** Σ over chosen segments of max(0, segment penetration × base − users) */
  expectedNew: z.number(),
  /** minutes to the nearest of the facilities named with --within/--beyond, when given */
  minutes: z.number().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  targeted: z.boolean(),
  /** delivery round (1 = most expected new customers), for targeted areas */
  round: z.number().nullable(),
  livePostcodes: z.number(),
  suppressed: z.boolean(),
});
export type TargetArea = z.infer<typeof TargetAreaSchema>;

export const TargetRoundSchema = z.object({
  round: z.number(),
  areas: z.number(),
  postcodes: z.number(),
  base: z.number(),
  nonUsers: z.number().nullable(),
  expectedNew: z.number(),
});
export type TargetRound = z.infer<typeof TargetRoundSchema>;

export const TargetPostcodeSchema = z.object({
  postcode: z.string(),
  area: z.string(),
  round: z.number().nullable(),
  /** households at the postcode: its base area's households shared equally among that area's live postcodes */
  base: z.number(),
  users: z.number().nullable(),
  suppressed: z.boolean(),
});
export type TargetPostcode = z.infer<typeof TargetPostcodeSchema>;

export const TargetResultSchema = z.object({
  version: z.literal(TARGET_RESULT_VERSION),
  dataset: z.string(),
  /** the users counted, in words, when only some of the dataset's records are ("payment_method = Direct Debit"); null for all */
  filter: z.string().nullable(),
  /** null: users are records; "household": households using the service; else the column whose distinct values are counted */
  countOf: z.string().nullable(),
  classification: z.string(),
  tier: z.string(),
  baseMeasure: z.enum(['households', 'population']),
  /** ward, lsoa21, oa21 … or postcode */
  areaLevel: z.string(),
  selection: z.object({ mode: z.enum(['auto', 'all', 'list']), minIndex: z.number().nullable() }),
  /** every segment of the tier, as profiled; `chosen` are those targeted */
  segments: z.array(TargetSegmentSchema.extend({ chosen: z.boolean() })),
  distance: z
    .object({
      facilities: z.array(z.object({ name: z.string(), kind: z.string() })),
      asked: z.string(),
      mode: z.string(),
      within: z.number().nullable(),
      beyond: z.number().nullable(),
      source: z.string(),
      /** areas left out for being too near or too far */
      areasExcluded: z.number(),
    })
    .nullable(),
  areas: z.array(TargetAreaSchema),
  rounds: z.array(TargetRoundSchema),
  /** live postcodes of the targeted areas, in round order */
  postcodes: z.array(TargetPostcodeSchema),
  totals: z.object({
    areas: z.number(),
    base: z.number(),
    users: z.number().nullable(),
    /**
     * the cell key of the users (internal: removed at the boundary): their records' keys, and a key
     * for each area a journey-time filter left out
     */
    cellKey: z.number().nullable(),
    nonUsers: z.number().nullable(),
    expectedNew: z.number(),
    targetedAreas: z.number(),
    targetedExpectedNew: z.number(),
  }),
  targeting: z.object({ top: z.number().nullable(), coverage: z.number().nullable() }),
  /** the workspace holds no addresses, so lists are of postcodes */
  addresses: z.boolean(),
  method: z.array(z.string()),
  /** perturbed: counts carry the cell key method's noise (a viewer who does not own the dataset) */
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean().optional() })
    .nullable(),
});
export type TargetResult = z.infer<typeof TargetResultSchema>;

const IntervalSchema = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const EvaluationGroupSchema = z.object({
  areas: z.number(),
  base: z.number(),
  users: z.number().nullable(),
  takeUp: IntervalSchema,
  suppressed: z.boolean(),
});
export type EvaluationGroup = z.infer<typeof EvaluationGroupSchema>;

export const EvaluationResultSchema = z.object({
  version: z.literal(EVALUATION_RESULT_VERSION),
  dataset: z.string(),
  areaLevel: z.string(),
  baseMeasure: z.enum(['households', 'population']),
  period: z
    .object({ column: z.string(), since: z.string().nullable(), until: z.string().nullable(), undated: z.number() })
    .nullable(),
  targeted: EvaluationGroupSchema,
  control: EvaluationGroupSchema,
  /** targeted take-up − control take-up (fractions), Newcombe hybrid score 95% interval */
  difference: IntervalSchema,
  /** targeted take-up ÷ control take-up, 95% interval on the log scale (Katz) */
  ratio: IntervalSchema,
  /** whether the difference's interval excludes 0 */
  significant: z.boolean().nullable(),
  areas: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      group: z.enum(['targeted', 'control']),
      base: z.number(),
      users: z.number().nullable(),
      takeUp: z.number().nullable(),
      suppressed: z.boolean(),
    }),
  ),
  /** codes given as targeted or control that no postcode is in */
  unknownAreas: z.array(z.string()),
  method: z.array(z.string()),
  disclosure: z.object({ minCell: z.number(), primary: z.number(), secondary: z.number() }).nullable(),
});
export type EvaluationResult = z.infer<typeof EvaluationResultSchema>;
