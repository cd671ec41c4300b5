/**
 * Area measures for the portal's maps: the figures per area (with disclosure control applied for
 * every viewer) and the GeoJSON that carries them. The same MapFigures object renders the table
 * (the page without JavaScript) and the map, so the two always agree.
 */
import { DEFAULT_MIN_CELL, ParameterError, WorkspaceStateError, suppressOneWay } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { AREA_LEVELS, LEVEL_TITLES, parseLevel, type AreaLevel } from '../geo/index.ts';
import { baseLevel, profileDataset } from '../profiling/index.ts';
import { discloseProfile } from '../outputs/index.ts';
import { listDatasets } from '../intake/index.ts';
import {
  accessibility,
  facilityKinds,
  travelWords,
  TRAVEL_MODES,
  type CostSource,
  type TravelMode,
} from '../location/index.ts';
import { kindLabel, kindNoun } from './facility-map.ts';

export type MeasureKind = 'households' | 'segment' | 'penetration' | 'index' | 'deprivation' | 'access';

/** Measures that come from a dataset's records: only staff and partners may map them. */
export const DATASET_MEASURES: readonly MeasureKind[] = ['penetration', 'index'];

export interface MeasureSpec {
  kind: MeasureKind;
  classification?: string;
  tier?: string;
  segment?: string;
  dataset?: string;
  /** access: minutes to the nearest facility of this kind by this mode */
  facilityKind?: string;
  mode?: TravelMode;
}

/** "segment:borough:group:1", "penetration:green_waste", "deprivation", "households". */
export function parseMeasure(input: string): MeasureSpec {
  const [kind, ...rest] = input.split(':');
  if (kind === 'households' || kind === 'deprivation') return { kind };
  if (kind === 'segment' && rest.length >= 3)
    return { kind, classification: rest[0], tier: rest[1], segment: rest.slice(2).join(':') };
  if ((kind === 'penetration' || kind === 'index') && rest.length === 1 && rest[0]) return { kind, dataset: rest[0] };
  if (kind === 'access' && rest.length === 2 && rest[0] && (TRAVEL_MODES as readonly string[]).includes(rest[1]))
    return { kind, facilityKind: rest[0], mode: rest[1] as TravelMode };
  throw new ParameterError(
    `"${input}" is not a measure the map knows.`,
    'Choose a measure from the list on the map page.',
  );
}

export function measureKey(m: MeasureSpec): string {
  if (m.kind === 'segment') return `segment:${m.classification}:${m.tier}:${m.segment}`;
  if (m.kind === 'penetration' || m.kind === 'index') return `${m.kind}:${m.dataset}`;
  if (m.kind === 'access') return `access:${m.facilityKind}:${m.mode}`;
  return m.kind;
}

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

export interface LegendEntry {
  cls: number;
  colour: string;
  css: string;
  label: string;
}

export interface AreaFigure {
  code: string;
  name: string | null;
  /** the mapped value; null when not shown (small cell) or there is no figure */
  value: number | null;
  /** what the value is made of, where it is a rate: the count and the base */
  count: number | null;
  base: number | null;
  /** colour class: 0.. for a value, -1 not shown (small cell), -2 no figure */
  cls: number;
  /** the value as a person reads it */
  text: string;
}

export interface MapFigures {
  measure: string;
  kind: MeasureKind;
  level: AreaLevel;
  levelTitle: string;
  title: string;
  valueLabel: string;
  countLabel: string | null;
  baseLabel: string | null;
  areas: AreaFigure[];
  legend: LegendEntry[];
  notes: string[];
  minCell: number;
  suppressed: number;
  /** the viewer asked for another level; this is the one the measure exists at */
  levelChanged: string | null;
}

export interface MapOptions {
  levels: { value: AreaLevel; text: string }[];
  measures: { group: string; items: { value: string; text: string }[] }[];
  deprivationLevel: AreaLevel | null;
}

