/**
 * Issue 10, finding 7: CSRF and sign-in. Every case fails on commit 3307f74:
 * - a multipart/form-data POST with a session but no token to an admin route was accepted (the
 *   CSRF check skipped multipart); now refused before anything is done;
 * - the sign-in form had no CSRF token (login CSRF); now a sign-in without the token bound to the
 *   form's pre-session cookie is refused;
 * - password checks were not bounded (32 parallel sign-ins ran 32 argon2 hashes at once); now a few
 *   run at a time and the excess is told to come back (503, Retry-After) instead of piling up;
 * - spraying many user names from one address was not limited; now it is, per address and overall;
 * - behind a proxy every person shared one address, so anyone could lock the admin out; with
 *   trustProxy set, the lockout is per user name and real address, and a correct password from an
 *   address that is not being throttled still works.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE, parseTrustProxy, type AppOptions } from '../../src/server/index.ts';
import { addUser, passwordChecks } from '../../src/server/users.ts';
import { ParameterError } from '../../src/core/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { loginForm, postLogin } from '../helpers/login.ts';
import { LOGIN_COOKIE } from '../../src/server/routes/auth.ts';

const PASSWORD = 'correct horse battery staple';
const tmp = tempDir('civic-sec-csrf-');
let ws: Workspace;
const apps: FastifyInstance[] = [];

async function portal(opts: Partial<Omit<AppOptions, 'workspace'>> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads'), ...opts });
  apps.push(app);
  return app;
}

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  for (const [username, role] of [
    ['ada', 'admin'],
    ['ana', 'analyst'],
    ['victim', 'analyst'],
    ['boss', 'admin'],
  ] as const)
    await addUser(ws.engine, { username, password: PASSWORD, role });
});
after(async () => {
  for (const a of apps) await a.close();
  ws?.close();
  tmp.cleanup();
});

async function session(app: FastifyInstance, username = 'ada'): Promise<{ cookie: string; csrf: string }> {
  const r = await postLogin(app, { username, password: PASSWORD });
  assert.equal(r.statusCode, 303, `sign-in failed: ${r.statusCode}`);
  const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  const page = await app.inject({ url: '/admin', cookies: { [SESSION_COOKIE]: cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
}

function multipart(fields: Record<string, string>) {
  const boundary = '----civicsec' + Math.random().toString(16).slice(2);
  const body =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { payload: Buffer.from(body), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const disabled = async (username: string) =>
  (await ws.engine.one<{ disabled: boolean }>(`SELECT disabled FROM app_user WHERE username = $1`, [username]))!
    .disabled;
const noSession = (r: LightMyRequestResponse) =>
  assert.equal(
    r.cookies.find((c) => c.name === SESSION_COOKIE && c.value),
    undefined,
    'no session was started',
  );

describe('CSRF on multipart requests', () => {
  test('a multipart POST with a session but no token to an admin route is refused and changes nothing', async () => {
    const app = await portal();
    const s = await session(app);
    await addUser(ws.engine, { username: 'target-one', password: PASSWORD, role: 'analyst' });
    const m = multipart({ reason: 'from another site' });
    const r = await app.inject({
      method: 'POST',
      url: '/admin/users/target-one/disable',
      payload: m.payload,
      headers: m.headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(r.statusCode, 403, r.body.slice(0, 200));
    assert.match(r.body, /could not be checked|expired/i);
    assert.equal(await disabled('target-one'), false, 'the user was not disabled');

    // Adding a user with a multipart form is refused too; the token in the fields does not count for
    // a route that does not read them, only in the header (or query string).
    const add = multipart({ username: 'sneaky', password: PASSWORD, role: 'admin', _csrf: 'x'.repeat(32) });
    const r2 = await app.inject({
      method: 'POST',
      url: '/admin/users',
      payload: add.payload,
      headers: add.headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(r2.statusCode, 403);
    const wrongHeader = await app.inject({
      method: 'POST',
      url: '/admin/users/target-one/disable',
      payload: m.payload,
      headers: { ...m.headers, 'x-csrf-token': 'y'.repeat(32) },
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(wrongHeader.statusCode, 403);
    const wrongQuery = await app.inject({
      method: 'POST',
      url: '/admin/users/target-one/disable?_csrf=nope',
      payload: m.payload,
      headers: m.headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(wrongQuery.statusCode, 403);
    assert.equal(await disabled('target-one'), false);
    assert.ok(!(await ws.engine.one(`SELECT 1 AS x FROM app_user WHERE username = 'sneaky'`)));

    // With the session's token in the header, or the query string, it is the admin's own request.
    const ok = await app.inject({
      method: 'POST',
      url: `/admin/users/target-one/disable?_csrf=${encodeURIComponent(s.csrf)}`,
      payload: m.payload,
      headers: m.headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(await disabled('target-one'), true);
  });

  test('a bearer token needs no CSRF token; a session does, for every multipart route', async () => {
    const app = await portal();
    const { createApiToken } = await import('../../src/server/users.ts');
    const token = await createApiToken(ws.engine, 'ada');
    await addUser(ws.engine, { username: 'target-two', password: PASSWORD, role: 'analyst' });
    const m = multipart({});
    const r = await app.inject({
      method: 'POST',
      url: '/admin/users/target-two/disable',
      payload: m.payload,
      headers: { ...m.headers, authorization: `Bearer ${token}` },
    });
    assert.equal(r.statusCode, 303);
    // A multipart POST with a session is refused even where the route would otherwise accept it.
    const s = await session(app);
    const m2 = multipart({});
    const refused = await app.inject({
      method: 'POST',
      url: '/logout',
      payload: m2.payload,
      headers: m2.headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(refused.statusCode, 403);
    // The postcode API reads a form's _csrf field before its file, as the upload does: without it, refused.
    const boundary = '----civicpc';
    const form = (fields: string) =>
      Buffer.from(
        `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.txt"\r\nContent-Type: text/plain\r\n\r\nM15 4AB\r\n--${boundary}--\r\n`,
      );
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const bare = await app.inject({
      method: 'POST',
      url: '/api/postcodes',
      payload: form(''),
      headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(bare.statusCode, 403);
    const withField = await app.inject({
      method: 'POST',
      url: '/api/postcodes',
      payload: form(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${s.csrf}\r\n`),
      headers,
      cookies: { [SESSION_COOKIE]: s.cookie },
    });
    assert.equal(withField.statusCode, 200, withField.body.slice(0, 200));
  });
});

describe('sign-in form CSRF', () => {
  test("a sign-in POST without the form token is refused; with another browser's token too; with its own it works", async () => {
    const app = await portal();
    const bare = await app.inject({ method: 'POST', url: '/login', payload: { username: 'ana', password: PASSWORD } });
    assert.equal(bare.statusCode, 403);
    assert.match(bare.body, /expired/i);
    assert.doesNotMatch(bare.body, new RegExp(PASSWORD));
    noSession(bare);

    const mine = await loginForm(app);
    const theirs = await loginForm(app);
    assert.notEqual(mine.nonce, theirs.nonce);
    const crossed = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { _csrf: theirs.csrf, username: 'ana', password: PASSWORD },
      cookies: { [LOGIN_COOKIE]: mine.nonce },
    });
    assert.equal(crossed.statusCode, 403, 'a token made for another browser does not do');
    noSession(crossed);
    const noCookie = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { _csrf: mine.csrf, username: 'ana', password: PASSWORD },
    });
    assert.equal(noCookie.statusCode, 403, 'the token without its cookie does not do');
    noSession(noCookie);
    const forged = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { _csrf: mine.nonce, username: 'ana', password: PASSWORD },
      cookies: { [LOGIN_COOKIE]: mine.nonce },
    });
    assert.equal(
      forged.statusCode,
      403,
      'sending the cookie value back as the token (plain double submit) does not do: the token is signed',
    );

    // The refused form is shown again with a fresh token, so a person whose form had expired can just try again.
    const again = /name="_csrf" value="([^"]+)"/.exec(bare.body)?.[1];
    const againCookie = bare.cookies.find((c) => c.name === LOGIN_COOKIE)?.value;
    assert.ok(again && againCookie);
    const retry = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { _csrf: again, username: 'ana', password: PASSWORD },
      cookies: { [LOGIN_COOKIE]: againCookie },
    });
    assert.equal(retry.statusCode, 303);

    const ok = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { _csrf: mine.csrf, username: 'ana', password: PASSWORD },
      cookies: { [LOGIN_COOKIE]: mine.nonce },
    });
    assert.equal(ok.statusCode, 303);
    assert.ok(ok.cookies.find((c) => c.name === SESSION_COOKIE)?.value);
    const cleared = ok.cookies.find((c) => c.name === LOGIN_COOKIE);
    assert.ok(cleared && !cleared.value, 'the pre-session cookie is cleared once signed in');
  });

  test('the pre-session cookie is HttpOnly, SameSite=Strict and limited to /login', async () => {
    const app = await portal({ secureCookies: true });
    const r = await app.inject({ url: '/login' });
    const raw = String([r.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${LOGIN_COOKIE}=`)));
    assert.match(raw, /HttpOnly/i);
    assert.match(raw, /SameSite=Strict/i);
    assert.match(raw, /Path=\/login/i);
    assert.match(raw, /;\s*Secure/i);
  });
});

describe('password checks are bounded', () => {
  test('32 parallel sign-ins: at most 2 hashes at once, the excess told to come back, and a real user can sign in afterwards', async () => {
    const app = await portal({ loginConcurrency: 2, loginQueue: 4, loginAddressAttempts: 100 });
    // Each attempt from its own address, so that only the bound on hashing is at work.
    const forms = await Promise.all(
      Array.from({ length: 32 }, (_, i) => loginForm(app, { remoteAddress: `10.1.0.${i + 1}` })),
    );
    passwordChecks.peak = passwordChecks.running;
    const started = Date.now();
    const answers = await Promise.all(
      forms.map((f, i) =>
        app.inject({
          method: 'POST',
          url: '/login',
          remoteAddress: `10.1.0.${i + 1}`,
          cookies: { [LOGIN_COOKIE]: f.nonce },
          payload: { _csrf: f.csrf, username: `sprayed${i}`, password: `guess number ${i}` },
        }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode);
    assert.ok(passwordChecks.peak <= 2, `${passwordChecks.peak} password checks ran at once`);
    assert.ok(
      statuses.every((s) => s === 401 || s === 503),
      `unexpected answers: ${statuses.join(' ')}`,
    );
    const busy = answers.filter((r) => r.statusCode === 503);
    assert.ok(busy.length >= 32 - 2 - 4 - 4, `only ${busy.length} of 32 were turned away`);
    for (const r of busy) {
      assert.ok(Number(r.headers['retry-after']) > 0, 'a busy answer says when to try again');
      assert.match(r.body, /busy/i);
      noSession(r);
    }
    assert.ok(Date.now() - started < 20_000, 'the excess was answered, not queued behind every hash');
    assert.equal(passwordChecks.running, 0);

    // Afterwards (the queue has drained) a person with the right password signs in, even from a sprayed address.
    const ok = await postLogin(app, { username: 'ana', password: PASSWORD }, { remoteAddress: '10.1.0.1' });
    assert.equal(ok.statusCode, 303);
  });
});

describe('failed sign-ins are limited without handing anyone the power to lock others out', () => {
  test('40 user names sprayed from one address are stopped once the address limit is reached, even with a right password; other addresses are not', async () => {
    // A limit of 6 per address (20 by default) keeps the test quick: each failure costs a real argon2 check.
    const app = await portal({ loginAddressAttempts: 6 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push(
        (await postLogin(app, { username: `person${i}`, password: 'Winter2024!' }, { remoteAddress: '198.51.100.20' }))
          .statusCode,
      );
    assert.deepEqual(statuses.slice(0, 6), Array(6).fill(401));
    assert.deepEqual(statuses.slice(6), Array(34).fill(429), statuses.join(' '));
    const limited = await postLogin(app, { username: 'ana', password: PASSWORD }, { remoteAddress: '198.51.100.20' });
    assert.equal(limited.statusCode, 429, 'the spraying address is held back whatever it sends');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.match(limited.body, /too many/i);
    noSession(limited);
    const elsewhere = await postLogin(app, { username: 'ana', password: PASSWORD }, { remoteAddress: '203.0.113.8' });
    assert.equal(elsewhere.statusCode, 303, 'someone at another address signs in');
  });

  test("behind a trusted proxy, someone spraying the admin's name cannot lock the admin out", async () => {
    const app = await portal({ trustProxy: ['127.0.0.1'], loginAttempts: 3 });
    // Both come through nginx on 127.0.0.1; X-Forwarded-For says who they are.
    const attacker = { 'x-forwarded-for': '203.0.113.66' },
      admin = { 'x-forwarded-for': '192.0.2.10' };
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await postLogin(app, { username: 'boss', password: `not it ${i}` }, { headers: attacker })).statusCode,
        401,
      );
    assert.equal(
      (await postLogin(app, { username: 'boss', password: PASSWORD }, { headers: attacker })).statusCode,
      429,
      "the attacker's address is locked out for that name",
    );
    const real = await postLogin(app, { username: 'boss', password: PASSWORD }, { headers: admin });
    assert.equal(real.statusCode, 303, 'the admin, at their own address, still signs in');
    const audit = await ws.engine.all<{ ip: string }>(
      `SELECT ip FROM audit_log WHERE action = 'login' AND username = 'boss'`,
    );
    assert.ok(
      audit.some((a) => a.ip === '192.0.2.10'),
      'the audit log has the real address',
    );
  });

  test('without trustProxy, X-Forwarded-For is ignored: an attacker cannot dodge the limits by making up addresses', async () => {
    const app = await portal({ loginAttempts: 3 });
    for (let i = 0; i < 3; i++)
      await postLogin(
        app,
        { username: 'victim', password: `nope ${i}` },
        { remoteAddress: '198.51.100.99', headers: { 'x-forwarded-for': `10.9.9.${i}` } },
      );
    const r = await postLogin(
      app,
      { username: 'victim', password: 'nope again' },
      { remoteAddress: '198.51.100.99', headers: { 'x-forwarded-for': '10.9.9.200', 'x-forwarded-proto': 'https' } },
    );
    assert.equal(r.statusCode, 429);
    // …and a spoofed X-Forwarded-Proto does not make the portal think it is on HTTPS.
    assert.equal(r.headers['strict-transport-security'], undefined);
  });

  test('overall: once many addresses have failed, an address that has failed waits, one that has not still signs in', async () => {
    const app = await portal({ loginOverallAttempts: 4 });
    for (let i = 0; i < 4; i++)
      assert.equal(
        (await postLogin(app, { username: 'victim', password: `guess ${i}` }, { remoteAddress: `192.0.2.${100 + i}` }))
          .statusCode,
        401,
      );
    const failedBefore = await postLogin(
      app,
      { username: 'victim', password: PASSWORD },
      { remoteAddress: '192.0.2.100' },
    );
    assert.equal(failedBefore.statusCode, 429, 'an address that has failed waits while the portal is under attack');
    const fresh = await postLogin(app, { username: 'victim', password: PASSWORD }, { remoteAddress: '192.0.2.200' });
    assert.equal(fresh.statusCode, 303, 'an address that has not failed is not throttled');
  });
});

describe('trusted proxies', () => {
  test('the list is checked: addresses, CIDR ranges and the named ranges; anything else is a plain user error', () => {
    assert.deepEqual(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback'), [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    assert.deepEqual(parseTrustProxy(''), []);
    for (const bad of ['nginx', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', '*']) {
      assert.throws(
        () => parseTrustProxy(bad),
        (e: unknown) =>
          e instanceof ParameterError && /trust-proxy/.test(e.message) && /127\.0\.0\.1/.test(e.fix ?? ''),
        bad,
      );
    }
  });
});
