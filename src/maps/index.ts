/** Maps (C14 area measures): the figures of any measure at any level, for the portal and `civic map`. */
export { mapFigures, mapOptions, defaultMeasure, boundaryLevels, sharedMapWork } from './figures.ts';
export type { SharedMapWork } from './figures.ts';
export { parseMeasure, measureKey } from './measures.ts';
export type { MeasureSpec } from './measures.ts';
export {
  MapResultSchema,
  MapOptionsSchema,
  AreaFigureSchema,
  LegendEntrySchema,
  MAP_RESULT_VERSION,
} from './result.ts';
export type { MapResult, MapOptions, AreaFigure, LegendEntry } from './result.ts';
export {
  classedLegend,
  datasetAreas,
  hiddenArea,
  fmt as fmtFixed,
  CLASSED_KINDS,
  PALETTE_5,
  PALETTE_10,
  HIDDEN_COLOUR,
  NO_DATA_COLOUR,
} from './legend.ts';
export { ShapeCache, levelBbox, hasBoundaries, roundGeometry } from './shapes.ts';
export type { LevelShapes } from './shapes.ts';
export { DATASET_MEASURES, MEASURE_KINDS, MAP_FORMATS } from './constants.ts';
export type { MeasureKind } from './constants.ts';
