/**
 * Contact and channels in the portal and the API (issue 14, points 2, 3 and 7; acceptance 3 and 5),
 * tried as an attacker would: another partner's contact log answers as a name nobody has; no
 * customer reference or other value of a record reaches anyone but the owner, in a page, an API
 * answer or a download; small counts stay hidden, even from the difference of two answers (repeat
 * within 7 days and within 8, two sets of reasons, the total less the channels shown).
 *
 * The council's log has 87 contacts, built so that every rule has something to catch (by hand):
 *   channels: phone 40, web 30, face to face 12, email 3, "carrier pigeon" 2 (not a channel of the vocabulary)
 *   reasons: Missed bin 40 (35 resolved), Council tax 30 (15), Progress chasing 14 (10), Wrong department 3 (1)
 *   repeats, same customer and reason: 12 pairs 1 day apart (Missed bin), 3 pairs 7½ days apart and
 *     10 pairs 20 days apart (Council tax): within 1–7 days 12, 8–19 days 15, 20 days or more 25;
 *     2 contacts have no customer reference (85 looked at)
 *   requests: every pair is one request, every single contact its own, but the 3 wrong-department
 *     contacts have no request reference: 59 requests, 25 with two contacts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset, publishCategories } from '../../src/intake/index.ts';
import { contactAnalysis, contactDetail, ContactsResultSchema, ShiftScenarioSchema } from '../../src/channels/index.ts';
import { buildApp, SESSION_COOKIE, auditLog } from '../../src/server/index.ts';
import { openApiDocument } from '../../src/server/openapi.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { signInUsers } from '../helpers/login.ts';

const tmp = tempDir('civic-channels-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const cookies: Record<string, string> = {};

interface Row {
  customer: string;
  request: string;
  at: string;
  reason: string;
  resolved: boolean;
}

/** The council's 87 contacts (see the header). */
function councilRows(): string[] {
  const rows: Row[] = [];
  let k = 0;
  const day = (d: number, h = 9) => new Date(Date.UTC(2025, 2, 1 + d, h)).toISOString().slice(0, 16).replace('T', ' ');
  const pair = (reason: string, gapHours: number) => {
    k++;
    const start = Date.UTC(2025, 0, 1 + k, 9);
    for (const t of [start, start + gapHours * 3600_000])
      rows.push({
        customer: `CUST${String(k).padStart(4, '0')}`,
        request: `REQ${k}`,
        at: new Date(t).toISOString().slice(0, 16).replace('T', ' '),
        reason,
        resolved: false,
      });
  };
  for (let i = 0; i < 12; i++) pair('Missed bin', 24);
  for (let i = 0; i < 3; i++) pair('Council tax', 180);
  for (let i = 0; i < 10; i++) pair('Council tax', 480);
  const single = (reason: string, n: number) => {
    for (let i = 0; i < n; i++) {
      k++;
      rows.push({
        customer: `CUST${String(k).padStart(4, '0')}`,
        request: reason === 'Wrong department' ? '' : `REQ${k}`,
        at: day(k % 28),
        reason,
        resolved: false,
      });
    }
  };
  single('Missed bin', 16);
  single('Council tax', 4);
  single('Progress chasing', 14);
  single('Wrong department', 3);
  // Two Missed bin singles without a customer reference.
  rows
    .filter((r) => r.reason === 'Missed bin' && r.request && !rows.some((o) => o !== r && o.customer === r.customer))
    .slice(0, 2)
    .forEach((r) => (r.customer = ''));
  const resolvedOf: Record<string, number> = {
    'Missed bin': 35,
    'Council tax': 15,
    'Progress chasing': 10,
    'Wrong department': 1,
  };
  for (const [reason, n] of Object.entries(resolvedOf))
    rows
      .filter((r) => r.reason === reason)
      .slice(0, n)
      .forEach((r) => (r.resolved = true));
  const channels = [
    ...Array(40).fill('Tel'),
    ...Array(30).fill('Web form'),
    ...Array(12).fill('F2F'),
    ...Array(3).fill('Email'),
    ...Array(2).fill('carrier pigeon'),
  ];
  assert.equal(rows.length, 87);
  return rows.map(
    (r, i) =>
      `${i + 1},${r.customer},Zebedee Quill ${i},${r.request},${r.at},${channels[(i * 37) % 87]},${r.reason},${r.resolved ? 'Y' : 'N'},M15 4AB`,
  );
}

