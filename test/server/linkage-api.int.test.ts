/**
 * The linkage API over the five hand-worked records (test/linkage/review-fixture.ts), owned by
 * Partner A: its owners (staff and Partner A) see the model, its queue, its pairs explained and its
 * clusters, and decide; Partner B, who owns nothing of it, is told exactly what it would be told
 * of a model that does not exist; the public is asked to sign in, in the same words whatever it
 * asks for, and learns no name, identifier or count. Every view of a pair and every decision is in
 * the audit log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { parseLinkSpec, predictModel, getModel, saveModel } from '../../src/linkage/index.ts';
import { buildApp, addUser, createApiToken, SESSION_COOKIE } from '../../src/server/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { PEOPLE_CSV, SPEC } from '../linkage/review-fixture.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-linkage-api-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const tokens: Record<string, string> = {};

before(async () => {
  ws = await createWorkspace(join(tmp.dir, 'l.civic'));
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE_CSV + '\n');
  await importDataset(ws.engine, 'people', file, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['name', 'dob', 'town'],
    partner: 'Partner A',
  });
  await saveModel(ws.engine, { name: 'people', datasets: ['people'], spec: parseLinkSpec(SPEC) });
  await predictModel(ws.engine, await getModel(ws.engine, 'people'));
  for (const [u, role, partner] of [
    ['ann', 'admin'],
    ['ali', 'analyst'],
    ['pa', 'partner', 'Partner A'],
    ['pb', 'partner', 'Partner B'],
    ['ag', 'agent'],
  ] as const) {
    await addUser(ws.engine, { username: u, password: PASSWORD, role, partner });
    tokens[u] = await createApiToken(ws.engine, u, 'test');
  }
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
  await app.ready();
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

const get = (url: string, who?: string) =>
  app.inject({ url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
const post = (url: string, who: string, payload: unknown) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens[who]}` }, payload: payload as object });
/** A refusal without the path asked for (which the caller wrote itself). */
const refusal = (r: LightMyRequestResponse) => {
  const { instance: _i, ...rest } = JSON.parse(r.body);
  return { status: r.statusCode, type: r.headers['content-type'], ...rest };
};
const auditRows = (action: string) =>
  ws.engine.all<{ username: string; detail: string }>(
    `SELECT username, detail FROM audit_log WHERE action = $1 ORDER BY logged_at`,
    [action],
  );

test('the models list shows a model only to the owners of its datasets', async () => {
  for (const who of ['ann', 'ali', 'pa']) {
    const r = await get('/api/linkage/models', who);
    assert.equal(r.statusCode, 200, who);
    const body = JSON.parse(r.body);
    assert.deepEqual(
      body.models.map((m: { name: string }) => m.name),
      ['people'],
    );
    assert.deepEqual(body.models[0].review, { low: 0.2, high: 0.8 });
  }
  assert.deepEqual(JSON.parse((await get('/api/linkage/models', 'pb')).body), { version: 1, models: [] });
  assert.equal((await get('/api/linkage/models', 'ag')).statusCode, 403);
  assert.equal((await get('/api/linkage/models')).statusCode, 401);
});

test("a model's parameters: m, u and weight per level, the prior, the pairs of the last prediction", async () => {
  const r = await get('/api/linkage/models/people', 'pa');
  assert.equal(r.statusCode, 200, r.body);
  const m = JSON.parse(r.body);
  assert.deepEqual(
    m.parameters.map((c: { comparison: string; levels: { weight: number; label: string }[] }) => [
      c.comparison,
      c.levels.map((l) => [l.label, l.weight]),
    ]),
    ['name', 'dob', 'town'].map((c) => [
      c,
      [
        [`${c} missing`, 0],
        ['exact match', 2],
        ['all other comparisons', -2],
      ],
    ]),
  );
  assert.equal(m.prior.probability, 0.4);
  assert.ok(Math.abs(m.prior.weight - Math.log2(0.4 / 0.6)) < 1e-12);
  assert.deepEqual(m.pairs, { scored: 10, linked: 2, inReviewBand: 3, decided: 0 });
  assert.equal(m.blocking, null, 'not trained here: no blocking counts from a training');
});

