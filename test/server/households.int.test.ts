/**
 * The household view (issue 13, point 4) through the API and the portal page: staff see every
 * dataset's records at a property, a partner only its own, and an answer never depends on whether
 * another organisation holds records there; agents and the public get nothing; pseudonymised
 * columns are never shown; every look-up is in the audit log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { importAddressLookups, loadAddressLookups } from '../../src/geo/index.ts';
import { importGazetteer, HouseholdViewSchema } from '../../src/linkage/index.ts';
import { buildApp, addUser, SESSION_COOKIE, auditLog } from '../../src/server/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-households-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const cookies: Record<string, string> = {};
const file = (name: string, text: string) => {
  writeFileSync(join(tmp.dir, name), text);
  return join(tmp.dir, name);
};

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const lookups = join(tmp.dir, 'lookups');
  mkdirSync(lookups);
  writeFileSync(join(lookups, 'ons_synonyms.csv'), 'from,to\nRD,ROAD\n');
  writeFileSync(join(lookups, 'ukam_address_abbreviations.json'), '[]');
  await importAddressLookups(ws.engine, lookups);
  await importGazetteer(ws.engine, await loadAddressLookups(ws.engine), {
    file: file(
      'llpg.csv',
      'UPRN,ADDRESS,POSTCODE\n2001,"FLAT 2, 12 HIGH ROAD, MANCHESTER",M15 4AB\n2002,"12 HIGH ROAD, MANCHESTER",M15 4AB\n',
    ),
  });
  await importDataset(
    ws.engine,
    'council_tax',
    file(
      'ct.csv',
      'Account,Name,Address,Postcode,Band\nCT1,Ann Smith,"Flat 2, 12 High Rd",M15 4AB,B\nCT2,Bob Jones,12 High Road,M15 4AB,C\n',
    ),
    { addressColumns: ['Address'], idColumn: 'Account', key: TEST_KEY },
  );
  await importDataset(
    ws.engine,
    'pa_housing',
    file('ha.csv', 'Tenancy,Tenant,Address,Postcode,Rent\nT9,A Smith,"Flat 2, 12 High Road",M15 4AB,410\n'),
    { addressColumns: ['Address'], idColumn: 'Tenancy', key: TEST_KEY, partner: 'Partner A' },
  );
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  for (const [username, role, partner] of [
    ['ana', 'analyst'],
    ['pa', 'partner', 'Partner A'],
    ['pb', 'partner', 'Partner B'],
    ['agent', 'agent'],
  ] as const) {
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
    const r = await postLogin(app, { username, password: PASSWORD });
    cookies[username] = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
  }
});
after(async () => {
  await app.close();
  ws.close();
  tmp.cleanup();
});

const get = (url: string, user?: string) =>
  app.inject({ method: 'GET', url, cookies: user ? { [SESSION_COOKIE]: cookies[user] } : {} });

test('staff see every dataset’s records at the property; pseudonymised columns are never shown', async () => {
  const r = await get('/api/household?uprn=2001', 'ana');
  assert.equal(r.statusCode, 200, r.body);
  const v = HouseholdViewSchema.parse(r.json());
  assert.equal(v.gazetteerAddress, 'FLAT 2, 12 HIGH ROAD, MANCHESTER');
  assert.deepEqual(
    v.datasets.map((d) => [d.dataset, d.records.map((x) => x.id)]),
    [
      ['council_tax', ['CT1']],
      ['pa_housing', ['T9']],
    ],
  );
  assert.equal(v.datasets[0].records[0].values.Band, 'B');
  assert.ok(v.datasets[0].pseudonymised.includes('Name'));
  assert.equal(v.datasets[0].records[0].values.Name, null);
  // Only what was stored readable is shown: the tenant column was not pseudonymised at import.
  assert.equal(v.datasets[1].records[0].values.Tenant, 'A Smith');
  assert.doesNotMatch(r.body, /Ann Smith|High R/);
  // By address: the same property, standardised as at import.
  const byAddress = HouseholdViewSchema.parse(
    (await get(`/api/household?address=${encodeURIComponent('flat 2 12 high road')}&postcode=M154AB`, 'ana')).json(),
  );
  assert.equal(byAddress.property, '2001');
  assert.equal(byAddress.records, 2);
});

test('a partner sees only its own records, and learns nothing of others’ from the answer', async () => {
  const pa = HouseholdViewSchema.parse((await get('/api/household?uprn=2001', 'pa')).json());
  assert.deepEqual(pa.searched, ['pa_housing']);
  assert.deepEqual(
    pa.datasets.map((d) => d.dataset),
    ['pa_housing'],
  );
  // Partner B owns nothing here: a property where others hold records answers as one where nobody does.
  const held = (await get('/api/household?uprn=2002', 'pb')).json();
  const empty = (await get('/api/household?uprn=987654', 'pb')).json();
  assert.deepEqual(
    { ...held, property: 'x', gazetteerAddress: null },
    { ...empty, property: 'x', gazetteerAddress: null },
  );
  assert.equal(held.records, 0);
});

test('agents and the public get nothing; a bad UPRN is a clear 400', async () => {
  assert.equal((await get('/api/household?uprn=2001')).statusCode, 401);
  assert.equal((await get('/api/household?uprn=2001', 'agent')).statusCode, 403);
  const bad = await get('/api/household?uprn=flat', 'ana');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /That is not a UPRN/);
  assert.doesNotMatch(bad.body, /flat"/);
});

test('the portal page shows the records in tables, and every look-up is in the audit log', async () => {
  const page = await get('/households?uprn=2001', 'ana');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h2 class="govuk-heading-m" id="household">UPRN 2001<\/h2>/);
  assert.match(page.body, /2 in 2 of the 2 datasets you can see/);
  assert.match(page.body, /Pseudonymised, so not shown: [^<]*Name/);
  const form = await get('/households', 'pa');
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Find household/);
  const bad = await get('/households?uprn=12x', 'ana');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /There is a problem/);
  assert.equal((await get('/households', 'agent')).statusCode, 403);
  const log = (await auditLog(ws.engine, 50)).filter((e) => e.action === 'household view');
  assert.ok(
    log.some((e) => e.username === 'ana' && /^portal: UPRN 2001; 2 records from 2 of 2 datasets$/.test(e.detail ?? '')),
  );
  assert.ok(
    log.some((e) => e.username === 'pb' && /^api: UPRN 2002; 0 records from 0 of 0 datasets$/.test(e.detail ?? '')),
  );
});

test('match rates: staff see every dataset and how they link; a partner its own only, linked among themselves', async () => {
  const staff = (await get('/api/match-rates', 'ana')).json();
  assert.deepEqual(
    staff.datasets.map((d: { dataset: string }) => d.dataset),
    ['council_tax', 'pa_housing'],
  );
  // CT1 (flat 2) is also at a pa_housing household: 1 record, a small number, hidden as every count under 10 is.
  assert.deepEqual(staff.datasets[0].linked, [{ dataset: 'pa_housing', count: null, pct: null }]);
  assert.equal(staff.datasets[0].records, 2);
  assert.equal(staff.datasets[0].matchedUprn.count, null);
  const pa = (await get('/api/match-rates', 'pa')).json();
  assert.deepEqual(
    pa.datasets.map((d: { dataset: string; linked: unknown[] }) => [d.dataset, d.linked]),
    [['pa_housing', []]],
  );
  // Another's dataset and one that does not exist get the same refusal.
  const theirs = await get('/api/match-rates?datasets=council_tax', 'pa');
  const none = await get('/api/match-rates?datasets=no_such', 'pa');
  assert.equal(theirs.statusCode, 403);
  assert.equal(theirs.body, none.body);
  const page = await get('/households', 'pa');
  assert.match(page.body, /<th scope="row" class="govuk-table__header">pa_housing<\/th>/);
  assert.doesNotMatch(page.body, /council_tax/);
});

test('the profile page counts households for the data’s owner; anyone else is refused without a figure', async () => {
  const ana = await get('/profile?dataset=council_tax&count=household', 'ana');
  assert.equal(ana.statusCode, 200, ana.body.slice(0, 500));
  assert.match(ana.body, /Counting households: the records at one address/);
  assert.match(ana.body, /count=household&amp;format=csv/);
  const records = await get('/profile?dataset=council_tax', 'ana');
  assert.doesNotMatch(records.body, /Counting households/);
  // A partner counts the households of its own dataset, never another's.
  const own = await get('/profile?dataset=pa_housing&count=household', 'pa');
  assert.equal(own.statusCode, 200);
  assert.match(own.body, /Counting households/);
  for (const dataset of ['council_tax', 'no_such']) {
    const theirs = await get(`/profile?dataset=${dataset}&count=household`, 'pa');
    assert.ok(theirs.statusCode === 403 || theirs.statusCode === 404, `${dataset}: ${theirs.statusCode}`);
    assert.doesNotMatch(theirs.body, /civic-profile-table|Counting households/);
  }
  const download = await get('/profile/download?dataset=council_tax&count=household&format=csv', 'pa');
  assert.equal(download.statusCode, 403);
  const wrong = await get('/profile?dataset=council_tax&count=people', 'ana');
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /Choose whether to count records or households/);
});