const HEADER = 'contact_id,customer_ref,caller_name,request_ref,contact_datetime,channel,reason,resolved,postcode';

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  writeFileSync(join(tmp.dir, 'council.csv'), [HEADER, ...councilRows()].join('\n') + '\n');
  await importDataset(ws.engine, 'council_contacts', join(tmp.dir, 'council.csv'), { key: TEST_KEY });
  await publishCategories(ws.engine, 'council_contacts', 'reason');
  // Partner A's own log: 30 phone contacts and 20 web.
  const pa = [HEADER];
  for (let i = 0; i < 50; i++)
    pa.push(
      `${i},PA${i},Ann Other,R${i},2025-04-0${1 + (i % 9)} 10:00,${i < 30 ? 'phone' : 'web'},"${i < 20 ? 'Rent, arrears' : 'Repairs'}",Y,M15 4AD`,
    );
  writeFileSync(join(tmp.dir, 'pa.csv'), pa.join('\n') + '\n');
  await importDataset(ws.engine, 'pa_contacts', join(tmp.dir, 'pa.csv'), { key: TEST_KEY, partner: 'Partner A' });
  await publishCategories(ws.engine, 'pa_contacts', 'reason');
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  Object.assign(
    cookies,
    await signInUsers(app, ws.engine, PASSWORD, [
      ['ana', 'analyst'],
      ['pa', 'partner', 'Partner A'],
      ['pb', 'partner', 'Partner B'],
      ['agent', 'agent'],
    ]),
  );
});
after(async () => {
  await app.close();
  ws.close();
  tmp.cleanup();
});

const get = (url: string, user?: string) =>
  app.inject({ method: 'GET', url, cookies: user ? { [SESSION_COOKIE]: cookies[user] } : {} });
const api = async (qs: string, user: string) => {
  const r = await get(`/api/contacts?${qs}`, user);
  assert.equal(r.statusCode, 200, r.body);
  return ContactsResultSchema.parse(r.json());
};
/** A page without what changes from one request to the next (the CSP nonce). */
const stable = (html: string) => html.replace(/nonce="[^"]*"/g, 'nonce=""');

test('the truth: the analysis of the council’s log, worked by hand', async () => {
  const truth = await contactAnalysis(ws.engine, {
    dataset: 'council_contacts',
    repeatWithinDays: 8,
    avoidableReasons: ['Progress chasing', 'Wrong department'],
  });
  assert.equal(truth.contacts, 87);
  assert.deepEqual(
    truth.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 40],
      ['web', 30],
      ['face to face', 12],
      ['email', 3],
      ['carrier pigeon', 2],
    ],
  );
  assert.deepEqual(truth.repeat, { withinDays: 8, contacts: 15, pct: (100 * 15) / 85, notChecked: 2 });
  assert.equal(truth.ni14?.requests, 59);
  assert.equal(truth.ni14?.multiContact, 25);
  assert.equal(truth.avoidable?.contacts, 17);
  // The detail behind the disclosure counts every window as contactAnalysis does.
  const detail = await contactDetail(ws.engine, truth);
  assert.equal(detail.checked, 85);
  for (const d of [1, 7, 8, 19, 20, 366])
    assert.equal(
      detail.repeatWithin![d - 1],
      (await contactAnalysis(ws.engine, { dataset: 'council_contacts', repeatWithinDays: d })).repeat!.contacts,
      `within ${d} days`,
    );
  assert.deepEqual(detail.reasons?.map((r) => [r.reason, r.contacts, r.resolved]).sort(), [
    ['council tax', 30, 15],
    ['missed bin', 40, 35],
    ['progress chasing', 14, 10],
    ['wrong department', 3, 1],
  ]);
});

