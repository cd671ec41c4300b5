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
} from './address-lookups.ts';
export type { AddressLookups, LookupEntry, LookupKind, LookupImportResult } from './address-lookups.ts';
export {
  standardiseAddress,
  addressIds,
  addressWords,
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
export {
  importGazetteer,
  loadGazetteer,
  gazetteerInfo,
  GAZETTEER_FIELDS,
} from './address-gazetteer.ts';
export type {
  GazetteerField,
  GazetteerImportOptions,
  GazetteerImportResult,
  GazetteerInfo,
} from './address-gazetteer.ts';
export {
  matchAddressFile,
  AddressMatchResultSchema,
  AddressMatchRecordSchema,
  ADDRESS_MATCH_RESULT_VERSION,
} from './address-run.ts';
export type { AddressMatchRequest, AddressMatchResult, AddressMatchRecord } from './address-run.ts';
// ---- end of addresses ----
