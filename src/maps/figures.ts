/**
 * Area measures for any map, on the portal or from the command line: the figures per area of one
 * measure at one level (the truth: nothing hidden; outputs' discloseMap decides what is shown),
 * and the measures and levels a workspace can map. The same result renders the portal's table,
 * its map and `civic map`'s files, so they always agree.
 */
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue, whileUnchanged } from '../store/index.ts';
import { AREA_LEVELS, LEVEL_TITLES, countedPostcodesSql, parseLevel, type AreaLevel } from '../geo/index.ts';
import { baseLevel, profileDataset } from '../profiling/index.ts';
import { listDatasets } from '../intake/index.ts';
import { accessibility, facilityKinds, kindLabel, kindNoun, travelWords, type CostSource } from '../location/index.ts';
import { parseMeasure, measureKey } from './measures.ts';
import { MAP_RESULT_VERSION, type AreaFigure, type LegendEntry, type MapOptions, type MapResult } from './result.ts';
import { PALETTE_5, PALETTE_10, classedLegend, datasetAreas, finishLegend, fmt, noFigure, round } from './legend.ts';

/** Area levels with boundaries, finest first. */
export async function boundaryLevels(engine: Engine): Promise<AreaLevel[]> {
  const rows = await whileUnchanged(engine, 'boundary levels', ['boundary'], () =>
    engine.all<{ level: string }>(`SELECT DISTINCT level FROM boundary`),
  );
  return AREA_LEVELS.filter((l) => rows.some((r) => r.level === l));
}

async function deprivationIndex(engine: Engine): Promise<{ name: string; level: AreaLevel; domain: string } | null> {
  const r = await engine.one<{ index_name: string; area_level: string; domain: string; other: boolean }>(
    `SELECT DISTINCT index_name, area_level, domain, domain <> 'IMD' AS other FROM deprivation ORDER BY other, index_name, area_level LIMIT 1`,
  );
  return r ? { name: r.index_name, level: r.area_level as AreaLevel, domain: r.domain } : null;
}

/** The levels and measures a workspace can map; datasets only for those who may map them. */
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

async function areaNames(engine: Engine, level: AreaLevel): Promise<Map<string, string | null>> {
  const rows = await engine.all<{ code: string; name: string | null }>(
    `SELECT b.area_code AS code, coalesce(${sqlAnyValue('a.name')}, ${sqlAnyValue('b.name')}) AS name FROM boundary b
     LEFT JOIN area a ON a.code = b.area_code AND a.level = b.level WHERE b.level = $1 GROUP BY 1 ORDER BY 1`,
    [level],
  );
  return new Map(rows.map((r) => [r.code, r.name && r.name !== r.code ? r.name : null]));
}

/**
 * Households per area at `level`, and how many of them live in areas of one segment. Each base
 * area's households are shared among the areas of its counted postcodes (its live postcodes, all of
 * them if none is live: the rule written once, in geo's countedPostcodesSql, that profiles' bases
 * follow too); when the levels nest this gives whole areas.
 */
async function householdsBy(
  engine: Engine,
  level: AreaLevel,
  seg?: { classification: string; tier: string; code: string; level: AreaLevel },
): Promise<Map<string, { households: number; inSegment: number }>> {
  const BL = await baseLevel(engine);
  const params: (string | null)[] = [BL];
  let segJoin = '',
    segFlag = '1.0';
  if (seg) {
    segJoin = `LEFT JOIN area_segment s ON s.classification = $2 AND s.tier = $3 AND s.area_code = p.${ident(seg.level)}`;
    segFlag = `CASE WHEN s.code = $4 THEN 1.0 ELSE 0.0 END`;
    params.push(seg.classification, seg.tier, seg.code);
  }
  const rows = await engine.all<{ a: string; households: number; in_segment: number }>(
    `
    WITH pc AS (SELECT p.${ident(BL)} AS b, p.${ident(level)} AS a, p.status, ${segFlag} AS f FROM postcode p ${segJoin}
                WHERE p.${ident(level)} IS NOT NULL),
      counted AS ${countedPostcodesSql('pc', 'b', "status = 'live'")},
      n AS (SELECT b, count(*) AS n FROM counted GROUP BY b),
      w AS (SELECT c.b, c.a, count(*) / ${sqlAnyValue('n.n')} AS w, sum(c.f) / ${sqlAnyValue('n.n')} AS wf FROM counted c JOIN n USING (b) GROUP BY 1, 2)
    SELECT w.a, sum(ab.households * w.w ORDER BY w.b) AS households, sum(ab.households * w.wf ORDER BY w.b) AS in_segment
    FROM w JOIN area_base ab ON ab.area_code = w.b AND ab.level = $1 GROUP BY 1`,
    params,
  );
  return new Map(rows.map((r) => [r.a, { households: r.households, inSegment: r.in_segment }]));
}

