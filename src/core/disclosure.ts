/**
 * Disclosure control for one-way tables of counts (a profile: one cell per segment or area plus
 * a total). Primary suppression hides every count under the threshold; secondary suppression then
 * hides further cells so that no suppressed cell can be worked out by subtracting the visible
 * cells from the total: at least two cells are hidden, and the hidden cells together hold at
 * least the threshold (so their combined count reveals nothing small either).
 */
export interface SuppressionResult {
  /** true for each cell that must not be shown */
  suppressed: boolean[];
  primary: number;
  secondary: number;
  /** whether the total itself must be hidden (only when it is under the threshold) */
  totalSuppressed: boolean;
}

export function suppressOneWay(counts: readonly number[], minCell: number): SuppressionResult {
  const suppressed = counts.map((c) => c < minCell);
  const primary = suppressed.filter(Boolean).length;
  let secondary = 0;
  const total = counts.reduce((a, b) => a + b, 0);
  if (minCell <= 0) return { suppressed, primary, secondary, totalSuppressed: false };
  const hiddenSum = () => counts.reduce((s, c, i) => (suppressed[i] ? s + c : s), 0);
  const hiddenCount = () => suppressed.filter(Boolean).length;
  while (hiddenCount() > 0 && hiddenCount() < counts.length && (hiddenCount() < 2 || hiddenSum() < minCell)) {
    // Hide the smallest visible cell: it costs the reader the least information.
    let pick = -1;
    for (let i = 0; i < counts.length; i++) {
      if (!suppressed[i] && (pick < 0 || counts[i] < counts[pick])) pick = i;
    }
    suppressed[pick] = true;
    secondary++;
  }
  return { suppressed, primary, secondary, totalSuppressed: total < minCell };
}

/** The default threshold for any aggregate that leaves the workspace. */
export const DEFAULT_MIN_CELL = 10;
