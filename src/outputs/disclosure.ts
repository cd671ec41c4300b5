/**
 * The boundary where a profile leaves for a viewer: small counts are suppressed (with secondary
 * suppression), and every figure that would reveal a suppressed count goes with it.
 */
import { suppressOneWay } from '../core/index.ts';
import type { ProfileResult } from '../profiling/index.ts';

export function discloseProfile(result: ProfileResult, minCell: number): ProfileResult {
  if (!(minCell > 0)) return result;
  const counts = result.rows.map((r) => r.count ?? 0);
  const s = suppressOneWay(counts, minCell);
  const rows = result.rows.map((r, i) => s.suppressed[i]
    ? { ...r, count: null, filePct: null, penetration: null, index: null, ciLow: null, ciHigh: null, z: null, significant: null, band: null, suppressed: true }
    : r);
  const totalCount = result.total.count;
  const hideTotal = s.totalSuppressed;
  const unmatched = result.unmatched !== null && result.unmatched > 0 && result.unmatched < minCell ? null : result.unmatched;
  return {
    ...result,
    rows,
    total: { count: hideTotal ? null : totalCount, base: result.total.base, penetration: hideTotal ? null : result.total.penetration },
    unmatched,
    // The breakdown of unplaced records is for the data's owner only.
    notPlaced: null,
    disclosure: { minCell, primary: s.primary, secondary: s.secondary },
  };
}
