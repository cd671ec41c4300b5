/**
 * Dataset upload as a job (inject, no network): upload → preview and column mapping → a job that
 * finishes with row accounts; CSRF, size, type and path traversal refused; records only for owners.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, auditLog, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { waitForJob } from '../../src/server/jobs.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-datasets-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const session: Record<string, { cookie: string; csrf: string }> = {};
const UPLOADS = join(tmp.dir, 'uploads');
const MAX = 64 * 1024;

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  for (const [username, role, partner] of [
    ['ana', 'analyst'],
    ['pat', 'partner', 'Fire'],
    ['pam', 'partner', 'Health'],
    ['agt', 'agent'],
  ] as const)
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: UPLOADS,
    maxUploadBytes: MAX,
    pseudonymKey: TEST_KEY,
  });
  for (const u of ['ana', 'pat', 'pam', 'agt']) {
    const r = await postLogin(app, { username: u, password: PASSWORD });
    const cookie = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
    const page = await app.inject({ url: '/map', cookies: { [SESSION_COOKIE]: cookie } });
    session[u] = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
  }
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer | string }) {
  const boundary = '----civic' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
    );
    parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const upload = (
  user: string,
  fields: Record<string, string>,
  file?: { name: string; content: Buffer | string },
  csrf = true,
) => {
  const m = multipart({ ...(csrf ? { _csrf: session[user].csrf } : {}), ...fields }, file);
  return app.inject({
    method: 'POST',
    url: '/datasets/upload',
    payload: m.payload,
    headers: m.headers,
    cookies: { [SESSION_COOKIE]: session[user].cookie },
  });
};
const get = (url: string, user?: string) =>
  app.inject({ url, cookies: user ? { [SESSION_COOKIE]: session[user].cookie } : {} });
const post = (url: string, user: string, body: Record<string, string | string[]>) => {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries({ _csrf: session[user].csrf, ...body }))
    for (const x of [v].flat()) form.append(k, x);
  return app.inject({
    method: 'POST',
    url,
    payload: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [SESSION_COOKIE]: session[user].cookie },
  });
};

const CSV = [
  'Customer ref,Full name,Post Code,Service',
  'R1,Ann,M15 4AB,bins',
  'R2,Bob,M15 4AD,bins',
  'R3,Cy,ZZ99 9ZZ,bins',
  'R4,Di,,bins',
  'R5,Ed,m1 1ae,bins',
].join('\n');
const leftovers = () => readdirSync(UPLOADS).filter((f) => f.endsWith('.part'));

test('a partner uploads, maps the columns and the job finishes with every row accounted for', async () => {
  const up = await upload(
    'pat',
    { name: 'fire_visits', title: 'Home fire safety visits' },
    { name: 'visits.csv', content: CSV },
  );
  assert.equal(up.statusCode, 303, up.body);
  const mapUrl = up.headers.location as string;
  assert.match(mapUrl, /^\/uploads\/[0-9a-f-]{36}$/);
  const preview = await get(mapUrl, 'pat');
  assert.equal(preview.statusCode, 200);
  assert.match(preview.body, /M15 4AB/);
  assert.match(preview.body, /<option value="Post Code" selected>/, 'the postcode column is guessed');
  assert.equal((await get(mapUrl, 'pam')).statusCode, 404, 'another partner cannot see the upload');
  const bad = await post(mapUrl, 'pat', { postcode: 'Post Code', pseudonymise: ['Post Code'] });
  assert.equal(bad.statusCode, 400);
  const start = await post(mapUrl, 'pat', {
    postcode: 'Post Code',
    pseudonymise: ['Full name', 'Customer ref'],
    rename_3: 'service',
  });
  assert.equal(start.statusCode, 303, start.body);
  const jobUrl = start.headers.location as string;
  const id = jobUrl.split('/').at(-1)!;
  const job = await waitForJob(ws.engine, id);
  assert.equal(job.status, 'done', job.message ?? '');
  const page = await get(jobUrl, 'pat');
  assert.match(page.body, /Read 5 = matched 3 \+ unmatched 1 \+ rejected 1/);
  assert.match(page.body, /href="\/profile\?dataset=fire_visits"/);
  const j = JSON.parse((await get(`${jobUrl}.json`, 'pat')).body);
  assert.equal(j.status, 'done');
  assert.equal(j.result.read, j.result.matched + j.result.unmatched + j.result.rejected);
  assert.deepEqual(j.result.pseudonymised.sort(), ['Customer ref', 'Full name']);
  assert.equal((await get(jobUrl, 'pam')).statusCode, 404);
  const ds = await ws.engine.one<{ partner: string; columns: string }>(
    `SELECT partner, columns FROM dataset WHERE name = 'fire_visits'`,
  );
  assert.equal(ds!.partner, 'Fire');
  assert.match(ds!.columns, /"service"/);
  assert.ok(
    !(await ws.engine.one(`SELECT 1 AS x FROM ds_fire_visits WHERE "Full name" = 'Ann'`)),
    'names are pseudonymised',
  );
  const log = await auditLog(ws.engine);
  assert.ok(log.some((e) => e.action === 'upload' && e.username === 'pat'));
  assert.ok(log.some((e) => e.action === 'import' && /read 5 = matched 3/.test(e.detail ?? '')));
  assert.deepEqual(readdirSync(UPLOADS), [], 'the stored file is removed once imported');
});

test('rejects are for the owner only; the list shows others only suppressed accounts', async () => {
  const own = await get('/datasets/fire_visits/rejects', 'pat');
  assert.equal(own.statusCode, 200);
  assert.match(own.body, /ZZ99 9ZZ/);
  assert.equal((await get('/datasets/fire_visits/rejects', 'ana')).statusCode, 200, 'staff administer every dataset');
  assert.equal((await get('/datasets/fire_visits/rejects', 'pam')).statusCode, 403);
  assert.equal((await get('/datasets/fire_visits/rejects', 'agt')).statusCode, 403);
  assert.equal((await get('/datasets/fire_visits/rejects')).statusCode, 302);
  const list = await get('/datasets', 'pam');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /Home fire safety visits/);
  assert.doesNotMatch(list.body, /fire_visits\/rejects/);
  assert.match(
    list.body,
    />hidden<span class="govuk-visually-hidden"> \(fewer than/,
    'small row counts of another partner are hidden',
  );
  assert.match((await get('/datasets', 'pat')).body, /fire_visits\/rejects/);
  assert.equal((await get('/datasets', 'agt')).statusCode, 403);
});

test('uploads without the form token, too big, of the wrong type or with a path are refused', async () => {
  const noCsrf = await upload('ana', { name: 'x1' }, { name: 'a.csv', content: CSV }, false);
  assert.equal(noCsrf.statusCode, 403);
  const wrongCsrf = await upload('ana', { name: 'x1', _csrf: 'nope' }, { name: 'a.csv', content: CSV }, false);
  assert.equal(wrongCsrf.statusCode, 403);
  const big = await upload(
    'ana',
    { name: 'x2' },
    { name: 'big.csv', content: 'postcode\n' + 'M15 4AB\n'.repeat(MAX / 4) },
  );
  assert.equal(big.statusCode, 413);
  assert.match(big.body, /File too large/);
  const png = await upload(
    'ana',
    { name: 'x3' },
    { name: 'pic.csv', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) },
  );
  assert.equal(png.statusCode, 415);
  const exe = await upload('ana', { name: 'x4' }, { name: 'run.exe', content: 'MZ....' });
  assert.equal(exe.statusCode, 415);
  const fakeXlsx = await upload('ana', { name: 'x5' }, { name: 'book.xlsx', content: CSV });
  assert.equal(fakeXlsx.statusCode, 415);
  const notJson = await upload('ana', { name: 'x6' }, { name: 'data.json', content: CSV });
  assert.equal(notJson.statusCode, 415);
  const badName = await upload('ana', { name: '../evil' }, { name: 'a.csv', content: CSV });
  assert.equal(badName.statusCode, 400);
  assert.equal(
    (await upload('ana', { name: 'fire_visits' }, { name: 'a.csv', content: CSV })).statusCode,
    400,
    'an existing name is refused',
  );
  assert.deepEqual(leftovers(), []);
  assert.deepEqual(readdirSync(UPLOADS), [], 'nothing refused is kept');
  assert.equal((await get('/datasets/upload', 'agt')).statusCode, 403);
});

test('a file name with a path never becomes a path: the stored name is random, under the upload folder', async () => {
  const names = ['../../etc/passwd.csv', '..\\..\\x.csv', 'sub/dir.csv', '..%2F..%2Fy.csv'];
  for (const [i, name] of names.entries()) {
    const t = await upload('ana', { name: `trav_${i}` }, { name, content: CSV });
    // Either refused outright, or (busboy keeps only the last part of a name) stored under a random name.
    assert.ok([303, 400].includes(t.statusCode), `${name}: ${t.statusCode}`);
    if (t.statusCode === 400) assert.match(t.body, /file name cannot be used/);
    else {
      const preview = await get(t.headers.location as string, 'ana');
      assert.doesNotMatch(preview.body, /\.\.[/\\]/, 'no path is shown back');
    }
  }
  for (const f of readdirSync(UPLOADS)) assert.match(f, /^[0-9a-f-]{36}\.csv$/);
});

test('a failed import leaves the workspace as it was and says why', async () => {
  const up = await upload(
    'ana',
    { name: 'no_pc' },
    {
      name: 'n.json',
      content: JSON.stringify([
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ]),
    },
  );
  assert.equal(up.statusCode, 303, up.body);
  const start = await post(up.headers.location as string, 'ana', { postcode: 'b' });
  const id = (start.headers.location as string).split('/').at(-1)!;
  const job = await waitForJob(ws.engine, id);
  assert.equal(job.status, 'done', 'a column of non-postcodes still imports, every row rejected');
  const r = (await get(`/jobs/${id}.json`, 'ana')).body;
  assert.match(r, /"rejected":2/);
});

test('options columns and a saved mapping in the portal: saved with one upload, used for the next, and only by the organisation that saved it', async () => {
  const april = [
    'Ref,Post Code,Services,Assisted',
    'R1,M15 4AB,Garden waste; Recycling bags,YES',
    'R2,M15 4AD,Recycling bags,',
    'R3,M1 1AE,Garden waste,x',
  ].join('\n');
  const up = await upload('pat', { name: 'recycling_april' }, { name: 'april.csv', content: april });
  assert.equal(up.statusCode, 303, up.body);
  const mapUrl = up.headers.location as string;
  assert.doesNotMatch((await get(mapUrl, 'pat')).body, /Use a saved mapping/, 'no mapping to offer yet');
  const badName = await post(mapUrl, 'pat', { postcode: 'Post Code', save_mapping: 'Recycling Monthly!' });
  assert.equal(badName.statusCode, 400);
  assert.match(badName.body, /cannot be used as a mapping/);
  const start = await post(mapUrl, 'pat', {
    postcode: 'Post Code',
    rename_1: 'postcode',
    options_listed: 'Services',
    options_flags: 'Assisted',
    save_mapping: 'recycling_monthly',
  });
  assert.equal(start.statusCode, 303, start.body);
  const job = await waitForJob(ws.engine, (start.headers.location as string).split('/').at(-1)!);
  assert.equal(job.status, 'done', job.message ?? '');
  const page = await get(start.headers.location as string, 'pat');
  assert.match(page.body, /services_garden_waste \(2 yes\), services_recycling_bags \(2 yes\)/);
  assert.match(page.body, /Assisted: 2 yes, 1 no/);
  assert.match(page.body, /saved as the mapping “recycling_monthly”/);
  const cols = JSON.parse(
    (await ws.engine.one<{ columns: string }>(`SELECT columns FROM dataset WHERE name = 'recycling_april'`))!.columns,
  );
  assert.ok(cols.includes('services_garden_waste') && cols.includes('services_recycling_bags'));

  // May's file: the saved mapping fills the form in; starting it imports the same way.
  const may = ['Ref,Post Code,Services,Assisted', 'R4,SW1A 2AA,Garden waste,no', 'R5,SB4 0QD,Garden waste,Y'].join(
    '\n',
  );
  const up2 = await upload('pat', { name: 'recycling_may' }, { name: 'may.csv', content: may });
  const map2 = up2.headers.location as string;
  const offer = await get(map2, 'pat');
  assert.match(offer.body, /<option value="recycling_monthly">recycling_monthly<\/option>/);
  const filled = await get(`${map2}?mapping=recycling_monthly`, 'pat');
  assert.equal(filled.statusCode, 200, filled.body);
  assert.match(filled.body, /<option value="Post Code" selected>/);
  assert.match(filled.body, /name="rename_1" type="text" spellcheck="false" value="postcode"/);
  assert.match(filled.body, /name="options_listed" type="checkbox" value="Services" checked/);
  assert.match(filled.body, /name="options_flags" type="checkbox" value="Assisted" checked/);
  const start2 = await post(map2, 'pat', {
    postcode: 'Post Code',
    rename_1: 'postcode',
    options_listed: 'Services',
    options_flags: 'Assisted',
  });
  const job2 = await waitForJob(ws.engine, (start2.headers.location as string).split('/').at(-1)!);
  assert.equal(job2.status, 'done', job2.message ?? '');
  assert.equal(
    (await ws.engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM ds_recycling_may WHERE services_garden_waste = 'yes' AND "Assisted" = 'yes'`,
    ))!.n,
    1,
  );

  // Another partner is not offered it and cannot use it by name; the answer is the same as for a name nobody saved.
  const up3 = await upload('pam', { name: 'health_may' }, { name: 'may.csv', content: may });
  const map3 = up3.headers.location as string;
  assert.doesNotMatch((await get(map3, 'pam')).body, /recycling_monthly/);
  const theirs = await get(`${map3}?mapping=recycling_monthly`, 'pam');
  const nobody = await get(`${map3}?mapping=no_such_mapping`, 'pam');
  assert.equal(theirs.statusCode, 400);
  assert.match(theirs.body, /There is no saved mapping called/);
  assert.equal(
    theirs.body.replaceAll('recycling_monthly', 'X').replace(/nonce="[0-9a-f]+"/g, ''),
    nobody.body.replaceAll('no_such_mapping', 'X').replace(/nonce="[0-9a-f]+"/g, ''),
  );
  // A file whose columns changed: the page names the missing column and what to do.
  const june = ['Ref,Postcode,Services,Assisted', 'R6,M15 4AB,Garden waste,Y'].join('\n');
  const up4 = await upload('pat', { name: 'recycling_june' }, { name: 'june.csv', content: june });
  const changed = await get(`${up4.headers.location as string}?mapping=recycling_monthly`, 'pat');
  assert.equal(changed.statusCode, 400);
  assert.match(changed.body, /names a column this file does not have: Post Code/);
});

test('names encoded for linkage in the portal: ticked on the mapping page, stored as Bloom filters, said on the job page and kept by a saved mapping', async () => {
  const csv = ['Ref,Full name,Post Code', 'E1,Margaret Smith,M15 4AB', 'E2,Margret Smyth,M15 4AD'].join('\n');
  const up = await upload('pat', { name: 'linkable_april' }, { name: 'april.csv', content: csv });
  assert.equal(up.statusCode, 303, up.body);
  const mapUrl = up.headers.location as string;
  const page = await get(mapUrl, 'pat');
  assert.match(page.body, /Which names should still link when spelt differently\?/);
  assert.match(
    page.body,
    /name="encode_for_linkage" type="checkbox" value="Full name">/,
    'nothing is encoded unless asked',
  );
  const bad = await post(mapUrl, 'pat', { postcode: 'Post Code', encode_for_linkage: 'Post Code' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /The postcode column cannot be encoded for linkage/);
  // Ticked to encode but not to pseudonymise: it is pseudonymised anyway, as a Bloom filter.
  const start = await post(mapUrl, 'pat', {
    postcode: 'Post Code',
    encode_for_linkage: 'Full name',
    save_mapping: 'linkable_monthly',
  });
  assert.equal(start.statusCode, 303, start.body);
  const job = await waitForJob(ws.engine, (start.headers.location as string).split('/').at(-1)!);
  assert.equal(job.status, 'done', job.message ?? '');
  const done = await get(start.headers.location as string, 'pat');
  assert.match(done.body, /Encoded for linkage\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Full name/);
  const stored = await ws.engine.all<{ v: string }>(`SELECT "Full name" AS v FROM ds_linkable_april ORDER BY _row`);
  assert.ok(
    stored.every((r) => r.v.startsWith('bf1_')),
    JSON.stringify(stored),
  );
  assert.ok(!JSON.stringify(stored).includes('Smith'));
  const privacy = JSON.parse(
    (await ws.engine.one<{ p: string }>(`SELECT privacy AS p FROM dataset WHERE name = 'linkable_april'`))!.p,
  );
  assert.deepEqual(
    privacy.columns
      .filter((c: { decision: string }) => c.decision === 'encoded for linkage')
      .map((c: { column: string }) => c.column),
    ['Full name'],
  );
  // The next month's file: the saved mapping ticks it again.
  const up2 = await upload('pat', { name: 'linkable_may' }, { name: 'may.csv', content: csv });
  const filled = await get(`${up2.headers.location as string}?mapping=linkable_monthly`, 'pat');
  assert.equal(filled.statusCode, 200, filled.body);
  assert.match(filled.body, /name="encode_for_linkage" type="checkbox" value="Full name" checked/);
  assert.match(filled.body, /name="pseudonymise" type="checkbox" value="Full name" checked/);
});

test('address columns in the portal: ticked on the mapping page, each record given a property reference, counted on the job page and kept by a saved mapping', async () => {
  const csv = [
    'Ref,Address 1,Town,Post Code,UPRN',
    'H1,12 High Road,Manchester,M15 4AB,100',
    'H2,12 high rd,,M15 4AB,',
    'H3,,,M15 4AD,',
  ].join('\n');
  const up = await upload('pat', { name: 'homes_april' }, { name: 'homes.csv', content: csv });
  assert.equal(up.statusCode, 303, up.body);
  const mapUrl = up.headers.location as string;
  const page = await get(mapUrl, 'pat');
  assert.match(page.body, /Which columns hold the address\? \(optional\)/);
  assert.match(page.body, /name="address_columns" type="checkbox" value="Address 1">/);
  const start = await post(mapUrl, 'pat', {
    postcode: 'Post Code',
    address_columns: ['Town', 'Address 1'],
    uprn_column: 'UPRN',
    save_mapping: 'homes_monthly',
  });
  assert.equal(start.statusCode, 303, start.body);
  const job = await waitForJob(ws.engine, (start.headers.location as string).split('/').at(-1)!);
  assert.equal(job.status, 'done', job.message ?? '');
  // In the file's order, whatever the order ticked: H1 by its UPRN; H2 a key from its address; H3 none.
  const a = JSON.parse(
    (await ws.engine.one<{ a: string }>(`SELECT addressing AS a FROM dataset WHERE name = 'homes_april'`))!.a,
  );
  assert.deepEqual(a.addressColumns, ['Address 1', 'Town']);
  assert.deepEqual([a.uprn, a.derived, a.none], [1, 1, 1]);
  const done = await get(start.headers.location as string, 'pat');
  assert.match(done.body, /3 = own UPRN 1 \+ matched to the gazetteer 0 \+ derived from the address 1 \+ none 1/);
  const up2 = await upload('pat', { name: 'homes_may' }, { name: 'homes.csv', content: csv });
  const filled = await get(`${up2.headers.location as string}?mapping=homes_monthly`, 'pat');
  assert.equal(filled.statusCode, 200, filled.body);
  assert.match(filled.body, /name="address_columns" type="checkbox" value="Address 1" checked/);
  assert.match(filled.body, /<option value="UPRN" selected>UPRN<\/option>/);
});
