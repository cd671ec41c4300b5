/**
 * Catchments (C7): who lives within a time or distance of a site, profiled by segment — the table
 * Sheerness Gateway chose its site from. An area is inside when its population-weighted centroid
 * is within reach; its whole households count. Each segment's row gives households in the
 * catchment, % of the catchment, % of the borough (the segment's share of all households) and the
 * index (% of catchment ÷ % of borough × 100). The outline drawn round the reached areas is a
 * concave hull for the map only: the figures come from the areas, never from the shape.
 */
import { z } from 'zod';
import concaveman from 'concaveman';
import { NotFoundError, ParameterError, indexOf } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import type { AreaLevel } from '../geo/index.ts';
// Not yet on profiling's public face (index.ts); the lead is asked to export it there.
import { baseByGroup, baseLevel, resolveClassification } from '../profiling/index.ts';
import {
  metresBetween,
  straightLineCosts,
  travelWords,
  TRAVEL_MODES,
  type CostSource,
  type TravelMode,
} from './costs.ts';
import { findFacility } from './facilities.ts';
import { areaOrigins } from './origins.ts';
import type { LocationProgress } from './accessibility.ts';

export const CATCHMENT_RESULT_VERSION = 1;

export const CatchmentSegmentSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  /** households (or people) of the segment inside the catchment */
  inCatchment: z.number().nullable(),
  /** % of the catchment's households in the segment */
  catchmentPct: z.number().nullable(),
  /** households of the segment in the whole borough */
  borough: z.number(),
  /** % of the borough's households in the segment */
  boroughPct: z.number().nullable(),
  /** % of the segment's households that live inside the catchment */
  reach: z.number().nullable(),
  /** catchmentPct ÷ boroughPct × 100 */
  index: z.number().nullable(),
  suppressed: z.boolean(),
});
export type CatchmentSegment = z.infer<typeof CatchmentSegmentSchema>;

export const CatchmentResultSchema = z.object({
  version: z.literal(CATCHMENT_RESULT_VERSION),
  site: z.object({
    id: z.string().nullable(),
    name: z.string(),
    kind: z.string().nullable(),
    lon: z.number(),
    lat: z.number(),
  }),
  within: z.object({ minutes: z.number().nullable(), metres: z.number().nullable() }),
  mode: z.enum(['car', 'walk', 'cycle']),
  costSource: z.string(),
  level: z.string(),
  measure: z.enum(['households', 'population']),
  originMethod: z.string(),
  areas: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      households: z.number().nullable(),
      population: z.number().nullable(),
      lon: z.number(),
      lat: z.number(),
      minutes: z.number(),
      metres: z.number(),
    }),
  ),
  total: z.object({ areas: z.number(), households: z.number().nullable(), population: z.number().nullable() }),
  borough: z.object({ areas: z.number(), households: z.number().nullable(), population: z.number().nullable() }),
  classification: z.string().nullable(),
  tier: z.string().nullable(),
  baseMethod: z.string().nullable(),
  segments: z.array(CatchmentSegmentSchema),
  /** a GeoJSON Feature outlining the reached areas, for display only (null with fewer than 3 points) */
  polygon: z
    .object({
      type: z.literal('Feature'),
      geometry: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.array(z.number()))) }),
      properties: z.record(z.string(), z.unknown()),
    })
    .nullable(),
  disclosure: z.object({ minCell: z.number(), primary: z.number(), secondary: z.number() }).nullable(),
});
export type CatchmentResult = z.infer<typeof CatchmentResultSchema>;

export interface CatchmentRequest {
  /** a facility (id or name) or a point */
  site: { facility: string; kind?: string } | { lon: number; lat: number; name?: string };
  /** reach in minutes of travel … */
  minutes?: number;
  /** … or in metres as the crow flies */
  metres?: number;
  mode?: TravelMode;
  /** classification and tier to profile by; the first classification's top tier when not given */
  classification?: string;
  tier?: string;
  measure?: 'households' | 'population';
  weightDataset?: string;
  onProgress?: LocationProgress;
}

