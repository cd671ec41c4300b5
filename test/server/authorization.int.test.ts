/**
 * Walks every route of the portal and API with every role (and two partners), and proves that
 * nobody gets in where they should not: a route answers only the roles it declares; a partner
 * reads only its own records; and no response, in any format, carries a count under 10.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type DemoBuild } from '../../src/demo/index.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { importDataset } from '../../src/intake/index.ts';
import { buildApp, addUser, createApiToken, SESSION_COOKIE, type ViewerRole } from '../../src/server/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir();
let built: DemoBuild;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
interface Who {
  label: string;
  role: ViewerRole;
  partner: string | null;
  cookie: string | null;
  csrf: string | null;
  token: string | null;
}
const people: Who[] = [];

async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
  const r = await postLogin(app, { username, password: PASSWORD });
  assert.equal(r.statusCode, 303, `sign in ${username}`);
  const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  // The CSRF token is in every signed-in page's sign-out form.
  const page = await app.inject({ url: '/accessibility', cookies: { [SESSION_COOKIE]: cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  return { cookie, csrf };
}

before(async () => {
  built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
  const e = built.workspace.engine;
  // Two partners' datasets; the second is tiny, so every segment's count is small.
  const lib = built.manifest.services.find((s) => s.name === 'library_members')!;
  await importDataset(e, 'partner_a_library', lib.file, {
    key: TEST_KEY,
    postcodeColumn: lib.postcodeColumn,
    pseudonymise: lib.personalColumns,
    partner: 'Partner A',
  });
  const smoke = built.manifest.services.find((s) => s.name === 'stop_smoking_clinic')!;
  const lines = readFileSync(smoke.file, 'utf8').split(/\r?\n/);
  writeFileSync(join(tmp.dir, 'tiny.csv'), lines.slice(0, 26).join('\n'));
  await importDataset(e, 'partner_b_tiny', join(tmp.dir, 'tiny.csv'), {
    key: TEST_KEY,
    postcodeColumn: smoke.postcodeColumn,
    pseudonymise: smoke.personalColumns,
    partner: 'Partner B',
  });
  const users: [string, string, string | undefined][] = [
    ['ann', 'admin', undefined],
    ['ali', 'analyst', undefined],
    ['pa', 'partner', 'Partner A'],
    ['pb', 'partner', 'Partner B'],
    ['ag', 'agent', undefined],
  ];
  for (const [u, role, partner] of users) await addUser(e, { username: u, password: PASSWORD, role, partner });
  app = await buildApp({ workspace: built.workspace, secureCookies: false, loginAttempts: 1000 });
  await app.ready();
  people.push({ label: 'public', role: 'public', partner: null, cookie: null, csrf: null, token: null });
  for (const [u, role, partner] of users) {
    const s = await signIn(u);
    people.push({
      label: `${role} ${u}`,
      role: role as ViewerRole,
      partner: partner ?? null,
      cookie: s.cookie,
      csrf: s.csrf,
      token: await createApiToken(e, u, 'test'),
    });
  }
});
after(async () => {
  await app?.close();
  built?.workspace.close();
  tmp.cleanup();
});

/** Fills a route's parameters with things that exist, so that a refusal is about the role, not a 404. */
function concrete(url: string): string {
  return url
    .replace(/^\/datasets\/:name/, '/datasets/partner_b_tiny')
    .replace(/^\/api\/datasets\/:name/, '/api/datasets/partner_b_tiny')
    .replace(/:name/g, 'borough')
    .replace(/:code/g, '1')
    .replace(/:username/g, 'nobody')
    .replace(/:id/g, 'no-such-job')
    .replace(/:[a-zA-Z]+/g, 'x')
    .replace(/\*$/, '');
}

const SKIP = (url: string) =>
  url.startsWith('/assets/') || url.startsWith('/static/') || url === '/login' || url === '/logout' || url === '*';

/** Any object in a JSON document with a count from 1 to 9 is a disclosure failure. */
function smallCounts(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => smallCounts(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      /^(count|observed|users|only|none|units)$/i.test(k) && typeof v === 'number' && v > 0 && v < 10
        ? [`${path}.${k} = ${v}`]
        : smallCounts(v, `${path}.${k}`),
    );
  }
  return [];
}

test('every route declares who may use it', () => {
  const undeclared = app.routeTable.filter((r) => !SKIP(r.url) && r.roles === null);
  assert.deepEqual(undeclared, []);
  assert.ok(app.routeTable.length > 10);
});

