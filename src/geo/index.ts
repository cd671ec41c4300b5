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
export {
  readLookupFiles,
  buildLookups,
  lookupsFromFolder,
  importAddressLookups,
  loadAddressLookups,
  hasAddressLookups,
  NO_LOOKUPS,
  LOOKUP_FILES,
} from './address-lookups.ts';
export type { AddressLookups, LookupEntry, LookupKind, LookupImportResult } from './address-lookups.ts';
export {
  standardiseAddress,
  addressIds,
  addressWords,
  isStreetWord,
  isParsed,
  validUprn,
  derivedPropertyKey,
  propertyKey,
  PROBLEM_TEXT,
} from './address-standardise.ts';
export type {
  AddressParts,
  AddressProblem,
  StandardisedAddress,
  StandardiseOptions,
  PropertyKeyKind,
} from './address-standardise.ts';
export { AddressIndex, DEFAULT_MATCH_PARAMETERS } from './address-match.ts';
export type {
  AddressMatch,
  Candidate,
  GazetteerAddress,
  MatchParameters,
  MatchStatus,
  MatchStep,
} from './address-match.ts';
export { loadGazetteer, gazetteerInfo } from './address-gazetteer.ts';
export type { GazetteerInfo } from './address-gazetteer.ts';
export { PropertyKeyer, noPropertyReason } from './address-property.ts';
export type { PropertyOfRecord } from './address-property.ts';
