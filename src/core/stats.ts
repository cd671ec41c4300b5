/** Pure statistics used by profiles: proportions, Wilson intervals, z-tests, index and bands. */
import { ParameterError } from './errors.ts';

/** 97.5th percentile of the standard normal: a two-sided 95% interval or test. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a binomial proportion x/n (as a fraction). Preferred to the normal
 * ("Wald") interval because it stays inside [0, 1] and behaves for small counts and zero cells.
 * Returns null when n is 0.
 */
export function wilsonInterval(x: number, n: number, z = Z_95): Interval | null {
  if (!(n > 0)) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At the edges the exact bounds are 0 and 1; floating point would leave a crumb.
  return { low: x <= 0 ? 0 : Math.max(0, centre - half), high: x >= n ? 1 : Math.min(1, centre + half) };
}

/**
 * z statistic for a segment's proportion x/n against a reference proportion p0 (the overall
 * penetration), using the reference's standard error. Null when it cannot be computed.
 */
export function zAgainst(x: number, n: number, p0: number): number | null {
  if (!(n > 0) || !(p0 > 0) || !(p0 < 1)) return null;
  return (x / n - p0) / Math.sqrt((p0 * (1 - p0)) / n);
}

/** Index = share of the file ÷ share of the base × 100 (100 = as expected). */
export function indexOf(filePct: number, basePct: number): number | null {
  if (!(basePct > 0)) return null;
  return (filePct / basePct) * 100;
}

export interface BandDefinition {
  name: string /** inclusive lower bound on the index */;
  min: number;
}

/** The seeds' bands: ≥120 High, 110–120 Above average, 90–110 Average, 80–90 Below average, <80 Low. */
export const DEFAULT_BANDS: readonly BandDefinition[] = Object.freeze([
  { name: 'High', min: 120 },
  { name: 'Above average', min: 110 },
  { name: 'Average', min: 90 },
  { name: 'Below average', min: 80 },
  { name: 'Low', min: -Infinity },
]);

/** Band for an index; bands are checked from the highest threshold down. */
export function bandOf(index: number | null, bands: readonly BandDefinition[] = DEFAULT_BANDS): string | null {
  if (index === null || Number.isNaN(index)) return null;
  const sorted = [...bands].sort((a, b) => b.min - a.min);
  for (const b of sorted) if (index >= b.min) return b.name;
  return sorted[sorted.length - 1]?.name ?? null;
}

/**
 * Parses a band specification such as "High:120,Above average:110,Average:90,Below average:80,Low"
 * (the last band needs no threshold). Throws a plain message on anything else.
 */
export function parseBands(spec: string): BandDefinition[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const example =
    'For example "High:120,Average:80,Low": each band with the lowest index it takes, the last with none.';
  if (parts.length < 2) throw new ParameterError('Give at least two bands.', example);
  const bands = parts.map((p, i) => {
    const m = /^(.+?)(?::\s*(-?\d+(?:\.\d+)?))?$/.exec(p);
    if (!m) throw new ParameterError(`Cannot read the band "${p}".`, example);
    if (m[2] === undefined && i !== parts.length - 1)
      throw new ParameterError(
        `The band "${m[1]}" needs a threshold.`,
        `Write it as "${m[1].trim()}:110", say. ${example}`,
      );
    return { name: m[1].trim(), min: m[2] === undefined ? -Infinity : Number(m[2]) };
  });
  for (let i = 1; i < bands.length; i++) {
    if (!(bands[i].min < bands[i - 1].min))
      throw new ParameterError('Band thresholds must go from highest to lowest.', example);
  }
  return bands;
}
