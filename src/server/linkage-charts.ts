/**
 * Geometry for the linkage pages' server-drawn charts; the templates write the SVG (as the
 * profile's index chart does). The parameters chart: each comparison level's match weight,
 * log2(m/u), as a bar either side of zero. The waterfall: where a pair starts (the prior) and what
 * each comparison added, bar by bar, to its match weight. Every figure is also in a table below.
 */
import type { Explanation, ModelParameters } from '../linkage/index.ts';

const GAIN = '#00703c';
const LOSS = '#d4351c';
const NEUTRAL = '#505a5f';
const ROW = 24;
const TOP = 30;

const fmt = (w: number) => `${w > 0 ? '+' : w < 0 ? '−' : ''}${Math.abs(w).toFixed(2)}`;
const clip = (s: string, n = 46) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

/** Rounded scale end: the largest magnitude, up to a whole number of bits, at least 1. */
function scaleEnd(values: number[]): number {
  return Math.max(1, Math.ceil(Math.max(0, ...values.map((v) => Math.abs(v)))));
}

export interface ChartBar {
  label: string;
  heading: boolean;
  textY: number;
  barY: number;
  barH: number;
  x: number;
  width: number;
  fill: string;
  value: string;
  valueX: number;
  anchor: 'start' | 'end';
  drawn: boolean;
}

export interface LinkChart {
  width: number;
  height: number;
  labelX: number;
  zeroX: number;
  axisY1: number;
  axisY2: number;
  ticks: { x: number; text: string }[];
  tickY: number;
  bars: ChartBar[];
  desc: string;
}

/** Match weight per level, per comparison: null when the model is not trained. */
export function parametersChart(p: ModelParameters): LinkChart | null {
  const weights = p.parameters.flatMap((c) => c.levels.map((l) => l.weight));
  if (weights.some((w) => w === null)) return null;
  const labelW = 330,
    plotW = 420,
    valueW = 90;
  const end = scaleEnd(weights as number[]);
  const zeroX = labelW + 10 + plotW / 2;
  const xOf = (w: number) => zeroX + (w / end) * (plotW / 2);
  const bars: ChartBar[] = [];
  let y = TOP;
  for (const c of p.parameters) {
    bars.push(heading(c.comparison, y, labelW));
    y += ROW;
    for (const l of c.levels) {
      bars.push(bar(`${l.label}${l.termFrequency ? ' (term frequency)' : ''}`, l.weight!, y, xOf, l.isNull));
      y += ROW;
    }
  }
  for (const b of bars) Object.assign(b, { valueX: labelW + 10 + plotW + 8, anchor: 'start' });
  const strongest = p.parameters
    .flatMap((c) => c.levels.map((l) => ({ c: c.comparison, l: l.label, w: l.weight! })))
    .sort((a, b) => b.w - a.w);
  return {
    width: labelW + 10 + plotW + valueW,
    height: y + 30,
    labelX: labelW,
    zeroX,
    axisY1: TOP - 6,
    axisY2: y,
    ticks: [-end, -end / 2, 0, end / 2, end].map((t) => ({ x: xOf(t), text: fmt(t).replace('+', '') })),
    tickY: y + 18,
    bars,
    desc: `Match weight in bits for each level of each comparison: above zero, agreeing at that level is evidence the two records are the same person; below zero, that they are not. Strongest evidence for: ${strongest[0].c}, ${strongest[0].l} (${fmt(strongest[0].w)}). Strongest against: ${strongest.at(-1)!.c}, ${strongest.at(-1)!.l} (${fmt(strongest.at(-1)!.w)}).`,
  };
}

function heading(label: string, y: number, labelW: number): ChartBar {
  return {
    label: clip(label),
    heading: true,
    textY: y + ROW / 2 + 5,
    barY: y,
    barH: 0,
    x: 0,
    width: 0,
    fill: NEUTRAL,
    value: '',
    valueX: labelW,
    anchor: 'end',
    drawn: false,
  };
}

function bar(label: string, w: number, y: number, xOf: (w: number) => number, isNull: boolean, from = 0): ChartBar {
  const a = xOf(from),
    b = xOf(from + w);
  const x = Math.min(a, b);
  const width = Math.max(1, Math.abs(b - a));
  return {
    label: clip(label),
    heading: false,
    textY: y + ROW / 2 + 5,
    barY: y + 4,
    barH: ROW - 8,
    x: Math.round(x * 10) / 10,
    width: Math.round(width * 10) / 10,
    fill: isNull ? NEUTRAL : w >= 0 ? GAIN : LOSS,
    value: isNull ? 'no weight' : fmt(w),
    valueX: Math.round((w >= 0 ? x + width + 4 : x - 4) * 10) / 10,
    anchor: w >= 0 ? 'start' : 'end',
    drawn: !isNull || w !== 0,
  };
}

/** The waterfall of one pair: the prior, then each comparison from where the last left off, then the total. */
export function waterfallChart(e: Explanation): LinkChart {
  const labelW = 330,
    plotW = 420,
    valueW = 90;
  const steps: { label: string; w: number; from: number; isNull: boolean }[] = [];
  let at = 0;
  steps.push({ label: 'Prior (two records at random)', w: e.prior.weight, from: 0, isNull: false });
  at = e.prior.weight;
  for (const c of e.comparisons) {
    steps.push({ label: `${c.comparison}: ${c.label}`, w: c.total, from: at, isNull: c.isNull });
    at += c.total;
  }
  const ends = [0, ...steps.flatMap((s) => [s.from, s.from + s.w]), e.match_weight];
  const lo = Math.floor(Math.min(...ends)),
    hi = Math.ceil(Math.max(...ends));
  const span = Math.max(1, hi - lo);
  const xOf = (w: number) => labelW + 10 + ((w - lo) / span) * plotW;
  const zeroX = xOf(0);
  const bars: ChartBar[] = [];
  let y = TOP;
  for (const s of steps) {
    bars.push(bar(s.label, s.w, y, xOf, s.isNull, s.from));
    y += ROW;
  }
  const total = bar('Match weight', e.match_weight, y, xOf, false);
  total.fill = '#1d70b8';
  total.value = `${fmt(e.match_weight)} (probability ${e.match_probability.toFixed(4)})`;
  bars.push(total);
  y += ROW;
  for (const b of bars) Object.assign(b, { valueX: labelW + 10 + plotW + 8, anchor: 'start' });
  const tickStep = span <= 10 ? 1 : span <= 30 ? 5 : 10;
  const ticks: { x: number; text: string }[] = [];
  for (let t = Math.ceil(lo / tickStep) * tickStep; t <= hi; t += tickStep)
    ticks.push({ x: xOf(t), text: fmt(t).replace('+', '') });
  const gains = e.comparisons.filter((c) => c.total > 0).map((c) => c.comparison);
  const losses = e.comparisons.filter((c) => c.total < 0).map((c) => c.comparison);
  return {
    width: labelW + 10 + plotW + valueW + 140,
    height: y + 30,
    labelX: labelW,
    zeroX,
    axisY1: TOP - 6,
    axisY2: y,
    ticks,
    tickY: y + 18,
    bars,
    desc: `The pair starts at the prior, ${fmt(e.prior.weight)} bits. ${gains.length ? `Added: ${gains.join(', ')}.` : 'No comparison added weight.'} ${losses.length ? `Taken away: ${losses.join(', ')}.` : 'No comparison took weight away.'} Match weight ${fmt(e.match_weight)}, probability ${e.match_probability.toFixed(4)}.`,
  };
}
