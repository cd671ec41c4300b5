export { postcodeKey, checkPostcode } from './postcode.ts';
export type { PostcodeCheck } from './postcode.ts';
export { parseBoundaries, boundaryFeatures, AreaLocator } from './boundaries.ts';
export type { AreaShape, AreaGeometry, PointAssignment, BoundaryFeatures, BoundaryReadOptions } from './boundaries.ts';
export { bngToLonLat, lonLatToBng, projectionFromPrj, projectionFromRange, BNG_PROJ4 } from './projection.ts';
export type { Projection } from './projection.ts';
export {
  AREA_LEVELS,
  LEVEL_TITLES,
  withArticle,
  parseLevel,
  levelFamilyOfCode,
  yearFromHeader,
  levelFor,
  firstUsedIn2021,
  highest2011Code,
} from './levels.ts';
export type { AreaLevel } from './levels.ts';
export { countedPostcodesSql } from './live-postcodes.ts';