/** Area levels with boundaries, finest first. */
export async function boundaryLevels(engine: Engine): Promise<AreaLevel[]> {
  const rows = await engine.all<{ level: string }>(`SELECT DISTINCT level FROM boundary`);
  return AREA_LEVELS.filter((l) => rows.some((r) => r.level === l));
}

async function deprivationIndex(engine: Engine): Promise<{ name: string; level: AreaLevel; domain: string } | null> {
  const r = await engine.one<{ index_name: string; area_level: string; domain: string; other: boolean }>(
    `SELECT DISTINCT index_name, area_level, domain, domain <> 'IMD' AS other FROM deprivation ORDER BY other, index_name, area_level LIMIT 1`,
  );
  return r ? { name: r.index_name, level: r.area_level as AreaLevel, domain: r.domain } : null;
}

export async function mapOptions(engine: Engine, datasetsAllowed: boolean): Promise<MapOptions> {
  const levels = (await boundaryLevels(engine)).map((l) => ({ value: l, text: LEVEL_TITLES[l] }));
  const measures: MapOptions['measures'] = [];
  const hasBase = !!(await engine.one(`SELECT 1 AS x FROM area_base WHERE households IS NOT NULL LIMIT 1`));
  const dep = await deprivationIndex(engine);
  const general: { value: string; text: string }[] = [];
  if (dep)
    general.push({
      value: 'deprivation',
      text: `Deprivation decile (${dep.name.toUpperCase()}, ${LEVEL_TITLES[dep.level]} only)`,
    });
  if (hasBase) general.push({ value: 'households', text: 'Households' });
  if (general.length) measures.push({ group: 'Areas', items: general });
  if (hasBase) {
    const segs = await engine.all<{
      classification: string;
      title: string | null;
      tier: string;
      code: string;
      name: string | null;
    }>(
      `SELECT s.classification, c.title, s.tier, s.code, s.name FROM segment s JOIN classification c ON c.name = s.classification
       ORDER BY c.kind = 'deprivation', s.classification, s.tier, s.ordinal, s.code`,
    );
    const groups = new Map<string, { value: string; text: string }[]>();
    for (const s of segs) {
      const g = `Share of households in a segment: ${s.title ?? s.classification}, ${s.tier}`;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push({
        value: `segment:${s.classification}:${s.tier}:${s.code}`,
        text: s.name && s.name !== s.code ? `${s.code} ${s.name}` : `${s.tier} ${s.code}`,
      });
    }
    for (const [group, items] of groups) measures.push({ group, items });
  }
  const kinds = await facilityKinds(engine);
  for (const mode of ['car', 'walk'] as const) {
    if (kinds.length)
      measures.push({
        group: `Minutes to the nearest facility ${travelWords(mode)}`,
        items: kinds.map((k) => ({
          value: `access:${k.kind}:${mode}`,
          text: `${kindLabel(k.kind)} (${k.facilities}), ${mode === 'car' ? 'by car' : 'on foot'}`,
        })),
      });
  }
  if (datasetsAllowed && hasBase) {
    const ds = await listDatasets(engine);
    if (ds.length) {
      measures.push({
        group: 'Penetration of a dataset (records per 100 households)',
        items: ds.map((d) => ({ value: `penetration:${d.name}`, text: `Penetration: ${d.title ?? d.name}` })),
      });
      measures.push({
        group: 'Index of a dataset (100 = borough average)',
        items: ds.map((d) => ({ value: `index:${d.name}`, text: `Index: ${d.title ?? d.name}` })),
      });
    }
  }
  return { levels, measures, deprivationLevel: dep?.level ?? null };
}

/** The measure shown when none is chosen. */
export function defaultMeasure(opts: MapOptions): string | null {
  const segment = opts.measures.find((g) => g.group.startsWith('Share'))?.items[0]?.value;
  return segment ?? opts.measures[0]?.items[0]?.value ?? null;
}

