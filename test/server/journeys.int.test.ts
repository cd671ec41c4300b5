/**
 * The journeys pages (C12) over Sample Borough, which brings its own journeys and circle of need,
 * with Kay's journeys from the seeds imported: a list for signed-in people, each journey's map
 * (an SVG image with the steps table beside it), the handout, the before/after comparison, the
 * business-case download; the circle of need with the SDF's segments for staff and partners only.
 * Then journeys made and changed in the portal (decision 0033): made, uploaded from the template,
 * their steps added, changed, moved and deleted, published, deleted; a draft seen only by its
 * owners; every form refused without its CSRF token; and the API's POST, PUT and DELETE.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { importJourneys, templateExample } from '../../src/journeys/index.ts';
import { journeysToCsv, journeyTemplateXlsx } from '../../src/outputs/index.ts';
import { SESSION_COOKIE } from '../../src/server/index.ts';
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
      ['pia', 'partner', 'Borough Housing Trust'],
    ],
  });
  for (const f of ['kay-before.json', 'kay-after.json']) await importJourneys(portal.ws.engine, EXAMPLES + f);
});
after(() => portal?.close());

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
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

// ---- Journeys made and changed in the portal --------------------------------------------------------

const csrfOf = new Map<string, string>();
async function csrf(user: string): Promise<string> {
  if (!csrfOf.has(user))
    csrfOf.set(user, /name="_csrf" value="([^"]+)"/.exec((await portal.get('/journeys', user)).body)![1]);
  return csrfOf.get(user)!;
}

/** POSTs a form as a signed-in person, with the session's token unless `token` is false. */
async function post(url: string, user: string, fields: Record<string, string>, token = true) {
  const form = new URLSearchParams({ ...(token ? { _csrf: await csrf(user) } : {}), ...fields });
  return portal.app.inject({
    method: 'POST',
    url,
    payload: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [SESSION_COOKIE]: portal.cookies[user] },
  });
}

/** Uploads a file through the journey upload form. */
async function upload(
  user: string,
  file: { name: string; content: Buffer | string },
  fields: Record<string, string> = {},
  token = true,
) {
  const boundary = '----civicjourney' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ ...(token ? { _csrf: await csrf(user) } : {}), ...fields }))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return portal.app.inject({
    method: 'POST',
    url: '/journeys/upload',
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    cookies: { [SESSION_COOKIE]: portal.cookies[user] },
  });
}

const api = async (
  method: 'POST' | 'PUT' | 'DELETE' | 'GET',
  url: string,
  user: string,
  body?: unknown,
  token = true,
) =>
  portal.app.inject({
    method,
    url,
    payload: body === undefined ? undefined : JSON.stringify(body),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { 'x-csrf-token': await csrf(user) } : {}),
    },
    cookies: { [SESSION_COOKIE]: portal.cookies[user] },
  });

const measuresOf = async (name: string, user = 'ann') =>
  JSON.parse((await portal.get(`/api/journeys/${name}`, user)).body) as {
    journey: { steps: { agency: string; channel: string | null; count: number; cost: number | null }[] };
    measures: { cost: { total: number }; contacts: { total: number } };
  };

const FIRST_STEP = {
  agency: 'Leisure centre',
  service: 'Swimming lessons',
  channel: 'phone',
  dataItems: 'name; address',
};

test('the forms are for analysts and partners: an agent is refused, the public asked to sign in', async () => {
  assert.equal((await portal.get('/journeys/new', 'agnes')).statusCode, 403);
  assert.equal((await portal.get('/journeys/upload', 'agnes')).statusCode, 403);
  assert.equal((await portal.get('/journeys/kay-before/edit', 'agnes')).statusCode, 403);
  assert.equal((await post('/journeys/new', 'agnes', { title: 'x', name: 'x', ...FIRST_STEP })).statusCode, 403);
  assert.match(String((await portal.get('/journeys/new')).headers.location), /^\/login/);
  assert.doesNotMatch((await portal.get('/journeys', 'agnes')).body, /Make a new journey/);
  assert.match((await portal.get('/journeys', 'pat')).body, /href="\/journeys\/new"/);
  // A partner may see a published journey of the council's, and not change it.
  assert.equal((await portal.get('/journeys/kay-before/edit', 'pat')).statusCode, 403);
  assert.equal((await post('/journeys/kay-before/steps/1/delete', 'pat', {})).statusCode, 403);
  assert.doesNotMatch((await portal.get('/journeys/kay-before', 'pat')).body, /Change this journey/);
  assert.match((await portal.get('/journeys/kay-before', 'ann')).body, /href="\/journeys\/kay-before\/edit"/);
});

