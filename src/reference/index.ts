export { importPostcodes, mapPostcodeColumns, POSTCODE_FIELDS } from './postcodes.ts';
export type { PostcodeImportResult, PostcodeImportOptions } from './postcodes.ts';
export {
  importAreas,
  importBoundaries,
  assignPostcodesByBoundaries,
  fillPostcodeLevelsFromHierarchy,
} from './areas.ts';
export type { AreasImportResult, BoundaryImportResult } from './areas.ts';
export { importBase, parseBaseSum } from './base.ts';
export type { BaseImportResult, BaseSum } from './base.ts';
export { parseBaseRows } from './base-rows.ts';
export type { BaseMeasure, BaseRowCount, LeftOutReason } from './base-rows.ts';
export { importClassification, importSegmentNames } from './classification.ts';
export type { ClassificationImportResult, SegmentNamesResult } from './classification.ts';
export { importDeprivation } from './deprivation.ts';
export type { DeprivationImportResult } from './deprivation.ts';
export { parseMapSpec } from './csv.ts';
export { importReference, referenceStatus } from './import.ts';
export type { ReferenceImportRequest, ReferenceImportResult, ReferenceStatus } from './import.ts';
export { listClassifications, listSegments, segmentCounts, areaLevelsPresent, areaBoundaries } from './catalogue.ts';
export type { ClassificationSummary } from './catalogue.ts';
export { removeReference } from './remove.ts';
export type { ReferencePart, ReferenceRemoveResult } from './remove.ts';
export { chooseAreaYear, bridgeUnchangedCodes, describeBridge } from './years.ts';
export type { YearChoice, YearBridge } from './years.ts';
