import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bngToLonLat,
  lonLatToBng,
  projectionFromCrs,
  projectionFromPrj,
  projectionFromRange,
} from '../../src/geo/projection.ts';

/**
 * Ordnance Survey's OSTN15 test points TP01–TP12 (OSTN15_OSGM15_TestInput_ETRStoOSGB.txt and
 * TestOutput_ETRStoOSGB.txt, published by OS with OSTN15): ETRS89 latitude/longitude and the
 * National Grid easting/northing OSTN15 gives for them, to the millimetre. ETRS89 is taken as
 * WGS84 (they differ by well under a metre in Great Britain). Last, a point in Leeds from the same
 * files, the nearest of them to Trafford.
 */
const OS_TEST_POINTS: [string, number, number, number, number][] = [
  ['TP01', 49.9222639373, -6.29977752014, 91492.146, 11318.804],
  ['TP02', 49.9600613782, -5.20304609998, 170370.718, 11572.405],
  ['TP03', 50.4388582561, -4.10864563561, 250359.811, 62016.569],
  ['TP04', 50.57563665, -1.2978227724, 449816.371, 75335.861],
  ['TP05', 50.9312793791, -1.450514337, 438710.92, 114792.25],
  ['TP06', 51.4007822014, -3.5512834924, 292184.87, 168003.465],
  ['TP07', 51.3744702555, 1.44454730409, 639821.835, 169565.858],
  ['TP08', 51.4275474302, -2.54407618349, 362269.991, 169978.69],
  ['TP09', 51.4893656495, -0.1199255718, 530624.974, 178388.464],
  ['TP10', 51.858908964, -4.3085247696, 241124.584, 220332.641],
  ['TP11', 51.8943663735, 0.89724327012, 599445.59, 225722.826],
  ['TP12', 52.2552938163, -2.15458614387, 389544.19, 261912.153],
  ['Leeds', 53.8002151963, -1.66379168242, 422242.186, 433818.701],
];

/** Ground distance in metres between two nearby longitude/latitude points. */
function metres(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const k = Math.cos((((lat1 + lat2) / 2) * Math.PI) / 180);
  return Math.hypot((lon1 - lon2) * 111_320 * k, (lat1 - lat2) * 110_574);
}

test('British National Grid converts to WGS84 within the Helmert transform’s few metres of OSTN15', (t) => {
  const errors = OS_TEST_POINTS.map(([id, lat, lon, e, n]) => {
    const [glon, glat] = bngToLonLat(e, n);
    return { id, m: metres(glon, glat, lon, lat) };
  });
  const mean = errors.reduce((s, x) => s + x.m, 0) / errors.length;
  const worst = errors.reduce((a, b) => (b.m > a.m ? b : a));
  // Measured: mean 2.0 m, worst 4.7 m (TP01, Isles of Scilly), 1.7 m at Leeds. Ordnance Survey
  // documents the Helmert transform as good to a few metres; OSTN15 would be 0.1 m (decision 20).
  assert.ok(mean < 2.5, `mean error ${mean.toFixed(2)} m`);
  assert.ok(worst.m < 5, `worst error ${worst.m.toFixed(2)} m at ${worst.id}`);
  t.diagnostic(`BNG to WGS84 against OSTN15: mean ${mean.toFixed(2)} m, worst ${worst.m.toFixed(2)} m (${worst.id})`);
  const leeds = errors.find((x) => x.id === 'Leeds')!;
  assert.ok(leeds.m < 2, `Leeds ${leeds.m.toFixed(2)} m`);
  // A wrong datum (no Helmert shift: Airy ellipsoid read as WGS84) would be about 100 m out: the test can fail.
  for (const x of errors) assert.ok(x.m > 0.01, `${x.id} is exact, so the reference is not OSTN15`);
});

test('WGS84 converts back to the grid within the same few metres, and round trips to the centimetre', () => {
  for (const [id, lat, lon, e, n] of OS_TEST_POINTS) {
    const [ge, gn] = lonLatToBng(lon, lat);
    assert.ok(Math.hypot(ge - e, gn - n) < 5, `${id}: ${Math.hypot(ge - e, gn - n).toFixed(2)} m`);
    const [blon, blat] = bngToLonLat(ge, gn);
    assert.ok(metres(blon, blat, lon, lat) < 0.01, `${id} round trip`);
  }
});

test('BNG is told from a GeoJSON crs member, a .prj file or the coordinates’ range', () => {
  assert.equal(projectionFromCrs({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } }), 'bng');
  assert.equal(projectionFromCrs({ type: 'name', properties: { name: 'EPSG:27700' } }), 'bng');
  assert.equal(projectionFromCrs({ type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } }), 'wgs84');
  assert.equal(projectionFromCrs({ type: 'name', properties: { name: 'EPSG:3857' } }), 'other');
  assert.equal(projectionFromCrs(undefined), null);
  assert.equal(
    projectionFromPrj('PROJCS["OSGB 1936 / British National Grid",GEOGCS["OSGB 1936",DATUM["OSGB_1936"]]]'),
    'bng',
  );
  assert.equal(projectionFromPrj('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]'), 'wgs84');
  assert.equal(projectionFromPrj('PROJCS["WGS 84 / Pseudo-Mercator"]'), 'other');
  assert.equal(projectionFromRange([-2.4, 53.3, -2.2, 53.5]), 'wgs84');
  assert.equal(projectionFromRange([372000, 385000, 385000, 398000]), 'bng');
  // Web Mercator metres for Manchester: neither.
  assert.equal(projectionFromRange([-260000, 7050000, -240000, 7070000]), null);
});
