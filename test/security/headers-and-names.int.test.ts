/**
 * Issue 10, finding 8 (smaller points). Every case fails on commit 3307f74:
 * - record-level pages (rows not placed, the upload preview / column mapping) and every page for a
 *   signed-in person answer Cache-Control: no-store;
 * - /api/datasets and the datasets page name no file to anyone but the dataset's owner, and the
 *   owner sees the name of the file they uploaded, never the server's stored upload name;
 * - a Permissions-Policy header denies camera, microphone, geolocation, payment, usb and the like;
 * - HSTS is sent only when the request came over HTTPS (directly or through a trusted proxy);
 * - signing out clears the session cookie with the attributes it was set with.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/index.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { waitForJob } from '../../src/server/jobs.ts';
import { importDataset } from '../../src/intake/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const PASSWORD = 'a long enough password';
const tmp = tempDir('civic-sec-headers-');
let ws: Workspace;
let app: FastifyInstance;
let secureApp: FastifyInstance;
let proxied: FastifyInstance;
const session: Record<string, { cookie: string; csrf: string }> = {};
const UPLOADED = 'fire-visits-march.csv';
const COUNCIL_FILE = 'council-tenants-2024.csv';
let mapUrl = '';
let jobUrl = '';

const CSV = [
  'ref,name,postcode',
  ...Array.from({ length: 24 }, (_, i) => `R${i},Person ${i},${['M15 4AB', 'M15 4AD', 'M1 1AE'][i % 3]}`),
  'R99,Nobody,ZZ99 9ZZ',
].join('\n');

function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const boundary = '----civichdr' + Math.random().toString(16).slice(2);
  const parts =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n--${boundary}--\r\n`;
  return { payload: Buffer.from(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const get = (url: string, user?: string, a = app) =>
  a.inject({ url, cookies: user ? { [SESSION_COOKIE]: session[user].cookie } : {} });
const post = (url: string, user: string, body: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams({ _csrf: session[user].csrf, ...body }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [SESSION_COOKIE]: session[user].cookie },
  });

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  for (const [username, role, partner] of [
    ['ada', 'admin'],
    ['pat', 'partner', 'Fire'],
    ['pam', 'partner', 'Health'],
  ] as const)
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  secureApp = await buildApp({
    workspace: ws,
    secureCookies: true,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  proxied = await buildApp({
    workspace: ws,
    secureCookies: true,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
    trustProxy: ['127.0.0.1'],
  });
  for (const u of ['ada', 'pat', 'pam']) {
    const r = await postLogin(app, { username: u, password: PASSWORD });
    const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const page = await app.inject({ url: '/datasets', cookies: { [SESSION_COOKIE]: cookie } });
    session[u] = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
  }
  // A council dataset imported from the command line, and a partner's uploaded through the portal.
  const councilFile = join(tmp.dir, COUNCIL_FILE);
  writeFileSync(councilFile, CSV);
  await importDataset(ws.engine, 'tenants', councilFile, { postcodeColumn: 'postcode', key: TEST_KEY });
  const m = multipart(
    { _csrf: session.pat.csrf, name: 'fire_visits', title: 'Fire visits' },
    { name: UPLOADED, content: CSV },
  );
  const up = await app.inject({
    method: 'POST',
    url: '/datasets/upload',
    payload: m.payload,
    headers: m.headers,
    cookies: { [SESSION_COOKIE]: session.pat.cookie },
  });
  assert.equal(up.statusCode, 303, up.body.slice(0, 300));
  mapUrl = String(up.headers.location);
  const start = await post(mapUrl, 'pat', { postcode: 'postcode', pseudonymise: 'name' });
  assert.equal(start.statusCode, 303, start.body.slice(0, 300));
  jobUrl = String(start.headers.location);
  const job = await waitForJob(ws.engine, jobUrl.split('/').at(-1)!);
  assert.equal(job.status, 'done', job.message ?? '');
});
after(async () => {
  await app?.close();
  await secureApp?.close();
  await proxied?.close();
  ws?.close();
  tmp.cleanup();
});

describe('nothing kept in caches', () => {
  test('record-level pages answer Cache-Control: no-store', async () => {
    // A second upload, left at the column-mapping step, for its preview page.
    const m = multipart({ _csrf: session.pat.csrf, name: 'fire_visits_two' }, { name: 'second.csv', content: CSV });
    const up = await app.inject({
      method: 'POST',
      url: '/datasets/upload',
      payload: m.payload,
      headers: m.headers,
      cookies: { [SESSION_COOKIE]: session.pat.cookie },
    });
    assert.equal(up.statusCode, 303);
    const pages = {
      'the upload preview and column mapping': String(up.headers.location),
      'the job page of an upload': jobUrl,
      "the job's JSON": `${jobUrl}.json`,
      'rows not placed': '/datasets/fire_visits/rejects',
    };
    for (const [what, url] of Object.entries(pages)) {
      const r = await get(url, 'pat');
      assert.equal(r.statusCode, 200, `${what}: ${r.statusCode}`);
      assert.match(
        String(r.headers['cache-control']),
        /no-store/,
        `${what} (${url}) can be cached: ${r.headers['cache-control']}`,
      );
    }
    const bad = await post(String(up.headers.location), 'pat', { postcode: 'no such column' });
    assert.equal(bad.statusCode, 400);
    assert.match(String(bad.headers['cache-control']), /no-store/, 'the preview shown again with an error');
  });

  test('every page for a signed-in person, and the sign-in page, is no-store; static files are still cached', async () => {
    for (const url of ['/', '/datasets', '/admin', '/api/datasets', '/api/me', '/no-such-page']) {
      const r = await get(url, 'ada');
      assert.match(String(r.headers['cache-control']), /no-store/, `${url}: ${r.headers['cache-control']}`);
    }
    assert.match(String((await get('/login')).headers['cache-control']), /no-store/);
    assert.match(String((await get('/static/govuk-frontend.min.css', 'ada')).headers['cache-control']), /max-age/);
  });
});

describe('file names', () => {
  test('/api/datasets and the pages: the owner sees the name of the file they uploaded, never the stored name; others see no file name', async () => {
    const list = async (user: string) =>
      JSON.parse((await get('/api/datasets', user)).body) as { name: string; file: string | null }[];
    const file = (rows: { name: string; file: string | null }[], name: string) =>
      rows.find((d) => d.name === name)!.file;
    const pat = await list('pat'),
      pam = await list('pam'),
      ada = await list('ada');
    assert.equal(file(pat, 'fire_visits'), UPLOADED, 'the owner sees the name they uploaded');
    assert.equal(file(ada, 'fire_visits'), UPLOADED, 'council staff administer every dataset');
    assert.equal(file(ada, 'tenants'), COUNCIL_FILE);
    assert.equal(file(pam, 'fire_visits'), null, 'another partner sees no file name');
    assert.equal(file(pat, 'tenants'), null, "a partner does not see the council's file name");
    for (const body of [JSON.stringify(pat), JSON.stringify(pam), JSON.stringify(ada)]) {
      assert.doesNotMatch(
        body,
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
        'no stored upload name',
      );
      assert.doesNotMatch(body, /uploads/);
    }
    const row = await ws.engine.one<{ source_file: string }>(
      `SELECT source_file FROM dataset WHERE name = 'fire_visits'`,
    );
    assert.equal(row!.source_file, UPLOADED, 'the workspace records the name the person knew the file by');
    // The datasets and overview pages name no other organisation's file either.
    for (const url of ['/datasets', '/']) {
      const pam = (await get(url, 'pam')).body;
      assert.doesNotMatch(pam, new RegExp(UPLOADED.replace(/\./g, '\\.')));
      assert.doesNotMatch(pam, new RegExp(COUNCIL_FILE.replace(/\./g, '\\.')));
      assert.doesNotMatch(pam, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.csv/);
    }
  });
});

describe('headers', () => {
  test('Permissions-Policy denies camera, microphone, geolocation, payment, usb and more on pages, the API and static files', async () => {
    for (const url of ['/login', '/api/no-such-thing', '/static/civic.css', '/no-such-page']) {
      const policy = String((await get(url)).headers['permissions-policy'] ?? '');
      for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'hid', 'midi'])
        assert.match(policy, new RegExp(`(^|,\\s*)${feature}=\\(\\)`), `${url}: ${feature} in "${policy}"`);
    }
  });

  test('HSTS only over HTTPS: never on plain HTTP (secure cookies or not), sent when a trusted proxy says HTTPS', async () => {
    assert.equal((await get('/login')).headers['strict-transport-security'], undefined, 'plain HTTP');
    assert.equal(
      (await get('/login', undefined, secureApp)).headers['strict-transport-security'],
      undefined,
      'plain HTTP with secure cookies',
    );
    const spoofed = await secureApp.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(
      spoofed.headers['strict-transport-security'],
      undefined,
      'X-Forwarded-Proto from a proxy that is not trusted',
    );
    const viaProxy = await proxied.inject({
      url: '/login',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.4' },
    });
    assert.match(String(viaProxy.headers['strict-transport-security']), /max-age=\d{7,}/);
    const plainViaProxy = await proxied.inject({ url: '/login', headers: { 'x-forwarded-proto': 'http' } });
    assert.equal(plainViaProxy.headers['strict-transport-security'], undefined);
  });

  test('signing out clears the session cookie with the same Path, HttpOnly, SameSite and Secure as it was set with', async () => {
    const login = await postLogin(secureApp, { username: 'ada', password: PASSWORD });
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const page = await secureApp.inject({ url: '/admin', cookies: { [SESSION_COOKIE]: cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const out = await secureApp.inject({
      method: 'POST',
      url: '/logout',
      payload: { _csrf: csrf },
      cookies: { [SESSION_COOKIE]: cookie },
    });
    assert.equal(out.statusCode, 303);
    const set = String([login.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`)));
    const cleared = String([out.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`)));
    assert.match(cleared, /^civic_session=;/, 'the value is emptied');
    assert.match(cleared, /Expires=Thu, 01 Jan 1970/i);
    const attrs = (raw: string) =>
      raw
        .split(';')
        .slice(1)
        .map((a) => a.trim())
        .filter((a) => !/^(expires|max-age)=/i.test(a))
        .map((a) => a.toLowerCase())
        .sort();
    assert.deepEqual(attrs(cleared), attrs(set));
    for (const a of [/Path=\//, /HttpOnly/, /SameSite=Lax/, /Secure/]) assert.match(cleared, new RegExp(a.source, 'i'));
  });
});
