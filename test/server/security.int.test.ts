/**
 * Security basics of the portal and API (issue 4, acceptance 5), through app.inject: security
 * headers and CSP, the session cookie's flags, login rate limiting, CSRF, path traversal, and
 * formula injection neutralised in exports from the portal and the CLI.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/index.ts';
import { addUser } from '../../src/server/users.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { civicRun } from '../helpers/cli.ts';
import {
  importFacilities,
  listFacilities,
  loadSiteInputs,
  runScenario,
  solveHeuristic,
} from '../../src/location/index.ts';
import { choiceToXlsx, scenarioToXlsx } from '../../src/outputs/index.ts';

const PASSWORD = 'correct horse battery staple';
const EVIL_NAME = '=SUM(A1:A9)*10';
const EVIL_TYPE = '+SUM(1,2)';
const EVIL_POSTCODE = '=1+2';
const EVIL_FACILITY = '=HYPERLINK("http://example.com","Library")';

const tmp = tempDir('civic-security-');
let ws: Workspace;
let app: FastifyInstance;
let secureApp: FastifyInstance;

/** The small fixture workspace whose segment names and one postcode are spreadsheet formulas. */
async function evilWorkspace(dir: string): Promise<Workspace> {
  const w = await smallWorkspace(dir);
  const names = join(dir, 'names.csv');
  writeFileSync(
    names,
    `tier,code,name,description\ngroup,A,"${EVIL_NAME}",A description\ntype,A1,"${EVIL_TYPE}",Type A1\n`,
  );
  await importReference(w.engine, { segments: [names] });
  const svc = join(dir, 'service.csv');
  writeFileSync(
    svc,
    [
      'ref,postcode,note',
      ...Array.from({ length: 30 }, (_, i) => `${i + 1},${['M15 4AB', 'M1 1AE', 'SW1A 2AA'][i % 3]},ok`),
      `31,${EVIL_POSTCODE},bad`,
    ].join('\n') + '\n',
  );
  await importDataset(w.engine, 'service', svc, { key: TEST_KEY, postcodeColumn: 'postcode' });
  return w;
}

before(async () => {
  ws = await evilWorkspace(tmp.dir);
  await addUser(ws.engine, { username: 'ada', password: PASSWORD, role: 'admin' });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
  secureApp = await buildApp({ workspace: ws, secureCookies: true, uploadDir: join(tmp.dir, 'uploads') });
});
after(async () => {
  await app?.close();
  await secureApp?.close();
  ws?.close();
  tmp.cleanup();
});

async function signIn(
  a: FastifyInstance,
  username = 'ada',
  password = PASSWORD,
): Promise<{ cookie: string; csrf: string }> {
  const r = await postLogin(a, { username, password });
  assert.equal(r.statusCode, 303, `sign-in failed: ${r.statusCode}`);
  const c = r.cookies.find((x) => x.name === SESSION_COOKIE)!;
  const cookie = `${SESSION_COOKIE}=${c.value}`;
  const page = await a.inject({ url: '/admin', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the admin page carries the CSRF token');
  return { cookie, csrf };
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([k, ...v]) => [k.toLowerCase(), v]),
  );
}

