/**
 * The channel analyses in the portal and the API (issue 14, points 2–4 and 7; acceptance 3 and 5):
 * the channel mix, volumes and handling time, the communications framework, the channel shift by
 * segment and the access sheets, tried as an attacker would. Another partner's log answers as a
 * name nobody has on every page, endpoint and download; no record value (a customer reference, a
 * caller's name, a channel someone typed) reaches anyone but the owner; and no small count comes
 * out of one answer, nor of the difference of two (every channel's volumes against all channels',
 * the plan moving to web against to email, protecting one segment).
 *
 * The council's log: 160 contacts in two segments of the small classification (A at M15 4AB,
 * B at SW1A 2AA), by hand:
 *
 *   segment  reason         phone        web   face to face   email        carrier pigeon
 *   A        Benefit claim  30 × 12 min  20    12 × 20 min
 *   A        Missed bin     25 × 5 min   15*                  3 × 7 min
 *   B        Benefit claim   4 × 15 min  14    20 × 25 min
 *   B        Missed bin      4 × 6 min   11                                2 × 9 min
 *   (* two of A's 15 missed-bin web contacts have a handling time, 4 minutes each)
 *
 * By reason, all channels: Benefit claim 100, Missed bin 60; the missed-bin contacts by phone,
 * web and face to face are 29, 26 and 0, so all channels less those three is 5 (email 3 and the
 * pigeon 2): the difference the two-way rule must hide. The reasons are published; the services
 * (a copy of the reasons in other words) are not.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset, publishCategories } from '../../src/intake/index.ts';
import { importBoundaries } from '../../src/reference/index.ts';
import {
  channelMix,
  ChannelMixResultSchema,
  ContactVolumesResultSchema,
  FrameworkResultSchema,
  ShiftModelResultSchema,
  type ChannelMixResult,
  type ContactVolumesResult,
  type ShiftModelResult,
} from '../../src/channels/index.ts';
import { OTHER_VALUES, discloseVolumes } from '../../src/outputs/index.ts';
import { buildApp, SESSION_COOKIE, auditLog } from '../../src/server/index.ts';
import { openApiDocument } from '../../src/server/openapi.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { signInUsers } from '../helpers/login.ts';

const tmp = tempDir('civic-channel-analyses-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const cookies: Record<string, string> = {};
const LOG = 'council_contacts';

/** The log with contacts not placed: channel, segment A, segment B, postcode not found. */
const UNPLACED_LOG = 'council_unplaced';
const UNPLACED: [string, number, number, number][] = [
  ['phone', 30, 20, 3],
  ['web', 25, 15, 25],
  ['face to face', 12, 14, 0],
  ['email', 11, 12, 4],
];

const HEADER =
  'contact_id,customer_ref,caller_name,request_ref,contact_datetime,channel,service,reason,handling_minutes,resolved,postcode';

