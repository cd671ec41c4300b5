/** C6 targeting: who to reach and where, and whether the campaign worked. */
export { targetAreas, summariseRounds, DEFAULT_MIN_INDEX, DEFAULT_ROUNDS, DEFAULT_COVERAGE } from './target.ts';
export type { TargetRequest } from './target.ts';
export { evaluateCampaign, newcombeDifference, ratioInterval, parseAreaList } from './evaluate.ts';
export type { EvaluationRequest, Estimate } from './evaluate.ts';
export { expectedNewCustomers, rankGaps, targetCount, deliveryRounds } from './rank.ts';
export type { AreaSegmentCell, AreaGap, RoundItem } from './rank.ts';
export { parseTargetLevel, postcodeRows, centroids } from './areas.ts';
export type { TargetLevel, PostcodeRow } from './areas.ts';
export {
  TargetResultSchema,
  TargetAreaSchema,
  TargetRoundSchema,
  TargetPostcodeSchema,
  TargetSegmentSchema,
  TARGET_RESULT_VERSION,
  EvaluationResultSchema,
  EvaluationGroupSchema,
  EVALUATION_RESULT_VERSION,
} from './result.ts';
export type {
  TargetResult,
  TargetArea,
  TargetRound,
  TargetPostcode,
  TargetSegment,
  EvaluationResult,
  EvaluationGroup,
} from './result.ts';
