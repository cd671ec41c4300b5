/**
 * The journeys pages (C12) over Sample Borough, which brings its own journeys and circle of need,
 * with Kay's journeys from the seeds imported: a list for signed-in people, each journey's map
 * (an SVG image with the steps table beside it), the handout, the before/after comparison, the
 * business-case download; the circle of need with the SDF's segments for staff and partners only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { importJourneys } from '../../src/journeys/index.ts';
import { injectedPortal, type InjectedPortal } from '../helpers/portal.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/journeys/', import.meta.url));
let portal: InjectedPortal;

before(async () => {
  portal = await injectedPortal({
    seed: 23,
    households: 10_000,
    people: [
      ['ann', 'analyst'],
      ['agnes', 'agent'],
      ['pat', 'partner', 'Sample Leisure Trust'],
    ],
  });
  for (const f of ['kay-before.json', 'kay-after.json']) await importJourneys(portal.ws.engine, EXAMPLES + f);
});
after(() => portal?.close());

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

test('the public are asked to sign in; the journeys are listed for every signed-in role', async () => {
  const r = await portal.get('/journeys');
  assert.equal(r.statusCode, 302);
  assert.match(String(r.headers.location), /^\/login\?next=%2Fjourneys/);
  for (const user of ['ann', 'agnes', 'pat']) {
    const page = await portal.get('/journeys', user);
    assert.equal(page.statusCode, 200, user);
    const t = text(page.body);
    assert.match(t, /Kay reports a late bin and fly-tipping \(before\) before 5 0 26 £37\.80/);
    assert.match(t, /Reporting a missed bin \(before\)/);
    assert.match(t, /Young families on low incomes \(5 needs\)/);
    assert.match(
      page.body,
      /href="\/journeys"[^>]*aria-current|aria-current[^>]*href="\/journeys"/,
      'Journeys is in the navigation',
    );
  }
});

test("a journey's page: the map as an image with the same in words, the measures, links to the handout and the comparison", async () => {
  const r = await portal.get('/journeys/kay-before', 'agnes');
  assert.equal(r.statusCode, 200);
  assert.match(
    r.body,
    /<img src="\/journeys\/kay-before\/map\.svg" alt="Journey map of [^"]+: 16 steps across 5 agencies/,
  );
  const t = text(r.body);
  assert.match(t, /Contacts 26: phone 20, email 6/);
  assert.match(t, /Cost £37\.80 at the barking-dagenham unit costs/);
  assert.match(t, /Wait 21 days/);
  assert.match(t, /Reconstructed/);
  assert.match(r.body, /href="\/journeys\/kay-before\/handout"/);
  assert.match(r.body, /href="\/journeys\/kay-before\/compare"/);
  const svg = await portal.get('/journeys/kay-before/map.svg', 'agnes');
  assert.equal(svg.statusCode, 200);
  assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
  assert.match(svg.body, /<title id="journey-map-title">Journey map: Kay reports a late bin/);
  assert.equal(
    (svg.body.match(/stroke-dasharray="4 3"/g) ?? []).length,
    4,
    'the four events (councillors, visit, collection, newspaper) drawn dashed',
  );
  assert.equal(
    (await portal.get('/journeys/kay-before/map.svg')).statusCode,
    302,
    'the map is for signed-in people too',
  );
  const handout = await portal.get('/journeys/kay-before/handout', 'agnes');
  assert.equal(handout.statusCode, 200);
  assert.match(handout.body, /class="civic-handout"/);
  assert.match(handout.body, /civic-no-print/);
  const missing = await portal.get('/journeys/nobody', 'agnes');
  assert.equal(missing.statusCode, 404);
  assert.match(text(missing.body), /There is no journey called nobody/);
});

test('before and after: Kay saves 24 contacts and £35.80, from either end of the pair', async () => {
  for (const from of ['kay-before', 'kay-after']) {
    const r = await portal.get(`/journeys/${from}/compare`, 'ann');
    assert.equal(r.statusCode, 200);
    const t = text(r.body);
    assert.match(t, /24 contacts and £35\.80 saved/);
    assert.match(t, /Cost £37\.80 £2\.00 £35\.80/);
    assert.match(t, /Contacts by internal email 0 1 -1/);
  }
  const demo = text((await portal.get('/journeys/missed-bin-before/compare', 'ann')).body);
  assert.match(demo, /1 form removed|0 forms removed/);
});

test('the download is the business-case workbook, with the before-and-after sheet', async () => {
  const r = await portal.get('/journeys/kay-before/download?format=xlsx', 'pat');
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-disposition']), /journey-kay-before\.xlsx/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  assert.ok(wb.getWorksheet('Before and after'));
  const csv = await portal.get('/journeys/kay-before/download?format=csv', 'pat');
  assert.match(csv.body.split('\r\n')[0], /^journey,title,customer/);
});

test('the circle of need: segments with high take-up for staff and partners (disclosed), the circle alone for an agent', async () => {
  const staff = await portal.get('/journeys/circles/circle-young-families', 'ann');
  assert.equal(staff.statusCode, 200);
  const t = text(staff.body);
  assert.match(t, /Segments with high take-up \(index 110 or more\)/);
  assert.match(t, /Housing benefit Sample Borough Council [A-Z]/);
  const agent = await portal.get('/journeys/circles/circle-young-families', 'agnes');
  assert.equal(agent.statusCode, 200);
  assert.doesNotMatch(text(agent.body), /high take-up/i);
  assert.match(text(agent.body), /your role does not show/);
  const svg = await portal.get('/journeys/circles/circle-young-families/circle.svg', 'agnes');
  assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
  assert.equal((svg.body.match(/r="58"/g) ?? []).length, 5);
});

test('the API gives the same results to a signed-in script, documented in OpenAPI', async () => {
  const list = await portal.get('/api/journeys', 'agnes');
  assert.equal(list.statusCode, 200);
  assert.ok(JSON.parse(list.body).journeys.some((j: { name: string }) => j.name === 'kay-before'));
  const one = JSON.parse((await portal.get('/api/journeys/rochdale-couple', 'ann')).body);
  assert.equal(one.journey, undefined, 'rochdale-couple is not imported here');
  const kay = JSON.parse((await portal.get('/api/journeys/kay-before', 'ann')).body);
  assert.equal(kay.measures.cost.total, 37.8);
  const cmp = JSON.parse((await portal.get('/api/journeys/kay-before/compare', 'ann')).body);
  assert.deepEqual([cmp.contactsSaved, cmp.costSaved], [24, 35.8]);
  const bad = await portal.get('/api/journeys/kay-before/compare?colour=red', 'ann');
  assert.equal(bad.statusCode, 400);
  assert.equal((await portal.get('/api/journeys')).statusCode, 401);
  const doc = JSON.parse((await portal.get('/api/openapi.json')).body);
  assert.ok(doc.paths['/api/journeys/{name}/compare'].get);
});
