/**
 * Colour classes and legends for the maps, and the figures of a dataset's areas: pure functions
 * that both the analysis (the truth) and the disclosure boundary (what viewers see) use, so the
 * two can never word or colour a figure differently.
 */
import type { ProfileRow } from '../profiling/index.ts';
import type { AreaFigure, LegendEntry } from './result.ts';
import type { MeasureKind } from './constants.ts';

/** Colour-blind-safe sequential palettes (viridis, light for low to dark for high). */
export const PALETTE_5 = ['#fde725', '#5ec962', '#21918c', '#3b528b', '#440154'];
export const PALETTE_10 = [
  '#fde725',
  '#b5de2b',
  '#6ece58',
  '#35b779',
  '#1f9e89',
  '#26828e',
  '#31688e',
  '#3e4989',
  '#482878',
  '#440154',
];
export const HIDDEN_COLOUR = '#b1b4b6';
export const NO_DATA_COLOUR = '#ffffff';

export const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;
export const fmt = (x: number, dp: number) =>
  x.toLocaleString('en-GB', { minimumFractionDigits: dp, maximumFractionDigits: dp });

export const hiddenText = (minCell: number) => `Not shown (fewer than ${minCell})`;

/** The areas of a figure that is not shown. */
export function hiddenArea(code: string, name: string | null, minCell: number): AreaFigure {
  return { code, name, value: null, count: null, base: null, cls: -1, text: hiddenText(minCell), cellKey: null };
}
export function noFigure(code: string, name: string | null): AreaFigure {
  return { code, name, value: null, count: null, base: null, cls: -2, text: 'No figure', cellKey: null };
}

/**
 * Up to five classes of (nearly) equal numbers of areas, on rounded break values. A value shared
 * by many areas (0% of households in a segment) gets a class of its own; so does each value when
 * there are only a few. Sets each area's class; hidden (-1) and empty (-2) areas keep theirs.
 */
export function classify(areas: AreaFigure[], dp: number, unit: string): LegendEntry[] {
  const values = areas
    .filter((a) => a.value !== null && a.cls >= 0)
    .map((a) => a.value!)
    .sort((a, b) => a - b);
  if (!values.length) return [];
  const distinct = [...new Set(values)];
  // Each class is [lo, next class's lo); `exact` classes hold one value.
  const classes: { lo: number; hi: number; exact: boolean }[] = [];
  if (distinct.length <= 5) {
    for (const v of distinct) classes.push({ lo: v, hi: v, exact: true });
  } else {
    let rest = values;
    const min = values[0];
    if (values.filter((v) => v === min).length >= values.length / 5) {
      classes.push({ lo: min, hi: min, exact: true });
      rest = values.filter((v) => v > min);
    }
    const k = 5 - classes.length;
    const lows = [rest[0]];
    for (let i = 1; i < k; i++) {
      const b = round(rest[Math.floor((i * rest.length) / k)], dp);
      if (b > lows.at(-1)! && b < rest.at(-1)!) lows.push(b);
    }
    lows.forEach((lo, i) => classes.push({ lo, hi: i + 1 < lows.length ? lows[i + 1] : rest.at(-1)!, exact: false }));
  }
  const last = classes.length - 1;
  const legend = classes.map((c, i) => {
    const pi = classes.length === 1 ? 2 : Math.round((i * (PALETTE_5.length - 1)) / last);
    const label = c.exact
      ? `${fmt(c.lo, dp)}${unit}`
      : i === last
        ? `${fmt(c.lo, dp)}${unit} to ${fmt(c.hi, dp)}${unit}`
        : `${fmt(c.lo, dp)}${unit} to under ${fmt(c.hi, dp)}${unit}`;
    return { cls: i, colour: PALETTE_5[pi], css: `civic-pal5-${pi}`, label };
  });
  for (const a of areas) {
    if (a.value === null || a.cls < 0) continue;
    let c = 0;
    while (c < last && (classes[c].exact ? a.value > classes[c].hi : a.value >= classes[c].hi)) c++;
    a.cls = c;
  }
  return legend;
}

/** The hidden and no-figure entries, when any area has them. */
export function finishLegend(legend: LegendEntry[], areas: readonly AreaFigure[], minCell: number): LegendEntry[] {
  const out = [...legend];
  if (areas.some((a) => a.cls === -1))
    out.push({ cls: -1, colour: HIDDEN_COLOUR, css: 'civic-map-hidden', label: hiddenText(minCell) });
  if (areas.some((a) => a.cls === -2))
    out.push({ cls: -2, colour: NO_DATA_COLOUR, css: 'civic-map-nodata', label: 'No figure' });
  return out;
}

/** The measures whose classes come from the values shown (the others have fixed classes). */
export const CLASSED_KINDS: readonly MeasureKind[] = [
  'households',
  'segment',
  'penetration',
  'index',
  'channel-share',
  'channel-index',
];

/** Classes and legend of a measure with classes from its values: households, segment shares, penetration, index. */
export function classedLegend(kind: MeasureKind, areas: AreaFigure[], minCell: number): LegendEntry[] {
  for (const a of areas) if (a.cls >= 0) a.cls = a.value === null ? -2 : 0;
  const dp = kind === 'segment' || kind === 'channel-share' ? 1 : kind === 'penetration' ? 2 : 0;
  const unit = kind === 'segment' || kind === 'penetration' || kind === 'channel-share' ? '%' : '';
  return finishLegend(classify(areas, dp, unit), areas, minCell);
}

/** A dataset's areas from its profile by area (true or disclosed), in the order of `names`. */
export function datasetAreas(
  names: readonly (readonly [string, string | null])[],
  rows: readonly ProfileRow[],
  kind: 'penetration' | 'index',
  minCell: number,
): AreaFigure[] {
  const byCode = new Map(rows.map((row) => [row.code, row]));
  return names.map(([code, name]) => {
    const row = byCode.get(code);
    if (!row) return noFigure(code, name);
    if (row.suppressed) return hiddenArea(code, name, minCell);
    const v = kind === 'penetration' ? row.penetration : row.index;
    return {
      code,
      name: name ?? row.name,
      value: v === null ? null : round(v, kind === 'index' ? 0 : 2),
      count: row.count,
      base: row.base === null ? null : Math.round(row.base),
      cls: v === null ? -2 : 0,
      text: v === null ? 'No figure' : kind === 'penetration' ? `${fmt(v, 2)}%` : fmt(v, 0),
      cellKey: row.cellKey,
    };
  });
}
