/**
 * Issue 10, finding 6 ("one request stalls everyone"): heavy analyses run as jobs in worker threads,
 * with a time limit, a per-viewer limit and a bounded queue, off the thread that answers pages.
 *
 * The portal over a 10,000-household Sample Borough (the smallest the generator makes). A test-only
 * analysis that keeps a CPU busy for seconds (test/helpers/slow-analysis.ts) is run through the same
 * pool as site choice, from a route the test adds, because site choice over so small a borough
 * takes well under a second. While it runs:
 * - the sign-in page and a profile page answer quickly, well before the heavy request ends;
 * - the same person's second and third heavy requests — real p-median site choices on the location
 *   page, with varied parameters so the result cache cannot answer them — get 429 with Retry-After
 *   and a plain-English page (on 3307f74 they ran on the main thread and answered 200);
 * then an analysis past the time limit is stopped with a clear message and its worker is gone, one
 * that runs out of memory is stopped likewise, a full queue answers 503, and site choice through the
 * pool gives the same answer as solving in this thread.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sampleBorough } from '../helpers/sample-borough.ts';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE, ANALYSTS_AND_PARTNERS } from '../../src/server/app.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { AnalysisPool, type AnalysisPoolOptions, type AnalysisTask } from '../../src/server/analysis-pool.ts';
import { viewerKey } from '../../src/server/routes/location.ts';
import { loadSiteInputs, solve } from '../../src/location/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const PASSWORD = 'a long enough password';
const SLOW_MODULE = new URL('../helpers/slow-analysis.ts', import.meta.url).href;
const SPIN: AnalysisTask<{ ms: number }, { ms: number; loops: number }> = {
  module: SLOW_MODULE,
  name: 'spin',
  title: 'the test analysis',
};
const HOG: AnalysisTask<Record<string, never>, number> = { module: SLOW_MODULE, name: 'hog', title: 'the memory test' };

let tmp: ReturnType<typeof tempDir>;
let ws: Workspace;
const cookies: Record<string, string> = {};
const apps: FastifyInstance[] = [];

/** The portal with the test's slow route, through the app's own analysis pool. */
async function portal(analysis: AnalysisPoolOptions): Promise<FastifyInstance> {
  const app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads'), analysis });
  app.get('/test/slow', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request) => {
    const ms = Number((request.query as { ms?: string }).ms);
    return app.analyses.run(viewerKey(request), SPIN, { ms });
  });
  apps.push(app);
  return app;
}

before(async () => {
  tmp = tempDir('civic-heavy-');
  ws = (await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 10_000, seed: 6 })).workspace;
  for (const u of ['ana', 'bob']) await addUser(ws.engine, { username: u, password: PASSWORD, role: 'analyst' });
});
after(async () => {
  for (const app of apps) await app.close();
  ws?.close();
  tmp?.cleanup();
});

async function signIn(app: FastifyInstance, user: string): Promise<string> {
  const r = await postLogin(app, { username: user, password: PASSWORD });
  return String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
}
const timed = async <T>(f: () => Promise<T>) => {
  const t = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("while one person's heavy analysis runs, other pages answer at once and that person's further heavy requests get 429", async () => {
  const app = await portal({ workers: 1, perViewer: 1, queue: 4, timeLimitSeconds: 60 });
  cookies.ana = await signIn(app, 'ana');
  cookies.bob = await signIn(app, 'bob');
  const as = (user: string, url: string) =>
    app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: cookies[user] } });
  // Warm what the other pages compute (their own DuckDB work is not the point here).
  const profileUrl = '/profile?dataset=green_waste';
  assert.equal((await as('bob', profileUrl)).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/login' })).statusCode, 200);

  const heavyMs = 6000;
  const started = performance.now();
  let heavyDone = 0;
  const heavy = as('ana', `/test/slow?ms=${heavyMs}`).then((r) => {
    heavyDone = performance.now();
    return r;
  });
  // Until the analysis is running in its worker.
  for (let i = 0; i < 200 && app.analyses.stats().running === 0; i++) await sleep(25);
  assert.equal(app.analyses.stats().running, 1, 'the heavy analysis is running in the pool');

  const signInPage = await timed(() => app.inject({ method: 'GET', url: '/login' }));
  const profile = await timed(() => as('bob', profileUrl));
  assert.equal(signInPage.value.statusCode, 200);
  assert.equal(profile.value.statusCode, 200);
  assert.equal(heavyDone, 0, 'the sign-in and profile pages answered while the heavy request was still running');
  for (const [what, t] of [
    ['sign-in page', signInPage],
    ['profile page', profile],
  ] as const) {
    assert.ok(
      t.ms < 1000 && t.ms < heavyMs / 6,
      `${what} took ${t.ms.toFixed(0)} ms while a ${heavyMs} ms analysis ran`,
    );
  }

  // The same person asks for two real site choices (varied parameters) while the first runs.
  for (const sites of [3, 4]) {
    const r = await as('ana', `/location?kind=library&mode=car&within=15&sites=${sites}&problem=p-median`);
    assert.equal(r.statusCode, 429, `site choice for ${sites} sites: ${r.statusCode}`);
    assert.ok(Number(r.headers['retry-after']) >= 1, 'says when to try again');
    assert.match(r.body, /You already have an analysis running/);
    assert.match(r.body, /try again/i);
  }
  assert.equal(heavyDone, 0, 'the 429s came back while the heavy request was still running');
  // Another person is not held to the first one's limit: their request waits its turn in the queue and is answered.
  const other = as('bob', '/test/slow?ms=50');
  const first = await heavy;
  assert.equal(first.statusCode, 200);
  assert.equal(JSON.parse(first.body).ms, heavyMs);
  assert.ok(performance.now() - started >= heavyMs);
  assert.equal((await other).statusCode, 200);

  // Once it is done, the same person's site choice runs (in the pool) and gives the in-thread answer.
  const page = await as('ana', '/location?kind=library&mode=car&within=15&sites=3&problem=p-median');
  assert.equal(page.statusCode, 200, page.body.slice(0, 400));
  const inputs = await loadSiteInputs(ws.engine, {
    kind: 'library',
    gridMetres: 500,
    mode: 'car',
    classification: undefined,
  });
  const inThread = await solve(
    { weights: inputs.weights, groups: inputs.groups, costs: inputs.costs, fixed: [], standard: 15, p: 3 },
    'p-median',
    { method: 'auto', timeLimitSeconds: 20 },
  );
  const table = /<table class="govuk-table" id="choice-table">([\s\S]*?)<\/table>/.exec(page.body);
  assert.ok(table, 'the chosen sites are on the page');
  const rows = [...table[1].matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].slice(1);
  assert.equal(rows.length, 3);
  for (const s of inThread.sites) {
    const c = inputs.candidates[s.index];
    const name = c.source === 'grid' ? `New site near ${c.lat.toFixed(4)}, ${c.lon.toFixed(4)}` : c.name;
    assert.ok(table[1].includes(name), `${name} is among the chosen sites`);
  }
});