/** Class breaks for journey-time maps, in minutes (five classes with the band from 0). */
const ACCESS_BANDS = [5, 10, 15, 30] as const;

const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;
const fmt = (x: number, dp: number) =>
  x.toLocaleString('en-GB', { minimumFractionDigits: dp, maximumFractionDigits: dp });

/**
 * Up to five classes of (nearly) equal numbers of areas, on rounded break values. A value shared
 * by many areas (0% of households in a segment) gets a class of its own; so does each value when
 * there are only a few.
 */
function classify(areas: AreaFigure[], dp: number, unit: string): LegendEntry[] {
  const values = areas
    .filter((a) => a.value !== null)
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
    if (a.value === null) continue;
    let c = 0;
    while (c < last && (classes[c].exact ? a.value > classes[c].hi : a.value >= classes[c].hi)) c++;
    a.cls = c;
  }
  return legend;
}

function finishLegend(legend: LegendEntry[], areas: AreaFigure[]): LegendEntry[] {
  if (areas.some((a) => a.cls === -1))
    legend.push({
      cls: -1,
      colour: HIDDEN_COLOUR,
      css: 'civic-map-hidden',
      label: `Not shown (fewer than ${DEFAULT_MIN_CELL})`,
    });
  if (areas.some((a) => a.cls === -2))
    legend.push({ cls: -2, colour: NO_DATA_COLOUR, css: 'civic-map-nodata', label: 'No figure' });
  return legend;
}

/**
 * Hides small counts across the areas: primary (under the threshold) and secondary (so that no
 * hidden count can be worked out from the total). Zeros are shown: a segment absent from an area
 * is what the classification publishes, not a fact about a household.
 */
function suppressAreas(counts: (number | null)[], minCell: number): boolean[] {
  const idx = counts.map((c, i) => (c !== null && c > 0 ? i : -1)).filter((i) => i >= 0);
  const s = suppressOneWay(
    idx.map((i) => counts[i]!),
    minCell,
  );
  const out = counts.map(() => false);
  idx.forEach((i, j) => {
    out[i] = s.suppressed[j];
  });
  return out;
}

async function areaNames(engine: Engine, level: AreaLevel): Promise<Map<string, string | null>> {
  const rows = await engine.all<{ code: string; name: string | null }>(
    `SELECT b.area_code AS code, coalesce(any_value(a.name), any_value(b.name)) AS name FROM boundary b
     LEFT JOIN area a ON a.code = b.area_code AND a.level = b.level WHERE b.level = $1 GROUP BY 1 ORDER BY 1`,
    [level],
  );
  return new Map(rows.map((r) => [r.code, r.name && r.name !== r.code ? r.name : null]));
}

/**
 * Households per area at `level`, optionally only those in areas of one segment. Each base area's
 * households are shared among the areas (and segments) of its live postcodes (all its postcodes
 * if none is live); when the levels nest this gives whole areas.
 */
