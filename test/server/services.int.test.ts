/**
 * Routes are given their services (buildApp(options, services), decision 16): with stub map and
 * postcode services over a workspace with no boundaries at all, the map page, its GeoJSON and the
 * enrichment API answer from the stubs, so the routes compute nothing themselves.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, addUser, createApiToken } from '../../src/server/index.ts';
import { MAP_RESULT_VERSION, type MapResult } from '../../src/maps/index.ts';
import { PostcodeEnricher } from '../../src/lookup/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-services-');
let ws: Workspace;
let app: FastifyInstance;
let token = '';
const calls: string[] = [];

const stubMap: MapResult = {
  version: MAP_RESULT_VERSION,
  measure: 'households',
  kind: 'households',
  level: 'ward',
  levelTitle: 'ward',
  title: 'Stub households by ward',
  valueLabel: 'Households',
  countLabel: null,
  baseLabel: null,
  areas: [{ code: 'W1', name: 'Stubton', value: 1234, count: null, base: null, cls: 0, text: '1,234', cellKey: null }],
  legend: [{ cls: 0, colour: '#fde725', css: 'civic-pal5-0', label: '1,234' }],
  notes: ['A stub.'],
  minCell: 10,
  suppressed: 0,
  levelChanged: null,
  disclosure: { minCell: 10, primary: 0, secondary: 0, perturbed: false },
  source: null,
};

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  await addUser(ws.engine, { username: 'agt', password: 'a long enough password', role: 'agent' });
  token = await createApiToken(ws.engine, 'agt');
  app = await buildApp(
    { workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') },
    {
      maps: {
        options: async () => ({
          levels: [{ value: 'ward', text: 'ward' }],
          measures: [{ group: 'Areas', items: [{ value: 'households', text: 'Households' }] }],
          deprivationLevel: null,
        }),
        figures: async (measure, level) => {
          calls.push(`figures ${measure} ${level}`);
          return stubMap;
        },
        shapes: async () => ({
          stamp: 'stub',
          features: [{ code: 'W1', geometry: '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}' }],
          bbox: [0, 0, 1, 1],
        }),
        bbox: async () => [0, 0, 1, 1],
      },
      postcodes: {
        enricher: async (segmentation) => {
          calls.push(`enricher ${segmentation ?? ''}`);
          return PostcodeEnricher.open(ws.engine, segmentation);
        },
      },
    },
  );
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

test('the map page and its GeoJSON come from the map service given to buildApp', async () => {
  const page = await app.inject({ url: '/map?measure=households&level=ward' });
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  assert.match(page.body, /Stub households by ward/);
  assert.match(page.body, /Stubton/);
  const geo = await app.inject({ url: '/map/data.geojson?measure=households&level=ward' });
  assert.equal(geo.statusCode, 200);
  const fc = JSON.parse(geo.body);
  assert.equal(fc.features[0].properties.name, 'Stubton');
  assert.equal(fc.metadata.title, 'Stub households by ward');
  assert.ok(calls.includes('figures households ward'));
});

test('the enrichment API uses the postcode service given to buildApp', async () => {
  const r = await app.inject({
    method: 'POST',
    url: '/api/postcodes',
    headers: { authorization: `Bearer ${token}` },
    payload: ['not a postcode'],
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(JSON.parse(r.body).counts.notAPostcode, 1);
  assert.ok(calls.includes('enricher '));
});
