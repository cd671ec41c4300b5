/**
 * The HTTP API (C14) against a 20,000-household Sample Borough: every endpoint with a token and
 * without, every role, the OpenAPI document against the app's own routes, bulk enrichment of
 * 5,000 postcodes, small cells suppressed for every role, and the shape of every error.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sampleBorough } from '../helpers/sample-borough.ts';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, createApiToken, type ViewerRole, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import {
  profileDataset,
  ProfileResultSchema,
  SdfResultSchema,
  OverlapResultSchema,
  RepresentResultSchema,
  RagResultSchema,
} from '../../src/profiling/index.ts';
import { SegmentationModelSchema, PortraitSchema } from '../../src/segmentation/index.ts';
import { DatasetAccountSchema, SegmentationShowSchema, MeSchema } from '../../src/server/routes/api.ts';
import { PostcodeEnrichmentSchema, MAX_POSTCODES, postcodesFromText } from '../../src/server/routes/api-postcodes.ts';
import { openApiPath } from '../../src/server/openapi.ts';
import {
  ChannelMixResultSchema,
  ContactsResultSchema,
  ContactVolumesResultSchema,
  FrameworkResultSchema,
  ShiftModelResultSchema,
  ShiftScenarioSchema,
  UnitCostSetSchema,
} from '../../src/channels/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-api-');
let ws: Workspace;
let app: FastifyInstance;
const tokens: Partial<Record<ViewerRole, string>> = {};
let otherPartnerToken = '';
const PASSWORD = 'a long enough password';
const FIRE = 'Fire and Rescue';

before(async () => {
  const built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
  ws = built.workspace;
  // One dataset belongs to a partner; the rest are the council's.
  await ws.engine.run(`UPDATE dataset SET partner = $1 WHERE name = 'blue_badge'`, [FIRE]);
  for (const [username, role, partner] of [
    ['ada', 'admin'],
    ['ana', 'analyst'],
    ['pat', 'partner', FIRE],
    ['pam', 'partner', 'Health Trust'],
    ['agt', 'agent'],
  ] as const) {
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
  }
  tokens.admin = await createApiToken(ws.engine, 'ada');
  tokens.analyst = await createApiToken(ws.engine, 'ana');
  tokens.partner = await createApiToken(ws.engine, 'pat');
  tokens.agent = await createApiToken(ws.engine, 'agt');
  otherPartnerToken = await createApiToken(ws.engine, 'pam');
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

const auth = (role: ViewerRole) => (role === 'public' ? {} : { authorization: `Bearer ${tokens[role]}` });
const get = (url: string, role: ViewerRole) => app.inject({ method: 'GET', url, headers: auth(role) });
const postcodes = (payload: unknown, role: ViewerRole = 'analyst', url = '/api/postcodes') =>
  app.inject({ method: 'POST', url, headers: auth(role), payload: payload as string });
const json = (r: LightMyRequestResponse) => JSON.parse(r.body);

function assertProblem(r: LightMyRequestResponse, status: number, detail?: RegExp): void {
  assert.equal(r.statusCode, status, r.body);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  const p = json(r);
  assert.equal(typeof p.type, 'string');
  assert.match(p.type, /^https?:\/\//);
  assert.equal(typeof p.title, 'string');
  assert.ok(p.title.length > 0);
  assert.equal(p.status, status);
  assert.equal(typeof p.detail, 'string');
  assert.ok(p.detail.length > 0);
  if (detail) assert.match(p.detail, detail);
}

const ALL: ViewerRole[] = ['public', 'admin', 'analyst', 'partner', 'agent'];
const ANALYSTS_AND_PARTNERS: ViewerRole[] = ['admin', 'analyst', 'partner'];
/** Every GET endpoint, a valid request for it, who may use it and the schema of its answer. */
const ENDPOINTS: { url: string; roles: ViewerRole[]; schema: { parse(x: unknown): unknown } }[] = [
  { url: '/api/datasets', roles: ANALYSTS_AND_PARTNERS, schema: DatasetAccountSchema.array() },
  {
    url: '/api/profile?dataset=stop_smoking_clinic&classification=sample&tier=group',
    roles: ANALYSTS_AND_PARTNERS,
    schema: ProfileResultSchema,
  },
  {
    url: '/api/sdf?datasets=stop_smoking_clinic,library_members,green_waste',
    roles: ANALYSTS_AND_PARTNERS,
    schema: SdfResultSchema,
  },
  {
    url: '/api/overlap?segment=E&datasets=housing_benefit,council_tax_support,library_members',
    roles: ANALYSTS_AND_PARTNERS,
    schema: OverlapResultSchema,
  },
  {
    url: '/api/represent?sample=library_members&tier=group',
    roles: ANALYSTS_AND_PARTNERS,
    schema: RepresentResultSchema,
  },
  {
    url: '/api/rag?measures=leisure_card,library_members&labels=Leisure,Library&area=ward:E05900001',
    roles: ANALYSTS_AND_PARTNERS,
    schema: RagResultSchema,
  },
  {
    url: '/api/segmentations',
    roles: ALL,
    schema: {
      parse: (x) => {
        assert.ok(Array.isArray(x) && x.some((s) => s.name === 'borough'));
        return x;
      },
    },
  },
  { url: '/api/segmentations/borough', roles: ALL, schema: SegmentationShowSchema },
  { url: '/api/segmentations/borough/portraits?tier=type', roles: ALL, schema: PortraitSchema.array() },
  { url: '/api/segmentations/borough/model', roles: ['admin', 'analyst'], schema: SegmentationModelSchema },
  { url: '/api/me', roles: ['admin', 'analyst', 'partner', 'agent'], schema: MeSchema },
  {
    url: '/api/contacts?dataset=contact_centre_callers&repeatDays=14',
    roles: ANALYSTS_AND_PARTNERS,
    schema: ContactsResultSchema,
  },
  {
    url: '/api/contacts/mix?dataset=contact_centre_callers&by=ward',
    roles: ANALYSTS_AND_PARTNERS,
    schema: ChannelMixResultSchema,
  },
  {
    url: '/api/contacts/volumes?dataset=contact_centre_callers&by=service&channel=phone',
    roles: ANALYSTS_AND_PARTNERS,
    schema: ContactVolumesResultSchema,
  },
  {
    url: '/api/contacts/framework?dataset=contact_centre_callers',
    roles: ANALYSTS_AND_PARTNERS,
    schema: FrameworkResultSchema,
  },
  {
    url: '/api/channel-shift/plan?dataset=contact_centre_callers&unitCosts=socitm-2012&from=phone&to=web&share=50&protect=F',
    roles: ANALYSTS_AND_PARTNERS,
    schema: ShiftModelResultSchema,
  },
  { url: '/api/unit-costs', roles: ALL, schema: UnitCostSetSchema.array() },
  {
    url: '/api/channel-shift?unitCosts=maidstone&volumes=phone%3D1000,web%3D500&from=phone&to=web&movePct=50',
    roles: ALL,
    schema: ShiftScenarioSchema,
  },
  { url: '/api/openapi.json', roles: ALL, schema: { parse: (x) => x } },
];

