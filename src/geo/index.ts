export { postcodeKey, checkPostcode } from './postcode.ts';
export type { PostcodeCheck } from './postcode.ts';
export { parseBoundaries, AreaLocator } from './boundaries.ts';
export type { AreaShape, AreaGeometry, PointAssignment } from './boundaries.ts';
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