test('another partner’s log, and a dataset that is not a contact log, answer as a name nobody has', async () => {
  for (const user of ['pb', 'pa']) {
    const other = user === 'pb' ? 'pa_contacts' : 'nope';
    const a = await get(`/api/contacts?dataset=${other}`, user);
    const b = await get('/api/contacts?dataset=no_such_log', user);
    assert.equal(a.statusCode, 404);
    assert.equal(a.body, b.body);
    assert.doesNotMatch(a.body, /pa_contacts|Partner A|phone/);
    // With every parameter an attacker might add, still the same.
    const c = await get(`/api/contacts?dataset=${other}&repeatDays=8&avoidable=Rent&channelColumn=channel`, user);
    const d = await get('/api/contacts?dataset=no_such_log&repeatDays=8&avoidable=Rent&channelColumn=channel', user);
    assert.equal(c.statusCode, 404);
    assert.equal(c.body, d.body);
    const pageA = await get(`/channels?dataset=${other}&repeatDays=7`, user);
    const pageB = await get('/channels?dataset=no_such_log&repeatDays=7', user);
    assert.equal(pageA.statusCode, 404);
    assert.equal(stable(pageA.body), stable(pageB.body));
    const dlA = await get(`/channels/download?format=csv&dataset=${other}`, user);
    const dlB = await get('/channels/download?format=csv&dataset=no_such_log', user);
    assert.equal(dlA.statusCode, dlB.statusCode);
    assert.equal(stable(dlA.body), stable(dlB.body));
  }
  // Partner B is not offered Partner A's log; Partner A is, as its owner.
  assert.doesNotMatch((await get('/channels', 'pb')).body, /pa_contacts/);
  assert.match((await get('/channels', 'pa')).body, /value="pa_contacts"/);
  // The public and agents: the same answer for a log that exists and one that does not.
  for (const user of [undefined, 'agent']) {
    const a = await get('/api/contacts?dataset=pa_contacts', user);
    const b = await get('/api/contacts?dataset=no_such_log', user);
    assert.equal(a.statusCode, user ? 403 : 401);
    assert.equal(a.body, b.body);
    const pa = await get('/channels?dataset=pa_contacts', user);
    const pb = await get('/channels?dataset=no_such_log', user);
    assert.equal(pa.statusCode, pb.statusCode);
    assert.equal(stable(pa.body).replace(/pa_contacts/g, 'X'), stable(pb.body).replace(/no_such_log/g, 'X'));
  }
  // A non-contact dataset is not a contact log either (the owner may name its channel column).
  assert.equal((await get('/api/contacts?dataset=pa_contacts&channelColumn=reason', 'pa')).statusCode, 200);
});

test('the owner sees its own log exactly, under the small-cell rule', async () => {
  const own = await api('dataset=pa_contacts', 'pa');
  assert.deepEqual(
    own.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 30],
      ['web', 20],
    ],
  );
  // Reasons may hold commas: lists are one a line on the page, separated by | in the API.
  assert.equal(
    (await api(`dataset=pa_contacts&avoidable=${encodeURIComponent('Rent, arrears|Nothing')}`, 'pa')).avoidable
      ?.contacts,
    20,
  );
  const page = await get('/channels?dataset=pa_contacts&avoidable=Rent%2C+arrears%0D%0ARepairs', 'pa');
  assert.match(page.body, /Rent, arrears, Repairs/);
  assert.match(
    page.body,
    /Contacts for these reasons\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*50 \(100% of all contacts\)/,
  );
  const staff = await api('dataset=council_contacts&repeatDays=8', 'ana');
  // Staff own the council's log: a small count is still hidden, but values are theirs to see.
  assert.equal(staff.repeat?.contacts, 15);
  assert.deepEqual(
    staff.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 40],
      ['web', 30],
      ['face to face', null],
      ['email', null],
      ['carrier pigeon', null],
    ],
  );
});

