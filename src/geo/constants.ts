/**
 * The area levels the Observatory knows.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

export const AREA_LEVELS = ['oa21', 'lsoa21', 'msoa21', 'oa11', 'lsoa11', 'msoa11', 'ward', 'lad'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];
