/**
 * The profile result: a contract shared by the CLI, every export and (later) the API. Numbers are
 * unrounded; percentages are in percent units (6.32 means 6.32%).
 */
import { z } from 'zod';

export const PROFILE_RESULT_VERSION = 3;

export const ProfileRowSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  count: z.number().nullable(),
  filePct: z.number().nullable(),
  base: z.number(),
  basePct: z.number().nullable(),
  penetration: z.number().nullable(),
  index: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  z: z.number().nullable(),
  significant: z.boolean().nullable(),
  band: z.string().nullable(),
  suppressed: z.boolean(),
  /** the cell's key for the cell key method (sum of its records' keys mod 256); never shown: the boundary removes it */
  cellKey: z.number().nullable(),
});
export type ProfileRow = z.infer<typeof ProfileRowSchema>;

export const ProfileResultSchema = z.object({
  version: z.literal(PROFILE_RESULT_VERSION),
  dataset: z.string(),
  /** the tier ("group") or area level ("ward") profiled */
  level: z.string(),
  kind: z.enum(['segment', 'area']),
  classification: z.string().nullable(),
  baseMeasure: z.enum(['households', 'population']),
  baseMethod: z.string(),
  filter: z.string().nullable(),
  /** null: records are counted; otherwise the column whose distinct values are counted (a customer reference) */
  countOf: z.string().nullable(),
  rows: z.array(ProfileRowSchema),
  total: z.object({
    count: z.number().nullable(),
    base: z.number(),
    penetration: z.number().nullable(),
    cellKey: z.number().nullable(),
  }),
  /** records in the file that are not in any row: unmatched or rejected postcodes, or no area/segment for their postcode */
  unmatched: z.number().nullable(),
  /** the key of the records counted in `unmatched`; removed at the boundary */
  unmatchedKey: z.number().nullable(),
  /** the owner's breakdown of `unmatched`; noBase: matched records in areas the base has no figure for (left out of every rate) */
  notPlaced: z
    .object({ unmatched: z.number(), rejected: z.number(), noBase: z.number(), noSegment: z.number() })
    .nullable(),
  /** base areas left out because no postcode places them (e.g. a national base with one council's postcodes) */
  baseExcluded: z.object({ areas: z.number(), base: z.number() }).nullable(),
  /**
   * when the postcode directory reaches only part of the borough's areas (its boundaries or area
   * lookup at the base's level): how many, and their share of the base; null when it reaches all
   */
  coverage: z
    .object({
      level: z.string(),
      from: z.enum(['boundaries', 'areas']),
      areas: z.number(),
      reached: z.number(),
      base: z.number(),
      reachedBase: z.number(),
    })
    .nullable(),
  bands: z.array(z.object({ name: z.string(), min: z.number().nullable() })),
  /** how the figures were protected: `perturbed` when counts carry the cell key method's noise */
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
    .nullable(),
});
export type ProfileResult = z.infer<typeof ProfileResultSchema>;