test('no customer reference or record value reaches a partner, in a page, an answer or a download', async () => {
  const asks = [
    'dataset=council_contacts',
    'dataset=council_contacts&repeatDays=8',
    'dataset=council_contacts&repeatDays=20&avoidable=Missed%20bin&tiers=Missed%20bin%3D1%7CCouncil%20tax%3D2',
  ];
  const forbidden = /CUST\d|Zebedee|Quill|carrier pigeon|REQ\d|2025-0\d-\d\d|M15 4AB/i;
  for (const qs of asks) {
    for (const body of [
      (await get(`/api/contacts?${qs}`, 'pa')).body,
      (await get(`/channels?${qs}`, 'pa')).body,
      (await get(`/channels/download?format=csv&${qs}`, 'pa')).body,
      (await get(`/channels/download?format=json&${qs}`, 'pa')).body,
    ]) {
      assert.doesNotMatch(body, forbidden);
      assert.ok(body.length > 200);
    }
  }
  // A partner may not choose the columns (channel = the caller's name would list names) ...
  const cols = await get('/api/contacts?dataset=council_contacts&channelColumn=caller_name', 'pa');
  assert.equal(cols.statusCode, 403);
  assert.doesNotMatch(cols.body, /Zebedee/);
  // ... nor name a reason the owner has not published: what it is told depends on nothing in the records.
  const probe = await get('/api/contacts?dataset=council_contacts&avoidable=Zebedee', 'pa');
  assert.equal(probe.statusCode, 403);
  assert.match(probe.body, /not a reason the owner has published/);
  const probe2 = await get('/api/contacts?dataset=council_contacts&avoidable=Nothing%20like%20it', 'pa');
  assert.equal(probe2.body.replace('Nothing like it', 'X'), probe.body.replace('Zebedee', 'X'));
  // The rare value written in the channel column is pooled, not named.
  const shown = await api('dataset=council_contacts', 'pa');
  assert.deepEqual(
    shown.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 40],
      ['web', 30],
      ['face to face', null],
      ['email', null],
      ['other channels', null],
    ],
  );
});

