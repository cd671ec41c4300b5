/**
 * The RAG rule's default thresholds.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

export interface RagThresholds {
  /** an index at or above this is Green (well represented) */
  green: number;
  /** an index under this is Red (under-represented); between the two is Amber */
  red: number;
}
export const DEFAULT_RAG_THRESHOLDS: Readonly<RagThresholds> = Object.freeze({ green: 110, red: 90 });