test('every GET endpoint answers its roles with its result, 401 problem+json without a token and 403 for other roles', async () => {
  for (const e of ENDPOINTS) {
    for (const role of ALL) {
      const r = await get(e.url, role);
      if (e.roles.includes(role)) {
        assert.equal(r.statusCode, 200, `${role} ${e.url}: ${r.body.slice(0, 300)}`);
        assert.match(String(r.headers['content-type']), /^application\/json/);
        e.schema.parse(json(r));
      } else if (role === 'public') assertProblem(r, 401, /sign in/i);
      else assertProblem(r, 403, new RegExp(role));
    }
  }
  // POST /api/postcodes: everyone signed in, nobody else.
  for (const role of ALL) {
    const r = await postcodes(['SW1A 1AA'], role);
    if (role === 'public') assertProblem(r, 401);
    else assert.equal(r.statusCode, 200, `${role}: ${r.body}`);
  }
  // A token that is not (or no longer) valid is refused, as problem+json.
  assertProblem(
    await app.inject({ url: '/api/segmentations', headers: { authorization: 'Bearer civic_not-a-real-token' } }),
    401,
  );
});

test("results are the CLI's result objects, and segmentation detail leaves out the centres", async () => {
  const show = json(await get('/api/segmentations/borough', 'public'));
  assert.ok(show.build && show.build.name === 'borough');
  assert.ok(show.model.tiers.every((t: { segments: object[] }) => t.segments.every((s) => !('centre' in s))));
  const model = SegmentationModelSchema.parse(json(await get('/api/segmentations/borough/model', 'analyst')));
  assert.ok(model.tiers[0].segments[0].centre.length > 0);
  const me = json(await get('/api/me', 'partner'));
  assert.deepEqual(me, { username: 'pat', name: null, role: 'partner', partner: FIRE, via: 'token' });
  const portraits = PortraitSchema.array().parse(json(await get('/api/segmentations/borough/portraits', 'public')));
  assert.ok(portraits.length > 0 && portraits.every((p) => p.tier === 'group' && p.facts.minCell >= 10));
  assertProblem(await get('/api/segmentations/nothing', 'public'), 404, /no segmentation/);
  assertProblem(await get('/api/segmentations/borough/portraits?tier=nope', 'public'), 400, /tier/);
});

