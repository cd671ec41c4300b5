export { profileDataset, getDataset, defaultClassification } from './profile.ts';
export type { ProfileRequest } from './profile.ts';
export { computeProfile } from './compute.ts';
export type { ProfileCell, ComputedProfile } from './compute.ts';
export { ProfileResultSchema, ProfileRowSchema, PROFILE_RESULT_VERSION } from './result.ts';
export type { ProfileResult, ProfileRow } from './result.ts';
