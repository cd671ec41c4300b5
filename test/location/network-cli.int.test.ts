/**
 * `--network FILE.osm.pbf` end to end: a tiny workspace whose postcodes and facilities sit inside
 * the Leeds OpenStreetMap extract, accessibility by walking along its paths through the CLI, and
 * every time at least the straight-line distance at walking pace.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import {
  catchment,
  importFacilities,
  loadRoadNetwork,
  metresBetween,
  networkCosts,
  reachableWithin,
  WALK_KMH,
} from '../../src/location/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { postLogin } from '../helpers/login.ts';
import { civicRun } from '../helpers/cli.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const { path: OSM, skip } = sharedData('osm');
const tmp = tempDir('civic-network-');
after(() => tmp.cleanup());

// Inside the extract's bounding box (-1.5688, 53.8047) – (-1.5481, 53.8124), away from its edges.
const POSTCODES = [
  ['LS2 9JT', 53.808, -1.56, 'E00000001'],
  ['LS2 9JU', 53.807, -1.562, 'E00000001'],
  ['LS2 9JV', 53.81, -1.556, 'E00000002'],
  ['LS2 9JW', 53.8095, -1.554, 'E00000002'],
  ['LS2 9JX', 53.806, -1.552, 'E00000003'],
  ['LS2 9JY', 53.811, -1.565, 'E00000003'],
] as const;
const FACILITIES = [
  ['Library A', 53.8085, -1.559],
  ['Library B', 53.8065, -1.553],
] as const;

test('location access along the Leeds paths (--network) gives finite walking times no faster than the crow flies', {
  skip,
}, async () => {
  const pc = join(tmp.dir, 'postcodes.csv'),
    base = join(tmp.dir, 'base.csv'),
    fac = join(tmp.dir, 'libraries.csv');
  writeFileSync(
    pc,
    'pcds,dointr,doterm,lat,long,oa21cd,lsoa21cd,osward,oslaua\n' +
      POSTCODES.map(([p, lat, lon, oa]) => `${p},198001,,${lat},${lon},${oa},E01000001,E05000001,E08000035`).join(
        '\n',
      ) +
      '\n',
  );
  writeFileSync(base, 'area_code,households,population\nE00000001,120,260\nE00000002,200,450\nE00000003,80,150\n');
  writeFileSync(fac, 'name,lat,lon\n' + FACILITIES.map(([n, lat, lon]) => `${n},${lat},${lon}`).join('\n') + '\n');
  const wsPath = join(tmp.dir, 'leeds.civic');
  const ws = await createWorkspace(wsPath);
  try {
    await importReference(ws.engine, { postcodes: pc, base: [base] });
    const r = await importFacilities(ws.engine, fac, { kind: 'library' });
    assert.equal(r.imported, 2);
  } finally {
    ws.close();
  }

  // In process: the walking times are the point here, not the process (test/cli covers that).
  const res = await civicRun(
    'location',
    'access',
    wsPath,
    '--kind',
    'library',
    '--mode',
    'walk',
    '--network',
    join(OSM, 'its-example.osm.pbf'),
    '--format',
    'json',
  );
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as {
    costSource: string;
    areas: { code: string; lon: number; lat: number; kinds: { nearestMinutes: number | null }[] }[];
  };
  assert.match(
    out.costSource,
    /network|road|OpenStreetMap|osm/i,
    `the result says the minutes came from the road network: ${out.costSource}`,
  );
  assert.equal(out.areas.length, 3);
  for (const a of out.areas) {
    const minutes = a.kinds[0].nearestMinutes;
    assert.ok(typeof minutes === 'number' && Number.isFinite(minutes), `${a.code} reaches a library`);
    const crowFlies = Math.min(...FACILITIES.map(([, lat, lon]) => metresBetween(a, { lon, lat })));
    assert.ok(
      minutes + 1e-3 >= crowFlies / ((WALK_KMH * 1000) / 60),
      `${a.code}: ${minutes} min is faster than walking in a straight line`,
    );
  }

  // With the road network, a catchment's outline is the isochrone: the ground the paths reach in the time.
  const ws2 = await openWorkspace(wsPath);
  try {
    const network = await loadRoadNetwork(join(OSM, 'its-example.osm.pbf'));
    const c = await catchment(
      ws2.engine,
      { site: { facility: 'Library A' }, minutes: 4, mode: 'walk' },
      networkCosts(network),
    );
    assert.ok(c.polygon, 'an outline');
    assert.match(String(c.polygon.properties.note), /roads and paths lead within 4 minutes on foot/);
    const reached = reachableWithin(network, { id: 'A', lon: FACILITIES[0][2], lat: FACILITIES[0][1] }, 'walk', 4);
    assert.ok(reached.length >= 3);
    const ring = c.polygon.geometry.coordinates[0];
    const inside = (x: number, y: number) => {
      let odd = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i],
          [xj, yj] = ring[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd;
      }
      return odd;
    };
    const onRing = (x: number, y: number) => ring.some(([rx, ry]) => rx === x && ry === y);
    assert.ok(
      reached.every((p) => inside(p.lon, p.lat) || onRing(p.lon, p.lat)),
      'every point reached lies inside the outline',
    );
    // 4 minutes at 4.8 km/h is 320 m: nothing on the outline is further than that as the crow flies.
    const site = { lon: FACILITIES[0][2], lat: FACILITIES[0][1] };
    assert.ok(
      ring.every(([lon, lat]) => metresBetween(site, { lon, lat }) <= 320 + 1e-6 + 100),
      'the outline stays within a walk of the site (plus the walk to the path)',
    );
  } finally {
    ws2.close();
  }

  // The portal can time journeys on the same network (civic serve --network): its location page says so and uses it.
  const ws3 = await openWorkspace(wsPath);
  const app = await buildApp({
    workspace: ws3,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    costs: networkCosts(await loadRoadNetwork(join(OSM, 'its-example.osm.pbf'))),
  });
  try {
    await addUser(ws3.engine, { username: 'ana', password: 'a long enough password', role: 'analyst' });
    const login = await postLogin(app, { username: 'ana', password: 'a long enough password' });
    const cookie = String(login.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
    const page = await app.inject({
      url: '/location?kind=library&mode=walk&within=5',
      cookies: { [SESSION_COOKIE]: cookie },
    });
    assert.equal(page.statusCode, 200, page.body.slice(0, 500));
    assert.match(page.body, /Journey times: road network \(OpenStreetMap/);
    const viaCli = JSON.parse(res.stdout) as { kinds: { borough: { meanMinutes: number } }[] };
    assert.match(
      page.body,
      new RegExp(`Average journey ${viaCli.kinds[0].borough.meanMinutes.toFixed(1)} minutes`),
      'the page shows the same average as the CLI on the same network',
    );
  } finally {
    await app.close();
    ws3.close();
  }

  const bad = await civicRun(
    'location',
    'access',
    wsPath,
    '--kind',
    'library',
    '--network',
    join(tmp.dir, 'missing.osm.pbf'),
    '--format',
    'json',
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stdout + bad.stderr, /missing\.osm\.pbf/);
});