test('small counts stay hidden from the difference of two answers', async () => {
  const m = 10;
  const fine = (a: number, b: number) => a === b || Math.abs(a - b) >= m;
  // Repeat within every window a partner could ask for: any two shown differ by 0 or at least 10.
  const windows: [number, number][] = [];
  for (let d = 1; d <= 30; d++) {
    const r = await api(`dataset=council_contacts&repeatDays=${d}`, 'pa');
    if (r.repeat?.contacts !== null && r.repeat?.contacts !== undefined) windows.push([d, r.repeat.contacts]);
    // 2 contacts were not looked at: hidden, and the share that would give them back with it.
    assert.equal(r.repeat?.notChecked, null);
    assert.equal(r.repeat?.pct, null);
  }
  assert.deepEqual(
    windows.find(([d]) => d === 7),
    [7, 12],
  );
  assert.equal(
    windows.find(([d]) => d === 8),
    undefined,
    '7 and 8 days differ by 3 contacts',
  );
  for (const [, a] of windows) for (const [, b] of windows) assert.ok(fine(a, b), `${a} and ${b}`);
  assert.ok(windows.some(([, n]) => n === 25));

  // The total less the channels shown is not small.
  const r = await api('dataset=council_contacts', 'pa');
  const shownSum = r.channels.reduce((a, c) => a + (c.contacts ?? 0), 0);
  assert.ok(fine(r.contacts, shownSum), `${r.contacts} − ${shownSum}`);
  // Contacts without a request reference (3) are not to be had from contacts per request × requests.
  assert.equal(r.ni14?.contactsPerRequest, null);

  // Avoidable contact over every set of published reasons: no two answers, nor the total and an
  // answer, differ by a small number.
  const reasons = ['Missed bin', 'Council tax', 'Progress chasing', 'Wrong department'];
  const sums: number[] = [0, r.contacts];
  for (let mask = 1; mask < 16; mask++) {
    const set = reasons.filter((_, i) => mask & (1 << i));
    const a = await api(`dataset=council_contacts&avoidable=${encodeURIComponent(set.join('|'))}`, 'pa');
    if (a.avoidable?.contacts !== null && a.avoidable?.contacts !== undefined) sums.push(a.avoidable.contacts);
  }
  assert.deepEqual(
    [...new Set(sums)].sort((a, b) => a - b),
    [0, 30, 40, 70, 87],
  );
  for (const a of sums) for (const b of sums) assert.ok(fine(a, b), `${a} and ${b}`);
  // Also the total less two answers for sets apart: 87 − 40 − 30 = 17.
  assert.ok(fine(r.contacts, 40 + 30));

  // Tiers count requests (the log has request references), each by its first contact's reason:
  // Missed bin 28 (its 12 pairs and 16 singles; 11 singles resolved at first contact), Council tax
  // 17 (none), Progress chasing 14 (10); Wrong department's 3 contacts have no reference, so are
  // in no request, and are hidden as contacts without a reference (3).
  const t = await api(`dataset=council_contacts&tiers=${encodeURIComponent('Missed bin=1|Council tax=2')}`, 'pa');
  assert.equal(t.tiers?.basis, 'request');
  assert.deepEqual(
    t.tiers?.rows.map((x) => [x.tier, x.count, x.resolved]),
    [
      ['1', 28, 11],
      ['2', 17, 0],
    ],
  );
  assert.equal(t.tiers?.untiered, 14);
  assert.equal(t.tiers?.withoutRequest, null);
  // Progress chasing's 10 of 14 resolved leaves 4 unresolved: its tier's resolution is hidden.
  const t2 = await api(`dataset=council_contacts&tiers=${encodeURIComponent('Missed bin=1|Progress chasing=2')}`, 'pa');
  assert.deepEqual(
    t2.tiers?.rows.map((x) => [x.tier, x.count, x.resolved]),
    [
      ['1', 28, 11],
      ['2', 14, null],
    ],
  );
  assert.equal(t2.tiers?.untiered, 17);
  // Wrong department as a tier has 0 requests, and as avoidable contact 3 contacts: a tier holding
  // it is hidden, with those without a tier.
  const t3 = await api(`dataset=council_contacts&tiers=${encodeURIComponent('Missed bin=1|Wrong department=2')}`, 'pa');
  assert.equal(t3.tiers?.rows.find((x) => x.tier === '2')?.count, null);
  assert.equal(t3.tiers?.untiered, null);
  assert.equal(t3.tiers?.rows.find((x) => x.tier === '1')?.count, 28);
  // The owner's own view of the same question keeps what the owner may see.
  const own = await api(
    `dataset=council_contacts&tiers=${encodeURIComponent('Missed bin=1|Wrong department=2')}`,
    'ana',
  );
  assert.deepEqual(
    own.tiers?.rows.map((x) => [x.tier, x.count, x.resolved]),
    [
      ['1', 28, 11],
      ['2', 0, 0],
    ],
  );
  assert.equal(own.tiers?.untiered, 31);
});