/** The council's 160 contacts (see the header). */
function councilRows(): string[] {
  const rows: string[] = [];
  const add = (postcode: string, reason: string, channel: string, n: number, minutes: number | null, timed = n) => {
    for (let i = 0; i < n; i++) {
      const k = rows.length + 1;
      const day = new Date(Date.UTC(2025, 0, 1) + ((k * 7) % 365) * 86_400_000).toISOString().slice(0, 10);
      const service = reason === 'Benefit claim' ? 'Revenues and benefits' : 'Street scene';
      rows.push(
        `${k},CUST${String(k).padStart(4, '0')},Zebedee Quill ${k},REQ${k},${day} 10:00,${channel},${service},${reason},${minutes !== null && i < timed ? minutes : ''},Y,${postcode}`,
      );
    }
  };
  add('M15 4AB', 'Benefit claim', 'Tel', 30, 12);
  add('M15 4AB', 'Benefit claim', 'Web form', 20, null);
  add('M15 4AB', 'Benefit claim', 'F2F', 12, 20);
  add('M15 4AB', 'Missed bin', 'Tel', 25, 5);
  add('M15 4AB', 'Missed bin', 'Web form', 15, 4, 2);
  add('M15 4AB', 'Missed bin', 'Email', 3, 7);
  add('SW1A 2AA', 'Benefit claim', 'Tel', 4, 15);
  add('SW1A 2AA', 'Benefit claim', 'Web form', 14, null);
  add('SW1A 2AA', 'Benefit claim', 'F2F', 20, 25);
  add('SW1A 2AA', 'Missed bin', 'Tel', 4, 6);
  add('SW1A 2AA', 'Missed bin', 'Web form', 11, null);
  add('SW1A 2AA', 'Missed bin', 'carrier pigeon', 2, 9);
  assert.equal(rows.length, 160);
  return rows;
}

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  writeFileSync(join(tmp.dir, 'council.csv'), [HEADER, ...councilRows()].join('\n') + '\n');
  await importDataset(ws.engine, LOG, join(tmp.dir, 'council.csv'), { key: TEST_KEY });
  await publishCategories(ws.engine, LOG, 'reason');
  // A second log of the council's with contacts whose postcode is not found (see the test of it).
  const unplaced = [HEADER];
  for (const [channel, a, b, none] of UNPLACED)
    for (const [postcode, n] of [
      ['M15 4AB', a],
      ['SW1A 2AA', b],
      ['ZZ99 9ZZ', none],
    ] as const)
      for (let i = 0; i < n; i++)
        unplaced.push(
          `${unplaced.length},U${unplaced.length},,Q${unplaced.length},2025-02-03 09:00,${channel},Housing,Rent,5,Y,${postcode}`,
        );
  writeFileSync(join(tmp.dir, 'unplaced.csv'), unplaced.join('\n') + '\n');
  await importDataset(ws.engine, UNPLACED_LOG, join(tmp.dir, 'unplaced.csv'), { key: TEST_KEY });
  // Partner A's own log: 30 phone contacts and 20 web.
  const pa = [HEADER];
  for (let i = 0; i < 50; i++)
    pa.push(
      `${i},PA${i},Ann Other,R${i},2025-04-0${1 + (i % 9)} 10:00,${i < 30 ? 'phone' : 'web'},Housing,${i < 20 ? 'Rent' : 'Repairs'},${i < 30 ? 8 : ''},Y,M15 4AD`,
    );
  writeFileSync(join(tmp.dir, 'pa.csv'), pa.join('\n') + '\n');
  await importDataset(ws.engine, 'pa_contacts', join(tmp.dir, 'pa.csv'), { key: TEST_KEY, partner: 'Partner A' });
  // Ward boundaries, so the mix by ward is drawn as a map: three squares, the third with no contacts.
  const square = (code: string, name: string, x: number) => ({
    type: 'Feature',
    properties: { code, name },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [x, 51],
          [x + 1, 51],
          [x + 1, 52],
          [x, 52],
          [x, 51],
        ],
      ],
    },
  });
  writeFileSync(
    join(tmp.dir, 'wards.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        square('E05000001', 'Hulme', -3),
        square('E05000002', 'St James’s', -1),
        square('E05000003', 'Nowhere Ward', 1),
      ],
    }),
  );
  await importBoundaries(ws.engine, join(tmp.dir, 'wards.geojson'), 'ward');
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
const json = async <T>(url: string, user: string, schema: { parse(x: unknown): T }): Promise<T> => {
  const r = await get(url, user);
  assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 400)}`);
  return schema.parse(r.json());
};
const mix = (qs: string, user: string) => json(`/api/contacts/mix?${qs}`, user, ChannelMixResultSchema);
const volumes = (qs: string, user: string) => json(`/api/contacts/volumes?${qs}`, user, ContactVolumesResultSchema);
const plan = (qs: string, user: string) => json(`/api/channel-shift/plan?${qs}`, user, ShiftModelResultSchema);
/** assert.ok with a message always: without one, a failure makes node read the transpiled source for it. */
const ok = (v: unknown, message = 'expected a true value') => assert.ok(v, message);
const stable = (html: string) => html.replace(/nonce="[^"]*"/g, 'nonce=""');
/** Nothing written into a record: references, names, a channel someone typed. */
const NO_RECORD_VALUE = /CUST\d|Zebedee|carrier pigeon|REQ\d/;

const PLAN = `dataset=${LOG}&unitCosts=socitm-2012&from=phone&to=web&share=50`;
/** Every new URL of a log: pages, downloads and the API. */
const urls = (ds: string) => [
  `/api/contacts/mix?dataset=${ds}`,
  `/api/contacts/mix?dataset=${ds}&by=ward`,
  `/api/contacts/volumes?dataset=${ds}&by=reason&channel=phone`,
  `/api/contacts/framework?dataset=${ds}`,
  `/api/channel-shift/plan?${PLAN.replace(LOG, ds)}`,
  `/channels/mix?dataset=${ds}&by=segment`,
  `/channels/mix/download?format=csv&dataset=${ds}`,
  `/channels/mix/map.geojson?dataset=${ds}&channel=phone`,
  `/channels/volumes?dataset=${ds}&by=service`,
  `/channels/volumes/download?format=xlsx&dataset=${ds}&by=service`,
  `/channels/framework?dataset=${ds}`,
  `/channels/framework/download?format=csv&dataset=${ds}`,
  `/channels/plan?${PLAN.replace(LOG, ds)}`,
  `/channels/plan/download?format=xlsx&${PLAN.replace(LOG, ds)}`,
  `/channels/sheets?dataset=${ds}`,
  `/channels/sheets/print?format=html&dataset=${ds}`,
];

test('the owner sees the truth under the small-cell rule: the mix by segment and by ward, worked by hand', async () => {
  const r = await mix(`dataset=${LOG}`, 'ana');
  assert.equal(r.disclosure?.perturbed, false);
  assert.equal(r.total.contacts, 160);
  const cell = (code: string, channel: string) => r.cells.find((c) => c.code === code && c.channel === channel)!;
  assert.equal(cell('A', 'web').contacts, 35);
  // B's 8 phone contacts are hidden, and so A's 55, or the phone total less A's would give them back.
  assert.equal(cell('A', 'phone').contacts, null);
  assert.equal(cell('B', 'web').contacts, 25);
  // Share of B's 55 contacts by the web, against the borough's 60 of 160.
  ok(Math.abs(cell('B', 'web').pct! - (100 * 25) / 55) < 1e-9);
  ok(Math.abs(cell('B', 'web').index! - (25 / 55 / (60 / 160)) * 100) < 1e-9);
  assert.equal(cell('B', 'web').band, 'High');
  // Hidden: A's 3 emails and B's 8 calls and 2 pigeons; with them, so that no row or column gives
  // one back, A's 12 face to face (row A), so B's 20 (that column), and A's 55 calls (the phone column).
  for (const [code, channel] of [
    ['A', 'email'],
    ['B', 'phone'],
    ['B', 'carrier pigeon'],
    ['A', 'face to face'],
    ['B', 'face to face'],
    ['A', 'phone'],
  ])
    assert.equal(cell(code, channel).contacts, null, `${code} ${channel}`);
  assert.equal(r.channels.find((c) => c.channel === 'phone')!.contacts, 63);
  // By ward: the same contacts, in the two wards.
  const w = await mix(`dataset=${LOG}&by=ward`, 'ana');
  assert.equal(w.kind, 'area');
  assert.deepEqual(
    w.groups.map((g) => [g.code, g.contacts]),
    [
      ['E05000001', 105],
      ['E05000002', 55],
    ],
  );
});

test('another partner’s log answers as a name nobody has, on every page, endpoint and download', async () => {
  const a = urls('pa_contacts');
  const b = urls('no_such_log');
  for (let i = 0; i < a.length; i++) {
    const x = await get(a[i], 'pb');
    const y = await get(b[i], 'pb');
    assert.equal(x.statusCode, 404, `${a[i]}: ${x.body.slice(0, 200)}`);
    assert.equal(x.statusCode, y.statusCode, a[i]);
    assert.equal(stable(x.body).replace(/pa_contacts/g, 'X'), stable(y.body).replace(/no_such_log/g, 'X'), a[i]);
    assert.match(x.body, /no contact log of that name that you can see/);
  }
  // Its owner gets it.
  for (const u of urls('pa_contacts')) assert.equal((await get(u, 'pa')).statusCode, 200, u);
});

test('agents and the public are refused every page, endpoint and download, whether the log exists or not', async () => {
  for (const user of [undefined, 'agent']) {
    const a = urls(LOG);
    const b = urls('no_such_log');
    for (let i = 0; i < a.length; i++) {
      const x = await get(a[i], user);
      const y = await get(b[i], user);
      ok([401, 403, 302, 303].includes(x.statusCode), `${user} ${a[i]}: ${x.statusCode}`);
      assert.notEqual(x.statusCode, 200);
      assert.equal(x.statusCode, y.statusCode);
      assert.equal(stable(x.body).replace(new RegExp(LOG, 'g'), 'X'), stable(y.body).replace(/no_such_log/g, 'X'));
    }
  }
});

test('no record value reaches a partner: not in a page, an answer or a download', async () => {
  for (const u of urls(LOG)) {
    const r = await get(u, 'pa');
    assert.equal(r.statusCode, 200, `${u}: ${r.body.slice(0, 300)}`);
    const body = u.includes('xlsx') ? r.rawPayload.toString('latin1') : r.body;
    assert.doesNotMatch(body, NO_RECORD_VALUE, u);
  }
  for (const u of [
    `/channels/volumes?dataset=${LOG}&by=reason`,
    `/channels/volumes/download?format=csv&dataset=${LOG}&by=reason&channel=web`,
    `/channels/mix/download?format=json&dataset=${LOG}&by=ward`,
    `/channels/plan/download?format=json&${PLAN}`,
  ])
    assert.doesNotMatch((await get(u, 'pa')).body, NO_RECORD_VALUE, u);
  // The contact log page says channels were pooled only when they were.
  assert.match((await get(`/channels?dataset=${LOG}`, 'pa')).body, /Other channels: values outside/);
  assert.doesNotMatch((await get('/channels?dataset=pa_contacts', 'pa')).body, /Other channels: values outside/);
  // Staff own the council's log: they see the channel as it was written.
  assert.match((await get(`/channels/mix?dataset=${LOG}`, 'ana')).body, /carrier pigeon/);
});

test('the mix for a partner: perturbed, the odd channel pooled, no hidden cell worked back from a total', async () => {
  const r = await mix(`dataset=${LOG}`, 'pa');
  assert.equal(r.disclosure?.perturbed, true);
  assert.equal(r.notPlaced, null);
  assert.deepEqual(
    r.channels.map((c) => c.channel),
    ['phone', 'web', 'face to face', 'email', 'other channels'],
  );
  ok(!JSON.stringify(r).includes('cellKey":0') || r.cells.every((c) => c.cellKey === null));
  for (const c of r.cells) if (c.contacts !== null) ok(c.contacts >= 10, `${c.code} ${c.channel} ${c.contacts}`);
  // Against the truth: in every row and column whose total is shown, the hidden cells add up to 10 or more.
  const truth: ChannelMixResult = await channelMix(ws.engine, { dataset: LOG });
  const t = (code: string, channel: string) =>
    channel === 'other channels'
      ? truth.cells
          .filter((c) => c.code === code && !['phone', 'web', 'face to face', 'email'].includes(c.channel))
          .reduce((s, c) => s + c.contacts!, 0)
      : truth.cells.find((c) => c.code === code && c.channel === channel)!.contacts!;
  for (const g of r.groups) {
    if (g.contacts === null) continue;
    const hidden = r.cells.filter((c) => c.code === g.code && c.contacts === null);
    const sum = hidden.reduce((s, c) => s + t(c.code, c.channel), 0);
    ok(hidden.length === 0 || sum >= 10, `row ${g.code}: hidden ${sum}`);
  }
  for (const ch of r.channels) {
    if (ch.contacts === null) continue;
    const hidden = r.cells.filter((c) => c.channel === ch.channel && c.contacts === null);
    const sum = hidden.reduce((s, c) => s + t(c.code, c.channel), 0);
    ok(hidden.length === 0 || sum >= 10, `column ${ch.channel}: hidden ${sum}`);
  }
  // The page: a table and an SVG chart with a title and a description.
  const page = await get(`/channels/mix?dataset=${LOG}&by=segment`, 'pa');
  assert.match(page.body, /<svg[^>]*role="img"[^>]*aria-labelledby="mix-chart-title mix-chart-desc"/);
  assert.match(page.body, /<desc id="mix-chart-desc">[^<]*A/);
  assert.match(page.body, /id="mix-table"/);
  // The heading, a row for each segment and channel under its segment, and the borough's.
  const tbody = page.body.slice(page.body.indexOf('id="mix-table"')).split('</tbody>')[0];
  assert.equal(
    tbody.split('<tr class="govuk-table__row').length - 1,
    r.cells.length + 2,
    'the heading, the cells, the borough',
  );
  assert.equal(tbody.split('scope="rowgroup"').length - 1, r.groups.length);
  assert.match(page.body, /cell key|noise/);
});

test('volumes: all channels less every channel’s answer never gives a small count or a record’s minutes', async () => {
  const channels = [
    'phone',
    'web',
    'face to face',
    'email',
    'sms',
    'post',
    'kiosk',
    'self-serve',
    'social media',
    'app',
  ];
  const all = await volumes(`dataset=${LOG}&by=reason`, 'pa');
  const per: ContactVolumesResult[] = [];
  for (const c of channels) per.push(await volumes(`dataset=${LOG}&by=reason&channel=${encodeURIComponent(c)}`, 'pa'));
  // What the attacker gets by subtracting: each reason's contacts (and minutes' timed contacts) by
  // the channels not shown; it must be nothing, or 10 or more.
  const truthTimed: Record<string, Record<string, number>> = {
    'Missed bin': { phone: 29, web: 2, email: 3, other: 2 },
    'Benefit claim': { phone: 34, 'face to face': 32 },
  };
  for (const row of all.rows) {
    if (row.contacts === null) continue;
    const shown = per.map((p) => p.rows.find((x) => x.value === row.value)?.contacts ?? 0);
    const rest = row.contacts - shown.reduce((s, n) => s + (n ?? 0), 0);
    ok(rest === 0 || rest >= 10, `${row.value}: all channels less those shown is ${rest}`);
    if (row.minutes !== null) {
      const shownTimed = per.map((p, i) =>
        p.rows.find((x) => x.value === row.value)?.minutes !== null && p.rows.some((x) => x.value === row.value)
          ? (truthTimed[row.value]?.[channels[i]] ?? 0)
          : 0,
      );
      const timedRest =
        Object.values(truthTimed[row.value] ?? {}).reduce((s, n) => s + n, 0) - shownTimed.reduce((s, n) => s + n, 0);
      ok(timedRest === 0 || timedRest >= 10, `${row.value}: minutes of ${timedRest} timed contacts by subtraction`);
    }
  }
  // The attack the header names: missed bins, all channels less phone, web and face to face.
  const mb = (r: ContactVolumesResult) => r.rows.find((x) => x.value === 'Missed bin')?.contacts ?? 0;
  const [phone, web, f2f] = per;
  ok(
    mb(all) === null ||
      mb(phone) === null ||
      mb(web) === null ||
      mb(f2f) === null ||
      mb(all) - mb(phone) - mb(web) - mb(f2f) !== 5,
  );
  // Columns: a channel's total less its reasons shown.
  for (const p of per) {
    if (p.contacts === null) continue;
    const rest = p.contacts - p.rows.reduce((s, x) => s + (x.contacts ?? 0), 0);
    ok(rest === 0 || rest >= 10, `${p.channel}: total less the reasons shown is ${rest}`);
  }
  // Services are not published: they are one row, named as such.
  const byService = await volumes(`dataset=${LOG}&by=service`, 'pa');
  assert.deepEqual(
    byService.rows.map((x) => x.value),
    [OTHER_VALUES],
  );
  assert.equal(byService.rows[0].contacts, 160);
  // A channel someone typed cannot be asked for: refused in words that depend on the vocabulary only.
  const typed = await get(`/api/contacts/volumes?dataset=${LOG}&channel=carrier%20pigeon`, 'pa');
  const never = await get(`/api/contacts/volumes?dataset=${LOG}&channel=hovercraft`, 'pa');
  assert.equal(typed.statusCode, 400);
  assert.equal(typed.body.replace('carrier pigeon', 'X'), never.body.replace('hovercraft', 'X'));
});

test('the downloads are exactly what the page and the API show', async () => {
  for (const user of ['pa', 'ana']) {
    const api = await volumes(`dataset=${LOG}&by=reason&channel=phone`, user);
    const csv = (await get(`/channels/volumes/download?format=csv&dataset=${LOG}&by=reason&channel=phone`, user)).body;
    const lines = csv.trim().split(/\r?\n/).slice(1);
    assert.deepEqual(
      lines.map((l) => l.split(',').slice(0, 2)),
      api.rows.map((x) => [x.value, x.contacts === null ? '' : String(x.contacts)]),
    );
    const page = (await get(`/channels/volumes?dataset=${LOG}&by=reason&channel=phone`, user)).body;
    for (const x of api.rows)
      assert.match(page, new RegExp(`${x.value}</th>\\s*<td[^>]*>${x.contacts === null ? 'hidden' : x.contacts}`));
    const mixApi = await mix(`dataset=${LOG}&by=ward`, user);
    const mixJson = JSON.parse((await get(`/channels/mix/download?format=json&dataset=${LOG}&by=ward`, user)).body);
    assert.deepEqual(mixJson, mixApi);
  }
});

test('volumes for the owner: worked by hand; minutes hidden where under 10 contacts have a handling time', async () => {
  const r = await volumes(`dataset=${LOG}&by=reason`, 'ana');
  const bc = r.rows.find((x) => x.value === 'Benefit claim')!;
  assert.equal(bc.contacts, 100);
  assert.equal(bc.minutes, 30 * 12 + 12 * 20 + 4 * 15 + 20 * 25);
  assert.equal(bc.timed, 66);
  ok(Math.abs(bc.meanMinutes! - (30 * 12 + 12 * 20 + 4 * 15 + 20 * 25) / 66) < 1e-9);
  const web = await volumes(`dataset=${LOG}&by=reason&channel=web`, 'ana');
  const mbWeb = web.rows.find((x) => x.value === 'Missed bin')!;
  assert.equal(mbWeb.contacts, 26);
  // Two timed contacts of 4 minutes: their minutes would be the records' own values.
  assert.equal(mbWeb.minutes, null);
  assert.equal(mbWeb.meanMinutes, null);
  // The boundary itself, on a hand-made result.
  const shown = discloseVolumes(
    {
      ...web,
      minCell: 0,
      rows: [
        { value: 'x', contacts: 40, pct: 80, minutes: 400, minutesPct: 99, meanMinutes: 10, timed: 40 },
        { value: 'y', contacts: 10, pct: 20, minutes: 3, minutesPct: 1, meanMinutes: 3, timed: 1 },
      ],
      contacts: 50,
      minutes: 403,
    },
    10,
  );
  assert.equal(shown.rows[1].minutes, null);
  assert.equal(shown.rows[0].minutes, null, 'the next smallest goes too, or 403 − 400 gives the record back');
  assert.equal(shown.minutes, 403);
  // The page, and the CSV and XLSX of exactly what it shows.
  const page = await get(`/channels/volumes?dataset=${LOG}&by=reason&channel=web`, 'ana');
  assert.match(page.body, /id="volumes-table"/);
  const csv = await get(`/channels/volumes/download?format=csv&dataset=${LOG}&by=reason&channel=web`, 'ana');
  assert.match(String(csv.headers['content-disposition']), /attachment/);
  assert.match(csv.body, /^reason,contacts,pct,minutes/);
  assert.match(csv.body, /Missed bin,26,/);
  const xlsx = await get(`/channels/volumes/download?format=xlsx&dataset=${LOG}&by=reason`, 'ana');
  assert.equal(xlsx.statusCode, 200);
  assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
});

test('volumes across channels: the channels outside the vocabulary are hidden wherever they hold contacts', () => {
  // A channel written "Webchat" for 50 contacts is named on the contacts page; the volumes' rest
  // (Webchat and 2 pigeons) less those 50 would give the pigeons back, so the rest is never shown.
  const answer = (channel: string | null, rows: [string, number][]): ContactVolumesResult => ({
    version: 1,
    dataset: 'x',
    by: 'reason',
    channel,
    handlingColumn: null,
    contacts: rows.reduce((s, [, n]) => s + n, 0),
    minutes: null,
    rows: rows.map(([value, n]) => ({
      value,
      contacts: n,
      pct: null,
      minutes: null,
      minutesPct: null,
      meanMinutes: null,
      timed: null,
    })),
    unreadable: null,
    minCell: 0,
  });
  const all = answer(null, [
    ['Benefit claim', 140],
    ['Missed bin', 92],
  ]);
  const phone = answer('phone', [
    ['Benefit claim', 100],
    ['Missed bin', 20],
  ]);
  const web = answer('web', [
    ['Benefit claim', 40],
    ['Missed bin', 20],
  ]);
  const across = { all, byChannel: [phone, web], published: ['Benefit claim', 'Missed bin'] };
  const seen = [all, phone, web].map((r) => discloseVolumes(r, 10, across));
  const mb = (r: ContactVolumesResult) => r.rows.find((x) => x.value === 'Missed bin')!.contacts;
  // Missed bin: 92 in all, 20 by phone and 20 by web, so 52 by the rest: a channel of the rest hides
  // with it, and so one by phone or web.
  assert.ok(mb(seen[0]) === null || mb(seen[1]) === null || mb(seen[2]) === null, 'the rest cannot be had');
  // The totals: all less phone less web is the rest, so one of them is hidden too.
  assert.ok(
    seen.some((r) => r.contacts === null),
    'a total hidden',
  );
  // Benefit claim has no contacts by the rest: nothing of it needs hiding.
  assert.equal(seen[0].rows.find((x) => x.value === 'Benefit claim')!.contacts, 140);
});

test('the plan: the two segments, who is left behind, and the owner’s service', async () => {
  const r = await plan(`${PLAN.replace('from=phone', 'from=face+to+face')}`, 'ana');
  assert.equal(r.from, 'face to face');
  const a = r.segments.find((s) => s.code === 'A')!;
  const b = r.segments.find((s) => s.code === 'B')!;
  ok(Math.abs(a.fromContacts! / r.perYear - 12) < 1e-9, JSON.stringify(a));
  ok(Math.abs(b.fromContacts! / r.perYear - 20) < 1e-9, JSON.stringify(b));
  // Protect B: it is left behind with its 20 face-to-face contacts a year.
  const p = await plan(`${PLAN.replace('from=phone', 'from=face+to+face')}&protect=B`, 'ana');
  const pb = p.segments.find((s) => s.code === 'B')!;
  // Nothing hidden: the ceiling is B's own digital share (25 of 55, the highest lower bound).
  ok(
    p.segments.every((s) => s.ceiling !== null && Math.abs(s.ceiling - (100 * 25) / 55) < 1e-9),
    'the ceiling shown',
  );
  assert.equal(pb.eligible, false);
  assert.match(pb.leftBehind ?? '', /protected/);
  // A (Below average) is left behind too: its 12 and B's 20.
  assert.equal(p.segments.find((s) => s.code === 'A')!.eligible, false);
  ok(Math.abs(p.total.leftBehind! - 32 * r.perYear) < 1e-6, `left behind ${p.total.leftBehind}`);
  const page = await get(`/channels/plan?${PLAN.replace('from=phone', 'from=face+to+face')}&protect=B`, 'ana');
  assert.match(page.body, /id="left-behind"/);
  assert.match(page.body, /B\b[^<]*<\/th>\s*<td[^>]*>20</);
  assert.match(page.body, /protected: the council plans no shift/);
  // The business case as a workbook.
  const x = await get(`/channels/plan/download?format=xlsx&${PLAN}`, 'ana');
  assert.equal(x.statusCode, 200);
  assert.equal(x.rawPayload.subarray(0, 2).toString(), 'PK');
  // The owner may plan for one service; a partner may not, for the council's log.
  assert.equal((await get(`/api/channel-shift/plan?${PLAN}&service=Street%20scene`, 'ana')).statusCode, 200);
  const refused = await get(`/api/channel-shift/plan?${PLAN}&service=Street%20scene`, 'pa');
  assert.equal(refused.statusCode, 403);
  // Only published unit costs.
  const file = await get(`/api/channel-shift/plan?${PLAN.replace('socitm-2012', '%2Fetc%2Fpasswd.csv')}`, 'ana');
  assert.equal(file.statusCode, 400);
  assert.equal(
    (await get(`/channels/plan?${PLAN.replace('socitm-2012', '%2Fetc%2Fpasswd.csv')}`, 'ana')).statusCode,
    400,
  );
});

test('the plan for a partner: no two plans differ by a hidden count (share 50 and 51, to web and to email, protecting one)', async () => {
  const shown = (r: ShiftModelResult) => r.segments.filter((s) => s.contacts !== null);
  // B has 8 phone contacts: hidden, and A with it, for a partner as for the owner.
  const p50 = await plan(PLAN, 'pa');
  const p51 = await plan(PLAN.replace('share=50', 'share=51'), 'pa');
  for (const r of [p50, p51]) assert.deepEqual(shown(r), []);
  // What the totals less the segments shown give: the hidden segments together, 63 phone contacts.
  ok(p50.total.fromContacts === null || Math.abs(p50.total.fromContacts / p50.perYear - 63) < 1e-6);
  // A (33% digital, Below average) is left behind and B (45%, High) planned on: what is moved
  // and who is left behind would each be one hidden segment (the total less A's 55 is B's 8).
  // Hidden, neither is said to be planned on or left behind: that would tell their bands.
  assert.equal(p50.segments.find((s) => s.code === 'A')!.eligible, null, 'planned on would tell its band');
  assert.equal(p50.segments.find((s) => s.code === 'B')!.eligible, null, 'planned on would tell its band');
  for (const r of [p50, p51]) {
    assert.equal(r.total.leftBehind, null);
    assert.equal(r.total.moved, null);
    assert.equal(r.total.saving, null);
    assert.equal(r.segments.find((s) => s.code === 'A')!.leftBehind, 'hidden', 'why would tell its band');
  }
  // The ceiling is the digital share of the segment that shows the most for certain, and its range
  // that share's interval: with that segment hidden, neither is shown.
  for (const r of [p50, p51]) {
    assert.deepEqual(
      r.segments.map((s) => s.ceiling),
      [null, null],
    );
    assert.equal(r.total.movedHigh, null);
  }
  // Protecting B leaves both behind: the total left behind is the two together, 63 a year's worth.
  const prot = await plan(`${PLAN}&protect=B`, 'pa');
  ok(Math.abs(prot.total.leftBehind! / prot.perYear - 63) < 1e-6);
  assert.equal(prot.total.moved, 0);
  assert.match(prot.segments.find((s) => s.code === 'B')!.leftBehind ?? '', /protected/);
  // From the web (A 35, B 25): moving to email counts the emails as digital, so the owner's
  // plans to web and to email differ by A's 3 emails; a partner's do not.
  const fromWeb = PLAN.replace('from=phone', 'from=web').replace('socitm-2012', 'barking-dagenham');
  const digitalDiff = (a: ShiftModelResult, b: ShiftModelResult, code: string) => {
    const x = a.segments.find((s) => s.code === code)!;
    const y = b.segments.find((s) => s.code === code)!;
    if (x.propensity === null || y.propensity === null) return null;
    return ((x.propensity - y.propensity) / 100) * (x.contacts! / a.perYear);
  };
  const ownEmail = await plan(fromWeb.replace('to=web', 'to=email'), 'ana');
  const ownPhone = await plan(fromWeb.replace('to=web', 'to=phone'), 'ana');
  ok(Math.abs(digitalDiff(ownEmail, ownPhone, 'A')! - (3 - 55)) < 1e-6, 'the owner may see it');
  const toEmail = await plan(fromWeb.replace('to=web', 'to=email'), 'pa');
  const toPhone = await plan(fromWeb.replace('to=web', 'to=phone'), 'pa');
  for (const code of ['A', 'B']) {
    const d = digitalDiff(toEmail, toPhone, code);
    ok(d === null || Math.abs(d) < 1e-6 || Math.abs(d) >= 10, `${code}: ${d}`);
  }
  assert.equal(toEmail.segments.find((s) => s.code === 'A')!.propensity, null);
});

type MapFeature = {
  properties: {
    code: string;
    name: string | null;
    value: number | null;
    count: number | null;
    base: number | null;
    c: number;
    text: string;
  };
};
const mapOf = async (qs: string, user: string) => {
  const r = await get(`/channels/mix/map.geojson?${qs}`, user);
  assert.equal(r.statusCode, 200, `${qs}: ${r.body.slice(0, 300)}`);
  assert.match(String(r.headers['content-type']), /application\/geo\+json/);
  assert.match(String(r.headers['cache-control']), /no-store/);
  return r.json() as { metadata: { measure: string; minCell: number }; features: MapFeature[] };
};

test('the map by ward holds the mix table’s cells exactly, for every channel and measure, hidden where it hides them', async () => {
  for (const user of ['pa', 'ana']) {
    const m = await mix(`dataset=${LOG}&by=ward`, user);
    for (const channel of m.channels.map((c) => c.channel))
      for (const measure of ['share', 'index']) {
        const g = await mapOf(`dataset=${LOG}&channel=${encodeURIComponent(channel)}&measure=${measure}`, user);
        assert.deepEqual(
          g.features.map((f) => f.properties.code),
          ['E05000001', 'E05000002', 'E05000003'],
        );
        for (const f of g.features) {
          const p = f.properties;
          if (p.code === 'E05000003') {
            assert.equal(p.text, 'No contacts');
            assert.equal(p.value, null);
            continue;
          }
          const cell = m.cells.find((c) => c.code === p.code && c.channel === channel)!;
          if (cell.suppressed) {
            assert.equal(p.c, -1, `${user} ${channel} ${p.code}`);
            assert.equal(p.count, null);
            assert.equal(p.value, null);
            continue;
          }
          assert.equal(p.count, cell.contacts, `${user} ${channel} ${p.code}`);
          assert.equal(p.base, m.groups.find((x) => x.code === p.code)!.contacts);
          const want = measure === 'share' ? cell.pct : cell.index;
          const dp = measure === 'share' ? 1 : 0;
          assert.equal(p.value, want === null ? null : Math.round(want * 10 ** dp) / 10 ** dp, `${channel} ${measure}`);
        }
      }
    // The partner's phone map: B's ward (E05000002) has 8 calls, hidden, as in the table.
    if (user === 'pa') {
      const phone = await mapOf(`dataset=${LOG}&channel=phone&measure=share`, user);
      assert.equal(phone.features[1].properties.c, -1);
      assert.equal(phone.metadata.minCell, 10);
    }
  }
  // The owner sees the channel as written, and its 2 contacts hidden (by the small-cell rule).
  const pigeon = await mapOf(`dataset=${LOG}&channel=carrier+pigeon&measure=share`, 'ana');
  assert.equal(pigeon.features[1].properties.c, -1);
  assert.equal(
    pigeon.features[0].properties.c,
    -1,
    'none in the first ward: a count under 10, hidden like the table’s',
  );
});

test('the map refuses, naming only the disclosed channels: a channel someone typed never comes back to a partner', async () => {
  const r = await get(`/channels/mix/map.geojson?dataset=${LOG}&channel=carrier+pigeon`, 'pa');
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /phone, web, face to face, email, other channels/);
  // The same answer as for a channel nobody wrote: the refusal says nothing of what the log holds.
  const none = await get(`/channels/mix/map.geojson?dataset=${LOG}&channel=zzzz+zzzzz`, 'pa');
  assert.equal(none.statusCode, 400);
  assert.equal(
    stable(r.body).replace(/carrier pigeon|carrier\+pigeon/g, 'X'),
    stable(none.body).replace(/zzzz zzzzz|zzzz\+zzzzz/g, 'X'),
  );
  const bad = await get(`/channels/mix/map.geojson?dataset=${LOG}&measure=volume`, 'pa');
  assert.equal(bad.statusCode, 400);
  for (const u of [`/channels/mix/map.geojson?dataset=${LOG}&channel=web`, `/channels/mix?dataset=${LOG}&by=ward`]) {
    const x = await get(u, 'pa');
    assert.equal(x.statusCode, 200);
    assert.doesNotMatch(x.body, NO_RECORD_VALUE, u);
  }
  // The page draws the map, with its figures in a table for those without JavaScript.
  const page = await get(`/channels/mix?dataset=${LOG}&by=ward&channel=web&measure=share`, 'pa');
  assert.match(page.body, /data-module="civic-map"/);
  assert.match(page.body, /<table class="govuk-table" id="map-table">/);
  assert.match(page.body, /Share of contacts made by web, by ward/);
  assert.match(
    page.body,
    /href="\/channels\/mix\/map\.geojson\?dataset=council_contacts&amp;by=ward&amp;channel=web&amp;measure=share"/,
  );
  assert.match(page.body, /Nowhere Ward<\/th>\s*<td[^>]*>No contacts/);
  // By segment there is no map.
  assert.doesNotMatch((await get(`/channels/mix?dataset=${LOG}&by=segment`, 'pa')).body, /id="map-table"/);
});

test('a channel’s volume less its total in the mix never gives a small number of contacts not placed', async () => {
  // By hand: 3 phone and 4 email contacts have a postcode that is not found, 25 web and none face
  // to face. The volumes count them; a segment's or ward's cells cannot. Protected each on its
  // own, the mix's phone total (50 placed) against the phone volume (53) would give the 3 back.
  // For a partner the mix's channels' totals are every contact's, the volumes' own (decision 38),
  // and in each channel the hidden cells and the contacts not placed add up to 10 or more.
  const truthNp = new Map(UNPLACED.map(([c, , , n]) => [c, n]));
  const all = await volumes(`dataset=${UNPLACED_LOG}&by=service`, 'pa');
  ok(all.contacts !== null && Math.abs(all.contacts - 171) <= 5, `all: ${all.contacts}`);
  for (const by of ['segment', 'ward']) {
    const m = await mix(`dataset=${UNPLACED_LOG}&by=${by}`, 'pa');
    assert.equal(m.channelTotals, 'all');
    assert.equal(m.notPlaced, null);
    for (const c of m.channels) ok(!('notPlaced' in c), 'the owner’s figure never leaves');
    // The whole is the volumes' whole, noise and all: nothing to subtract.
    assert.equal(m.total.contacts, all.contacts, by);
    for (const [channel, a, b] of UNPLACED) {
      const v = await volumes(`dataset=${UNPLACED_LOG}&by=service&channel=${encodeURIComponent(channel)}`, 'pa');
      const total = m.channels.find((c) => c.channel === channel)!.contacts;
      assert.equal(total, v.contacts, `${by} ${channel}: the volume and the mix's total are one count`);
      const np = truthNp.get(channel)!;
      if (np > 0 && np < 10) {
        // The cells shown, taken from the total, leave the hidden cells and those not placed: 10 or more.
        const cells = m.cells.filter((x) => x.channel === channel);
        const hiddenSum = cells.reduce((s, x, i) => s + (x.contacts === null ? [a, b][i] : 0), 0);
        ok(hiddenSum > 0 && hiddenSum + np >= 10, `${by} ${channel}: hidden cells ${hiddenSum} + ${np}`);
      }
    }
    // Not everything is hidden: face to face (none not placed) keeps its total, and an index is shown.
    ok(m.channels.find((c) => c.channel === 'face to face')!.contacts !== null, `${by}: face to face shown`);
    ok(
      m.cells.some((c) => c.contacts !== null && c.index !== null),
      `${by}: an index is shown`,
    );
  }
  // The page says what the totals count.
  assert.match(
    (await get(`/channels/mix?dataset=${UNPLACED_LOG}`, 'pa')).body,
    /Contacts, with those whose postcode was not found/,
  );
  // The owner sees the truth: phone 50 placed of 53, 32 not placed.
  const own = await mix(`dataset=${UNPLACED_LOG}`, 'ana');
  assert.equal(own.channelTotals, undefined);
  assert.equal(own.channels.find((c) => c.channel === 'phone')!.contacts, 50);
  assert.equal('notPlaced' in own.channels[0], false);
  const truth = await channelMix(ws.engine, { dataset: UNPLACED_LOG });
  assert.equal(truth.notPlaced, 32);
  assert.deepEqual(
    Object.fromEntries(truth.channels.map((c) => [c.channel, c.notPlaced])),
    Object.fromEntries(UNPLACED.map(([c, , , n]) => [c, n])),
  );
  // The plan from phone for a partner: its totals are placed contacts, so they are not shown.
  const p = await plan(`${PLAN.replace(LOG, UNPLACED_LOG)}`, 'pa');
  assert.equal(p.total.fromContacts, null);
  assert.equal(p.total.moved, null);
});