test('an analysis past the time limit is stopped with a clear message, and its worker is gone', async () => {
  const app = await portal({ workers: 1, timeLimitSeconds: 1 });
  const r = await timed(() =>
    app.inject({ method: 'GET', url: '/test/slow?ms=20000', cookies: { [SESSION_COOKIE]: cookies.ana } }),
  );
  assert.equal(r.value.statusCode, 422);
  assert.ok(r.ms < 8000, `stopped after ${r.ms.toFixed(0)} ms, not the 20 s it would have taken`);
  assert.match(r.value.body, /took longer than the 1-second limit for one analysis, so it was stopped/);
  assert.match(r.value.body, /Try fewer sites, a shorter journey time, or a smaller area/);
  assert.deepEqual(app.analyses.stats(), { workers: 0, running: 0, queued: 0 });
  assert.equal(app.analyses.counters.timedOut, 1);
  assert.equal(app.analyses.counters.started, app.analyses.counters.stopped, 'every worker started has been ended');
  // The pool carries on with a fresh worker.
  const again = await app.inject({
    method: 'GET',
    url: '/test/slow?ms=10',
    cookies: { [SESSION_COOKIE]: cookies.ana },
  });
  assert.equal(again.statusCode, 200);
});

test('an analysis that runs out of its memory allowance is stopped, and the pool carries on', async () => {
  const pool = new AnalysisPool({ workers: 1, memoryMb: 48, timeLimitSeconds: 60 });
  try {
    await assert.rejects(pool.run('someone', HOG, {}), (e: Error & { code?: string; status?: number }) => {
      assert.equal(e.code, 'analysis_too_large');
      assert.equal(e.status, 422);
      assert.match(e.message, /needed more memory than the portal allows for one analysis/);
      return true;
    });
    assert.equal(pool.stats().workers, 0);
    assert.equal((await pool.run('someone', SPIN, { ms: 1 })).ms, 1);
  } finally {
    await pool.close();
  }
});

test('a full queue answers "busy" at once, and a request that waits too long for a worker is turned away', async () => {
  const pool = new AnalysisPool({ workers: 1, queue: 1, perViewer: 5, timeLimitSeconds: 20 });
  try {
    const running = pool.run('a', SPIN, { ms: 1500 });
    const queued = pool.run('b', SPIN, { ms: 10 });
    await assert.rejects(
      pool.run('c', SPIN, { ms: 10 }),
      (e: Error & { code?: string; status?: number; retryAfterSeconds?: number }) => {
        assert.equal(e.code, 'analysis_busy');
        assert.equal(e.status, 503);
        assert.equal(e.retryAfterSeconds, 20);
        assert.match(e.message, /busy with other people's analyses/);
        return true;
      },
    );
    assert.equal((await running).ms, 1500);
    assert.equal((await queued).ms, 10);
  } finally {
    await pool.close();
  }
  // One analysis holds the only worker for longer than another may wait for it.
  const slow = new AnalysisPool({ workers: 1, queue: 4, perViewer: 5, timeLimitSeconds: 10, queueSeconds: 0.5 });
  try {
    const long = slow.run('a', SPIN, { ms: 2500 });
    const t = performance.now();
    await assert.rejects(slow.run('b', SPIN, { ms: 10 }), /busy with other people's analyses/);
    assert.ok(performance.now() - t < 2000, 'turned away after waiting half a second, not when the worker came free');
    assert.equal((await long).ms, 2500);
  } finally {
    await slow.close();
  }
});