describe('security headers', () => {
  const cases: { what: string; url: string; type: RegExp }[] = [
    { what: 'a page (sign in)', url: '/login', type: /text\/html/ },
    { what: 'the public home page', url: '/', type: /text\/html/ },
    { what: 'a page that does not exist', url: '/no-such-page', type: /text\/html/ },
    { what: 'the API (unknown route, problem+json)', url: '/api/no-such-thing', type: /application\/problem\+json/ },
    { what: 'a static file', url: '/static/civic.css', type: /text\/css/ },
  ];
  for (const c of cases) {
    test(`${c.what} carries CSP without unsafe-inline scripts, nosniff, frame-ancestors 'none' and a referrer policy`, async () => {
      const r = await app.inject({ url: c.url });
      assert.match(String(r.headers['content-type']), c.type);
      const csp = String(r.headers['content-security-policy'] ?? '');
      assert.ok(csp, 'content-security-policy is set');
      const d = directives(csp);
      const scripts = d.get('script-src') ?? d.get('default-src')!;
      assert.ok(scripts, 'scripts are governed by script-src or default-src');
      assert.ok(!scripts.includes("'unsafe-inline'"), `script-src allows inline scripts: ${scripts.join(' ')}`);
      assert.ok(!scripts.includes("'unsafe-eval'"), 'script-src allows eval');
      assert.ok(!scripts.includes('*') && !scripts.some((s) => /^https?:$/.test(s)), 'script-src allows any host');
      assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(d.get('object-src'), ["'none'"]);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.ok(
        ['same-origin', 'no-referrer', 'strict-origin-when-cross-origin', 'strict-origin'].includes(
          String(r.headers['referrer-policy']),
        ),
        `referrer-policy ${r.headers['referrer-policy']}`,
      );
      assert.ok(r.headers['x-frame-options'] === 'SAMEORIGIN' || r.headers['x-frame-options'] === 'DENY');
      assert.equal(r.headers['x-powered-by'], undefined);
    });
  }

  test('every script on a page is external and carries the per-request nonce of the CSP', async () => {
    const r1 = await app.inject({ url: '/login' });
    const r2 = await app.inject({ url: '/login' });
    const nonce = (r: typeof r1) => /'nonce-([^']+)'/.exec(String(r.headers['content-security-policy']))?.[1];
    assert.ok(nonce(r1) && nonce(r2) && nonce(r1) !== nonce(r2), 'a fresh nonce for each request');
    const scripts = [...r1.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, new RegExp(`nonce="${nonce(r1)}"`), `script without the nonce: <script${attrs}>`);
      // govuk-frontend's template adds one tiny inline script (the js-enabled class); anything else is external.
      if (!/\bsrc=/.test(attrs)) assert.ok(body.length < 200, `inline script: ${body.slice(0, 80)}`);
    }
    assert.doesNotMatch(r1.body, /\son[a-z]+\s*=\s*["']/i, 'no inline event handlers (the CSP would block them)');
  });

  test('the API answers problem+json with the same headers, and a bad token is refused', async () => {
    const r = await app.inject({
      url: '/api/openapi.json',
      headers: { authorization: 'Bearer civic_not-a-real-token' },
    });
    assert.equal(r.statusCode, 401);
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(!directives(String(r.headers['content-security-policy'])).get('script-src')?.includes("'unsafe-inline'"));
  });
});

describe('sessions', () => {
  test('the session cookie is HttpOnly, SameSite=Lax and Secure when secure cookies are on', async () => {
    const r = await postLogin(secureApp, { username: 'ada', password: PASSWORD });
    assert.equal(r.statusCode, 303);
    const raw = [r.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`));
    assert.ok(raw, 'a session cookie is set');
    assert.match(String(raw), /;\s*HttpOnly/i);
    assert.match(String(raw), /;\s*SameSite=Lax/i);
    assert.match(String(raw), /;\s*Secure/i);
    assert.match(String(raw), /;\s*Path=\//i);
    const token = /^civic_session=([^;]+)/.exec(String(raw))![1];
    assert.ok(token.length >= 40, 'the session token is long and random');
  });

  test('without secure cookies (local plain HTTP) the cookie is still HttpOnly and SameSite=Lax', async () => {
    const r = await postLogin(app, { username: 'ada', password: PASSWORD });
    const raw = String([r.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`)));
    assert.match(raw, /HttpOnly/i);
    assert.match(raw, /SameSite=Lax/i);
    assert.doesNotMatch(raw, /;\s*Secure/i);
  });

  test('a forged or ended session is not signed in', async () => {
    const forged = await app.inject({ url: '/admin', headers: { cookie: `${SESSION_COOKIE}=forged-value` } });
    assert.equal(forged.statusCode, 302);
    assert.match(String(forged.headers.location), /^\/login/);
    const s = await signIn(app);
    const out = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: s.cookie },
      payload: { _csrf: s.csrf },
    });
    assert.equal(out.statusCode, 303);
    const after = await app.inject({ url: '/admin', headers: { cookie: s.cookie } });
    assert.equal(after.statusCode, 302, 'the old cookie no longer signs in');
  });

  test('login is rate limited: the 6th failed attempt in a row is refused with 429, even with the right password', async () => {
    // A user of its own, so that other tests' sign-ins are not limited.
    await addUser(ws.engine, { username: 'mallory-target', password: PASSWORD, role: 'analyst' });
    for (let i = 1; i <= 5; i++) {
      const r = await postLogin(app, { username: 'mallory-target', password: `wrong password ${i}` });
      assert.equal(r.statusCode, 401, `attempt ${i}`);
    }
    const sixth = await postLogin(app, { username: 'mallory-target', password: 'wrong password 6' });
    assert.equal(sixth.statusCode, 429);
    assert.ok(Number(sixth.headers['retry-after']) > 0, 'says when to try again');
    assert.match(sixth.body, /too many/i);
    const right = await postLogin(app, { username: 'mallory-target', password: PASSWORD });
    assert.equal(right.statusCode, 429, 'the right password does not get through while limited');
    assert.equal(
      right.cookies.find((c) => c.name === SESSION_COOKIE),
      undefined,
    );
  });
});