async function householdsBy(
  engine: Engine,
  level: AreaLevel,
  seg?: { classification: string; tier: string; code: string; level: AreaLevel },
): Promise<Map<string, { households: number; inSegment: number }>> {
  const BL = await baseLevel(engine);
  const col = (l: AreaLevel) => ident(l);
  const params: (string | null)[] = [BL];
  let segJoin = '',
    segFlag = '1.0';
  if (seg) {
    segJoin = `LEFT JOIN area_segment s ON s.classification = $2 AND s.tier = $3 AND s.area_code = p.${col(seg.level)}`;
    segFlag = `CASE WHEN s.code = $4 THEN 1.0 ELSE 0.0 END`;
    params.push(seg.classification, seg.tier, seg.code);
  }
  const rows = await engine.all<{ a: string; households: number; in_segment: number }>(
    `
    WITH pc AS (SELECT p.${col(BL)} AS b, p.${col(level)} AS a, p.status, ${segFlag} AS f FROM postcode p ${segJoin}
                WHERE p.${col(BL)} IS NOT NULL AND p.${col(level)} IS NOT NULL),
      live AS (SELECT b, bool_or(status = 'live') AS has_live FROM pc GROUP BY b),
      counted AS (SELECT pc.* FROM pc JOIN live USING (b) WHERE pc.status = 'live' OR NOT live.has_live),
      n AS (SELECT b, count(*) AS n FROM counted GROUP BY b),
      w AS (SELECT c.b, c.a, count(*) / any_value(n.n) AS w, sum(c.f) / any_value(n.n) AS wf FROM counted c JOIN n USING (b) GROUP BY 1, 2)
    SELECT w.a, sum(ab.households * w.w ORDER BY w.b) AS households, sum(ab.households * w.wf ORDER BY w.b) AS in_segment
    FROM w JOIN area_base ab ON ab.area_code = w.b AND ab.level = $1 GROUP BY 1`,
    params,
  );
  return new Map(rows.map((r) => [r.a, { households: r.households, inSegment: r.in_segment }]));
}

