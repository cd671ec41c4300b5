/**
 * Area boundaries (GeoJSON) and point-in-polygon assignment with a spatial index. Used to give
 * postcodes an output-area code when the postcode list has none (as Trafford's does).
 */
import Flatbush from 'flatbush';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { InputError } from '../core/index.ts';
import { type Projection, projectCoordinates, projectionFromCrs, projectionFromRange } from './projection.ts';

type Position = number[];
export interface AreaGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: Position[][] | Position[][][];
}
export interface AreaShape {
  code: string;
  name: string | null;
  geometry: AreaGeometry;
  bbox: [number, number, number, number];
}

const CODE_KEYS = [
  /^code$/i,
  /^area_?code$/i,
  /^geography_?code$/i,
  /^(oa|lsoa|msoa|wd|ward|lad|la)\d*cd$/i,
  // the CDRC's geodata packs write oa_code
  /^(oa|lsoa|msoa|wd|ward|lad|la)\d*_?code$/i,
  /cd$/i,
];
const NAME_KEYS = [/^name$/i, /^area_?name$/i, /^(lsoa|msoa|wd|ward|lad|la)\d*nm$/i, /nm$/i];

function pickKey(props: Record<string, unknown>, patterns: RegExp[]): string | null {
  const keys = Object.keys(props);
  for (const p of patterns) {
    const k = keys.find((key) => p.test(key));
    if (k) return k;
  }
  return null;
}

function bboxOf(geometry: AreaGeometry): [number, number, number, number] {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  visit(geometry.coordinates);
  return [minX, minY, maxX, maxY];
}

/**
 * Why a polygon geometry cannot be used, or null when it can: every polygon needs at least one
 * ring, and every ring at least four positions (three corners and the first again) of finite numbers.
 */
function unusableGeometry(g: AreaGeometry): string | null {
  if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'it has no coordinates';
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown[];
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) return 'one of its polygons has no coordinates';
    for (const ring of poly as unknown[]) {
      if (!Array.isArray(ring)) return 'one of its rings is not a list of positions';
      if (!ring.every((p) => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1])))
        return 'one of its positions is not a pair of numbers';
      if (ring.length < 4)
        return `one of its rings has only ${ring.length} ${ring.length === 1 ? 'point' : 'points'}, too few to enclose an area`;
    }
  }
  return null;
}

export interface BoundaryFeatures {
  shapes: AreaShape[];
  /** the coordinates as published: 'bng' when they were converted from British National Grid */
  projection: Projection;
  /** the property holding each feature's area code */
  codeKey: string;
  /** each feature's properties, in the order of `shapes` (a CDRC file carries the OAC codes here) */
  properties: Record<string, unknown>[];
}

export interface BoundaryReadOptions {
  /** the property holding area codes, when it is not found by name */
  codeProperty?: string;
  /** the projection a .prj beside a shapefile names; otherwise told from the crs member or the coordinates */
  projection?: Projection | 'other' | null;
}

type RawFeature = { properties?: Record<string, unknown> | null; geometry?: AreaGeometry | null };

/** Reads a GeoJSON FeatureCollection of polygons, finding the area code and name properties. */
export function parseBoundaries(text: string, file: string, opts: BoundaryReadOptions = {}): BoundaryFeatures {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`The boundary file is not valid GeoJSON: ${(e as Error).message}`, {
      location: { file },
      fix: 'Export the boundaries as GeoJSON (or give the shapefile, .shp with its .dbf and .prj).',
    });
  }
  return boundaryFeatures(doc, file, opts);
}

/**
 * Checks a parsed FeatureCollection (from GeoJSON or a shapefile) and returns its shapes in
 * longitude/latitude: coordinates in British National Grid (said by the crs member, a .prj, or
 * told from their range) are converted with proj4.
 */
