/** C10: propensity models — who is likely to use a service, learnt from its users against the base (issue 15). */
export { fitLogistic, predictLogistic, cholesky, choleskySolve, linearPredictor, sigmoid } from './logistic.ts';
export type { LogisticData, LogisticFit } from './logistic.ts';
export { auc, gains, calibration, ranks, pearson, spearman, bootstrapAuc } from './evaluate.ts';
export type { Scored, GainsRow, CalibrationRow, Calibration, BootstrapAuc } from './evaluate.ts';
export {
  FEATURE_KINDS,
  FEATURE_KIND_WORDS,
  PropensitySpecSchema,
  parsePropensitySpec,
  parseFeatureKinds,
} from './spec.ts';
export type { FeatureKind, PropensitySpec } from './spec.ts';
