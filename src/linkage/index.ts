/**
 * Linkage (C3): the public face. Record linkage of people (Fellegi–Sunter, as Splink does it) and
 * address matching are two blocks here, kept apart so each can grow without touching the other.
 */

// ---- Record linkage of people (spec, comparisons, blocking, EM, predict, cluster, evaluate) ----
export {
  LINK_SPEC_VERSION,
  LinkSpecSchema,
  parseLinkSpec,
  isNullLevel,
  levelLabel,
  reviewBand,
  DEFAULT_REVIEW_BAND,
  specColumns,
  checkSqlFragment,
} from './spec.ts';
export type { LinkSpec, LinkSpecInput, Comparison, Level, BlockingRule } from './spec.ts';
export {
  levelConditionSql,
  comparisonGammaSql,
  comparisonWeightSql,
  dateColumn,
  levelWeights,
  priorWeight,
  probabilityOf,
} from './comparisons.ts';
export { ruleSql, ruleName, ruleCountSql, blockedPairsSql, pairFilterSql } from './blocking.ts';
export { runEm, estimateU, estimatePrior, startingM, MIN_PROBABILITY } from './em.ts';
export type { Pattern, EmComparison, EmResult } from './em.ts';
export { linkSources, recordsSql } from './records.ts';
export type { LinkSource } from './records.ts';
export { trainModel, countBlocking, patternsSql, TrainingReportSchema } from './train.ts';
export type { TrainingReport, Progress } from './train.ts';
export { saveModel, getModel, findModel, isTrained, validateModelName } from './model.ts';
export type { SavedModel } from './model.ts';
export {
  predictModel,
  modelPairs,
  explainPair,
  explainPairs,
  matchWeightSql,
  PredictResultSchema,
  PairSchema,
  ExplanationSchema,
} from './predict.ts';
export type { PredictResult, Pair, Explanation } from './predict.ts';
export {
  reviewQueue,
  decidePair,
  findPair,
  pairRecords,
  parseDecision,
  checkReason,
  linkedPairsSql,
  DECISIONS,
  MAX_REASON,
  ReviewQueueSchema,
  ReviewItemSchema,
  ReviewDecisionSchema,
  PairRecordsSchema,
} from './review.ts';
export type { ReviewQueue, ReviewItem, ReviewDecision, Decision, Decider, PairRecords } from './review.ts';
export {
  listModels,
  modelSummary,
  modelParameters,
  viewPair,
  ModelSummarySchema,
  ModelParametersSchema,
  PairViewSchema,
} from './parameters.ts';
export type { ModelSummary, ModelParameters, PairView } from './parameters.ts';
export { clusterModel, connectedComponents, ClusterResultSchema } from './cluster.ts';
export type { ClusterResult } from './cluster.ts';
export { evaluateModel, febrlEntity, EvaluationSchema } from './evaluate.ts';
export type { Evaluation, Truth } from './evaluate.ts';
export { proposeSpec, comparisonFor, dateFormatOf, ProposalSchema } from './propose.ts';
export type { Proposal, ColumnKind } from './propose.ts';
export { fromSplinkSettings, isSplinkSettings } from './splink.ts';
// ---- end of record linkage of people ----

// ---- Addresses: standardisation, parsing, property keys, gazetteer and matching (address-*.ts) ----
export {
  readLookupFiles,
  buildLookups,
  lookupsFromFolder,
  importAddressLookups,
  loadAddressLookups,
  hasAddressLookups,
  NO_LOOKUPS,
  LOOKUP_FILES,
} from '../geo/index.ts';
export type { AddressLookups, LookupEntry, LookupKind, LookupImportResult } from '../geo/index.ts';
export {
  standardiseAddress,
  addressIds,
  addressWords,
  isParsed,
  validUprn,
  derivedPropertyKey,
  propertyKey,
  PROBLEM_TEXT,
} from '../geo/index.ts';
export type {
  AddressParts,
  AddressProblem,
  StandardisedAddress,
  StandardiseOptions,
  PropertyKeyKind,
} from '../geo/index.ts';
export { AddressIndex, DEFAULT_MATCH_PARAMETERS } from '../geo/index.ts';
export type {
  AddressMatch,
  Candidate,
  GazetteerAddress,
  MatchParameters,
  MatchStatus,
  MatchStep,
} from '../geo/index.ts';
export { loadGazetteer, gazetteerInfo } from '../geo/index.ts';
export type { GazetteerInfo } from '../geo/index.ts';
export { importGazetteer, GAZETTEER_FIELDS } from './address-gazetteer.ts';
export type { GazetteerField, GazetteerImportOptions, GazetteerImportResult } from './address-gazetteer.ts';
export {
  matchAddressFile,
  AddressMatchResultSchema,
  AddressMatchRecordSchema,
  ADDRESS_MATCH_RESULT_VERSION,
} from './address-run.ts';
export type { AddressMatchRequest, AddressMatchResult, AddressMatchRecord } from './address-run.ts';
// ---- end of addresses ----
export { matchRates, MatchRateResultSchema, MATCH_RATE_VERSION } from './match-rate.ts';
export type { MatchRateResult, MatchRateDataset } from './match-rate.ts';
export {
  householdView,
  householdKey,
  HouseholdViewSchema,
  HOUSEHOLD_VIEW_VERSION,
  MAX_HOUSEHOLD_RECORDS,
} from './household.ts';
export type { HouseholdView, HouseholdQuery } from './household.ts';