test('every route answers only the roles it declares (sessions and tokens, GET and POST)', async () => {
  const failures: string[] = [];
  for (const route of app.routeTable) {
    if (SKIP(route.url) || !route.roles) continue;
    const url = concrete(route.url);
    for (const who of people) {
      for (const via of who.role === 'public' ? ['none'] : ['session', 'token']) {
        const headers: Record<string, string> = via === 'token' ? { authorization: `Bearer ${who.token}` } : {};
        const cookies = via === 'session' && who.cookie ? { [SESSION_COOKIE]: who.cookie } : undefined;
        const payload = route.method !== 'GET' ? (via === 'session' ? { _csrf: who.csrf! } : {}) : undefined;
        const r = await app.inject({ method: route.method as 'GET', url, headers, cookies, payload });
        const allowed = route.roles.includes(who.role);
        const refused =
          r.statusCode === 401 ||
          r.statusCode === 403 ||
          (r.statusCode === 302 && String(r.headers.location).startsWith('/login'));
        if (!allowed && !refused)
          failures.push(`${route.method} ${url} as ${who.label} (${via}): ${r.statusCode}, expected a refusal`);
        // A partner may be refused another partner's records by a route it can otherwise use (tested below).
        const othersRecords =
          who.role === 'partner' && who.partner !== 'Partner B' && /^\/datasets\/partner_b_tiny\//.test(url);
        if (allowed && !othersRecords && (r.statusCode === 401 || r.statusCode === 403))
          failures.push(`${route.method} ${url} as ${who.label} (${via}): ${r.statusCode}, expected to be let in`);
        if (r.statusCode >= 500)
          failures.push(`${route.method} ${url} as ${who.label} (${via}): server error ${r.statusCode}`);
        if (r.statusCode === 200 && /json/.test(String(r.headers['content-type']))) {
          const leaks = smallCounts(JSON.parse(r.body));
          if (leaks.length)
            failures.push(`${route.method} ${url} as ${who.label}: small counts ${leaks.slice(0, 3).join(', ')}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});

test("a partner reads its own records and nobody else's", async () => {
  const rejectsRoute = app.routeTable.find((r) => /^\/datasets\/:name\/rejects/.test(r.url));
  assert.ok(rejectsRoute, 'the rejects page exists');
  const get = (who: Who, ds: string) =>
    app.inject({ url: `/datasets/${ds}/rejects`, cookies: { [SESSION_COOKIE]: who.cookie! } });
  const pa = people.find((p) => p.label === 'partner pa')!,
    pb = people.find((p) => p.label === 'partner pb')!,
    ali = people.find((p) => p.role === 'analyst')!;
  assert.equal((await get(pa, 'partner_a_library')).statusCode, 200);
  assert.equal((await get(pa, 'partner_b_tiny')).statusCode, 403);
  assert.equal((await get(pb, 'partner_b_tiny')).statusCode, 200);
  assert.equal((await get(pb, 'partner_a_library')).statusCode, 403);
  assert.equal((await get(pb, 'stop_smoking_clinic')).statusCode, 403);
  assert.equal((await get(ali, 'partner_b_tiny')).statusCode, 200);
});

test('small cells never leave through any format or the API, whoever asks', async () => {
  const failures: string[] = [];
  const staff = people.filter((p) => ['admin', 'analyst', 'partner'].includes(p.role));
  for (const who of staff) {
    for (const url of [
      '/api/profile?dataset=partner_b_tiny&classification=borough&tier=group',
      '/api/profile?dataset=partner_b_tiny&byArea=ward',
      '/profile/download?dataset=partner_b_tiny&classification=borough&tier=group&format=json',
      '/profile/download?dataset=partner_b_tiny&classification=borough&tier=group&format=csv',
      '/profile/download?dataset=partner_b_tiny&byArea=ward&format=geojson',
    ]) {
      const r = await app.inject({ url, headers: { authorization: `Bearer ${who.token}` } });
      if (r.statusCode !== 200) {
        failures.push(`${url} as ${who.label}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        continue;
      }
      if (url.includes('format=csv')) {
        // Every data row's count column is empty or 10+.
        const rows = r.body.trim().split(/\r?\n/);
        const header = rows.findIndex((l) => /(^|,)count(,|$)/i.test(l));
        const col = rows[header].split(',').findIndex((h) => /^count$/i.test(h));
        for (const line of rows.slice(header + 1)) {
          const v = line.split(',')[col];
          if (v && Number(v.replace(/"/g, '')) > 0 && Number(v.replace(/"/g, '')) < 10)
            failures.push(`${url} as ${who.label}: count ${v}`);
        }
      } else {
        const leaks = smallCounts(JSON.parse(r.body));
        if (leaks.length) failures.push(`${url} as ${who.label}: ${leaks.slice(0, 3).join(', ')}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