export function boundaryFeatures(input: unknown, file: string, opts: BoundaryReadOptions = {}): BoundaryFeatures {
  const doc = input as { type?: string; crs?: unknown; features?: (RawFeature | null)[] } | null;
  const codeProperty = opts.codeProperty;
  if (!doc || typeof doc !== 'object' || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new InputError('The boundary file is not a GeoJSON FeatureCollection.', {
      location: { file },
      fix: 'Export the boundaries as a GeoJSON FeatureCollection.',
    });
  }
  if (!doc.features.length) throw new InputError('The boundary file has no features.', { location: { file } });
  const notFeature = doc.features.findIndex((f) => !f || typeof f !== 'object' || Array.isArray(f));
  if (notFeature >= 0)
    throw new InputError(`Feature ${notFeature + 1} is not a GeoJSON Feature.`, {
      location: { file, row: notFeature + 1 },
      fix: 'Export the boundaries as a GeoJSON FeatureCollection of polygons.',
    });
  const features = doc.features as RawFeature[];
  const first = features[0].properties ?? {};
  const codeKey = codeProperty ?? pickKey(first, CODE_KEYS);
  if (codeProperty && !(codeProperty in first)) {
    throw new InputError(`The boundary file has no property "${codeProperty}".`, {
      location: { file },
      fix: `Its properties are: ${Object.keys(first).join(', ')}. Name one with --code-property (or --code-property LEVEL=PROPERTY for one file of several).`,
    });
  }
  if (!codeKey || !(codeKey in first)) {
    throw new InputError(
      `Cannot find the area code property in the boundary file (properties: ${Object.keys(first).join(', ')}).`,
      { location: { file }, fix: 'Name the property holding area codes with --code-property.' },
    );
  }
  const nameKey = pickKey(
    first,
    NAME_KEYS.filter((p) => !p.test(codeKey)),
  );
  const checked: {
    code: string;
    name: string | null;
    geometry: AreaGeometry;
    bbox: [number, number, number, number];
  }[] = [];
  const seen = new Map<string, number>();
  features.forEach((f, i) => {
    const g = f.geometry;
    const code = f.properties?.[codeKey];
    if (code === undefined || code === null || code === '') {
      throw new InputError(`Feature ${i + 1} has no area code in "${codeKey}".`, {
        location: { file, row: i + 1, column: codeKey },
        fix: 'Every feature needs its area code; correct or remove that feature.',
      });
    }
    // Area codes are public reference data: messages may name them.
    if (!g) {
      throw new InputError(`Feature ${i + 1} (${String(code)}) has no geometry: postcodes cannot be placed in it.`, {
        location: { file, row: i + 1 },
        code: 'boundary_geometry',
        fix: `Give ${String(code)} its polygon (export the boundaries again from the source), or remove the feature and give postcodes in it their area code in the postcode file.`,
      });
    }
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
      throw new InputError(`Feature ${i + 1} (${String(code)}) is not a Polygon or MultiPolygon.`, {
        location: { file, row: i + 1 },
        code: 'boundary_geometry',
        fix: 'Boundary files must hold polygons.',
      });
    }
    const unusable = unusableGeometry(g);
    if (unusable) {
      throw new InputError(`Feature ${i + 1} (${String(code)}) has no usable boundary: ${unusable}.`, {
        location: { file, row: i + 1 },
        code: 'boundary_geometry',
        fix: `Give ${String(code)} its full polygon (export the boundaries again from the source), or remove the feature and give postcodes in it their area code in the postcode file.`,
      });
    }
    const earlier = seen.get(String(code));
    if (earlier !== undefined) {
      throw new InputError(`Features ${earlier + 1} and ${i + 1} both have the area code ${String(code)}.`, {
        location: { file, row: i + 1, column: codeKey },
        code: 'boundary_duplicates',
        fix: 'Keep one feature per area (merge its parts into one MultiPolygon) and import the file again.',
      });
    }
    seen.set(String(code), i);
    checked.push({
      code: String(code),
      name: nameKey ? ((f.properties?.[nameKey] as string | null) ?? null) : null,
      geometry: g,
      bbox: bboxOf(g),
    });
  });
  const projection = fileProjection(doc.crs, opts.projection ?? null, checked, file);
  const shapes: AreaShape[] = checked.map((s, i) => {
    const geometry =
      projection === 'bng'
        ? { type: s.geometry.type, coordinates: projectCoordinates(s.geometry.coordinates) }
        : s.geometry;
    const bbox = projection === 'bng' ? bboxOf(geometry) : s.bbox;
    if (!(bbox[0] >= -180 && bbox[2] <= 180 && bbox[1] >= -90 && bbox[3] <= 90)) {
      throw new InputError(
        `Feature ${i + 1} (${s.code}) has coordinates outside longitude/latitude range, and the file's other coordinates are longitude and latitude.`,
        {
          location: { file, row: i + 1 },
          code: 'boundary_projection',
          fix: 'Correct that feature, or export the whole file again in one coordinate system (WGS84 or British National Grid).',
        },
      );
    }
    return { code: s.code, name: s.name, geometry, bbox };
  });
  return { shapes, projection, codeKey, properties: features.map((f) => f.properties ?? {}) };
}