describe('CSRF', () => {
  test('a form POST with a session but without the token, or with a wrong one, is refused; with it, it works', async () => {
    const s = await signIn(app);
    const form = { username: 'newperson', password: PASSWORD, role: 'analyst' };
    const none = await app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { cookie: s.cookie },
      payload: form,
    });
    assert.equal(none.statusCode, 403);
    assert.match(none.body, /expired|could not be checked/i);
    const wrong = await app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { cookie: s.cookie },
      payload: { ...form, _csrf: 'x'.repeat(32) },
    });
    assert.equal(wrong.statusCode, 403);
    const other = await signIn(app);
    const stolen = await app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { cookie: s.cookie },
      payload: { ...form, _csrf: other.csrf },
    });
    assert.equal(stolen.statusCode, 403, "another session's token does not do");
    assert.ok(
      !(await ws.engine.one(`SELECT 1 AS x FROM app_user WHERE username = 'newperson'`)),
      'nothing was changed',
    );
    const right = await app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: { cookie: s.cookie },
      payload: { ...form, _csrf: s.csrf },
    });
    assert.equal(right.statusCode, 200);
    assert.ok(await ws.engine.one(`SELECT 1 AS x FROM app_user WHERE username = 'newperson'`));
  });

  test('the x-csrf-token header is accepted in place of the field; signing out needs the token too', async () => {
    const s = await signIn(app);
    const noToken = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie } });
    assert.equal(noToken.statusCode, 403);
    const header = await app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    assert.equal(header.statusCode, 303);
  });
});

