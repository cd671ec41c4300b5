/** Postcode look-ups (C14): bulk enrichment for the API and `civic postcodes enrich`, and the front-desk look-up. */
export { PostcodeEnricher, enrichPostcodes, enrichmentClassifications, ENRICH_BATCH } from './enrich.ts';
export { postcodesFromText, POSTCODE_HEADERS } from './input.ts';
export { lookupPostcode, readPostcode } from './lookup.ts';
export type { LookupSources } from './lookup.ts';
export {
  PostcodeEnrichmentSchema,
  EnrichedPostcodeSchema,
  EnrichedSegmentSchema,
  EnrichmentClassificationSchema,
  EnrichmentCountsSchema,
  PostcodeLookupSchema,
  AREA_COLUMNS,
  ENRICHMENT_STATUSES,
  ENRICHMENT_VERSION,
  LOOKUP_VERSION,
} from './result.ts';
export type {
  PostcodeEnrichment,
  EnrichedPostcode,
  EnrichedSegment,
  EnrichmentClassification,
  EnrichmentCounts,
  PostcodeLookup,
  AreaColumn,
} from './result.ts';
