/** C4 segmentation: build (transformations, k-means, tiers, diagnostics), keep, assign, export and pen portraits. */
export { matrixFromRows, transform, weight, ihs } from './transform.ts';
export type { Matrix, Transform } from './transform.ts';
export { kmeans, kmeansParallel } from './kmeans.ts';
export type { KMeansOptions, KMeansResult } from './kmeans.ts';
export { silhouette, adjustedRandIndex, certainty } from './diagnostics.ts';
export { fitStep, applyStep } from './transform.ts';
export type { TransformStep } from './transform.ts';
export { loadAreaVariables, parseRate } from './variables.ts';
export type { AreaVariables, VariableDef, VariableFile, VariableRequest, RateSpec, LeftOutArea } from './variables.ts';
export {
  buildSegmentation,
  diagnoseK,
  parseKList,
  validateK,
  TRANSFORMS,
  OAC_TRANSFORMS,
  BuildResultSchema,
  DiagnosticsResultSchema,
  BUILD_RESULT_VERSION,
} from './build.ts';
export type { BuildOptions, BuildResult, BuiltSegmentation, DiagnosticsResult } from './build.ts';
export { SegmentationModelSchema, toModelSpace, assignToModel, MODEL_FORMAT, MODEL_VERSION } from './model.ts';
export type { SegmentationModel, Assignment } from './model.ts';
export {
  saveSegmentation,
  listSegmentations,
  getModel,
  getBuildResult,
  readModelFile,
  importModel,
  ensureSegmentation,
  checkSegmentationName,
} from './store.ts';
export type { SegmentationSummary } from './store.ts';
export {
  assignAreasFromVariables,
  segmentsForPostcodes,
  segmentsForDataset,
  AssignAreasResultSchema,
} from './assign.ts';
export type { AssignAreasResult, PostcodeSegment, RecordSegments } from './assign.ts';
export {
  generatePortraits,
  currentPortraits,
  portraitsOrGenerate,
  editPortrait,
  portraitHistory,
  portraitFacts,
  draftText,
  PortraitSchema,
  PortraitFactsSchema,
  PORTRAIT_VERSION,
  GENERATED_BY,
} from './portraits.ts';
export type { Portrait, PortraitFacts, PortraitEdit } from './portraits.ts';
export { proposeSegmentName, proposeSegmentNames, isPlaceholderName, NAME_HIGH, NAME_LOW } from './names.ts';
export type { ProposedName } from './names.ts';