describe('path traversal', () => {
  const attempts = [
    '/static/../../package.json',
    '/static/../app.ts',
    '/static/..%2f..%2fpackage.json',
    '/static/%2e%2e/%2e%2e/package.json',
    '/static/%2e%2e%2f%2e%2e%2fpackage.json',
    '/static/..%5c..%5cpackage.json',
    '/static/%252e%252e/%252e%252e/package.json',
    '/assets/../../../../package.json',
    '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..%2f..%2f..%2f..%2f..%2fpackage.json',
    '/assets/fonts/..%2f..%2f..%2f..%2f..%2f..%2fpackage.json',
    '/static/%00../package.json',
  ];
  for (const url of attempts) {
    test(`${url} is refused (never the file)`, async () => {
      const r = await app.inject({ url });
      assert.ok([400, 403, 404].includes(r.statusCode), `status ${r.statusCode}`);
      assert.doesNotMatch(r.body, /"name":\s*"civic-insight-observatory"|"govuk-frontend"\s*:|buildApp|"dependencies"/);
    });
  }

  test('the real static files are still served', async () => {
    assert.equal((await app.inject({ url: '/static/civic.css' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/static/govuk-frontend.min.css' })).statusCode, 200);
    const font = await app.inject({ url: '/assets/fonts/light-94a07e06a1-v2.woff2' });
    assert.equal(font.statusCode, 200);
  });
});

describe('formula injection in exports', () => {
  /** No cell of a CSV starts a formula; the evil texts are there with a leading apostrophe. */
  function checkCsv(csv: string, evil: string[]) {
    const cells = csv
      .split(/\r?\n/)
      .flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)/g) ?? [])
      .map((c) => c.replace(/^"|"$/g, '').replace(/""/g, '"'));
    for (const c of cells) assert.doesNotMatch(c, /^[=+@\t\r]|^-[^\d]/, `a cell starts a formula: ${c}`);
    for (const e of evil) assert.ok(cells.includes(`'${e}`), `"'${e}" is in the export`);
  }

  test('a profile downloaded from the portal as CSV and XLSX carries segment names starting with = or + as text', async (t) => {
    if (!app.routeTable.some((r) => r.method === 'GET' && r.url === '/profile/download'))
      return t.skip('the profile download route is not registered yet');
    const s = await signIn(app);
    const qs = 'dataset=service&by=seg:small:group&base=households';
    const csv = await app.inject({ url: `/profile/download?${qs}&format=csv`, headers: { cookie: s.cookie } });
    assert.equal(csv.statusCode, 200, csv.body.slice(0, 300));
    checkCsv(csv.body, [EVIL_NAME]);
    const typed = await app.inject({
      url: `/profile/download?dataset=service&by=seg:small:type&base=households&format=csv`,
      headers: { cookie: s.cookie },
    });
    assert.equal(typed.statusCode, 200);
    checkCsv(typed.body, [EVIL_TYPE]);

    const xlsx = await app.inject({ url: `/profile/download?${qs}&format=xlsx`, headers: { cookie: s.cookie } });
    assert.equal(xlsx.statusCode, 200);
    assert.match(String(xlsx.headers['content-type']), /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    let found = false;
    wb.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `a formula cell at ${sheet.name}!${cell.address}`);
          if (typeof cell.value === 'string') {
            assert.doesNotMatch(cell.value, /^[=+@]/, `${sheet.name}!${cell.address} starts a formula`);
            if (cell.value === `'${EVIL_NAME}`) found = true;
          }
        }),
      ),
    );
    assert.ok(found, `the workbook carries "'${EVIL_NAME}"`);
  });

  test('location and site-choice exports carry a facility name starting with = as text', async () => {
    const fac = join(tmp.dir, 'evil-facilities.csv');
    writeFileSync(
      fac,
      `name,lat,lon\n"${EVIL_FACILITY.replace(/"/g, '""')}",53.4656,-2.2604\nTown Library,53.4808,-2.2426\n`,
    );
    await importFacilities(ws.engine, fac, { kind: 'library' });
    const evil = (await listFacilities(ws.engine, { kind: 'library' })).find((f) => f.name === EVIL_FACILITY)!;
    const s = await signIn(app);
    const csv = await app.inject({
      url: `/location/catchment/download?kind=library&site=${encodeURIComponent(evil.id)}&within=30&mode=car&format=csv`,
      headers: { cookie: s.cookie },
    });
    assert.equal(csv.statusCode, 200, csv.body.slice(0, 300));
    checkCsv(csv.body, [EVIL_NAME]); // the catchment's segments carry the evil segment name
    const xlsx = await app.inject({
      url: `/location/catchment/download?kind=library&site=${encodeURIComponent(evil.id)}&within=30&mode=car&format=xlsx`,
      headers: { cookie: s.cookie },
    });
    assert.equal(xlsx.statusCode, 200);
    const cwb = new ExcelJS.Workbook();
    await cwb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    cwb.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `a formula cell at ${sheet.name}!${cell.address}`);
          if (typeof cell.value === 'string')
            assert.doesNotMatch(cell.value, /^[=+@]/, `${sheet.name}!${cell.address} starts a formula`);
        }),
      ),
    );
    const inputs = await loadSiteInputs(ws.engine, { kind: 'library' });
    const r = runScenario(
      {
        costs: inputs.costs,
        weights: inputs.weights,
        groups: inputs.groups,
        standard: 10,
        current: inputs.candidates.map((c) => c.id),
      },
      { close: [evil.id] },
    );
    const choice = solveHeuristic({ weights: inputs.weights, costs: inputs.costs, p: 1, standard: 10 }, 'mclp');
    for (const buf of [
      await scenarioToXlsx(r, { close: [evil.id] }, inputs, 'car'),
      await choiceToXlsx(
        {
          ...choice,
          open: [0],
          openIds: [evil.id],
          sites: [
            {
              index: inputs.candidates.indexOf(inputs.candidates.find((c) => c.id === evil.id)!),
              id: evil.id,
              nearestWeight: 1,
              coveredWeight: 1,
            },
          ],
        },
        inputs,
        'car',
      ),
    ]) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
      let found = false;
      wb.eachSheet((sheet) =>
        sheet.eachRow((row) =>
          row.eachCell((cell) => {
            assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `a formula cell at ${sheet.name}!${cell.address}`);
            if (typeof cell.value === 'string') {
              assert.doesNotMatch(cell.value, /^[=+@]/, `${sheet.name}!${cell.address} starts a formula`);
              if (cell.value.includes(`'${EVIL_FACILITY}`)) found = true;
            }
          }),
        ),
      );
      // The site list starts a cell with the name (made text with an apostrophe); the scenario names it inside a title.
      assert.ok(
        found || wb.worksheets[0].getRow(1).getCell(1).value === `close ${EVIL_FACILITY}: within 10 minutes by car`,
        `the workbook carries "'${EVIL_FACILITY}"`,
      );
    }
  });

  test("the CLI's rejects export (CSV) carries a rejected value starting with = as text", async () => {
    const t2 = tempDir('civic-security-cli-');
    try {
      const w = await evilWorkspace(t2.dir);
      const path = w.path;
      w.close();
      // In process: what the export holds is the point here, not the process.
      const r = await civicRun('dataset', 'rejects', path, 'service', '--format', 'csv');
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes(`'${EVIL_POSTCODE}`), r.stdout);
      checkCsv(r.stdout, [EVIL_POSTCODE]);
    } finally {
      t2.cleanup();
    }
  });
});