export async function mapFigures(
  engine: Engine,
  measure: string,
  levelInput: string,
  minCell = DEFAULT_MIN_CELL,
  costs?: CostSource,
): Promise<MapFigures> {
  const spec = parseMeasure(measure);
  const levels = await boundaryLevels(engine);
  if (!levels.length)
    throw new WorkspaceStateError(
      'The workspace has no area boundaries, so there is nothing to map.',
      'Import boundaries: civic reference import WORKSPACE --boundaries FILE --level oa21',
    );
  let level = parseLevel(levelInput || levels[0]);
  if (!level || !levels.includes(level))
    throw new ParameterError(
      `There are no boundaries for "${levelInput}".`,
      `Levels with boundaries: ${levels.join(', ')}.`,
    );
  let levelChanged: string | null = null;
  const notes: string[] = [];
  const names = async () => areaNames(engine, level!);
  let areas: AreaFigure[] = [];
  let title = '',
    valueLabel = '',
    countLabel: string | null = null,
    baseLabel: string | null = null;
  let legend: LegendEntry[] = [];

  if (spec.kind === 'deprivation') {
    const dep = await deprivationIndex(engine);
    if (!dep)
      throw new WorkspaceStateError(
        'The workspace has no deprivation index.',
        'Import one: civic reference import WORKSPACE --deprivation FILE',
      );
    if (dep.level !== level) {
      if (!levels.includes(dep.level))
        throw new ParameterError(
          `Deprivation deciles are published for ${LEVEL_TITLES[dep.level]} areas, and the workspace has no boundaries for them.`,
          `Import ${dep.level} boundaries to map deprivation.`,
        );
      levelChanged = `Deprivation deciles are published for ${LEVEL_TITLES[dep.level]} areas only, so the map shows those.`;
      level = dep.level;
    }
    const rows = await engine.all<{ code: string; decile: number | null; rank: number | null }>(
      `SELECT area_code AS code, decile, rank FROM deprivation WHERE index_name = $1 AND domain = $2 AND area_level = $3`,
      [dep.name, dep.domain, dep.level],
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    for (const [code, name] of await names()) {
      const r = byCode.get(code);
      const d = r?.decile ?? null;
      areas.push({
        code,
        name,
        value: d,
        count: r?.rank ?? null,
        base: null,
        cls: d === null ? -2 : Math.max(0, Math.min(9, 10 - d)),
        text:
          d === null
            ? 'No figure'
            : `Decile ${d}${d === 1 ? ' (most deprived 10%)' : d === 10 ? ' (least deprived 10%)' : ''}`,
      });
    }
    title = `Deprivation decile (${dep.name.toUpperCase()}) by ${LEVEL_TITLES[level]}`;
    valueLabel = 'Decile (1 = most deprived)';
    countLabel = 'Rank (1 = most deprived)';
    // Darkest for the most deprived.
    legend = Array.from({ length: 10 }, (_, i) => ({
      cls: 9 - i,
      colour: PALETTE_10[9 - i],
      css: `civic-pal10-${9 - i}`,
      label: i === 0 ? 'Decile 1 (most deprived 10%)' : i === 9 ? 'Decile 10 (least deprived 10%)' : `Decile ${i + 1}`,
    }));
    legend = legend.filter((l) => areas.some((a) => a.cls === l.cls));
    notes.push('Deciles rank every area in the country: decile 1 holds the most deprived 10% of areas.');
  } else if (spec.kind === 'households' || spec.kind === 'segment') {
    let seg: { classification: string; tier: string; code: string; level: AreaLevel } | undefined;
    if (spec.kind === 'segment') {
      const c = await engine.one<{ area_level: string; title: string | null; tiers: string }>(
        `SELECT area_level, title, tiers FROM classification WHERE name = $1`,
        [spec.classification!],
      );
      if (!c)
        throw new ParameterError(
          `There is no classification called "${spec.classification}".`,
          'Choose a segment from the list on the map page.',
        );
      const s = await engine.one<{ name: string | null }>(
        `SELECT name FROM segment WHERE classification = $1 AND tier = $2 AND code = $3`,
        [spec.classification!, spec.tier!, spec.segment!],
      );
      if (!s)
        throw new ParameterError(
          `There is no ${spec.tier} "${spec.segment}" in ${spec.classification}.`,
          'Choose a segment from the list on the map page.',
        );
      seg = {
        classification: spec.classification!,
        tier: spec.tier!,
        code: spec.segment!,
        level: c.area_level as AreaLevel,
      };
      const segName = s.name && s.name !== spec.segment ? s.name : `${spec.tier} ${spec.segment}`;
      title = `Share of households in ${segName} (${c.title ?? spec.classification}) by ${LEVEL_TITLES[level]}`;
      valueLabel = 'Share of households %';
      countLabel = 'Households in the segment';
      baseLabel = 'Households';
    } else {
      title = `Households by ${LEVEL_TITLES[level]}`;
      valueLabel = 'Households';
    }
    const hh = await householdsBy(engine, level, seg);
    const named = await names();
    const codes = [...named.keys()];
    const counts = codes.map((c) => (hh.has(c) ? (seg ? hh.get(c)!.inSegment : hh.get(c)!.households) : null));
    const hidden = suppressAreas(
      counts.map((c) => (c === null ? null : Math.round(c))),
      minCell,
    );
    codes.forEach((code, i) => {
      const h = hh.get(code);
      if (!h) {
        areas.push({
          code,
          name: named.get(code) ?? null,
          value: null,
          count: null,
          base: null,
          cls: -2,
          text: 'No figure',
        });
        return;
      }
      if (hidden[i]) {
        areas.push({
          code,
          name: named.get(code) ?? null,
          value: null,
          count: null,
          base: null,
          cls: -1,
          text: `Not shown (fewer than ${minCell})`,
        });
        return;
      }
      if (seg) {
        const share = h.households > 0 ? (h.inSegment / h.households) * 100 : null;
        areas.push({
          code,
          name: named.get(code) ?? null,
          value: share === null ? null : round(share, 1),
          count: Math.round(h.inSegment),
          base: Math.round(h.households),
          cls: share === null ? -2 : 0,
          text: share === null ? 'No figure' : `${fmt(share, 1)}%`,
        });
      } else {
        areas.push({
          code,
          name: named.get(code) ?? null,
          value: Math.round(h.households),
          count: null,
          base: null,
          cls: 0,
          text: fmt(Math.round(h.households), 0),
        });
      }
    });
    legend = classify(areas, seg ? 1 : 0, seg ? '%' : '');
    notes.push(
      `Households are shared between areas by their postcodes where areas do not nest. Counts under ${minCell} are not shown, with enough others that they cannot be worked out.`,
    );
  } else if (spec.kind === 'access') {
    // Journey times are about places, not people: nothing to suppress.
    const r = await accessibility(
      engine,
      { kinds: [spec.facilityKind!], level, mode: spec.mode, thresholds: [...ACCESS_BANDS] },
      costs,
    );
    if (!r.kinds.length || r.kinds[0].facilities === 0)
      throw new ParameterError(
        `There are no facilities of the kind "${spec.facilityKind}".`,
        'Choose a kind from the list on the map page.',
      );
    const byCode = new Map(r.areas.map((a) => [a.code, a.kinds[0]]));
    for (const [code, name] of await names()) {
      const k = byCode.get(code);
      const v = k?.nearestMinutes ?? null;
      areas.push({
        code,
        name,
        value: v === null ? null : round(v, 1),
        count: null,
        base: null,
        cls: v === null ? -2 : ACCESS_BANDS.filter((b) => v >= b).length,
        text:
          v === null
            ? k
              ? 'Cannot be reached'
              : 'No figure'
            : `${fmt(v, 1)} min${k?.nearestName ? ` (${k.nearestName})` : ''}`,
      });
    }
    const how = travelWords(spec.mode!);
    title = `Minutes to the nearest ${kindNoun(spec.facilityKind!)} ${how}, by ${LEVEL_TITLES[level]}`;
    valueLabel = `Minutes ${how} (nearest)`;
    legend = [0, ...ACCESS_BANDS]
      .map((lo, i, all) => ({
        cls: i,
        colour: PALETTE_5[i],
        css: `civic-pal5-${i}`,
        label: i === all.length - 1 ? `${lo} minutes or more` : `${lo} to under ${all[i + 1]} minutes`,
      }))
      .filter((l) => areas.some((a) => a.cls === l.cls));
    notes.push(`Journey times ${r.costSource}, from each area's population-weighted centre to the nearest facility.`);
  } else {
    // Maps are the same for every viewer, so a dataset's map carries the cell key method's noise for all of them.
    const r = discloseProfile(
      await profileDataset(engine, { dataset: spec.dataset!, byArea: level, base: 'households' }),
      { minCell, perturb: true },
    );
    const byCode = new Map(r.rows.map((row) => [row.code, row]));
    const ds = (await listDatasets(engine)).find((d) => d.name === spec.dataset);
    const label = ds?.title ?? spec.dataset!;
    for (const [code, name] of await names()) {
      const row = byCode.get(code);
      if (!row) {
        areas.push({ code, name, value: null, count: null, base: null, cls: -2, text: 'No figure' });
        continue;
      }
      if (row.suppressed) {
        areas.push({
          code,
          name,
          value: null,
          count: null,
          base: null,
          cls: -1,
          text: `Not shown (fewer than ${minCell})`,
        });
        continue;
      }
      const v = spec.kind === 'penetration' ? row.penetration : row.index;
      areas.push({
        code,
        name: name ?? row.name,
        value: v === null ? null : round(v, spec.kind === 'index' ? 0 : 2),
        count: row.count,
        base: row.base === null ? null : Math.round(row.base),
        cls: v === null ? -2 : 0,
        text: v === null ? 'No figure' : spec.kind === 'penetration' ? `${fmt(v, 2)}%` : fmt(v, 0),
      });
    }
    title =
      spec.kind === 'penetration'
        ? `Penetration of ${label} by ${LEVEL_TITLES[level]}`
        : `Index of ${label} by ${LEVEL_TITLES[level]}`;
    valueLabel = spec.kind === 'penetration' ? 'Penetration % (records per 100 households)' : 'Index (100 = average)';
    countLabel = 'Records';
    baseLabel = 'Households';
    legend = classify(areas, spec.kind === 'index' ? 0 : 2, spec.kind === 'index' ? '' : '%');
    notes.push(
      `Areas with fewer than ${minCell} records are not shown, with enough others that they cannot be worked out.`,
    );
    if (spec.kind === 'index') notes.push("Index: the area's penetration against the whole area's, times 100.");
  }
  legend = finishLegend(legend, areas);
  return {
    measure: measureKey(spec),
    kind: spec.kind,
    level,
    levelTitle: LEVEL_TITLES[level],
    title,
    valueLabel,
    countLabel,
    baseLabel,
    areas,
    legend,
    notes,
    minCell,
    suppressed: areas.filter((a) => a.cls === -1).length,
    levelChanged,
  };
}

interface LevelShapes {
  stamp: string;
  features: { code: string; geometry: string }[];
  bbox: [number, number, number, number];
}

/** Coordinates rounded to 5 decimal places (about a metre). */
function roundGeometry(json: string): string {
  return json.replace(/-?\d+\.\d{6,}/g, (m) => String(Math.round(Number(m) * 1e5) / 1e5));
}

/**
 * Boundary shapes per level, kept in memory (rounded and ready to splice into a response) until
 * the boundaries change. One cache per app.
 */
/** The extent of a level's boundaries: [west, south, east, north]. */
export async function levelBbox(engine: Engine, level: string): Promise<[number, number, number, number]> {
  const bb = (await engine.one<{ a: number; b: number; c: number; d: number }>(
    `SELECT min(min_lon) AS a, min(min_lat) AS b, max(max_lon) AS c, max(max_lat) AS d FROM boundary WHERE level = $1`,
    [level],
  ))!;
  return [bb.a, bb.b, bb.c, bb.d];
}

export class ShapeCache {
  private readonly levels = new Map<string, LevelShapes>();
  async get(engine: Engine, level: AreaLevel): Promise<LevelShapes> {
    const s = (await engine.one<{ n: number; len: number | null }>(
      `SELECT count(*)::BIGINT AS n, sum(length(geojson))::BIGINT AS len FROM boundary WHERE level = $1`,
      [level],
    ))!;
    const stamp = `${s.n}:${s.len}`;
    const hit = this.levels.get(level);
    if (hit && hit.stamp === stamp) return hit;
    const rows = await engine.all<{ code: string; geojson: string }>(
      `SELECT area_code AS code, any_value(geojson) AS geojson FROM boundary WHERE level = $1 GROUP BY 1 ORDER BY 1`,
      [level],
    );
    const entry: LevelShapes = {
      stamp,
      features: rows.map((r) => ({ code: r.code, geometry: roundGeometry(r.geojson) })),
      bbox: await levelBbox(engine, level),
    };
    this.levels.set(level, entry);
    return entry;
  }
}

/** A GeoJSON FeatureCollection of the areas with their figures; the legend travels as a foreign member. */
export function figuresToGeoJson(f: MapFigures, shapes: LevelShapes): string {
  const byCode = new Map(f.areas.map((a) => [a.code, a]));
  const parts: string[] = [];
  shapes.features.forEach((s, i) => {
    const a = byCode.get(s.code);
    if (!a) return;
    const props = { code: a.code, name: a.name, value: a.value, count: a.count, base: a.base, c: a.cls, text: a.text };
    parts.push(`{"type":"Feature","id":${i},"properties":${JSON.stringify(props)},"geometry":${s.geometry}}`);
  });
  const meta = {
    measure: f.measure,
    level: f.level,
    title: f.title,
    valueLabel: f.valueLabel,
    countLabel: f.countLabel,
    baseLabel: f.baseLabel,
    minCell: f.minCell,
    legend: f.legend.map((l) => ({ cls: l.cls, colour: l.colour, label: l.label })),
  };
  return `{"type":"FeatureCollection","bbox":${JSON.stringify(shapes.bbox)},"metadata":${JSON.stringify(meta)},"features":[${parts.join(',')}]}`;
}
