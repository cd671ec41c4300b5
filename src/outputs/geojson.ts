/**
 * A profile by area as GeoJSON: one feature per row, its area's boundary as the geometry and the
 * row's figures (as the viewer may see them) as its properties. Renders a result; computes nothing.
 */
import { ParameterError } from '../core/index.ts';
import type { ProfileResult } from '../profiling/index.ts';

/** A boundary as stored: a GeoJSON geometry (or a Feature holding one), as text. */
export interface StoredBoundary {
  name: string | null;
  geojson: string;
}

function geometryOf(text: string | undefined): unknown {
  if (!text) return null;
  try {
    const g = JSON.parse(text) as { type?: string; geometry?: unknown };
    return g && g.type === 'Feature' ? (g.geometry ?? null) : g;
  } catch {
    return null;
  }
}

/**
 * A FeatureCollection (RFC 7946, longitude/latitude). Areas without a stored boundary keep their
 * row with a null geometry, so nothing is lost; the profile's description and its disclosure
 * control travel as foreign members.
 */
export function profileToGeoJson(r: ProfileResult, boundaries: ReadonlyMap<string, StoredBoundary>): string {
  if (r.kind !== 'area')
    throw new ParameterError(
      'Only a profile by area can be written as GeoJSON: segments have no shapes of their own.',
      'Profile by an area level (ward, LSOA, output area) instead.',
    );
  const features = r.rows.map((row) => ({
    type: 'Feature' as const,
    id: row.code,
    geometry: geometryOf(boundaries.get(row.code)?.geojson),
    properties: {
      code: row.code,
      name: row.name ?? boundaries.get(row.code)?.name ?? null,
      count: row.count,
      filePct: row.filePct,
      base: row.base,
      basePct: row.basePct,
      penetration: row.penetration,
      ciLow: row.ciLow,
      ciHigh: row.ciHigh,
      index: row.index,
      z: row.z,
      significant: row.significant,
      band: row.band,
      suppressed: row.suppressed,
    },
  }));
  return (
    JSON.stringify({
      type: 'FeatureCollection',
      name: `profile of ${r.dataset} by ${r.level}`,
      profile: {
        version: r.version,
        dataset: r.dataset,
        level: r.level,
        baseMeasure: r.baseMeasure,
        baseMethod: r.baseMethod,
        filter: r.filter,
        countOf: r.countOf,
        total: r.total,
        unmatched: r.unmatched,
        bands: r.bands,
        disclosure: r.disclosure,
        missingBoundaries: r.rows.filter((row) => !boundaries.has(row.code)).length,
      },
      features,
    }) + '\n'
  );
}