test('making a journey: every problem on the fields at once, then a draft owned by the partner', async () => {
  const bad = await post('/journeys/new', 'pat', {
    title: '',
    name: 'Swim Lessons',
    stage: 'during',
    unitCosts: '',
    agency: '',
    service: 'Swimming lessons',
    channel: 'phone',
    cost: '1.445',
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /<title>Error: /);
  const summary = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(bad.body)![1];
  for (const href of ['#title', '#name', '#stage', '#step-agency', '#step-cost'])
    assert.match(summary, new RegExp(`href="${href}"`), href);
  assert.match(text(bad.body), /Enter the cost in pounds and pence, for example 1\.44/);
  assert.match(bad.body, /id="step-cost-error"/, 'the message is on the field too');
  assert.match(bad.body, /value="Swimming lessons"/, 'what was typed is kept');

  const noToken = await post(
    '/journeys/new',
    'pat',
    { title: 'Learning to swim', name: 'swim-before', ...FIRST_STEP },
    false,
  );
  assert.equal(noToken.statusCode, 403, 'no CSRF token, refused');
  assert.equal((await portal.get('/api/journeys/swim-before', 'pat')).statusCode, 404, 'and nothing saved');

  const reserved = await post('/journeys/new', 'pat', { title: 'x', name: 'upload', ...FIRST_STEP });
  assert.equal(reserved.statusCode, 400);
  const taken = await post('/journeys/new', 'pat', { title: 'x', name: 'kay-before', ...FIRST_STEP });
  assert.equal(taken.statusCode, 400);
  assert.match(text(taken.body), /There is already a journey called kay-before/);

  const made = await post('/journeys/new', 'pat', {
    title: 'Learning to swim (before)',
    name: 'swim-before',
    stage: 'before',
    unitCosts: 'barking-dagenham',
    customer: 'A parent',
    ...FIRST_STEP,
  });
  assert.equal(made.statusCode, 303);
  assert.equal(made.headers.location, '/journeys/swim-before/edit?done=made');
  const hub = await portal.get('/journeys/swim-before/edit?done=made', 'pat');
  assert.equal(hub.statusCode, 200);
  assert.match(text(hub.body), /The journey is made, as a draft/);
  assert.match(text(hub.body), /Cost of the journey: £1\.44, at the barking-dagenham unit costs/);
  const m = await measuresOf('swim-before', 'pat');
  assert.equal(m.journey.steps[0].channel, 'phone');
  assert.equal(m.measures.cost.total, 1.44, 'one call at £1.44');
});

test("a draft is its owners' alone: another partner, an agent and the public cannot see or change it", async () => {
  for (const user of ['pia', 'agnes']) {
    for (const url of [
      '/journeys/swim-before',
      '/journeys/swim-before/map.svg',
      '/journeys/swim-before/handout',
      '/journeys/swim-before/download?format=csv',
      '/api/journeys/swim-before',
    ])
      assert.equal((await portal.get(url, user)).statusCode, 404, `${user} ${url}`);
    const missing = await portal.get('/journeys/swim-before', user);
    assert.match(text(missing.body), /There is no journey called swim-before that you can see/);
    assert.doesNotMatch((await portal.get('/journeys', user)).body, /Learning to swim/);
    assert.ok(
      !JSON.parse((await portal.get('/api/journeys', user)).body).journeys.some(
        (j: { name: string }) => j.name === 'swim-before',
      ),
    );
  }
  // The same words as for a journey that is nobody's.
  assert.equal(
    text((await portal.get('/journeys/swim-before', 'pia')).body).replace(/swim-before/g, 'N'),
    text((await portal.get('/journeys/nothing-here', 'pia')).body).replace(/nothing-here/g, 'N'),
  );
  assert.equal((await portal.get('/journeys/swim-before/edit', 'pia')).statusCode, 404);
  assert.equal((await post('/journeys/swim-before/steps/new', 'pia', FIRST_STEP)).statusCode, 404);
  assert.equal((await post('/journeys/swim-before/delete', 'pia', {})).statusCode, 404);
  assert.equal((await api('DELETE', '/api/journeys/swim-before', 'pia')).statusCode, 404);
  assert.equal((await portal.get('/journeys/swim-before')).statusCode, 302);
  // The council's staff administer every journey.
  assert.equal((await portal.get('/journeys/swim-before/edit', 'ann')).statusCode, 200);
  assert.match(text((await portal.get('/journeys', 'pat')).body), /Learning to swim \(before\) Draft/);
});

test('steps added, changed, moved and deleted, and the cost worked from the unit-cost table each time', async () => {
  // Step 2: two emails at £1.50 each (barking-dagenham): £1.44 + £3.00 = £4.44.
  const bad = await post('/journeys/swim-before/steps/new', 'pat', {
    agency: '',
    service: 'Swimming lessons',
    count: 'two',
    waitDays: '-1',
  });
  assert.equal(bad.statusCode, 400);
  for (const href of ['#step-agency', '#step-count', '#step-waitDays'])
    assert.match(bad.body, new RegExp(`href="${href}"`));
  const added = await post('/journeys/swim-before/steps/new', 'pat', {
    agency: 'Booking team',
    service: 'Swimming lessons',
    channel: 'email',
    count: '2',
    waitDays: '7',
    feeling: 'Still waiting',
  });
  assert.equal(added.statusCode, 303);
  assert.equal(added.headers.location, '/journeys/swim-before/edit?done=added#step-2');
  let m = await measuresOf('swim-before', 'pat');
  assert.equal(m.measures.contacts.total, 3);
  assert.equal(m.measures.cost.total, 4.44);

  // Step 3, an event (no channel): no contact, no cost. Then the council's own channel by name.
  await post('/journeys/swim-before/steps/new', 'pat', {
    agency: 'Leisure centre',
    service: 'Swimming lessons',
    channel: '',
  });
  await post('/journeys/swim-before/steps/new', 'pat', {
    agency: 'Booking team',
    service: 'Swimming lessons',
    channel: 'other',
    otherChannel: 'Internal email',
  });
  m = await measuresOf('swim-before', 'pat');
  assert.deepEqual(
    m.journey.steps.map((s) => s.channel),
    ['phone', 'email', null, 'internal email'],
  );
  assert.equal(m.measures.cost.total, 5, '£1.44 + £3.00 + £0.56 for the internal email');

  // Step 2 given its own cost: 2 × £0.75 instead of the table's £1.50.
  const form = await portal.get('/journeys/swim-before/steps/2', 'pat');
  assert.match(form.body, /<option value="email" selected>/);
  assert.match(form.body, /name="count"[^>]*value="2"/);
  const changed = await post('/journeys/swim-before/steps/2', 'pat', {
    agency: 'Booking team',
    service: 'Swimming lessons',
    channel: 'email',
    count: '2',
    cost: '0.75',
  });
  assert.equal(changed.statusCode, 303);
  m = await measuresOf('swim-before', 'pat');
  assert.equal(m.measures.cost.total, 3.5, '£1.44 + 2 × £0.75 + £0.56');

  // Step 4 up to 3, then step 1 down to 2.
  assert.equal(
    (await post('/journeys/swim-before/steps/4/move', 'pat', { direction: 'up' })).headers.location,
    '/journeys/swim-before/edit?done=moved#step-3',
  );
  await post('/journeys/swim-before/steps/1/move', 'pat', { direction: 'down' });
  m = await measuresOf('swim-before', 'pat');
  assert.deepEqual(
    m.journey.steps.map((s) => s.channel),
    ['email', 'phone', 'internal email', null],
  );
  assert.equal((await post('/journeys/swim-before/steps/1/move', 'pat', { direction: 'sideways' })).statusCode, 400);
  assert.equal((await post('/journeys/swim-before/steps/9/move', 'pat', { direction: 'up' })).statusCode, 404);
  assert.equal(
    (await post('/journeys/swim-before/steps/2/move', 'pat', { direction: 'up' }, false)).statusCode,
    403,
    'no token',
  );

  // Deleting asks first; the steps after move up.
  const confirm = await portal.get('/journeys/swim-before/steps/1/delete', 'pat');
  assert.equal(confirm.statusCode, 200);
  assert.match(
    text(confirm.body),
    /Are you sure you want to delete step 1\? Step 1: Booking team , Swimming lessons \(email × 2\)/,
  );
  assert.equal((await post('/journeys/swim-before/steps/1/delete', 'pat', {}, false)).statusCode, 403);
  assert.equal((await post('/journeys/swim-before/steps/1/delete', 'pat', {})).statusCode, 303);
  m = await measuresOf('swim-before', 'pat');
  assert.equal(m.journey.steps.length, 3);
  assert.equal(m.measures.cost.total, 2, '£1.44 + £0.56');
  // The edit page shows the cost the journey page does.
  assert.match(
    text((await portal.get('/journeys/swim-before', 'pat')).body),
    /Cost £2\.00 at the barking-dagenham unit costs/,
  );
});

test("the journey's own fields changed, and a journey's only step cannot be deleted", async () => {
  const bad = await post('/journeys/swim-before/details', 'pat', {
    title: ' ',
    unitCosts: 'nowhere',
    compareWith: 'swim-before',
  });
  assert.equal(bad.statusCode, 400);
  for (const href of ['#title', '#unitCosts', '#compareWith']) assert.match(bad.body, new RegExp(`href="${href}"`));
  const ok = await post('/journeys/swim-before/details', 'pat', {
    title: 'Learning to swim (as it is)',
    stage: 'before',
    unitCosts: '',
  });
  assert.equal(ok.statusCode, 303);
  const m = await measuresOf('swim-before', 'pat');
  assert.equal(m.measures.cost.total, 0, 'no unit costs and no costs of their own: nothing costed');
  await post('/journeys/swim-before/details', 'pat', {
    title: 'Learning to swim (as it is)',
    stage: 'before',
    unitCosts: 'barking-dagenham',
  });
  await post('/journeys/swim-before/steps/1/delete', 'pat', {});
  await post('/journeys/swim-before/steps/1/delete', 'pat', {});
  const only = await post('/journeys/swim-before/steps/1/delete', 'pat', {});
  assert.equal(only.statusCode, 400);
  assert.match(text(only.body), /only step .* delete the whole journey/);
  assert.equal((await measuresOf('swim-before', 'pat')).journey.steps.length, 1);
});

test('published, another partner and an agent see it but cannot change it; made a draft again, they cannot see it', async () => {
  assert.equal((await post('/journeys/swim-before/publish', 'pat', { published: 'yes' }, false)).statusCode, 403);
  assert.equal((await post('/journeys/swim-before/publish', 'pat', { published: 'yes' })).statusCode, 303);
  for (const user of ['pia', 'agnes'])
    assert.equal((await portal.get('/journeys/swim-before', user)).statusCode, 200, user);
  assert.equal((await portal.get('/journeys/swim-before/edit', 'pia')).statusCode, 403);
  assert.equal((await post('/journeys/swim-before/steps/1', 'pia', FIRST_STEP)).statusCode, 403);
  assert.equal((await post('/journeys/swim-before/publish', 'pia', { published: 'no' })).statusCode, 403);
  assert.equal(
    (await api('PUT', '/api/journeys/swim-before', 'pia', { journey: (await measuresOf('swim-before')).journey }))
      .statusCode,
    403,
  );
  await post('/journeys/swim-before/publish', 'pat', { published: 'no' });
  assert.equal((await portal.get('/journeys/swim-before', 'pia')).statusCode, 404);
});

test('uploading the template: a good XLSX and CSV saved as drafts; a taken name refused unless it may be replaced', async () => {
  const example = templateExample();
  // The template as written has Kay's journey, which the council has: the partner may not replace it.
  const clash = await upload(
    'pat',
    { name: 'journey-template.xlsx', content: await journeyTemplateXlsx(example) },
    { replace: 'yes' },
  );
  assert.equal(clash.statusCode, 409);
  assert.match(text(clash.body), /There is already a journey called kay-after, and it is not yours to replace/);
  const mine = { ...example, name: 'pat-bin', title: 'Pat reports a bin', compareWith: null };
  const good = await upload('pat', { name: 'pat-bin.xlsx', content: await journeyTemplateXlsx(mine) });
  assert.equal(good.statusCode, 303);
  assert.equal(good.headers.location, '/journeys/pat-bin/edit?done=uploaded');
  const m = await measuresOf('pat-bin', 'pat');
  assert.equal(m.measures.cost.total, 2, "Kay's new journey: one call £1.44 and one internal email £0.56");
  assert.equal((await portal.get('/journeys/pat-bin', 'pia')).statusCode, 404, 'a draft');
  // Again, without ticking replace: refused; ticked, replaced (the owner's own).
  const again = await upload('pat', { name: 'pat-bin.csv', content: journeysToCsv([{ ...mine, title: 'Pat again' }]) });
  assert.equal(again.statusCode, 409);
  assert.match(text(again.body), /Tick “Replace journeys of the same name”/);
  const replaced = await upload(
    'pat',
    { name: 'pat-bin.csv', content: journeysToCsv([{ ...mine, title: 'Pat again' }]) },
    { replace: 'yes' },
  );
  assert.equal(replaced.statusCode, 303);
  assert.equal((await measuresOf('pat-bin', 'pat')).journey.steps.length, 3);
  assert.match(text((await portal.get('/journeys/pat-bin', 'pat')).body), /Pat again/);
  // Two journeys in one file: both saved, the list says so.
  const two = journeysToCsv([
    { ...mine, name: 'two-one', title: 'Two: one' },
    { ...mine, name: 'two-two', title: 'Two: two' },
  ]);
  const both = await upload('ann', { name: 'two.csv', content: two });
  assert.equal(both.statusCode, 303);
  assert.equal(both.headers.location, '/journeys?uploaded=two-one%2Ctwo-two');
  assert.match(
    text((await portal.get(String(both.headers.location), 'ann')).body),
    /Uploaded as drafts: Two: one; Two: two/,
  );
  assert.equal(
    (await portal.get('/journeys/two-one', 'pat')).statusCode,
    404,
    "the council's draft is not the partner's",
  );
});

test('a bad upload: every problem in the error summary by row and column, nothing saved; CSRF, size and type checked', async () => {
  const csv = [
    'journey,title,unit_costs,agency,service,channel,cost,count',
    'bad-one,A bad journey,barking-dagenham,Waste services,Missed bin,phone,£1.445,1',
    'bad-one,,,Waste services,,email,,fifteen',
    'bad-two,Another,,,Missed bin,phone,,',
  ].join('\n');
  const r = await upload('pat', { name: 'mistakes.csv', content: csv });
  assert.equal(r.statusCode, 400);
  const items = [...r.body.matchAll(/<li>\s*<a href="#file">([^<]*)<\/a>/g)].map((x) =>
    x[1]
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
  assert.equal(items.length, 4, items.join('\n'));
  assert.match(items[0], /^row 2, column "cost": "£1\.445" is not a cost in pounds\. Write pounds and pence/);
  assert.ok(items.some((t) => /^row 3, column "service": The service is blank/.test(t)));
  assert.ok(items.some((t) => /^row 3, column "count": "fifteen" is not a number of contacts/.test(t)));
  assert.ok(items.some((t) => /^row 4, column "agency": The agency is blank/.test(t)));
  assert.match(text(r.body), /mistakes\.csv has 4 problems, listed above\. Nothing was saved/);
  for (const n of ['bad-one', 'bad-two'])
    assert.equal((await portal.get(`/api/journeys/${n}`, 'pat')).statusCode, 404, 'all or nothing');

  // A workbook's problems name its sheet.
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Steps');
  ws.addRow(['journey', 'agency', 'service', 'wait_days']);
  ws.addRow(['xlsx-bad', 'Waste services', 'Missed bin', 'a week']);
  const x = await upload('pat', { name: 'bad.xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()) });
  assert.equal(x.statusCode, 400);
  assert.match(text(x.body), /Sheet "Steps", row 2, column "wait_days": "a week" is not a number of days/);

  const noToken = await upload(
    'pat',
    { name: 'fine.csv', content: journeysToCsv([{ ...templateExample(), name: 'no-token' }]) },
    {},
    false,
  );
  assert.equal(noToken.statusCode, 403);
  assert.equal((await portal.get('/api/journeys/no-token', 'pat')).statusCode, 404);
  const big = await upload('pat', {
    name: 'big.csv',
    content: 'journey,agency,service\n' + 'big,a,b\n'.repeat(400_000),
  });
  assert.equal(big.statusCode, 413);
  assert.match(text(big.body), /The file must be smaller than 2048 KB/);
  const pdf = await upload('pat', { name: 'journey.csv', content: Buffer.from('%PDF-1.4 not a table') });
  assert.equal(pdf.statusCode, 415);
  const none = await upload('pat', { name: '', content: '' });
  assert.equal(none.statusCode, 400);
  assert.match(text(none.body), /Select a journey spreadsheet/);
  assert.equal((await upload('agnes', { name: 'a.csv', content: csv })).statusCode, 403);
});

test('deleting a journey asks first, and only its owners may', async () => {
  const confirm = await portal.get('/journeys/pat-bin/delete', 'pat');
  assert.equal(confirm.statusCode, 200);
  assert.match(text(confirm.body), /Are you sure you want to delete this journey\?/);
  assert.equal((await post('/journeys/pat-bin/delete', 'pat', {}, false)).statusCode, 403);
  assert.equal((await post('/journeys/pat-bin/delete', 'pia', {})).statusCode, 404);
  const done = await post('/journeys/pat-bin/delete', 'pat', {});
  assert.equal(done.statusCode, 303);
  assert.match(text((await portal.get(String(done.headers.location), 'pat')).body), /Deleted: Pat again\./);
  assert.equal((await portal.get('/journeys/pat-bin', 'pat')).statusCode, 404);
});

test('the API: POST, PUT and DELETE a journey, owned and checked as the forms are, documented in OpenAPI', async () => {
  const journey = { ...templateExample(), name: 'api-bin', title: 'API bin', compareWith: null };
  assert.equal(
    (await api('POST', '/api/journeys', 'pat', { journey }, false)).statusCode,
    403,
    'a session needs its token',
  );
  const made = await api('POST', '/api/journeys', 'pat', { journey });
  assert.equal(made.statusCode, 200, made.body);
  const body = JSON.parse(made.body);
  assert.deepEqual(
    [body.entry.partner, body.entry.published, body.measures.cost.total],
    ['Sample Leisure Trust', false, 2],
  );
  assert.equal((await api('POST', '/api/journeys', 'pat', { journey })).statusCode, 409);
  const bad = await api('POST', '/api/journeys', 'pat', { journey: { ...journey, name: 'api-bad', steps: [] } });
  assert.equal(bad.statusCode, 400);
  assert.match(JSON.parse(bad.body).detail, /journey\.steps/);
  assert.equal((await api('POST', '/api/journeys', 'agnes', { journey })).statusCode, 403);
  // Replaced with a step more: two emails at £1.50, so £2.00 + £3.00.
  const more = {
    ...journey,
    steps: [
      ...journey.steps,
      { agency: 'Refuse collection', service: 'Refuse collection', channel: 'Email', count: 2 },
    ],
  };
  const put = await api('PUT', '/api/journeys/api-bin', 'pat', { journey: more, published: true });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual([JSON.parse(put.body).measures.cost.total, JSON.parse(put.body).entry.published], [5, true]);
  assert.equal(
    (await api('PUT', '/api/journeys/api-bin', 'pat', { journey: { ...more, name: 'other' } })).statusCode,
    400,
  );
  assert.equal((await api('GET', '/api/journeys/api-bin', 'pia')).statusCode, 200, 'published');
  assert.equal((await api('DELETE', '/api/journeys/api-bin', 'pia')).statusCode, 403);
  assert.equal((await api('DELETE', '/api/journeys/api-bin', 'pat', undefined, false)).statusCode, 403);
  const del = await api('DELETE', '/api/journeys/api-bin', 'pat');
  assert.deepEqual(JSON.parse(del.body), { deleted: 'api-bin' });
  assert.equal((await api('GET', '/api/journeys/api-bin', 'pat')).statusCode, 404);
  const doc = JSON.parse((await portal.get('/api/openapi.json')).body);
  assert.ok(doc.paths['/api/journeys'].post.requestBody);
  assert.ok(doc.paths['/api/journeys/{name}'].put);
  assert.deepEqual(doc.paths['/api/journeys/{name}'].delete['x-roles'], ['admin', 'analyst', 'partner']);
});
