/**
 * Travel modes, site-choice problems and the exact solver's time limit.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

export type TravelMode = 'car' | 'walk' | 'cycle';
export const TRAVEL_MODES: readonly TravelMode[] = ['car', 'walk', 'cycle'];

export type SiteProblemKind = 'set-cover' | 'mclp' | 'p-median' | 'p-center';
export const SITE_PROBLEM_KINDS: readonly SiteProblemKind[] = ['set-cover', 'mclp', 'p-median', 'p-center'];

/** Default time limit for one exact solve, seconds. */
export const DEFAULT_TIME_LIMIT_SECONDS = 60;
