/**
 * British National Grid (EPSG:27700) to longitude/latitude (WGS84), with proj4. ONS and the CDRC
 * publish boundaries in BNG; the Observatory stores and places postcodes in WGS84, so such files
 * are converted on import, and say so.
 *
 * proj4 converts OSGB36 to WGS84 with the 7-parameter Helmert transform EPSG publishes for BNG
 * (the same TOWGS84 the CDRC's .prj files carry). Ordnance Survey's exact transform, OSTN15, needs
 * its NTv2 grid file, which is not shipped with proj4 and is not available offline here: the
 * Helmert transform is a few metres from OSTN15 (measured against OS's test points in
 * test/geo/projection.test.ts; see docs/decisions/0020-british-national-grid-and-published-shapes.md).
 */
import proj4 from 'proj4';

/** EPSG:27700 as EPSG defines it, with the Helmert parameters to WGS84 (EPSG:1314). */
export const BNG_PROJ4 =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy ' +
  '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs';

export type Projection = 'wgs84' | 'bng';

const bngToWgs84 = proj4(BNG_PROJ4, 'WGS84');

/** Converts one BNG easting/northing (metres) to [longitude, latitude] in WGS84. */
export function bngToLonLat(easting: number, northing: number): [number, number] {
  const [lon, lat] = bngToWgs84.forward([easting, northing]);
  return [lon, lat];
}

/** Converts one WGS84 [longitude, latitude] to a BNG [easting, northing] (for fixtures and checks). */
export function lonLatToBng(lon: number, lat: number): [number, number] {
  const [e, n] = bngToWgs84.inverse([lon, lat]);
  return [e, n];
}

/** Whether a GeoJSON `crs` member names British National Grid (EPSG:27700), WGS84, or something else. */
export function projectionFromCrs(crs: unknown): Projection | 'other' | null {
  if (!crs || typeof crs !== 'object') return null;
  const name = (crs as { properties?: { name?: unknown } }).properties?.name;
  if (typeof name !== 'string') return null;
  if (/(^|[^0-9])27700$|EPSG::?27700\b/i.test(name)) return 'bng';
  if (/CRS84$|EPSG::?4326$|EPSG::?4258$/i.test(name)) return 'wgs84';
  return 'other';
}

/** Whether a .prj file's well-known text is British National Grid. */
export function projectionFromPrj(wkt: string): Projection | 'other' {
  if (/British[_ ]National[_ ]Grid|OSGB[_ ]?1936|"EPSG","27700"|OSGB36/i.test(wkt)) return 'bng';
  if (/^\s*GEOGCS\[/i.test(wkt) && /WGS[_ ]?(19)?84|ETRS[_ ]?89/i.test(wkt)) return 'wgs84';
  return 'other';
}

/**
 * Tells the projection from a bounding box alone: longitude/latitude when it fits in ±180/±90;
 * BNG when it fits the grid's extent (eastings 0 to 700 km, northings 0 to 1,300 km) and is
 * clearly not degrees. Anything else is unknown.
 */
export function projectionFromRange(bbox: [number, number, number, number]): Projection | null {
  const [minX, minY, maxX, maxY] = bbox;
  if (minX >= -180 && maxX <= 180 && minY >= -90 && maxY <= 90) return 'wgs84';
  if (minX >= -1000 && maxX <= 800_000 && minY >= -1000 && maxY <= 1_400_000 && (maxX > 1000 || maxY > 1000))
    return 'bng';
  return null;
}

/** Converts every position of a Polygon/MultiPolygon's coordinates from BNG to WGS84, in place of a copy. */
export function projectCoordinates<T>(coordinates: T): T {
  const visit = (c: unknown): unknown => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [lon, lat] = bngToLonLat(c[0] as number, c[1] as number);
      return [lon, lat];
    }
    return Array.isArray(c) ? c.map(visit) : c;
  };
  return visit(coordinates) as T;
}