test('Partner B and the public learn nothing: the same refusal whether the model, the pair or the record exists', async () => {
  const paths = (model: string) => [
    `/api/linkage/models/${model}`,
    `/api/linkage/models/${model}/review`,
    `/api/linkage/models/${model}/clusters`,
    `/api/linkage/models/${model}/pairs?id_l=B&id_r=C`,
    `/api/linkage/models/${model}/pairs?id_l=B&id_r=NOBODY`,
  ];
  for (const who of ['pb', 'ag', undefined]) {
    const seen = new Set<string>();
    for (const url of [...paths('people'), ...paths('no_such_model')]) {
      const r = await get(url, who);
      assert.ok([401, 403, 404].includes(r.statusCode), `${url} as ${who}: ${r.statusCode}`);
      for (const value of [/\bann\b/i, /\bbob\b/i, /leeds/i, /1990/, /"B"/, /0\.\d/, /Partner A/, /\b[1-9]\b/])
        assert.ok(!value.test(r.body), `${url} as ${who ?? 'the public'} shows ${value}: ${r.body}`);
      seen.add(JSON.stringify(refusal(r)));
    }
    assert.equal(seen.size, 1, `${who ?? 'the public'} was answered in more than one way: ${[...seen].join('\n')}`);
  }
  // A decision posted by someone who may not see the model is refused the same way, and not saved.
  const d = { id_l: 'B', id_r: 'C', decision: 'reject', reason: 'trying' };
  const a = await post('/api/linkage/models/people/review', 'pb', d);
  const b = await post('/api/linkage/models/no_such_model/review', 'pb', d);
  assert.equal(a.statusCode, 404);
  assert.deepEqual(refusal(a), refusal(b));
  const n = await ws.engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM link_review`);
  assert.equal(n!.n, 0);
  const pub = await app.inject({ method: 'POST', url: '/api/linkage/models/people/review', payload: d });
  assert.equal(pub.statusCode, 401);
});

test('the queue, a decision each way, the clusters that follow, and the audit log', async () => {
  const q = JSON.parse((await get('/api/linkage/models/people/review?limit=2', 'ali')).body);
  assert.deepEqual(
    q.items.map((i: { id_l: string; id_r: string }) => i.id_l + i.id_r),
    ['BC', 'AC'],
  );
  assert.equal(q.matching, 3);
  const bad = await post('/api/linkage/models/people/review', 'ali', { id_l: 'B', id_r: 'C', decision: 'reject' });
  assert.equal(bad.statusCode, 400);
  assert.match(JSON.parse(bad.body).detail, /reason/);
  const noReason = await post('/api/linkage/models/people/review', 'ali', {
    id_l: 'B',
    id_r: 'C',
    decision: 'reject',
    reason: ' ',
  });
  assert.equal(noReason.statusCode, 400);
  const rej = await post('/api/linkage/models/people/review', 'ali', {
    id_l: 'B',
    id_r: 'C',
    decision: 'reject',
    reason: 'different people',
  });
  assert.equal(rej.statusCode, 200, rej.body);
  assert.equal(JSON.parse(rej.body).decidedBy, 'ali');
  const acc = await post('/api/linkage/models/people/review', 'pa', {
    id_l: 'D',
    id_r: 'C',
    decision: 'accept',
    reason: 'same person',
  });
  assert.equal(acc.statusCode, 200, acc.body);
  assert.deepEqual(
    [JSON.parse(acc.body).id_l, JSON.parse(acc.body).id_r, JSON.parse(acc.body).decision],
    ['C', 'D', 'accepted'],
  );
  const c = JSON.parse((await get('/api/linkage/models/people/clusters', 'pa')).body);
  assert.equal(c.members, undefined, 'a summary, not every record');
  assert.deepEqual([c.records, c.clusters, c.largest], [5, 3, 2]);
  assert.deepEqual(c.decisions, { accepted: 1, rejected: 1, joined: 1, split: 1 });
  const log = await ws.engine.all<{ username: string; action: string; detail: string }>(
    `SELECT username, action, detail FROM audit_log WHERE action LIKE 'link review%' OR action LIKE 'api linkage%' ORDER BY logged_at`,
  );
  assert.deepEqual(
    log.map((l) => [l.username, l.action]),
    [
      ['ali', 'api linkage review queue'],
      ['ali', 'link review reject'],
      ['pa', 'link review accept'],
    ],
  );
});

test('a pair explained: the waterfall figures, the two records side by side, the decision; audit-logged', async () => {
  const r = await get('/api/linkage/models/people/pairs?id_l=C&id_r=B', 'ann');
  assert.equal(r.statusCode, 200, r.body);
  const v = JSON.parse(r.body);
  assert.deepEqual([v.explanation.id_l, v.explanation.id_r], ['B', 'C'], 'named as the pair is saved');
  assert.deepEqual(
    v.explanation.comparisons.map((c: { total: number }) => c.total),
    [-2, 2, 2],
  );
  const sum =
    v.explanation.prior.weight + v.explanation.comparisons.reduce((s: number, c: { total: number }) => s + c.total, 0);
  assert.ok(Math.abs(v.explanation.match_weight - sum) < 1e-12);
  assert.deepEqual(v.records[0], { column: 'name', left: 'ann', right: 'bob' });
  assert.deepEqual([v.decision.decision, v.decision.reason], ['rejected', 'different people']);
  const missing = await get('/api/linkage/models/people/pairs?id_l=B&id_r=NOBODY', 'ann');
  assert.equal(missing.statusCode, 404);
  const log = await auditRows('api linkage pair');
  assert.deepEqual(
    log.map((l) => [l.username, l.detail]),
    [['ann', 'model=people id_l=B id_r=C']],
  );
});

test('a session must send its CSRF token to decide', async () => {
  const login = await postLogin(app, { username: 'ali', password: PASSWORD });
  const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  const r = await app.inject({
    method: 'POST',
    url: '/api/linkage/models/people/review',
    cookies: { [SESSION_COOKIE]: cookie },
    payload: { id_l: 'A', id_r: 'C', decision: 'accept', reason: 'no token' },
  });
  assert.equal(r.statusCode, 403);
  assert.equal(JSON.parse(r.body).type.split('/').pop(), 'form_expired');
});

test('the OpenAPI document has every linkage operation', async () => {
  const doc = JSON.parse((await get('/api/openapi.json')).body);
  for (const [path, method] of [
    ['/api/linkage/models', 'get'],
    ['/api/linkage/models/{name}', 'get'],
    ['/api/linkage/models/{name}/review', 'get'],
    ['/api/linkage/models/{name}/review', 'post'],
    ['/api/linkage/models/{name}/pairs', 'get'],
    ['/api/linkage/models/{name}/clusters', 'get'],
  ])
    assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  assert.ok(doc.paths['/api/linkage/models/{name}/review'].post.requestBody);
});
