/** Boundary shapes for maps, rounded and ready to splice into GeoJSON, kept until the boundaries change. */
import { type Engine, sqlAnyValue } from '../store/index.ts';
import type { AreaLevel } from '../geo/index.ts';

export interface LevelShapes {
  /** changes when the level's boundaries do */
  stamp: string;
  features: { code: string; geometry: string }[];
  bbox: [number, number, number, number];
}

/** Coordinates rounded to 5 decimal places (about a metre). */
export function roundGeometry(json: string): string {
  return json.replace(/-?\d+\.\d{6,}/g, (m) => String(Math.round(Number(m) * 1e5) / 1e5));
}

/** The extent of a level's boundaries: [west, south, east, north]. */
export async function levelBbox(engine: Engine, level: string): Promise<[number, number, number, number]> {
  const bb = (await engine.one<{ a: number; b: number; c: number; d: number }>(
    `SELECT min(min_lon) AS a, min(min_lat) AS b, max(max_lon) AS c, max(max_lat) AS d FROM boundary WHERE level = $1`,
    [level],
  ))!;
  return [bb.a, bb.b, bb.c, bb.d];
}

/** Whether a level has any boundary. */
export async function hasBoundaries(engine: Engine, level: string): Promise<boolean> {
  return !!(await engine.one(`SELECT 1 AS x FROM boundary WHERE level = $1 LIMIT 1`, [level]));
}

/** Boundary shapes per level, kept in memory until the boundaries change. One cache per app or command. */
export class ShapeCache {
  private readonly levels = new Map<string, LevelShapes>();
  async get(engine: Engine, level: AreaLevel | string): Promise<LevelShapes> {
    // The engine counts every write to the boundary table, so a level is read again only after one.
    const stamp = String(engine.changes(['boundary']));
    const hit = this.levels.get(level);
    if (hit && hit.stamp === stamp) return hit;
    const rows = await engine.all<{ code: string; geojson: string }>(
      `SELECT area_code AS code, ${sqlAnyValue('geojson')} AS geojson FROM boundary WHERE level = $1 GROUP BY 1 ORDER BY 1`,
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
