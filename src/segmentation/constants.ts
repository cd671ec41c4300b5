/**
 * The transformations a segmentation's variables can go through.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

export type Transform = 'none' | 'ihs' | 'log' | 'zscore' | 'range';
export const TRANSFORMS: readonly Transform[] = ['none', 'ihs', 'log', 'zscore', 'range'];
/** The 2011 OAC's transformation: inverse hyperbolic sine, then range standardisation. */
export const OAC_TRANSFORMS: readonly Transform[] = ['ihs', 'range'];