test('small cells are suppressed in the API for every role: a known small count comes back null', async () => {
  // Find a real count between 1 and 9 in the unsuppressed truth.
  let found: { url: string; code: string; count: number } | undefined;
  for (const dataset of [
    'stop_smoking_clinic',
    'garden_assisted_collection',
    'adult_social_care',
    'childrens_centre_users',
  ]) {
    for (const req of [
      { classification: 'borough', tier: 'type' },
      { classification: 'sample', tier: 'type' },
      { byArea: 'lsoa21' },
    ] as const) {
      const truth = await profileDataset(ws.engine, { dataset, ...req });
      const small = truth.rows.find((r) => r.count !== null && r.count > 0 && r.count < 10);
      if (small) {
        const q = new URLSearchParams({ dataset, ...req } as unknown as Record<string, string>);
        found = { url: `/api/profile?${q}`, code: small.code, count: small.count! };
        break;
      }
    }
    if (found) break;
  }
  assert.ok(found, 'a profile with a small count exists in Sample Borough');
  for (const role of ANALYSTS_AND_PARTNERS) {
    const p = ProfileResultSchema.parse(json(await get(found.url, role)));
    const row: { count: number | null; suppressed: boolean; penetration: number | null; index: number | null } =
      p.rows.find((r) => r.code === found!.code)!;
    assert.equal(row.count, null, `${role} sees the count ${found.count} of ${found.code}`);
    assert.equal(row.suppressed, true);
    assert.equal(row.penetration, null);
    assert.equal(row.index, null);
    assert.equal(p.disclosure?.minCell, 10);
    assert.equal(p.notPlaced, null);
    for (const r of p.rows) if (r.count !== null) assert.ok(r.count >= 10, `${role}: visible count ${r.count}`);
  }
  // The SDF, overlap and RAG columns are disclosed too.
  const sdf = SdfResultSchema.parse(json(await get('/api/sdf', 'partner')));
  assert.equal(sdf.disclosure?.minCell, 10);
  const rag = RagResultSchema.parse(
    json(
      await get(
        '/api/rag?measures=garden_assisted_collection,stop_smoking_clinic&area=ward:E05900001&tier=type',
        'partner',
      ),
    ),
  );
  for (const row of rag.rows)
    for (const c of row.cells)
      if (c.count !== null && !c.suppressed)
        assert.ok(c.count >= 10 || (c.count === 0 && c.index === null), `rag count ${c.count}`);
  const overlap = OverlapResultSchema.parse(
    json(
      await get(
        '/api/overlap?segment=E&datasets=stop_smoking_clinic,adult_social_care,blue_badge,leisure_card',
        'admin',
      ),
    ),
  );
  for (const c of overlap.combinations) if (c.count !== null) assert.ok(c.count >= 10, `overlap count ${c.count}`);
});