test('the page shows the measures with a chart drawn on the server, and every request is audited', async () => {
  const page = await get(
    '/channels?dataset=council_contacts&repeatDays=7&avoidable=Council+tax&tiers=Missed+bin+%3D+1%0D%0ACouncil+tax+%3D+2',
    'pa',
  );
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /<svg[^>]*role="img"/);
  assert.match(page.body, /<rect [^>]*width="[\d.]+"/);
  assert.match(page.body, /id="channel-table"/);
  assert.match(page.body, /Repeats within 7 days/);
  assert.match(page.body, /Tier 2/);
  // The tiers count requests here, and say so.
  assert.match(page.body, /header--numeric">Requests<\/th>/);
  assert.match(
    page.body,
    /id="tier-without-request">Contacts without a request reference are not counted as requests: hidden/,
  );
  assert.match(page.body, /href="\/channels\/download\?format=csv&amp;dataset=council_contacts/);
  const bad = await get('/channels?dataset=council_contacts&repeatDays=400', 'pa');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /There is a problem/);
  assert.match(bad.body, /href="#repeatDays"/);
  const badTier = await get('/channels?dataset=council_contacts&tiers=Missed+bin', 'ana');
  assert.equal(badTier.statusCode, 400);
  assert.match(badTier.body, /href="#tiers"/);
  const csv = await get('/channels/download?format=csv&dataset=council_contacts&repeatDays=7', 'pa');
  assert.match(csv.headers['content-disposition'] as string, /attachment; filename="contacts-council_contacts/);
  assert.match(csv.body, /^measure,of,contacts,pct,note/);
  assert.match(csv.body, /repeat contact,within 7 days,12,/);
  const log = (await auditLog(ws.engine, 200)).filter((e) => e.action === 'contacts' || e.action === 'api contacts');
  assert.ok(log.some((e) => e.username === 'pa' && /council_contacts: repeat within 7 days/.test(e.detail ?? '')));
  // In the navigation for staff and partners; the public reach the calculator.
  assert.match((await get('/', 'pa')).body, /href="\/channels"/);
  assert.match((await get('/segments')).body, /href="\/channels\/shift"/);
});

test('channel shift: the API and the page agree with the sums worked by hand', async () => {
  // Bristol: 1.25 million contacts at phone 60%, face to face 25%, self-serve 15% is £5,736,875.00;
  // moving 20% of phone (150,000) to self-serve saves 150,000 × (£4.62 − £0.40) = £633,000.00.
  const r = await get(
    `/api/channel-shift?unitCosts=bristol&total=1250000&shares=${encodeURIComponent('phone=60,face to face=25,self-serve=15')}&from=phone&to=self-serve&movePct=20&service=All`,
  );
  assert.equal(r.statusCode, 200, r.body);
  const s = ShiftScenarioSchema.parse(r.json());
  assert.equal(s.today.total, 5_736_875);
  assert.equal(s.moved, 150_000);
  assert.equal(s.savingPerYear, 633_000);
  assert.equal(s.after.total, 5_736_875 - 633_000);
  assert.ok(s.sources.every((x) => /Bristol City Council/.test(x.source ?? '')));
  // Bristol housing benefit: 1,900 a month (22,800 a year) from phone to web, all of them: £45,600.
  const hb = ShiftScenarioSchema.parse(
    (
      await get(
        '/api/channel-shift?unitCosts=bristol-housing-benefit&volumes=phone%3D22800&from=phone&to=web&movePct=100',
      )
    ).json(),
  );
  assert.equal(hb.savingPerYear, 45_600);
  // Only published sets: never a file named by the asker.
  const file = await get(
    '/api/channel-shift?unitCosts=%2Fetc%2Fpasswd.csv&volumes=phone%3D1&from=phone&to=web&movePct=1',
  );
  assert.equal(file.statusCode, 400);
  assert.doesNotMatch(file.body, /root:/);
  const pageFile = await get('/channels/shift?set=%2Fetc%2Fpasswd.csv');
  assert.equal(pageFile.statusCode, 400);
  assert.doesNotMatch(pageFile.body, /root:/);
  // Every published set, with its sources.
  const sets = (await get('/api/unit-costs')).json() as { name: string; costs: { source: string | null }[] }[];
  assert.deepEqual(
    sets.map((x) => x.name),
    ['maidstone', 'bristol', 'bristol-housing-benefit', 'bolton', 'barking-dagenham', 'socitm-2012'],
  );
  assert.ok(sets.every((x) => x.costs.every((c) => c.source)));
  // The page, as a plain GET form (what a browser without JavaScript sends).
  const page = await get(
    '/channels/shift?set=bristol&as=shares&total=1250000&n%3Aphone=60&n%3Aface+to+face=25&n%3Aself-serve=15&movePct=20&from=phone&to=self-serve&service=Housing',
  );
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /id="cost-today">£5,736,875\.00/);
  assert.match(page.body, /id="saving">£633,000\.00/);
  assert.match(page.body, /Bristol City Council, Improving Customer Services/);
  const bad = await get('/channels/shift?set=bristol&n%3Aphone=100&movePct=20&from=phone&to=phone');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /href="#from"/);
  assert.match(bad.body, /from phone to itself/);
});

test('the endpoints are documented in the OpenAPI document', async () => {
  const doc = openApiDocument(app.routeTable) as { paths: Record<string, Record<string, { tags: string[] }>> };
  for (const p of ['/api/contacts', '/api/channel-shift', '/api/unit-costs'])
    assert.deepEqual(doc.paths[p]?.get?.tags, ['Channels'], p);
});
