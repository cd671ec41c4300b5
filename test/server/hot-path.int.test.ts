/**
 * Issue 11, point 7: what every request pays for. Who is asking is remembered for a short while
 * instead of asked of the database on every page, and forgotten at once when it stops being true
 * (signing out, a person disabled); a token's "last used" is written at most once a minute; audit
 * entries made at the same time are written together, and none is lost.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import {
  addUser,
  audit,
  createApiToken,
  setUserDisabled,
  PUBLIC_VIEWER,
  cheapPasswordHashesForTests,
} from '../../src/server/users.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-hot-path-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  for (const username of ['ann', 'bob', 'cat'])
    await addUser(ws.engine, { username, password: PASSWORD, role: 'analyst' });
  await addUser(ws.engine, { username: 'root', password: PASSWORD, role: 'admin' });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

async function signIn(username: string): Promise<string> {
  const r = await postLogin(app, { username, password: PASSWORD });
  return String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
}
const overview = (cookie: string) => app.inject({ url: '/datasets', cookies: { [SESSION_COOKIE]: cookie } });

/** Counts the statements sent to the database while `fn` runs. */
async function statements(fn: () => Promise<unknown>): Promise<string[]> {
  const e = ws.engine as unknown as Record<'run' | 'all', (sql: string, p?: unknown[]) => Promise<unknown>>;
  const seen: string[] = [];
  const real = { run: e.run, all: e.all };
  e.run = (sql, p) => (seen.push(sql), real.run.call(ws.engine, sql, p));
  e.all = (sql, p) => (seen.push(sql), real.all.call(ws.engine, sql, p));
  try {
    await fn();
  } finally {
    e.run = real.run;
    e.all = real.all;
  }
  return seen;
}

test('a signed-in page does not ask the database who is asking every time; signing out is seen at once', async () => {
  const cookie = await signIn('ann');
  assert.equal((await overview(cookie)).statusCode, 200);
  const sql = await statements(() => overview(cookie));
  assert.equal(sql.filter((s) => /app_session/.test(s)).length, 0, 'the second page did not look the session up again');
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await overview(cookie)).body)?.[1];
  const out = await app.inject({
    method: 'POST',
    url: '/logout',
    payload: { _csrf: csrf },
    cookies: { [SESSION_COOKIE]: cookie },
  });
  assert.ok(out.statusCode < 400, `logout: ${out.statusCode}`);
  const after = await overview(cookie);
  assert.notEqual(after.statusCode, 200, 'the old cookie no longer signs anyone in');
});

test('disabling a person ends their signed-in pages and their tokens at once', async () => {
  const cookie = await signIn('bob');
  const token = await createApiToken(ws.engine, 'bob');
  const api = () => app.inject({ url: '/api/datasets', headers: { authorization: `Bearer ${token}` } });
  assert.equal((await overview(cookie)).statusCode, 200);
  assert.equal((await api()).statusCode, 200);
  await setUserDisabled(ws.engine, 'bob', true);
  assert.notEqual((await overview(cookie)).statusCode, 200);
  assert.equal((await api()).statusCode, 401);
});

test("a token's last use is written once a minute, not on every request", async () => {
  const token = await createApiToken(ws.engine, 'cat');
  const api = () => app.inject({ url: '/api/datasets', headers: { authorization: `Bearer ${token}` } });
  const sql = await statements(async () => {
    for (let i = 0; i < 5; i++) assert.equal((await api()).statusCode, 200);
  });
  assert.equal(sql.filter((s) => /UPDATE api_token/.test(s)).length, 1);
  const used = await ws.engine.one<{ at: string | null }>(
    `SELECT last_used_at AS at FROM api_token WHERE username = 'cat'`,
  );
  assert.ok(used?.at, 'the last use is recorded');
});

test('fifty audit entries made at once are all written, in a few statements, and each caller waits for its own', async () => {
  const before = (await ws.engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM audit_log`))!.n;
  const sql = await statements(() =>
    Promise.all(
      Array.from({ length: 50 }, (_, i) => audit(ws.engine, PUBLIC_VIEWER, 'lookup', `entry ${i}`, '127.0.0.1')),
    ),
  );
  const inserts = sql.filter((s) => /INSERT INTO audit_log/.test(s)).length;
  assert.ok(inserts >= 1 && inserts <= 3, `${inserts} statements for 50 entries`);
  const rows = await ws.engine.all<{ detail: string }>(
    `SELECT detail FROM audit_log WHERE action = 'lookup' ORDER BY logged_at, detail`,
  );
  assert.equal(rows.length, 50);
  assert.equal((await ws.engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM audit_log`))!.n, before + 50);
  assert.deepEqual(new Set(rows.map((r) => r.detail)), new Set(Array.from({ length: 50 }, (_, i) => `entry ${i}`)));
});

test('an audit entry that cannot be written fails its caller, and the next group is written', async () => {
  const e = ws.engine as unknown as { run: (sql: string, p?: unknown[]) => Promise<void> };
  const real = e.run;
  let failOnce = true;
  e.run = (sql, p) => {
    if (failOnce && /INSERT INTO audit_log/.test(sql)) {
      failOnce = false;
      return Promise.reject(new Error('disk full'));
    }
    return real.call(ws.engine, sql, p);
  };
  try {
    await assert.rejects(audit(ws.engine, PUBLIC_VIEWER, 'map', 'lost', null), /disk full/);
    await audit(ws.engine, PUBLIC_VIEWER, 'map', 'kept', null);
  } finally {
    e.run = real;
  }
  const kept = await ws.engine.all<{ detail: string }>(`SELECT detail FROM audit_log WHERE action = 'map'`);
  assert.deepEqual(
    kept.map((r) => r.detail),
    ['kept'],
  );
});

test('the overview is worked out once until the workspace changes, and each viewer still gets their own view of it', async () => {
  const cookie = await signIn('cat');
  const home = () => app.inject({ url: '/', cookies: { [SESSION_COOKIE]: cookie } });
  const first = await home();
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /Workspace overview/);
  assert.deepEqual(await statements(home), [], 'a second overview asks the database nothing');
  app.results.invalidate(['datasets']); // as when an import finishes
  assert.ok((await statements(home)).length > 0, 'after an import the overview is worked out again');
  const publicHome = await app.inject({ url: '/' });
  assert.doesNotMatch(publicHome.body, /Workspace overview/, 'the public still get the public page');
});
