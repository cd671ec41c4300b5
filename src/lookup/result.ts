/**
 * The results of postcode look-ups: bulk enrichment (the API's POST /api/postcodes and
 * `civic postcodes enrich`) and the front-desk look-up of one postcode (the portal's /lookup).
 */
import { z } from 'zod';
import { PortraitSchema } from '../segmentation/index.ts';

export const ENRICHMENT_VERSION = 1;
export const LOOKUP_VERSION = 1;

/** The area codes every enriched postcode carries, in this order. */
export const AREA_COLUMNS = ['oa21', 'lsoa21', 'msoa21', 'ward', 'lad'] as const;
export type AreaColumn = (typeof AREA_COLUMNS)[number];

export const ENRICHMENT_STATUSES = ['found', 'terminated', 'not in the directory', 'not a postcode'] as const;

export const EnrichedSegmentSchema = z.object({
  classification: z.string(),
  tier: z.string(),
  code: z.string(),
  name: z.string().nullable(),
});
export type EnrichedSegment = z.infer<typeof EnrichedSegmentSchema>;

export const EnrichedPostcodeSchema = z.object({
  input: z.string().describe('The postcode as sent'),
  postcode: z.string().nullable().describe('The postcode as it should be written (null when it is not a postcode)'),
  corrected: z.boolean().describe('Whether a slip was corrected (O for 0, I for 1 …) to read it'),
  status: z.enum(ENRICHMENT_STATUSES),
  areas: z.object(
    Object.fromEntries(AREA_COLUMNS.map((c) => [c, z.string().nullable()])) as Record<
      AreaColumn,
      z.ZodNullable<z.ZodString>
    >,
  ),
  segments: z
    .array(EnrichedSegmentSchema)
    .describe("Every tier of every classification the postcode's area has a segment in"),
});
export type EnrichedPostcode = z.infer<typeof EnrichedPostcodeSchema>;

export const EnrichmentClassificationSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  kind: z.string(),
  areaLevel: z.string(),
  tiers: z.array(z.string()),
});
export type EnrichmentClassification = z.infer<typeof EnrichmentClassificationSchema>;

export const EnrichmentCountsSchema = z.object({
  inputs: z.number(),
  found: z.number(),
  terminated: z.number(),
  notInDirectory: z.number(),
  notAPostcode: z.number(),
});
export type EnrichmentCounts = z.infer<typeof EnrichmentCountsSchema>;

export const PostcodeEnrichmentSchema = z.object({
  version: z.literal(ENRICHMENT_VERSION),
  /** the classification asked for, or null for every one */
  segmentation: z.string().nullable(),
  classifications: z.array(EnrichmentClassificationSchema),
  counts: EnrichmentCountsSchema,
  results: z.array(EnrichedPostcodeSchema),
});
export type PostcodeEnrichment = z.infer<typeof PostcodeEnrichmentSchema>;

const TakeUpSchema = PortraitSchema.shape.facts.shape.takeUp;

export const PostcodeLookupSchema = z.object({
  version: z.literal(LOOKUP_VERSION),
  input: z.string(),
  postcode: z.string(),
  /** the postcode as typed, when a slip was corrected to read it */
  corrected: z.string().nullable(),
  status: z.string().nullable(),
  terminated: z.string().nullable(),
  ward: z.string().nullable(),
  wardName: z.string().nullable(),
  classifications: z.array(
    z.object({
      name: z.string(),
      title: z.string().nullable(),
      kind: z.string(),
      areaLevel: z.string(),
      tiers: z.array(z.string()),
      area: z.string().nullable(),
      segments: z.array(
        z.object({
          tier: z.string(),
          code: z.string(),
          name: z.string(),
          portrait: PortraitSchema.nullable(),
          /** services its households use more (index 110 or more) and less (90 or less), shown figures only */
          more: TakeUpSchema,
          less: TakeUpSchema,
          takeUp: TakeUpSchema,
        }),
      ),
    }),
  ),
  nearest: z.array(
    z.object({
      kind: z.string(),
      name: z.string(),
      metres: z.number(),
      walk: z.number(),
      car: z.number(),
      openingHours: z.string().nullable(),
      postcode: z.string().nullable(),
    }),
  ),
});
export type PostcodeLookup = z.infer<typeof PostcodeLookupSchema>;