test('row accounts: a partner sees its own datasets in full and the others under disclosure control', async () => {
  const mine = DatasetAccountSchema.array().parse(json(await get('/api/datasets', 'partner')));
  const theirs = DatasetAccountSchema.array().parse(
    json(await app.inject({ url: '/api/datasets', headers: { authorization: `Bearer ${otherPartnerToken}` } })),
  );
  const staff = DatasetAccountSchema.array().parse(json(await get('/api/datasets', 'admin')));
  assert.equal(staff.length, 14, 'the 14 service files of Sample Borough');
  assert.ok(staff.every((d) => d.ownRecords && d.read === (d.matched ?? 0) + (d.unmatched ?? 0) + (d.rejected ?? 0)));
  assert.equal(mine.find((d) => d.name === 'blue_badge')!.ownRecords, true);
  assert.equal(theirs.find((d) => d.name === 'blue_badge')!.ownRecords, false);
  for (const list of [mine, theirs]) {
    for (const d of list.filter((x) => !x.ownRecords)) {
      assert.deepEqual(d.disclosure, { minCell: 10 });
      for (const n of [d.matched, d.unmatched, d.rejected]) if (n !== null) assert.ok(n >= 10, `${d.name}: ${n}`);
    }
  }
  // A small account that staff see is hidden from a partner that does not own it.
  const small = staff.find((d) => [d.unmatched, d.rejected].some((n) => n !== null && n > 0 && n < 10));
  if (small) {
    const seen = theirs.find((d) => d.name === small.name)!;
    assert.ok([seen.unmatched, seen.rejected].some((n) => n === null));
  }
  assert.ok(
    staff.every((d) => !d.file?.includes('/')),
    'file names only, not server paths',
  );
});

test('the OpenAPI document is 3.1, documents every /api route the app has, and nothing it does not', async () => {
  const doc = json(await get('/api/openapi.json', 'public'));
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.info.title && doc.info.version);
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearerToken', 'sessionCookie']);
  assert.equal(doc.components.securitySchemes.bearerToken.scheme, 'bearer');
  assert.equal(doc.components.securitySchemes.sessionCookie.in, 'cookie');
  assert.deepEqual(doc.components.schemas.Problem.required.sort(), ['detail', 'status', 'title', 'type']);
  const routes = app.routeTable.filter((r) => r.url.startsWith('/api/'));
  assert.ok(routes.length >= 13);
  for (const r of routes) {
    const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
    assert.ok(
      op,
      `${r.method} ${r.url} is not in /api/openapi.json: declare it with defineApi (src/server/routes/api.ts)`,
    );
    assert.deepEqual([...op['x-roles']].sort(), [...(r.roles ?? [])].sort(), `${r.method} ${r.url}: documented roles`);
    assert.ok(op.responses['200'].content['application/json'].schema.$ref);
    assert.ok(op.operationId && op.summary && op.security);
    if (!r.roles?.includes('public')) {
      assert.equal(op.responses['401'].$ref, '#/components/responses/Problem401');
      assert.equal(op.responses['403'].$ref, '#/components/responses/Problem403');
    }
    for (const p of op.parameters ?? [])
      assert.ok(p.schema && typeof p.name === 'string' && ['query', 'path'].includes(p.in));
  }
  let documented = 0;
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) {
      documented++;
      assert.ok(
        routes.some((r) => openApiPath(r.url) === path && r.method.toLowerCase() === method),
        `${method} ${path} is documented but not registered`,
      );
    }
  }
  assert.equal(documented, routes.length);
  // References resolve, and the result schemas came from zod (the profile's rows carry its fields).
  const refs = JSON.stringify(doc).match(/#\/components\/(schemas|responses)\/[A-Za-z0-9]+/g) ?? [];
  for (const ref of new Set(refs)) {
    const [, , kind, name] = ref.split('/');
    assert.ok(doc.components[kind][name], `${ref} resolves`);
  }
  assert.ok(doc.components.schemas.ProfileResult.properties.rows.items.properties.suppressed);
  const profileParams = doc.paths['/api/profile'].get.parameters.map(
    (p: { name: string; required: boolean }) => `${p.name}${p.required ? '*' : ''}`,
  );
  assert.ok(profileParams.includes('dataset*') && profileParams.includes('tier') && profileParams.includes('byArea'));
  assert.ok(
    doc.paths['/api/segmentations/{name}'].get.parameters.some(
      (p: { in: string; name: string }) => p.in === 'path' && p.name === 'name',
    ),
  );
  assert.ok(doc.paths['/api/postcodes'].post.requestBody.content['multipart/form-data']);
});

