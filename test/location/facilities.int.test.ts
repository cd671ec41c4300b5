import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  importFacilities,
  listFacilities,
  removeFacilities,
  findFacility,
  outletKey,
  matchFacilityName,
} from '../../src/location/index.ts';
import { InputError, NotFoundError, ParameterError } from '../../src/core/index.ts';
import { bngToLonLat } from '../../src/geo/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, snapshot, tempDir } from '../helpers/workspace.ts';

const tmp = tempDir();
let ws: Workspace;
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};

before(async () => {
  ws = await smallWorkspace(tmp.dir);
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

const LIBRARIES = [
  'name,postcode,lon,lat,capacity,opening_hours,manager',
  'Hulme Library,M15 4AB,-2.2604,53.4655,40,Mon-Fri 9-5,A. Reader',
  'City Library,m11ae,,,,,B. Shelf', // no coordinates: placed at its postcode
  'Nowhere Library,ZZ99 9ZZ,,,,,', // unknown postcode, no coordinates
  'Paris Library,,2.35,48.85,,,', // outside the UK
  'Swapped Library,,53.47,-2.25,,,', // lon and lat the wrong way round
  ',M15 4AD,-2.26,53.46,,,', // no name
  'Big Library,M15 4AD,-2.2607,53.4649,lots,,', // capacity not a number
].join('\n');

test('a CSV of facilities: good rows imported, bad rows listed with row, column and reason', async () => {
  const r = await importFacilities(ws.engine, file('libraries.csv', LIBRARIES), { kind: 'Library' });
  assert.equal(r.read, 7);
  assert.equal(r.imported + r.rejected, r.read);
  assert.deepEqual([r.imported, r.rejected, r.replaced], [2, 5, 0]);
  assert.deepEqual(r.placedBy, { coordinates: 1, postcode: 1 });
  assert.deepEqual(
    r.rejects.map((x) => [x.row, x.column]),
    [
      [4, 'postcode'],
      [5, 'lon'],
      [6, 'lon'],
      [7, 'name'],
      [8, 'capacity'],
    ],
  );
  assert.match(r.rejects[0].reason, /not in the workspace's postcode directory/);
  assert.match(r.rejects[1].reason, /outside the UK/);
  assert.match(r.rejects[2].reason, /swapped/);
  const list = await listFacilities(ws.engine, { kind: 'library' });
  assert.deepEqual(
    list.map((f) => [f.id, f.name, f.kind, f.postcode, f.capacity]),
    [
      ['library-city-library', 'City Library', 'library', 'M1 1AE', null],
      ['library-hulme-library', 'Hulme Library', 'library', 'M15 4AB', 40],
    ],
  );
  // Placed at M1 1AE's directory position; other columns kept as details.
  assert.deepEqual([list[0].lon, list[0].lat, list[0].details], [-2.2426, 53.4808, { manager: 'B. Shelf' }]);
  assert.equal(list[1].openingHours, 'Mon-Fri 9-5');
  assert.equal(list[1].sourceRow, 2);
});

test('importing the same file for the same kind again replaces it; --strict refuses a file with bad rows and changes nothing', async () => {
  const r = await importFacilities(ws.engine, file('libraries.csv', 'name,lon,lat\nHulme Library,-2.2604,53.4655\n'), {
    kind: 'library',
  });
  assert.deepEqual([r.imported, r.replaced], [1, 2]);
  assert.deepEqual(
    (await listFacilities(ws.engine, { kind: 'library' })).map((f) => f.name),
    ['Hulme Library'],
  );
  const before = await snapshot(ws.engine);
  await assert.rejects(
    importFacilities(ws.engine, file('libraries.csv', LIBRARIES), { kind: 'library', strict: true }),
    (e: unknown) =>
      e instanceof InputError &&
      e.location.row === 4 &&
      e.location.column === 'postcode' &&
      /5 of 7 rows/.test(e.message),
  );
  assert.deepEqual(await snapshot(ws.engine), before);
});

test('GeoJSON points with opening hours per weekday, and a kind column', async () => {
  const geo = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          pharmacy_name: 'Moss Side Pharmacy',
          postcode: 'M15 4AD',
          opening_hours_monday: '09:00-18:00',
          opening_hours_sunday: 'CLOSED',
          ods: 'FA123',
        },
        geometry: { type: 'Point', coordinates: [-2.2607, 53.4649] },
      },
      {
        type: 'Feature',
        properties: { pharmacy_name: 'Line Pharmacy' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [-2.2, 53.4],
            [-2.3, 53.5],
          ],
        },
      },
    ],
  };
  const r = await importFacilities(ws.engine, file('pharmacies.geojson', JSON.stringify(geo)), { kind: 'pharmacy' });
  assert.deepEqual([r.format, r.imported, r.rejected], ['geojson', 1, 1]);
  assert.deepEqual(r.rejects[0], {
    row: 2,
    column: null,
    value: null,
    reason: 'the feature is a LineString, not a point',
  });
  const [p] = await listFacilities(ws.engine, { kind: 'pharmacy' });
  assert.deepEqual(
    [p.name, p.lon, p.lat, p.openingHours, p.details],
    ['Moss Side Pharmacy', -2.2607, 53.4649, 'Mon 09:00-18:00; Sun CLOSED', { ods: 'FA123' }],
  );

  const mixed = await importFacilities(
    ws.engine,
    file('sites.csv', 'name,type,lat,lon\nA Centre,childrens_centre,53.46,-2.26\nB Hall,leisure centre,53.47,-2.25\n'),
    { kindColumn: 'type' },
  );
  assert.deepEqual(mixed.kinds, [
    { kind: 'childrens_centre', facilities: 1 },
    { kind: 'leisure_centre', facilities: 1 },
  ]);
});

