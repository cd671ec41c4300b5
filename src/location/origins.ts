/**
 * Where journeys start. An area's origin is the mean position of its live postcodes — weighted by
 * the records per postcode of a household dataset (council tax accounts, say) when one is given —
 * so a large rural output area is measured from where its people live, not from the middle of its
 * fields. An area with no postcode falls back to the centroid of its boundary. Each origin carries
 * the area's households and population from the base, as the demand in accessibility measures.
 */
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import { AREA_LEVELS, countedPostcodesSql, parseLevel, type AreaLevel } from '../geo/index.ts';
import { getDataset } from '../profiling/index.ts';
// Not yet on profiling's public face (index.ts); the lead is asked to export it there.
import { baseByGroup, baseLevel } from '../profiling/index.ts';
import type { Place } from './costs.ts';

export interface Origin extends Place {
  /** the area's (or postcode's) name, when known */
  name: string | null;
  households: number | null;
  population: number | null;
  /** how the point was found */
  method: 'postcodes' | 'weighted postcodes' | 'boundary centroid' | 'postcode';
  /** postcodes averaged (0 for a boundary centroid) */
  postcodes: number;
}

export interface AreaOrigins {
  level: AreaLevel;
  origins: Origin[];
  /** in words, for the notes under a table */
  method: string;
  /** areas placed at their boundary's centroid because no postcode lies in them */
  fromBoundary: number;
  /** areas in the base that could not be placed at all (no postcodes, no boundary) */
  unplaced: string[];
}

export interface OriginRequest {
  /** area level (oa21, lsoa21, ward ...); the finest level holding the base when not given */
  level?: string;
  /** a dataset with one record per household: its matched records per postcode weight the mean */
  weightDataset?: string;
}

/** Households and population per area at `level`, apportioned from the base as profiles do. */
async function demandAt(
  engine: Engine,
  level: AreaLevel,
): Promise<{ households: Map<string, number>; population: Map<string, number>; method: string[] }> {
  const out = { households: new Map<string, number>(), population: new Map<string, number>(), method: [] as string[] };
  for (const measure of ['households', 'population'] as const) {
    const has = await engine.one(`SELECT 1 AS x FROM area_base WHERE ${ident(measure)} IS NOT NULL LIMIT 1`);
    if (!has) continue;
    const from = await baseLevel(engine, measure);
    // baseByGroup's working tables have fixed names: it runs alone in a transaction.
    const b = await engine.transaction(() => baseByGroup(engine, from, measure, { kind: 'area', level }));
    out[measure] = b.base;
    out.method.push(b.method);
  }
  return out;
}

/** Area-weighted centroid of a polygon's outer rings (the largest ring wins for a point inside). */
export function boundaryCentroid(geojson: string): { lon: number; lat: number } | null {
  let g: { type?: string; coordinates?: unknown; geometry?: unknown };
  try {
    g = JSON.parse(geojson);
  } catch {
    return null;
  }
  if (g?.type === 'Feature') g = g.geometry as typeof g;
  const polys = (
    g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : []
  ) as number[][][][];
  let a = 0,
    cx = 0,
    cy = 0;
  for (const poly of polys) {
    const ring = poly[0];
    if (!ring) continue;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
  }
  if (a === 0) return null;
  return { lon: cx / (3 * a), lat: cy / (3 * a) };
}