/** A concave hull round the points (concavity 2: hugs the shape without fraying), or null with fewer than 3. */
export function displayOutline(points: [number, number][], note: string): CatchmentResult['polygon'] {
  const distinct = [...new Map(points.map((p) => [`${p[0]},${p[1]}`, p])).values()];
  if (distinct.length < 3) return null;
  const ring = concaveman(distinct, 2, 0) as [number, number][];
  if (ring.length < 4) return null;
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [ring.map(([x, y]) => [x, y])] },
    properties: { display: 'for display only', note },
  };
}

function boundaryPoints(geojson: string): [number, number][] {
  const out: [number, number][] = [];
  let g: { type?: string; coordinates?: unknown; geometry?: unknown };
  try {
    g = JSON.parse(geojson);
  } catch {
    return out;
  }
  if (g?.type === 'Feature') g = g.geometry as typeof g;
  const visit = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push([c[0] as number, c[1] as number]);
    else if (Array.isArray(c)) c.forEach(visit);
  };
  visit(g?.coordinates);
  return out;
}

export async function catchment(
  engine: Engine,
  req: CatchmentRequest,
  costs: CostSource = straightLineCosts(),
): Promise<CatchmentResult> {
  const progress = req.onProgress ?? (() => {});
  if ((req.minutes === undefined) === (req.metres === undefined))
    throw new ParameterError(
      'Give the catchment as a time or a distance, not both or neither.',
      'Add --within MINUTES, or --metres METRES.',
    );
  const limit = req.minutes ?? req.metres!;
  if (!(limit > 0) || !Number.isFinite(limit))
    throw new ParameterError(`The catchment must be above 0 (it was ${limit}).`);
  const mode = req.mode ?? 'car';
  if (!TRAVEL_MODES.includes(mode))
    throw new ParameterError(`Unknown travel mode "${mode}".`, `Use one of: ${TRAVEL_MODES.join(', ')}.`);
  const measure = req.measure ?? 'households';

  let site: CatchmentResult['site'];
  if ('facility' in req.site) {
    const f = await findFacility(engine, req.site.facility, req.site.kind);
    site = { id: f.id, name: f.name, kind: f.kind, lon: f.lon, lat: f.lat };
  } else {
    const { lon, lat } = req.site;
    if (!(lon >= -9 && lon <= 2.5 && lat >= 49 && lat <= 61.5))
      throw new ParameterError(
        `${lon}, ${lat} is not a longitude and latitude in the UK.`,
        'Give the point as --at LON,LAT, e.g. --at -2.35,53.39.',
      );
    site = { id: null, name: req.site.name ?? `${lon.toFixed(5)}, ${lat.toFixed(5)}`, kind: null, lon, lat };
  }

  // Areas at the base's own level: whole areas in or out, so the base needs no apportioning.
  const level = await baseLevel(engine, measure);
  const origins = await areaOrigins(engine, { level, weightDataset: req.weightDataset });
  progress({ stage: 'travel', done: 0, total: 1 });
  const m = await costs.matrix(origins.origins, [{ id: site.id ?? 'site', lon: site.lon, lat: site.lat }], mode);
  progress({ stage: 'travel', done: 1, total: 1 });
  const areas = origins.origins
    .map((o, i) => ({
      code: o.id,
      name: o.name,
      households: o.households,
      population: o.population,
      lon: o.lon,
      lat: o.lat,
      minutes: m.minutes[i],
      metres: metresBetween(o, site),
    }))
    .filter((a) => (req.minutes !== undefined ? a.minutes <= req.minutes : a.metres <= req.metres!))
    .sort((a, b) => a.minutes - b.minutes || a.code.localeCompare(b.code));
  const sum = (xs: (number | null)[]) =>
    xs.every((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);

  // The Sheerness table: the segment profile of the catchment against the borough.
  const cls = await resolveClassification(engine, req.classification, req.tier);
  let segments: CatchmentSegment[] = [];
  let baseMethod: string | null = null;
  if (cls) {
    const inside = new Map(areas.map((a) => [a.code, 1]));
    const group = { kind: 'segment' as const, classification: cls.name, tier: cls.tier, level: cls.level };
    // baseByGroup's working tables have fixed names: each call runs alone in a transaction.
    const whole = await engine.transaction(() => baseByGroup(engine, level, measure, group));
    const within = inside.size
      ? await engine.transaction(() => baseByGroup(engine, level, measure, group, inside))
      : { base: new Map<string, number>() };
    baseMethod = whole.method;
    const segs = await engine.all<{ code: string; name: string | null }>(
      `SELECT code, name FROM segment WHERE classification = $1 AND tier = $2 ORDER BY ordinal, code`,
      [cls.name, cls.tier],
    );
    const codes = segs.length ? segs : [...whole.base.keys()].sort().map((code) => ({ code, name: null }));
    const cTotal = [...within.base.values()].reduce((a, b) => a + b, 0);
    const bTotal = [...whole.base.values()].reduce((a, b) => a + b, 0);
    segments = codes.map((s) => {
      const c = within.base.get(s.code) ?? 0;
      const b = whole.base.get(s.code) ?? 0;
      const catchmentPct = cTotal > 0 ? (c / cTotal) * 100 : null;
      const boroughPct = bTotal > 0 ? (b / bTotal) * 100 : null;
      return {
        code: s.code,
        name: s.name,
        inCatchment: c,
        catchmentPct,
        borough: b,
        boroughPct,
        reach: b > 0 ? (c / b) * 100 : null,
        index: catchmentPct !== null && boroughPct !== null ? indexOf(catchmentPct, boroughPct) : null,
        suppressed: false,
      };
    });
  }

  // The outline: round the reached areas' boundaries where the workspace has them, else their centroids.
  const points: [number, number][] = [];
  if (areas.length) {
    await engine.run(`CREATE OR REPLACE TEMP TABLE catchment_area (code VARCHAR)`);
    await engine.append(
      'catchment_area',
      areas.map((a) => [a.code]),
    );
    const shapes = await engine.all<{ geojson: string }>(
      `SELECT geojson FROM boundary WHERE level = $1 AND area_code IN (SELECT code FROM catchment_area)`,
      [level],
    );
    await engine.run(`DROP TABLE IF EXISTS catchment_area`);
    for (const s of shapes) points.push(...boundaryPoints(s.geojson));
    if (!shapes.length) points.push(...areas.map((a) => [a.lon, a.lat] as [number, number]));
  }
  const what = req.minutes !== undefined ? `${req.minutes} minutes ${travelWords(mode)}` : `${req.metres} metres`;
  // A source that knows its roads draws the isochrone itself: the ground reachable in the time.
  const along =
    req.minutes !== undefined && costs.reachable
      ? await costs.reachable({ id: site.id ?? site.name, lon: site.lon, lat: site.lat }, mode, req.minutes)
      : [];
  const polygon =
    along.length >= 3
      ? displayOutline(
          along,
          `Where the roads and paths lead within ${what} of ${site.name} (${costs.description}): for display only; the figures count whole areas by their centroids.`,
        )
      : displayOutline(
          points,
          `Outline of the ${areas.length} ${level} areas whose centroids are within ${what} of ${site.name}: for display only; the figures count whole areas.`,
        );

  return {
    version: CATCHMENT_RESULT_VERSION,
    site,
    within: { minutes: req.minutes ?? null, metres: req.metres ?? null },
    mode,
    costSource: costs.description,
    level,
    measure,
    originMethod: origins.method,
    areas,
    total: {
      areas: areas.length,
      households: sum(areas.map((a) => a.households)),
      population: sum(areas.map((a) => a.population)),
    },
    borough: {
      areas: origins.origins.length,
      households: sum(origins.origins.map((o) => o.households)),
      population: sum(origins.origins.map((o) => o.population)),
    },
    classification: cls?.name ?? null,
    tier: cls?.tier ?? null,
    baseMethod,
    segments,
    polygon,
    disclosure: null,
  };
}