/** The file's coordinate system: its crs member or .prj when they say, otherwise told from the coordinates' range. */
function fileProjection(
  crs: unknown,
  declared: Projection | 'other' | null,
  shapes: { bbox: [number, number, number, number] }[],
  file: string,
): Projection {
  const said = declared ?? projectionFromCrs(crs);
  if (said === 'other')
    throw new InputError(
      'The boundary file is in a coordinate system other than longitude/latitude (WGS84) or British National Grid.',
      {
        location: { file },
        code: 'boundary_projection',
        fix: 'Export the boundaries in WGS84 (EPSG:4326) or British National Grid (EPSG:27700), for example in QGIS.',
      },
    );
  if (said) return said;
  const all: [number, number, number, number] = [
    Math.min(...shapes.map((s) => s.bbox[0])),
    Math.min(...shapes.map((s) => s.bbox[1])),
    Math.max(...shapes.map((s) => s.bbox[2])),
    Math.max(...shapes.map((s) => s.bbox[3])),
  ];
  const told = projectionFromRange(all);
  if (told) return told;
  // Most of the file in degrees: the odd feature outside them is reported by number below.
  const inDegrees = shapes.filter((s) => projectionFromRange(s.bbox) === 'wgs84').length;
  if (inDegrees > shapes.length / 2) return 'wgs84';
  throw new InputError(
    'The boundary file’s coordinates are neither longitude/latitude (WGS84) nor British National Grid eastings and northings.',
    {
      location: { file },
      code: 'boundary_projection',
      fix: 'Export the boundaries in WGS84 (EPSG:4326) or British National Grid (EPSG:27700), for example in QGIS.',
    },
  );
}

export interface PointAssignment {
  code: string;
  method: 'within' | 'nearest';
}

/** A spatial index over shapes answering "which area contains this point?". */
export class AreaLocator {
  private readonly index: Flatbush;
  constructor(private readonly shapes: AreaShape[]) {
    this.index = new Flatbush(Math.max(shapes.length, 1));
    for (const s of shapes) this.index.add(s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3]);
    if (!shapes.length) this.index.add(0, 0, 0, 0);
    this.index.finish();
  }

  /**
   * The area containing the point; if none does (generalised boundaries leave slivers along
   * coasts and edges), the area whose boundary is nearest, when within maxNearestKm.
   */
  locate(lon: number, lat: number, maxNearestKm = 2): PointAssignment | null {
    const hits = this.index.search(lon, lat, lon, lat);
    for (const i of hits) {
      const s = this.shapes[i];
      if (booleanPointInPolygon([lon, lat], s.geometry as never)) return { code: s.code, method: 'within' };
    }
    // Nearest by distance to polygon edges, among candidates near the point.
    const degLat = maxNearestKm / 111;
    const degLon = degLat / Math.max(Math.cos((lat * Math.PI) / 180), 0.1);
    const near = this.index.search(lon - degLon, lat - degLat, lon + degLon, lat + degLat);
    let best: { code: string; d: number } | null = null;
    for (const i of near) {
      const d = distanceToShapeKm(lon, lat, this.shapes[i].geometry);
      if (d <= maxNearestKm && (!best || d < best.d)) best = { code: this.shapes[i].code, d };
    }
    return best ? { code: best.code, method: 'nearest' } : null;
  }
}

function distanceToShapeKm(lon: number, lat: number, g: AreaGeometry): number {
  const kx = 111.32 * Math.cos((lat * Math.PI) / 180);
  const ky = 110.57;
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Position[][][];
  let best = Infinity;
  for (const poly of polys)
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) {
        const ax = (ring[i - 1][0] - lon) * kx,
          ay = (ring[i - 1][1] - lat) * ky;
        const bx = (ring[i][0] - lon) * kx,
          by = (ring[i][1] - lat) * ky;
        const dx = bx - ax,
          dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
        const px = ax + t * dx,
          py = ay + t * dy;
        const d = Math.sqrt(px * px + py * py);
        if (d < best) best = d;
      }
    }
  return best;
}