/**
 * Work that the figures of several measures at one time can share: each level's area names, each
 * classification and its tiers' segment names, and each tier's households per area and per
 * segment, worked out once for all of the tier's segments instead of once for each. Made for one batch of measures (such as choosing the
 * map's default among every segment) and dropped with it, so it never outlives the workspace
 * state it was read from.
 */
export interface SharedMapWork {
  names: Map<string, Promise<Map<string, string | null>>>;
  tiers: Map<string, Promise<TierHouseholds>>;
  classifications: Map<string, Promise<{ area_level: string; title: string | null; tiers: string } | null>>;
  /** Each tier's segment names by code. */
  segments: Map<string, Promise<Map<string, string | null>>>;
}
/** Households per area, and per segment of one tier those living in its areas. */
interface TierHouseholds {
  households: Map<string, number>;
  inSegment: Map<string, Map<string, number>>;
}
export function sharedMapWork(): SharedMapWork {
  return { names: new Map(), tiers: new Map(), classifications: new Map(), segments: new Map() };
}

function memo<T>(cache: Map<string, Promise<T>> | undefined, key: string, make: () => Promise<T>): Promise<T> {
  if (!cache) return make();
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}

/**
 * householdsBy for every segment of one tier in one query: the same sums, term for term (a
 * segment's households leave out the terms that are zero for it), so each segment's figures are
 * those householdsBy gives it alone.
 */
async function tierHouseholds(
  engine: Engine,
  level: AreaLevel,
  seg: { classification: string; tier: string; level: AreaLevel },
): Promise<TierHouseholds> {
  const BL = await baseLevel(engine);
  const rows = await engine.all<{ a: string; seg: string | null; v: number }>(
    `
    WITH pc AS (SELECT p.${ident(BL)} AS b, p.${ident(level)} AS a, p.status, s.code AS seg FROM postcode p
                LEFT JOIN area_segment s ON s.classification = $2 AND s.tier = $3 AND s.area_code = p.${ident(seg.level)}
                WHERE p.${ident(level)} IS NOT NULL),
      counted AS ${countedPostcodesSql('pc', 'b', "status = 'live'")},
      n AS (SELECT b, count(*) AS n FROM counted GROUP BY b),
      w AS (SELECT c.b, c.a, count(*) / ${sqlAnyValue('n.n')} AS w FROM counted c JOIN n USING (b) GROUP BY 1, 2),
      ws AS (SELECT c.b, c.a, c.seg, sum(1.0) / ${sqlAnyValue('n.n')} AS wf FROM counted c JOIN n USING (b)
             WHERE c.seg IS NOT NULL GROUP BY 1, 2, 3)
    SELECT w.a, NULL AS seg, sum(ab.households * w.w ORDER BY w.b) AS v
    FROM w JOIN area_base ab ON ab.area_code = w.b AND ab.level = $1 GROUP BY 1
    UNION ALL
    SELECT ws.a, ws.seg, sum(ab.households * ws.wf ORDER BY ws.b) AS v
    FROM ws JOIN area_base ab ON ab.area_code = ws.b AND ab.level = $1 GROUP BY 1, 2`,
    [BL, seg.classification, seg.tier],
  );
  const out: TierHouseholds = { households: new Map(), inSegment: new Map() };
  for (const r of rows) {
    if (r.seg === null) out.households.set(r.a, r.v);
    else {
      if (!out.inSegment.has(r.seg)) out.inSegment.set(r.seg, new Map());
      out.inSegment.get(r.seg)!.set(r.a, r.v);
    }
  }
  return out;
}

/** householdsBy for one segment, from its tier's households worked out once (see SharedMapWork). */
async function segmentHouseholds(
  engine: Engine,
  level: AreaLevel,
  seg: { classification: string; tier: string; code: string; level: AreaLevel },
  shared: SharedMapWork,
): Promise<Map<string, { households: number; inSegment: number }>> {
  const tier = await memo(shared.tiers, JSON.stringify([level, seg.classification, seg.tier, seg.level]), () =>
    tierHouseholds(engine, level, seg),
  );
  const inSeg = tier.inSegment.get(seg.code);
  return new Map(
    [...tier.households].map(([a, households]) => [a, { households, inSegment: inSeg?.get(a) ?? 0 }] as const),
  );
}

/**
 * The figures of one measure at one level: the truth, with nothing hidden. A level without the
 * measure (deprivation is published for one level) is changed to the level that has it, and said so.
 */
