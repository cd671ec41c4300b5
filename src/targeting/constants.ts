/**
 * Targeting's defaults.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

/** The lowest index a segment needs to be targeted when the segments are chosen automatically. */
export const DEFAULT_MIN_INDEX = 110;
/** Delivery rounds the targeted areas are cut into. */
export const DEFAULT_ROUNDS = 4;
/** The share of all expected new customers the targeted areas hold. */
export const DEFAULT_COVERAGE = 0.5;