test('bulk enrichment: 5,000 postcodes in one request, in order, with area codes and every segment', async () => {
  // Every postcode in the directory (live and terminated), over and over: 4,990 of them.
  const all = await ws.engine.all<{
    pc_key: string;
    status: string;
    oa21: string;
    lsoa21: string;
    msoa21: string;
    ward: string;
    lad: string;
  }>(`SELECT pc_key, status, oa21, lsoa21, msoa21, ward, lad FROM postcode ORDER BY pc_key`);
  assert.ok(all.length > 1000 && all.some((p) => p.status === 'terminated'));
  const directory = Array.from({ length: 4990 }, (_, i) => all[i % all.length]);
  // Typed as people type them: lower case, no space, extra spaces.
  const typed = directory.map((p, i) => {
    const spaced = `${p.pc_key.slice(0, -3)} ${p.pc_key.slice(-3)}`;
    return i % 3 === 0 ? spaced.toLowerCase() : i % 3 === 1 ? p.pc_key : `  ${spaced} `;
  });
  const inputs = [...typed, 'not a postcode', '', 'SW1A 1AA', 'ZZ99 9ZZ', ...typed.slice(0, 6)];
  assert.equal(inputs.length, 5000);
  const started = Date.now();
  const r = await postcodes(inputs, 'agent');
  const ms = Date.now() - started;
  assert.equal(r.statusCode, 200, r.body.slice(0, 500));
  const out = PostcodeEnrichmentSchema.parse(json(r));
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.equal(out.results.length, 5000);
  assert.deepEqual(
    out.results.map((x) => x.input),
    inputs,
  );
  assert.deepEqual(out.classifications.map((c) => c.name).sort(), ['borough', 'imd', 'sample']);
  assert.equal(out.counts.inputs, 5000);
  assert.equal(out.counts.notAPostcode, 2);
  assert.equal(out.counts.notInDirectory, 2);
  assert.equal(out.counts.found + out.counts.terminated, 4996);
  const segs = new Map(
    (
      await ws.engine.all<{ k: string; code: string }>(
        `SELECT classification || '/' || tier || '/' || area_code AS k, code FROM area_segment`,
      )
    ).map((x) => [x.k, x.code]),
  );
  directory.forEach((p, i) => {
    const res = out.results[i];
    assert.equal(res.postcode?.replace(' ', ''), p.pc_key);
    assert.equal(res.status, p.status === 'terminated' ? 'terminated' : 'found');
    assert.deepEqual(res.areas, { oa21: p.oa21, lsoa21: p.lsoa21, msoa21: p.msoa21, ward: p.ward, lad: p.lad });
    for (const [cls, tier, area] of [
      ['borough', 'group', p.oa21],
      ['borough', 'type', p.oa21],
      ['sample', 'group', p.oa21],
      ['imd', 'decile', p.lsoa21],
    ]) {
      const want = segs.get(`${cls}/${tier}/${area}`);
      const got = res.segments.find((s) => s.classification === cls && s.tier === tier);
      assert.equal(got?.code, want, `${p.pc_key} ${cls} ${tier}`);
      if (got) assert.ok(got.name);
    }
  });
  assert.equal(out.results[4990].status, 'not a postcode');
  assert.equal(out.results[4992].postcode, 'SW1A 1AA');
  assert.equal(out.results[4992].status, 'not in the directory');
  assert.equal(out.results[4994].input, typed[0]);
  assert.equal(out.results[4994].postcode, out.results[0].postcode);

  // One classification only, named in the body.
  const one = PostcodeEnrichmentSchema.parse(
    json(await postcodes({ postcodes: typed.slice(0, 50), segmentation: 'borough' })),
  );
  assert.equal(one.segmentation, 'borough');
  assert.ok(
    one.results
      .filter((x) => x.status === 'found')
      .every(
        (x) =>
          x.segments.length === 2 &&
          x.segments.every((s) => s.classification === 'borough') &&
          x.segments[0].tier === 'group',
      ),
  );
  assertProblem(await postcodes({ postcodes: ['SW1A 1AA'], segmentation: 'nothing' }), 404, /nothing/);
});

