/** C4 segmentation (under construction): the numerical core — transformations, k-means, diagnostics. */
export { matrixFromRows, transform, weight, ihs } from './transform.ts';
export type { Matrix, Transform } from './transform.ts';
export { kmeans } from './kmeans.ts';
export type { KMeansOptions, KMeansResult } from './kmeans.ts';
export { silhouette, adjustedRandIndex, certainty } from './diagnostics.ts';
