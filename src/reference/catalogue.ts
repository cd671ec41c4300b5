/**
 * What reference data a workspace holds, as the forms and pages list it: classifications with their
 * tiers, their segments, and the area levels present. Read-only; the importers beside it write.
 */
import type { Engine } from '../store/index.ts';
import { AREA_LEVELS, type AreaLevel } from '../geo/index.ts';

export interface ClassificationSummary {
  name: string;
  title: string | null;
  kind: string;
  areaLevel: string;
  tiers: string[];
}

/** Classifications (imported, built and deprivation deciles) with their tiers, in a stable order; without deprivation deciles when asked. */
export async function listClassifications(
  engine: Engine,
  opts: { deprivation?: boolean } = {},
): Promise<ClassificationSummary[]> {
  const rows = await engine.all<{
    name: string;
    title: string | null;
    kind: string;
    area_level: string;
    tiers: string;
  }>(
    `SELECT name, title, kind, area_level, tiers FROM classification ORDER BY kind = 'deprivation', kind = 'segmentation' DESC, imported_at, name`,
  );
  return rows
    .filter((r) => opts.deprivation !== false || r.kind !== 'deprivation')
    .map((r) => ({
      name: r.name,
      title: r.title,
      kind: r.kind,
      areaLevel: r.area_level,
      tiers: JSON.parse(r.tiers) as string[],
    }));
}

/** Every segment of every classification, in each tier's order. */
export async function listSegments(
  engine: Engine,
): Promise<{ classification: string; tier: string; code: string; name: string | null }[]> {
  return engine.all<{ classification: string; tier: string; code: string; name: string | null }>(
    `SELECT classification, tier, code, name FROM segment ORDER BY classification, ordinal, code`,
  );
}

/** How many segments each tier of each classification has. */
export async function segmentCounts(engine: Engine): Promise<{ classification: string; tier: string; n: number }[]> {
  return engine.all<{ classification: string; tier: string; n: number }>(
    `SELECT classification, tier, count(*)::BIGINT AS n FROM segment GROUP BY 1, 2`,
  );
}

/** The area levels the workspace has areas for, finest first. */
export async function areaLevelsPresent(engine: Engine): Promise<AreaLevel[]> {
  const have = new Set((await engine.all<{ level: string }>(`SELECT DISTINCT level FROM area`)).map((r) => r.level));
  return AREA_LEVELS.filter((l) => have.has(l));
}

/** Each area's name and GeoJSON geometry at a level, as imported, by area code (for drawing results on a map). */
export async function areaBoundaries(
  engine: Engine,
  level: string,
): Promise<Map<string, { name: string | null; geojson: string }>> {
  const rows = await engine.all<{ area_code: string; name: string | null; geojson: string }>(
    `SELECT area_code, name, geojson FROM boundary WHERE level = $1`,
    [level],
  );
  return new Map(rows.map((r) => [r.area_code, { name: r.name, geojson: r.geojson }]));
}
