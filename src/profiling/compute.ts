/**
 * The arithmetic of a profile, with no database: counts and bases per cell in, every measure out.
 * This is what seed 003's stop-smoking table is checked against.
 */
import {
  wilsonInterval,
  zAgainst,
  indexOf,
  bandOf,
  cellKeyOf,
  DEFAULT_BANDS,
  Z_95,
  type BandDefinition,
} from '../core/index.ts';
import type { ProfileRow } from './result.ts';

export interface ProfileCell {
  code: string;
  name: string | null;
  count: number;
  base: number /** the cell's key (cell key method); none for counts not made from records */;
  key?: number;
}

export interface ComputedProfile {
  rows: ProfileRow[];
  total: { count: number; base: number; penetration: number | null; cellKey: number | null };
}

export function computeProfile(
  cells: readonly ProfileCell[],
  bands: readonly BandDefinition[] = DEFAULT_BANDS,
): ComputedProfile {
  const totalCount = cells.reduce((s, c) => s + c.count, 0);
  // Apportioned bases are fractional; a millionth of a household is as precise as they mean.
  const totalBase = Math.round(cells.reduce((s, c) => s + c.base, 0) * 1e6) / 1e6;
  const keyed = cells.every((c) => c.key !== undefined);
  const rows = cells.map(
    (c): ProfileRow => ({
      code: c.code,
      name: c.name,
      count: c.count,
      base: c.base,
      ...profileMeasures(c.count, c.base, totalCount, totalBase, bands),
      suppressed: false,
      cellKey: c.key ?? null,
    }),
  );
  const overall = totalBase > 0 ? totalCount / totalBase : null;
  return {
    rows,
    total: {
      count: totalCount,
      base: totalBase,
      penetration: overall === null ? null : overall * 100,
      cellKey: keyed ? cells.reduce((s, c) => cellKeyOf(s + c.key!), 0) : null,
    },
  };
}

/**
 * Every measure of one cell from its count and base and the profile's totals. The boundary uses it
 * too, to work the measures out again from perturbed counts.
 */
export function profileMeasures(
  count: number,
  base: number,
  totalCount: number,
  totalBase: number,
  bands: readonly BandDefinition[] = DEFAULT_BANDS,
) {
  const overall = totalBase > 0 ? totalCount / totalBase : null;
  const filePct = totalCount > 0 ? (count / totalCount) * 100 : null;
  const basePct = totalBase > 0 ? (base / totalBase) * 100 : null;
  const penetration = base > 0 ? (count / base) * 100 : null;
  const index = filePct !== null && basePct !== null ? indexOf(filePct, basePct) : null;
  // The interval and test treat the base as the number of trials; a cell with more records than
  // base (possible when several records share a household) gets no interval.
  const ci = base > 0 && count <= base ? wilsonInterval(count, base) : null;
  const z = overall !== null && count <= base ? zAgainst(count, base, overall) : null;
  return {
    filePct,
    basePct,
    penetration,
    index,
    ciLow: ci ? ci.low * 100 : null,
    ciHigh: ci ? ci.high * 100 : null,
    z,
    significant: z === null ? null : Math.abs(z) > Z_95,
    // Banded as shown: an index printed as 90 is Average, not Below average.
    band: bandOf(index === null ? null : Math.round(index), bands),
  };
}