test('names are found tolerantly; remove by kind; plain-English refusals', async () => {
  assert.equal(outletKey('HULME  library'), 'hulme');
  assert.equal(outletKey("St. Mary's & St. John's Library"), 'st marys and st johns');
  // Two libraries differing only by the suffix are told apart, never guessed between.
  const two = [
    { id: 'a', name: 'College Park Library' },
    { id: 'b', name: 'College Park Community Library' },
  ];
  assert.equal(matchFacilityName('college park community library', two)?.id, 'b');
  assert.equal(matchFacilityName('COLLEGE PARK LIBRARY', two)?.id, 'a');
  assert.equal(matchFacilityName('College Park', two)?.id, 'a');
  assert.equal(matchFacilityName('College Park Community', two)?.id, 'b');
  assert.equal(matchFacilityName('Park', two), null);
  assert.equal((await findFacility(ws.engine, 'hulme')).id, 'library-hulme-library');
  assert.equal((await findFacility(ws.engine, 'library-hulme-library')).name, 'Hulme Library');
  await assert.rejects(findFacility(ws.engine, 'Atlantis'), NotFoundError);
  await assert.rejects(importFacilities(ws.engine, file('x.csv', 'name,lon,lat\nA,-2,53\n')), ParameterError);
  // Only an easting: neither a place nor a postcode, and the message says what the column is.
  await assert.rejects(
    importFacilities(ws.engine, file('y.csv', 'name,easting\nA,383000\n'), { kind: 'x' }),
    (e: unknown) => e instanceof InputError && /British National Grid/.test(e.fix ?? ''),
  );
  // Eastings and northings are converted to longitude/latitude (Manchester, about 2.26°W 53.48°N).
  const grid = await importFacilities(
    ws.engine,
    file('grid.csv', 'name,easting,northing\nGrid Library,383000,398000\nFar Library,900000,398000\n'),
    { kind: 'gridtest' },
  );
  assert.equal(grid.rejected, 1);
  const [g] = await listFacilities(ws.engine, { kind: 'gridtest' });
  const [lon, lat] = bngToLonLat(383000, 398000);
  assert.deepEqual([g.lon, g.lat], [lon, lat]);
  assert.ok(Math.abs(lon - -2.258) < 0.01 && Math.abs(lat - 53.484) < 0.01, `${lon}, ${lat}`);
  await removeFacilities(ws.engine, { kind: 'gridtest' });
  assert.deepEqual(await removeFacilities(ws.engine, { kind: 'pharmacy' }), { removed: 1 });
  await assert.rejects(removeFacilities(ws.engine, { kind: 'pharmacy' }), /no facilities of kind "pharmacy"/);
});