test('bulk enrichment from a file: a CSV with a postcode column, a text file, or a CSV body', async () => {
  const live = (
    await ws.engine.all<{ pc_key: string }>(`SELECT pc_key FROM postcode WHERE status = 'live' ORDER BY pc_key`)
  ).map((p) => p.pc_key);
  const directory = Array.from({ length: 2000 }, (_, i) => live[i % live.length]);
  const csv =
    'id,Postcode,notes\n' + directory.map((p, i) => `${i},"${p.slice(0, -3)} ${p.slice(-3)}",x`).join('\n') + '\n';
  const boundary = '----civicapitest';
  const form = (filename: string, type: string, content: string, fields: Record<string, string> = {}) =>
    Buffer.from(
      Object.entries(fields)
        .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${boundary}--\r\n`,
    );
  const send = (
    body: Buffer,
    headers: Record<string, string> = auth('partner') as Record<string, string>,
    url = '/api/postcodes',
  ) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });

  const r = await send(form('customers.csv', 'text/csv', csv, { segmentation: 'sample' }));
  assert.equal(r.statusCode, 200, r.body.slice(0, 400));
  const out = PostcodeEnrichmentSchema.parse(json(r));
  assert.equal(out.results.length, 2000);
  assert.equal(out.counts.found, 2000);
  assert.ok(
    out.results.every((x) => x.segments.length === 2 && x.segments.every((s) => s.classification === 'sample')),
  );

  const txt = directory.slice(0, 100).join('\r\n');
  const t = PostcodeEnrichmentSchema.parse(
    json(
      await send(
        form('list.txt', 'text/plain', txt),
        auth('agent') as Record<string, string>,
        '/api/postcodes?segmentation=borough',
      ),
    ),
  );
  assert.equal(t.results.length, 100);
  assert.equal(t.segmentation, 'borough');

  const body = await app.inject({
    method: 'POST',
    url: '/api/postcodes',
    headers: { ...auth('analyst'), 'content-type': 'text/csv' },
    payload: 'postcode\n' + directory.slice(0, 10).join('\n'),
  });
  assert.equal(PostcodeEnrichmentSchema.parse(json(body)).results.length, 10);

  assertProblem(await send(form('photo.png', 'image/png', 'PNG…')), 415, /photo\.png/);
  assertProblem(await send(form('table.csv', 'text/csv', 'a,b\n1,2\n')), 400, /postcode/);
  assert.deepEqual(postcodesFromText('\uFEFFPostcode\r\nSW1A 1AA\r\n\r\nM1 1AE\r\n'), ['SW1A 1AA', 'M1 1AE']);
});

test('more than 100,000 postcodes in one request is a clear 413 problem', async () => {
  const many = Array.from({ length: MAX_POSTCODES + 1 }, (_, i) => `SB${(i % 9) + 1} ${(i % 9) + 1}AB`);
  assertProblem(await postcodes(many), 413, /100,001 postcodes.*up to 100,000/);
  assertProblem(await postcodes({ postcodes: many }), 413, /100,000/);
  assertProblem(
    await app.inject({
      method: 'POST',
      url: '/api/postcodes',
      headers: { ...auth('analyst'), 'content-type': 'text/csv' },
      payload: many.join('\n'),
    }),
    413,
    /100,000/,
  );
  // A body over the size limit says so in words about the request, not a file upload.
  assertProblem(
    await app.inject({
      method: 'POST',
      url: '/api/postcodes',
      headers: { ...auth('analyst'), 'content-type': 'application/json' },
      payload: JSON.stringify(['x'.repeat(11 * 1024 * 1024)]),
    }),
    413,
    /10 MB/,
  );
});

test('errors are problem+json with a useful detail: bad, missing and unknown parameters, unknown names', async () => {
  assertProblem(await get('/api/profile', 'analyst'), 400, /"dataset" is required/);
  assertProblem(
    await get('/api/profile?dataset=stop_smoking_clinic&level=group', 'analyst'),
    400,
    /unknown query parameter "level".*tier/,
  );
  assertProblem(
    await get('/api/profile?dataset=stop_smoking_clinic&base=people', 'analyst'),
    400,
    /"base" must be one of households, population/,
  );
  assertProblem(await get('/api/profile?dataset=a&dataset=b', 'analyst'), 400, /more than once/);
  assertProblem(await get('/api/profile?dataset=nothing', 'analyst'), 404, /no dataset called "nothing"/);
  assertProblem(
    await get('/api/profile?dataset=stop_smoking_clinic&tier=group&byArea=ward', 'analyst'),
    400,
    /not both/,
  );
  assertProblem(await get('/api/rag?measures=leisure_card&green=lots', 'analyst'), 400, /"green"/);
  assertProblem(await get('/api/overlap?segment=E', 'analyst'), 400, /"datasets" is required/);
  assertProblem(await get('/api/nothing-here', 'analyst'), 404);
  assertProblem(await postcodes({ list: ['SW1A 1AA'] }), 400, /JSON array of postcodes/);
  assertProblem(await postcodes([1, 2, 3]), 400, /JSON array/);
  const raw = (type: string, payload: string) =>
    app.inject({
      method: 'POST',
      url: '/api/postcodes',
      headers: { ...auth('analyst'), 'content-type': type },
      payload,
    });
  assertProblem(await raw('application/json', '["SW1A 1AA",'), 400, /not valid JSON/);
  assertProblem(await raw('application/xml', '<postcodes/>'), 415, /application\/xml/);
  const p = json(await get('/api/profile?dataset=nothing', 'analyst'));
  assert.equal(p.instance, '/api/profile');
  assert.match(p.fix, /stop_smoking_clinic/);
});

test('a session works too: /api/me says so, and a POST needs the CSRF token', async () => {
  const login = await postLogin(app, { username: 'ana', password: PASSWORD, next: '/' });
  assert.equal(login.statusCode, 303);
  const session = login.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  const cookies = { [SESSION_COOKIE]: session };
  const me = json(await app.inject({ url: '/api/me', cookies }));
  assert.equal(me.via, 'session');
  assert.equal(me.username, 'ana');
  const page = await app.inject({ url: '/', cookies });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the page carries the CSRF token');
  assertProblem(await app.inject({ method: 'POST', url: '/api/postcodes', cookies, payload: ['SW1A 1AA'] }), 403);
  const ok = await app.inject({
    method: 'POST',
    url: '/api/postcodes',
    cookies,
    headers: { 'x-csrf-token': csrf },
    payload: ['SW1A 1AA'],
  });
  assert.equal(ok.statusCode, 200, ok.body);
});

test('every analysis and export through the API is in the audit log, with who asked', async () => {
  await get('/api/profile?dataset=green_waste', 'partner');
  await get('/api/segmentations/borough/model', 'admin');
  const log = await ws.engine.all<{ username: string; action: string; detail: string | null }>(
    `SELECT username, action, detail FROM audit_log`,
  );
  assert.ok(log.some((l) => l.username === 'pat' && l.action === 'api profile' && l.detail === 'dataset=green_waste'));
  assert.ok(log.some((l) => l.username === 'ada' && l.action === 'api segment export' && l.detail === 'borough'));
  for (const action of ['api sdf', 'api overlap', 'api represent', 'api rag', 'api postcodes'])
    assert.ok(
      log.some((l) => l.action === action),
      action,
    );
});