export async function mapFigures(
  engine: Engine,
  measure: string,
  levelInput: string,
  costs?: CostSource,
  shared?: SharedMapWork,
): Promise<MapResult> {
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
  const names = async () => memo(shared?.names, level!, () => areaNames(engine, level!));
  let areas: AreaFigure[] = [];
  let title = '',
    valueLabel = '',
    countLabel: string | null = null,
    baseLabel: string | null = null;
  let legend: LegendEntry[] = [];
  let source: MapResult['source'] = null;

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
        cellKey: null,
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
    legend = finishLegend(
      legend.filter((l) => areas.some((a) => a.cls === l.cls)),
      areas,
      0,
    );
    notes.push('Deciles rank every area in the country: decile 1 holds the most deprived 10% of areas.');
  } else if (spec.kind === 'households' || spec.kind === 'segment') {
    let seg: { classification: string; tier: string; code: string; level: AreaLevel } | undefined;
    if (spec.kind === 'segment') {
      const c = await memo(shared?.classifications, spec.classification!, () =>
        engine.one<{ area_level: string; title: string | null; tiers: string }>(
          `SELECT area_level, title, tiers FROM classification WHERE name = $1`,
          [spec.classification!],
        ),
      );
      if (!c)
        throw new ParameterError(
          `There is no classification called "${spec.classification}".`,
          'Choose a segment from the list on the map page (or civic map WORKSPACE --list).',
        );
      const tierNames = shared
        ? await memo(shared.segments, JSON.stringify([spec.classification, spec.tier]), async () => {
            const rows = await engine.all<{ code: string; name: string | null }>(
              `SELECT code, name FROM segment WHERE classification = $1 AND tier = $2`,
              [spec.classification!, spec.tier!],
            );
            const byCode = new Map<string, string | null>();
            for (const r of rows) if (!byCode.has(r.code)) byCode.set(r.code, r.name);
            return byCode;
          })
        : null;
      const s = tierNames
        ? tierNames.has(spec.segment!)
          ? { name: tierNames.get(spec.segment!)! }
          : null
        : await engine.one<{ name: string | null }>(
            `SELECT name FROM segment WHERE classification = $1 AND tier = $2 AND code = $3`,
            [spec.classification!, spec.tier!, spec.segment!],
          );
      if (!s)
        throw new ParameterError(
          `There is no ${spec.tier} "${spec.segment}" in ${spec.classification}.`,
          'Choose a segment from the list on the map page (or civic map WORKSPACE --list).',
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
    const hh =
      seg && shared ? await segmentHouseholds(engine, level, seg, shared) : await householdsBy(engine, level, seg);
    for (const [code, name] of await names()) {
      const h = hh.get(code);
      if (!h) {
        areas.push(noFigure(code, name));
      } else if (seg) {
        const share = h.households > 0 ? (h.inSegment / h.households) * 100 : null;
        areas.push({
          code,
          name,
          value: share === null ? null : round(share, 1),
          count: Math.round(h.inSegment),
          base: Math.round(h.households),
          cls: share === null ? -2 : 0,
          text: share === null ? 'No figure' : `${fmt(share, 1)}%`,
          cellKey: null,
        });
      } else {
        const n = Math.round(h.households);
        areas.push({ code, name, value: n, count: null, base: null, cls: 0, text: fmt(n, 0), cellKey: null });
      }
    }
    legend = classedLegend(spec.kind, areas, 0);
    notes.push('Households are shared between areas by their postcodes where areas do not nest.');
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
        'Choose a kind from the list on the map page (or civic map WORKSPACE --list).',
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
        cellKey: null,
      });
    }
    const how = travelWords(spec.mode!);
    title = `Minutes to the nearest ${kindNoun(spec.facilityKind!)} ${how}, by ${LEVEL_TITLES[level]}`;
    valueLabel = `Minutes ${how} (nearest)`;
    legend = finishLegend(
      [0, ...ACCESS_BANDS]
        .map((lo, i, all) => ({
          cls: i,
          colour: PALETTE_5[i],
          css: `civic-pal5-${i}`,
          label: i === all.length - 1 ? `${lo} minutes or more` : `${lo} to under ${all[i + 1]} minutes`,
        }))
        .filter((l) => areas.some((a) => a.cls === l.cls)),
      areas,
      0,
    );
    notes.push(`Journey times ${r.costSource}, from each area's population-weighted centre to the nearest facility.`);
  } else if (spec.kind === 'penetration' || spec.kind === 'index') {
    source = await profileDataset(engine, { dataset: spec.dataset!, byArea: level, base: 'households' });
    const ds = (await listDatasets(engine)).find((d) => d.name === spec.dataset);
    const label = ds?.title ?? spec.dataset!;
    areas = datasetAreas([...(await names())], source.rows, spec.kind, 0);
    title =
      spec.kind === 'penetration'
        ? `Penetration of ${label} by ${LEVEL_TITLES[level]}`
        : `Index of ${label} by ${LEVEL_TITLES[level]}`;
    valueLabel = spec.kind === 'penetration' ? 'Penetration % (records per 100 households)' : 'Index (100 = average)';
    countLabel = 'Records';
    baseLabel = 'Households';
    legend = classedLegend(spec.kind, areas, 0);
    if (spec.kind === 'index') notes.push("Index: the area's penetration against the whole area's, times 100.");
  } else {
    // parseMeasure never gives a channel measure: those maps are drawn from a disclosed channel mix.
    throw new ParameterError(`"${measure}" is not a measure the map knows.`);
  }
  return {
    version: MAP_RESULT_VERSION,
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
    minCell: 0,
    suppressed: 0,
    levelChanged,
    disclosure: null,
    source,
  };
}
