export {
  profileDataset,
  checkFilterMatches,
  getDataset,
  defaultClassification,
  baseLevel,
  resolveClassification,
  distinctCount,
  hasProperties,
  RECORD_COUNT,
  HOUSEHOLD,
} from './profile.ts';
export type { ProfileRequest, CountSql, DatasetRow } from './profile.ts';
export { computeProfile, profileMeasures } from './compute.ts';
export type { ProfileCell, ComputedProfile } from './compute.ts';
export { ProfileResultSchema, ProfileRowSchema, PROFILE_RESULT_VERSION } from './result.ts';
export type { ProfileResult, ProfileRow } from './result.ts';
export {
  overlapAnalysis,
  unitKeySalt,
  normaliseLinkKey,
  planLinks,
  OverlapResultSchema,
  OverlapCombinationSchema,
  OverlapServiceSchema,
  OVERLAP_RESULT_VERSION,
  MAX_OVERLAP_DATASETS,
} from './overlap.ts';
export type { OverlapRequest, OverlapResult, OverlapCombination, OverlapService } from './overlap.ts';
export {
  representAnalysis,
  chiSquareGoodnessOfFit,
  chiSquarePValue,
  describeRepresentation,
  RepresentResultSchema,
  RepresentRowSchema,
  REPRESENT_RESULT_VERSION,
} from './represent.ts';
export type { RepresentRequest, RepresentResult, RepresentRow, ChiSquare, GoodnessOfFit } from './represent.ts';
export {
  serviceDeliveryFramework,
  buildSdf,
  sdfDatasets,
  sdfSheets,
  sdfKeys,
  SdfResultSchema,
  SdfCellSchema,
  SdfServiceSchema,
  SDF_RESULT_VERSION,
  COUNCIL_PARTNER,
  ALL_PARTNERS,
} from './sdf.ts';
export type { SdfResult, SdfCell, SdfService, SdfRequest, SdfOptions } from './sdf.ts';
export {
  ragSynopsis,
  buildRag,
  ragOf,
  parseArea,
  checkThresholds,
  RagResultSchema,
  RagCellSchema,
  RagColumnSchema,
  RAG_RESULT_VERSION,
  RAG_COLOURS,
  DEFAULT_RAG_THRESHOLDS,
} from './rag.ts';
export type {
  RagResult,
  RagCell,
  RagColumn,
  RagColour,
  RagMeasure,
  RagRequest,
  RagOptions,
  RagThresholds,
} from './rag.ts';
export { baseByGroup, areaWithin } from './base.ts';
export { parseWhere, parseMeasures, filterParts, MAX_FILTERS, CLI_SPEC_NAMES, API_SPEC_NAMES } from './specs.ts';
export type { RecordFilter, RecordPeriod, SpecNames } from './specs.ts';
export { BLANK_VALUE, describeFilter } from './specs.ts';
export { withRecordFilter } from './filter.ts';
export type { FilterSql } from './filter.ts';
