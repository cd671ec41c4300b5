/**
 * The portal's linkage pages over the five hand-worked records (test/linkage/review-fixture.ts),
 * owned by Partner A: the list, the model with its parameters chart, the review queue with each
 * pair's records side by side and a form, a decision made through the form (CSRF, an error
 * summary when the reason is missing, 303 on success), a pair's waterfall; the audit log of every
 * view and decision; and the one refusal for anyone who does not own the data.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { clusterModel, getModel, parseLinkSpec, predictModel, saveModel } from '../../src/linkage/index.ts';
import { buildApp, addUser, SESSION_COOKIE } from '../../src/server/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { PEOPLE_CSV, SPEC } from '../linkage/review-fixture.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-linkage-pages-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const cookies: Record<string, string> = {};

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
    ['ali', 'analyst'],
    ['pa', 'partner', 'Partner A'],
    ['pb', 'partner', 'Partner B'],
    ['ag', 'agent'],
  ] as const)
    await addUser(ws.engine, { username: u, password: PASSWORD, role, partner });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
  for (const u of ['ali', 'pa', 'pb', 'ag']) {
    const r = await postLogin(app, { username: u, password: PASSWORD });
    cookies[u] = r.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  }
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

const get = (url: string, who?: string) => app.inject({ url, cookies: who ? { [SESSION_COOKIE]: cookies[who] } : {} });
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const main = (html: string) => /<main[\s\S]*<\/main>/.exec(html)![0].replace(/nonce="[^"]*"/g, '');
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|&#39;/g, ' ')
    .replace(/\s+/g, ' ');

test('the list, and a model page with its parameters chart and table', async () => {
  const list = await get('/linkage', 'pa');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /href="\/linkage\/people"/);
  assert.match(
    text(list.body),
    /Targeting Contact and channels Linkage/,
    'in the navigation, after Contact and channels',
  );
  assert.doesNotMatch((await get('/linkage', 'pb')).body, /href="\/linkage\/people"/);
  const r = await get('/linkage/people', 'ali');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /<svg[^>]+role="img"[^>]+aria-labelledby="parameters-chart-title parameters-chart-desc"/);
  // Three comparisons of three levels: nine bars' figures, +2.00 or −2.00 or "no weight".
  const figures = [
    ...r.body.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="start" fill="#0b0c0c">([^<]+)<\/text>/g),
  ].map((m) => m[1]);
  assert.deepEqual(figures, Array(3).fill(['no weight', '+2.00', '−2.00']).flat());
  assert.match(text(r.body), /10 pairs scored, 2 linked, 3 in the review band, 0 decided/);
});

test('the queue: each pair with its two records side by side, its levels, and a form with the CSRF token', async () => {
  const r = await get('/linkage/people/review', 'ali');
  assert.equal(r.statusCode, 200);
  const t = text(r.body);
  assert.match(t, /3 pairs in the band: 3 to review, 0 accepted, 0 rejected/);
  assert.deepEqual(
    [...r.body.matchAll(/<h2 class="govuk-heading-m" id="pair-\d-heading">([^<]+)<\/h2>/g)].map((m) => m[1]),
    ['Pair 1: B and C', 'Pair 2: A and C', 'Pair 3: C and D'],
  );
  assert.match(t, /name ann bob dob 1990 1990 town leeds leeds/);
  assert.match(t, /name all other comparisons -2\.00 dob exact match 2\.00 town exact match 2\.00/);
  assert.equal([...r.body.matchAll(/name="_csrf" value="([^"]+)"/g)].length, 1 + 3, 'sign-out and three forms');
  const log = await ws.engine.all<{ detail: string }>(
    `SELECT detail FROM audit_log WHERE action = 'view linkage review' AND username = 'ali'`,
  );
  assert.deepEqual(
    log.map((l) => l.detail),
    ['model=people status=undecided page=1 pairs=B|C,A|C,C|D'],
  );
});

test('a decision through the form: an error summary without a reason, then saved, and the clusters follow', async () => {
  const page = await get('/linkage/people/review', 'ali');
  const csrf = csrfOf(page.body);
  const post = (payload: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/linkage/people/review', cookies: { [SESSION_COOKIE]: cookies.ali }, payload });
  const base = { id_l: 'B', id_r: 'C', index: '0', status: 'undecided', page: '1' };
  assert.equal((await post({ ...base, decision: 'reject', reason: 'x' })).statusCode, 403, 'no CSRF token');
  const missing = await post({ _csrf: csrf, ...base, decision: 'reject', reason: '' });
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /govuk-error-summary/);
  assert.match(missing.body, /href="#reason-0">Give a reason for the decision/);
  assert.match(missing.body, /<title>Error: /);
  const ok = await post({ _csrf: csrf, ...base, decision: 'reject', reason: 'different first names' });
  assert.equal(ok.statusCode, 303, ok.body);
  assert.match(
    String(ok.headers.location),
    /^\/linkage\/people\/review\?status=undecided&page=1&decided=rejected&l=B&r=C$/,
  );
  const after = await get(String(ok.headers.location), 'ali');
  assert.match(text(after.body), /Pair B and C rejected\. The next clustering follows the decision\./);
  assert.match(text(after.body), /3 pairs in the band: 2 to review, 0 accepted, 1 rejected/);
  const accept = await post({
    _csrf: csrf,
    id_l: 'C',
    id_r: 'D',
    index: '1',
    status: 'undecided',
    page: '1',
    decision: 'accept',
    reason: 'same person',
  });
  assert.equal(accept.statusCode, 303);
  const c = await clusterModel(ws.engine, await getModel(ws.engine, 'people'));
  assert.deepEqual(c.decisions, { accepted: 1, rejected: 1, joined: 1, split: 1 });
  assert.equal(c.clusters, 3);
  const log = await ws.engine.all<{ action: string; username: string; role: string }>(
    `SELECT action, username, role FROM audit_log WHERE action LIKE 'link review%' ORDER BY logged_at`,
  );
  assert.deepEqual(
    log.map((l) => [l.action, l.username, l.role]),
    [
      ['link review reject', 'ali', 'analyst'],
      ['link review accept', 'ali', 'analyst'],
    ],
  );
});

test("a pair's page: the waterfall chart and the same figures as a table", async () => {
  const r = await get('/linkage/people/pair?l=A&r=C', 'pa');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /aria-labelledby="waterfall-chart-title waterfall-chart-desc"/);
  const t = text(r.body);
  const prior = Math.log2(0.4 / 0.6).toFixed(2);
  assert.match(t, new RegExp(`Prior λ = 4\\.000e-1 ${prior} ${prior}`));
  assert.match(t, /name all other comparisons 0\.200 0\.800 -2\.00 -2\.00 -2\.58/);
  assert.match(t, /dob exact match 0\.800 0\.200 2\.00 2\.00 -0\.58/);
  assert.match(t, /Match weight probability 0\.4000 -0\.58/);
  const log = await ws.engine.all<{ detail: string }>(
    `SELECT detail FROM audit_log WHERE action = 'view linkage pair' AND username = 'pa'`,
  );
  assert.deepEqual(
    log.map((l) => l.detail),
    ['model=people id_l=A id_r=C'],
  );
});

test('anyone who does not own the data gets one refusal, whatever they ask for; the public is asked to sign in', async () => {
  const urls = [
    '/linkage/people',
    '/linkage/people/review',
    '/linkage/people/pair?l=B&r=C',
    '/linkage/people/pair?l=B&r=NOBODY',
    '/linkage/no_such/review',
    '/linkage/no_such/pair?l=B&r=C',
  ];
  const pages = new Set<string>();
  for (const url of urls) {
    const r = await get(url, 'pb');
    assert.equal(r.statusCode, 404, url);
    // The page's random nonce is not a record value (it can start 1990…).
    assert.doesNotMatch(r.body.replace(/nonce="[^"]*"/g, ''), /\bann\b|\bbob\b|leeds|1990/i);
    pages.add(main(r.body));
  }
  assert.equal(pages.size, 1);
  for (const url of urls) {
    const r = await get(url);
    assert.equal(r.statusCode, 302);
    assert.match(String(r.headers.location), /^\/login\?next=/);
    assert.equal((await get(url, 'ag')).statusCode, 403);
  }
  const csrf = csrfOf((await get('/linkage', 'pb')).body);
  const post = await app.inject({
    method: 'POST',
    url: '/linkage/people/review',
    cookies: { [SESSION_COOKIE]: cookies.pb },
    payload: { _csrf: csrf, id_l: 'A', id_r: 'C', decision: 'accept', reason: 'trying', index: '0' },
  });
  assert.equal(post.statusCode, 404);
  const n = await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM link_review WHERE id_l = 'A' AND id_r = 'C'`,
  );
  assert.equal(n!.n, 0);
});