test('the framework and the access sheets are built from the mix as the viewer may see it', async () => {
  const f = await json(`/api/contacts/framework?dataset=${LOG}`, 'pa', FrameworkResultSchema);
  assert.deepEqual(f.channels.service, ['phone', 'web', 'face to face', 'email', 'other channels']);
  const m = await mix(`dataset=${LOG}`, 'pa');
  for (const s of f.segments)
    for (const c of s.cells) {
      const cell = m.cells.find((x) => x.code === s.code && x.channel === c.channel)!;
      assert.equal(c.band, cell.band, `${s.code} ${c.channel}`);
      if (cell.contacts === null) assert.equal(c.band, null);
    }
  const csv = await get(`/channels/framework/download?format=csv&dataset=${LOG}`, 'pa');
  assert.match(csv.body, /^segment,name,kind,channel,band/);
  // Sheets: tiers only by published reasons for a partner.
  const refused = await get(`/channels/sheets?dataset=${LOG}&tiers=${encodeURIComponent('Zebedee Quill 3 = 1')}`, 'pa');
  assert.equal(refused.statusCode, 403);
  assert.doesNotMatch(refused.body, /Zebedee Quill 3"? is not a reason/);
  const sheets = await get(
    `/channels/sheets?dataset=${LOG}&tiers=${encodeURIComponent('Missed bin = 1\nBenefit claim = 2')}`,
    'pa',
  );
  assert.equal(sheets.statusCode, 200, sheets.body.slice(0, 300));
  assert.match(sheets.body, /href="\/channels\/sheets\/print\?format=html&amp;dataset=council_contacts/);
  const print = await get(
    `/channels/sheets/print?format=html&dataset=${LOG}&tiers=${encodeURIComponent('Missed bin=1|Benefit claim=2')}`,
    'pa',
  );
  assert.equal(print.statusCode, 200);
  assert.match(String(print.headers['content-type']), /text\/html/);
  assert.match(print.body, /<section class="sheet" id="segment-A"/);
  assert.match(print.body, /tier 1/);
  assert.match(print.body, /<td>untiered<\/td>/);
  assert.doesNotMatch(print.body, NO_RECORD_VALUE);
});

test('forms: a mistake is shown with an error summary linking to its field', async () => {
  for (const [url, fieldId] of [
    [`/channels/plan?${PLAN.replace('share=50', 'share=150')}`, 'share'],
    [`/channels/plan?${PLAN.replace('to=web', 'to=phone')}`, 'from'],
    [`/channels/mix?dataset=${LOG}&by=street`, 'by'],
    [`/channels/volumes?dataset=${LOG}&by=street`, 'by'],
    [`/channels/sheets?dataset=${LOG}&tiers=Missed+bin`, 'tiers'],
  ] as const) {
    const r = await get(url, 'ana');
    assert.equal(r.statusCode, 400, url);
    assert.match(r.body, /govuk-error-summary/, url);
    assert.match(r.body, new RegExp(`href="#${fieldId}"`), url);
  }
});

test('every answer is audited with its parameters, never a value from the log', async () => {
  await get(`/channels/mix?dataset=${LOG}&by=ward`, 'pa');
  await get(`/api/channel-shift/plan?${PLAN}&protect=B`, 'pa');
  const log = await auditLog(ws.engine, 500);
  const mine = log.filter((e) =>
    /channel mix|contact volumes|communications framework|channel shift plan|access sheets/.test(
      e.action + ' ' + (e.detail ?? ''),
    ),
  );
  ok(mine.some((e) => e.action === 'channel mix' && e.detail === `${LOG}: by ward` && e.username === 'pa'));
  ok(
    mine.some(
      (e) =>
        e.action === 'api channel shift plan' &&
        /50% phone to web at socitm-2012, from Average, 1 protected/.test(e.detail ?? ''),
    ),
  );
  ok(mine.some((e) => e.action === 'export xlsx'));
  for (const e of mine) assert.doesNotMatch(e.detail ?? '', NO_RECORD_VALUE);
});

test('the endpoints are documented in the OpenAPI document', async () => {
  const doc = openApiDocument(app.routeTable) as { paths: Record<string, Record<string, { tags: string[] }>> };
  for (const p of ['/api/contacts/mix', '/api/contacts/volumes', '/api/contacts/framework', '/api/channel-shift/plan'])
    assert.deepEqual(doc.paths[p]?.get?.tags, ['Channels'], p);
  // The section's pages link to each other.
  const page = await get('/channels', 'pa');
  for (const href of [
    '/channels/mix',
    '/channels/volumes',
    '/channels/framework',
    '/channels/plan',
    '/channels/sheets',
  ])
    assert.match(page.body, new RegExp(`href="${href}"`));
});