/** Population-weighted centroids of every area at a level, with their demand. */
export async function areaOrigins(engine: Engine, req: OriginRequest = {}): Promise<AreaOrigins> {
  const level = req.level ? parseLevel(req.level) : await baseLevel(engine);
  if (!level)
    throw new ParameterError(
      `Unknown area level "${req.level}".`,
      `Use one of: ${AREA_LEVELS.join(', ')} (or oa, lsoa, msoa).`,
    );
  const L = ident(level);
  let weightJoin = '';
  let weightExpr = '1.0';
  if (req.weightDataset) {
    const ds = await getDataset(engine, req.weightDataset);
    weightJoin = `LEFT JOIN (SELECT _pc_key, count(*)::DOUBLE AS n FROM ${ident(ds.table_name)} WHERE _status = 'matched' GROUP BY 1) w ON w._pc_key = p.pc_key`;
    weightExpr = 'coalesce(w.n, 0)';
  }
  // Live postcodes, or all of an area's postcodes when none is live; positions inside the UK only
  // (directories mark postcodes without a grid reference with a dummy latitude).
  const rows = await engine.all<{
    code: string;
    lon: number;
    lat: number;
    n: number;
    wsum: number;
    wlon: number | null;
    wlat: number | null;
  }>(`
    WITH pc AS (SELECT p.${L} AS code, p.lon, p.lat, p.status = 'live' AS live, ${weightExpr} AS w FROM postcode p ${weightJoin}
        WHERE p.${L} IS NOT NULL AND p.lat BETWEEN 49 AND 61.5 AND p.lon BETWEEN -9 AND 2.5)
    SELECT code, avg(lon) AS lon, avg(lat) AS lat, count(*)::BIGINT AS n, sum(w) AS wsum,
      sum(lon * w) / nullif(sum(w), 0) AS wlon, sum(lat * w) / nullif(sum(w), 0) AS wlat
    FROM ${countedPostcodesSql('pc', 'code', 'live')} pc GROUP BY code ORDER BY code`);
  const demand = await demandAt(engine, level);
  const names = new Map(
    (
      await engine.all<{ code: string; name: string | null }>(
        `SELECT code, ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 GROUP BY code`,
        [level],
      )
    ).map((r) => [r.code, r.name]),
  );
  const origins: Origin[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const weighted = req.weightDataset !== undefined && r.wsum > 0 && r.wlon !== null && r.wlat !== null;
    origins.push({
      id: r.code,
      name: names.get(r.code) ?? null,
      lon: weighted ? r.wlon! : r.lon,
      lat: weighted ? r.wlat! : r.lat,
      households: demand.households.get(r.code) ?? (demand.households.size ? 0 : null),
      population: demand.population.get(r.code) ?? (demand.population.size ? 0 : null),
      method: weighted ? 'weighted postcodes' : 'postcodes',
      postcodes: r.n,
    });
    seen.add(r.code);
  }
  // Areas with demand (or a boundary) but no postcode: their boundary's centroid.
  const missing = new Set<string>(
    [...demand.households.keys(), ...demand.population.keys()].filter((c) => !seen.has(c)),
  );
  for (const b of await engine.all<{ area_code: string }>(`SELECT DISTINCT area_code FROM boundary WHERE level = $1`, [
    level,
  ]))
    if (!seen.has(b.area_code)) missing.add(b.area_code);
  let fromBoundary = 0;
  const unplaced: string[] = [];
  for (const code of [...missing].sort()) {
    const b = await engine.one<{ geojson: string }>(
      `SELECT geojson FROM boundary WHERE level = $1 AND area_code = $2 LIMIT 1`,
      [level, code],
    );
    const c = b ? boundaryCentroid(b.geojson) : null;
    if (!c) {
      unplaced.push(code);
      continue;
    }
    fromBoundary++;
    origins.push({
      id: code,
      name: names.get(code) ?? null,
      lon: c.lon,
      lat: c.lat,
      households: demand.households.get(code) ?? 0,
      population: demand.population.get(code) ?? 0,
      method: 'boundary centroid',
      postcodes: 0,
    });
  }
  if (!origins.length) {
    throw new WorkspaceStateError(
      `No postcode or boundary places any ${level} area, so there is nowhere to measure from.`,
      `Import a postcode directory with ${level} codes, or the ${level} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${level}).`,
    );
  }
  origins.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const how = req.weightDataset
    ? `mean position of each ${level} area's live postcodes, weighted by ${req.weightDataset} records per postcode`
    : `mean position of each ${level} area's live postcodes`;
  return {
    level,
    origins,
    method: how + (fromBoundary ? `; ${fromBoundary} areas without postcodes at their boundary's centroid` : ''),
    fromBoundary,
    unplaced,
  };
}

/** Every live postcode (optionally only those in some areas) as an origin of its own. */
export async function postcodeOrigins(
  engine: Engine,
  opts: { level?: string; codes?: readonly string[] } = {},
): Promise<Origin[]> {
  let where = `status = 'live' AND lat BETWEEN 49 AND 61.5 AND lon BETWEEN -9 AND 2.5`;
  if (opts.level || opts.codes) {
    const level = opts.level ? parseLevel(opts.level) : null;
    if (!level)
      throw new ParameterError(
        `Give the level of the areas whose postcodes are wanted (it was "${opts.level ?? ''}").`,
      );
    await engine.run(`CREATE OR REPLACE TEMP TABLE origin_area (code VARCHAR)`);
    await engine.append(
      'origin_area',
      (opts.codes ?? []).map((c) => [c]),
    );
    where += ` AND ${ident(level)} IN (SELECT code FROM origin_area)`;
  }
  const rows = await engine.all<{ postcode: string; lon: number; lat: number }>(
    `SELECT left(pc_key, length(pc_key) - 3) || ' ' || right(pc_key, 3) AS postcode, lon, lat FROM postcode WHERE ${where} ORDER BY pc_key`,
  );
  if (opts.codes) await engine.run(`DROP TABLE IF EXISTS origin_area`);
  return rows.map((r) => ({
    id: r.postcode,
    name: r.postcode,
    lon: r.lon,
    lat: r.lat,
    households: null,
    population: null,
    method: 'postcode',
    postcodes: 1,
  }));
}
