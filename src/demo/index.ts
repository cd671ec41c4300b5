/** The Sample Borough generator: a deterministic synthetic borough for demos and tests. */
export { generateSampleBorough, DEFAULT_HOUSEHOLDS, DEFAULT_SEED } from './generate.ts';
export type { SampleBoroughManifest, SampleBoroughOptions } from './generate.ts';
export { AREA_VARIABLES, GROUPS, TYPES } from './segments.ts';
export type { AreaVariable, GroupCode, GroupDef, TypeDef } from './segments.ts';
export { SERVICE_SPECS } from './services.ts';
export type { ServiceTruth } from './services.ts';
export { MESS_RATES } from './messiness.ts';
export { buildSampleBorough, demoKeyFile } from './build.ts';
export type { DemoBuild, DemoBuildOptions } from './build.ts';
export { PEOPLE, addressColumns, uprnColumn, addressLines } from './records.ts';
export type { PeopleColumns, RecordTruth } from './records.ts';
export { DEFAULT_ERROR_RATES } from './corrupt.ts';
export type { ErrorRates } from './corrupt.ts';
export { TOWN } from './residents.ts';
export { readPeopleTruth } from './truth.ts';
export type { PeopleTruth, ResidentTruth } from './truth.ts';
