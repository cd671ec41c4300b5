/**
 * Maps (inject, no network) over a 20,000-household Sample Borough: the GeoJSON is valid and
 * carries the same suppressed figures as the page's table; datasets are mapped only by staff and
 * partners; MapLibre is served locally.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Workspace } from '../../src/store/index.ts';
import { injectedPortal, type InjectedPortal } from '../helpers/portal.ts';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

let portal: InjectedPortal;
let ws: Workspace;
before(async () => {
  portal = await injectedPortal({
    seed: 7,
    people: [
      ['ana', 'analyst'],
      ['pat', 'partner', 'Fire and Rescue'],
      ['agt', 'agent'],
    ],
  });
  ws = portal.ws;
});
after(async () => {
  await portal?.close();
});

const get = (url: string, user?: string) => portal.get(url, user);
const geo = async (measure: string, level: string, user?: string) => {
  const r = await get(`/map/data.geojson?measure=${encodeURIComponent(measure)}&level=${level}`, user);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers['content-type']), /^application\/geo\+json/);
  return JSON.parse(r.body);
};

function assertValidGeoJson(fc: {
  type: string;
  bbox: number[];
  features: {
    type: string;
    geometry: { type: string; coordinates: number[][][] };
    properties: Record<string, unknown>;
  }[];
}) {
  assert.equal(fc.type, 'FeatureCollection');
  assert.equal(fc.bbox.length, 4);
  assert.ok(fc.features.length > 0);
  for (const f of fc.features) {
    assert.equal(f.type, 'Feature');
    assert.ok(['Polygon', 'MultiPolygon'].includes(f.geometry.type));
    assert.equal(typeof f.properties.code, 'string');
    const ring =
      f.geometry.type === 'Polygon'
        ? f.geometry.coordinates[0]
        : (f.geometry.coordinates as unknown as number[][][][])[0][0];
    assert.deepEqual(ring[0], ring.at(-1), 'rings are closed');
    for (const [x, y] of ring)
      assert.ok(Math.abs(x * 1e5 - Math.round(x * 1e5)) < 1e-6 && Math.abs(y) <= 90, 'coordinates rounded to 5 places');
  }
}

test('the public map page renders a table and a key without JavaScript, and loads MapLibre from this site', async () => {
  const r = await get('/map');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /<table class="govuk-table" id="map-table">/);
  assert.match(r.body, /class="civic-legend"/);
  assert.match(r.body, /<script type="module" src="\/static\/map.js" nonce="[^"]+">/);
  assert.doesNotMatch(r.body, /penetration:/, 'the public is not offered datasets');
  assert.doesNotMatch(r.body, /https?:\/\/(?!civic-observatory)[^"]*\.(js|css|pbf|png)/, 'nothing from another site');
  for (const f of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css'])
    assert.equal((await get(`/static/maplibre/${f}`)).statusCode, 200, f);
  assert.equal((await get('/static/maplibre/package.json')).statusCode, 404);
  const js = await get('/static/map.js');
  assert.equal(js.statusCode, 200);
  assert.doesNotMatch(js.body, /https?:\/\//, 'the style fetches nothing from elsewhere');
});

test('GeoJSON for every public measure and level is valid and matches the table', async () => {
  for (const level of ['oa21', 'lsoa21', 'msoa21', 'ward']) {
    for (const measure of ['households', 'segment:borough:group:2', 'segment:sample:type:A1']) {
      const fc = await geo(measure, level);
      assertValidGeoJson(fc);
      for (const f of fc.features) {
        const p = f.properties;
        if (p.c === -1) assert.equal(p.value, null);
        if (measure !== 'households' && p.count !== null)
          assert.ok(p.count === 0 || p.count >= 10, `${measure} ${level} ${p.code}: count ${p.count} shown`);
      }
    }
  }
  const dep = await geo('deprivation', 'oa21');
  assert.equal(dep.metadata.level, 'lsoa21', 'deprivation is mapped where it is published');
  assert.ok(
    dep.features.every(
      (f: { properties: { value: number | null } }) =>
        f.properties.value === null || (f.properties.value >= 1 && f.properties.value <= 10),
    ),
  );
});

test('datasets are mapped for staff and partners only, with areas under 10 records not shown', async () => {
  assert.equal(
    (await get('/map/data.geojson?measure=penetration:stop_smoking_clinic&level=oa21')).statusCode,
    302,
    'public: sign in',
  );
  assert.equal((await get('/map/data.geojson?measure=index:stop_smoking_clinic&level=oa21', 'agt')).statusCode, 403);
  assert.equal((await get('/map?measure=penetration:stop_smoking_clinic&level=oa21', 'agt')).statusCode, 403);
  for (const user of ['ana', 'pat']) {
    const fc = await geo('penetration:stop_smoking_clinic', 'oa21', user);
    assertValidGeoJson(fc);
    const hidden = fc.features.filter((f: { properties: { c: number } }) => f.properties.c === -1);
    assert.ok(hidden.length > 0, 'small areas are suppressed');
    for (const f of fc.features) {
      const p = f.properties;
      if (p.count !== null) assert.ok(p.count >= 10, `count ${p.count} shown to ${user}`);
      else assert.equal(p.value, null);
    }
    const page = await get('/map?measure=penetration:stop_smoking_clinic&level=oa21', user);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Not shown \(fewer than 10\)/);
  }
  const idx = await geo('index:green_waste', 'ward', 'ana');
  assert.ok(idx.features.some((f: { properties: { value: number | null } }) => f.properties.value !== null));
});

test('bad measures and levels are explained, not crashed on', async () => {
  const r = await get('/map?measure=segment:nope:group:1&level=oa21');
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /There is a problem/);
  assert.equal((await get('/map/data.geojson?measure=households&level=lad')).statusCode, 400);
  assert.equal((await get('/map/data.geojson?measure=rm%20-rf&level=oa21')).statusCode, 400);
});

test('vector tiles carry the same figures as the GeoJSON, and follow the same rules on who may map what', async () => {
  const fc = await geo('households', 'oa21');
  const [w, s, e, n] = fc.bbox as number[];
  const lon = (w + e) / 2,
    lat = (s + n) / 2;
  const z = 12;
  const x = Math.floor(((lon + 180) / 360) * 2 ** z);
  const y = Math.floor(
    ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z,
  );
  const r = await get(`/map/tiles/${z}/${x}/${y}?measure=households&level=oa21`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/vnd.mapbox-vector-tile');
  const tile = new VectorTile(new PbfReader(r.rawPayload));
  const layer = tile.layers.areas;
  assert.ok(layer && layer.length > 0, 'the tile in the middle of the borough has areas');
  const byCode = new Map(
    (fc.features as { properties: { code: string; text: string; c: number } }[]).map((f) => [
      f.properties.code,
      f.properties,
    ]),
  );
  for (let i = 0; i < layer.length; i++) {
    const p = layer.feature(i).properties as { code: string; text: string; c: number };
    assert.equal(p.text, byCode.get(p.code)!.text, p.code);
    assert.equal(p.c, byCode.get(p.code)!.c, p.code);
  }
  // A tile far from the borough is empty, not an error; a tile that cannot exist is refused.
  assert.equal((await get(`/map/tiles/${z}/0/0?measure=households&level=oa21`)).rawPayload.length, 0);
  for (const bad of ['15/0/0', '3/8/0', 'a/0/0', '2/1/-1'])
    assert.equal((await get(`/map/tiles/${bad}?measure=households&level=oa21`)).statusCode, 400, bad);
  // Datasets: staff yes, the public no, exactly as for the GeoJSON.
  const ds = `/map/tiles/${z}/${x}/${y}?measure=${encodeURIComponent('penetration:library_members')}&level=oa21`;
  assert.equal((await get(ds, 'ana')).statusCode, 200);
  assert.equal((await get(ds)).statusCode, 302, 'public: sign in');
  assert.equal((await get(ds, 'agt')).statusCode, 403);
  // Every small cell is hidden in the tiles too.
  const staffTile = new VectorTile(new PbfReader((await get(ds, 'ana')).rawPayload)).layers.areas;
  for (let i = 0; i < staffTile.length; i++) {
    const p = staffTile.feature(i).properties as { count?: number; c: number };
    if (typeof p.count === 'number') assert.ok(p.count >= 10 || p.count === 0, `a count of ${p.count} reached a tile`);
  }
});
