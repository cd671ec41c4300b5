/**
 * A contact log uploaded in the portal (issue 14; decision 34): the upload page says what the file
 * is, the mapping page asks which column is each part of a contact (prefilled from the columns'
 * names as the import guesses them), the unit of handling times and, if you like, a channel names
 * file. The import is the same job as any upload's (the worker, all or nothing); a mistake names
 * the file, the row and the column; and the customer reference is pseudonymised unless unticked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser } from '../../src/server/users.ts';
import { waitForJob } from '../../src/server/jobs.ts';
import { contactLogOf, listDatasets } from '../../src/intake/index.ts';
import { savedChannelNames } from '../../src/intake/channels.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';

const tmp = tempDir('civic-contact-upload-');
let ws: Workspace;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const session: Record<string, { cookie: string; csrf: string }> = {};

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  for (const [username, role, partner] of [
    ['ana', 'analyst'],
    ['pat', 'partner', 'Fire'],
  ] as const)
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  for (const u of ['ana', 'pat']) {
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

type Fields = Record<string, string | readonly string[]>;
function multipart(fields: Fields, file?: { field: string; name: string; content: string }) {
  const boundary = '----civic' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    for (const x of [v].flat())
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${x}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
      ),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const send = (url: string, user: string, fields: Fields, file?: { field: string; name: string; content: string }) => {
  const m = multipart({ _csrf: session[user].csrf, ...fields }, file);
  return app.inject({
    method: 'POST',
    url,
    payload: m.payload,
    headers: m.headers,
    cookies: { [SESSION_COOKIE]: session[user].cookie },
  });
};
const get = (url: string, user: string) => app.inject({ url, cookies: { [SESSION_COOKIE]: session[user].cookie } });

const HEADER = 'Caller ID,Case No,Contact Date,Contact Method,Service,Reason,Talk Time,Resolved,Post Code';
const ROWS = [
  'C1,K1,03/03/2025 09:05,Tel,Waste,Missed bin,300,Y,M15 4AB',
  'C1,K1,05/03/2025 10:00,IVR,Waste,Missed bin,90,N,M15 4AB',
  'C2,K2,31/02/2025 11:00,Web form,Housing,Repairs,,Y,SW1A 2AA',
  'C3,K3,2025-03-07 14:30,F2F,Housing,Rent,600,Y,M15 4AD',
  'C4,K4,14 Mar 2025,Tel,Benefits,New claim,1:02:00,maybe,SW1A 2AA',
];
const CSV = [HEADER, ...ROWS].join('\n') + '\n';

/** Uploads the log as a contact log; the mapping page's address. */
async function uploadLog(name: string, user = 'ana'): Promise<string> {
  const up = await send(
    '/datasets/upload',
    user,
    { name, kind: 'contacts' },
    { field: 'file', name: 'contacts.csv', content: CSV },
  );
  assert.equal(up.statusCode, 303, up.body);
  return up.headers.location as string;
}
const selected = (body: string, role: string) =>
  new RegExp(`<select[^>]*id="part-${role}"[^>]*>[\\s\\S]*?</select>`)
    .exec(body)![0]
    .match(/<option value="([^"]*)" selected>/)?.[1] ?? null;

test('the upload page asks what the file is; the mapping page guesses each part from the columns’ names', async () => {
  const page = await get('/datasets/upload', 'ana');
  assert.match(page.body, /name="kind"[^>]*value="records"[^>]*checked|value="records" checked/);
  assert.match(page.body, /value="contacts"/);
  assert.match(page.body, /Contact log/);
  const mapUrl = await uploadLog('guessed_log');
  const map = await get(mapUrl, 'ana');
  assert.equal(map.statusCode, 200);
  assert.match(map.body, /enctype="multipart\/form-data"/);
  assert.deepEqual(
    ['channel', 'customer', 'request', 'datetime', 'service', 'reason', 'handling', 'resolved'].map((r) =>
      selected(map.body, r),
    ),
    ['Contact Method', 'Caller ID', 'Case No', 'Contact Date', 'Service', 'Reason', 'Talk Time', 'Resolved'],
  );
  // The customer reference is ticked to be pseudonymised, with the reason beside it.
  assert.match(map.body, /name="pseudonymise" type="checkbox" value="Caller ID" checked/);
  assert.match(map.body, /id="channel-names"/);
  // A records upload has none of it.
  const rec = await send(
    '/datasets/upload',
    'ana',
    { name: 'plain_records', kind: 'records' },
    { field: 'file', name: 'r.csv', content: CSV },
  );
  const plain = await get(rec.headers.location as string, 'ana');
  assert.doesNotMatch(plain.body, /id="part-channel"|multipart/);
});

test('a good contact log: the dataset is kind contacts with the parts chosen, its customer reference pseudonymised', async () => {
  const mapUrl = await uploadLog('portal_contacts', 'pat');
  const start = await send(
    mapUrl,
    'pat',
    {
      postcode: 'Post Code',
      pseudonymise: ['Caller ID'],
      part_channel: 'Contact Method',
      part_customer: 'Caller ID',
      part_request: 'Case No',
      part_reason: 'Reason',
      part_service: 'Service',
      part_datetime: 'Contact Date',
      part_handling: 'Talk Time',
      part_resolved: 'Resolved',
      handling_unit: 'seconds',
      rename_1: 'case_ref',
    },
    { field: 'channel_names', name: 'names.csv', content: 'written,channel\nIVR,phone\n' },
  );
  assert.equal(start.statusCode, 303, start.body.slice(0, 2000));
  const id = (start.headers.location as string).split('/').at(-1)!;
  const job = await waitForJob(ws.engine, id);
  assert.equal(job.status, 'done', job.message ?? '');
  const d = (await listDatasets(ws.engine)).find((x) => x.name === 'portal_contacts')!;
  assert.equal(d.partner, 'Fire');
  const log = (await contactLogOf(ws.engine, 'portal_contacts'))!;
  assert.ok(log, 'a contact log');
  assert.deepEqual(log.columns, {
    channel: 'Contact Method',
    customer: 'Caller ID',
    request: 'case_ref',
    reason: 'Reason',
    service: 'Service',
    datetime: 'Contact Date',
    handling: 'Talk Time',
    resolved: 'Resolved',
  });
  assert.equal(log.handlingUnit, 'seconds');
  const t = (await ws.engine.one<{ t: string }>(`SELECT table_name AS t FROM dataset WHERE name = 'portal_contacts'`))!
    .t;
  const rows = await ws.engine.all<{ c: string; ch: string; m: number | null }>(
    `SELECT "Caller ID" AS c, "Contact Method" AS ch, _handling_minutes AS m FROM "${t}" ORDER BY _row`,
  );
  assert.ok(
    rows.every((r) => !/^C\d$/.test(r.c)),
    'the customer references are pseudonymised',
  );
  assert.deepEqual(
    rows.map((r) => r.ch),
    ['phone', 'phone', 'web', 'face to face', 'phone'],
  );
  assert.deepEqual(
    rows.map((r) => r.m),
    [5, 1.5, null, 10, 62],
  );
  assert.equal((await savedChannelNames(ws.engine)).get('ivr'), 'phone');
  // The job page reports the parts, and what could not be read by row and column, quoting no value.
  const page = await get(`/jobs/${id}`, 'pat');
  assert.match(page.body, /id="contact-log"/);
  assert.match(
    page.body,
    /1 dates and times could not be read \(rows 4\) in the column &quot;Contact Date&quot;|1 dates and times could not be read \(rows 4\) in the column “Contact Date”|1 dates and times could not be read \(rows 4\) in the column "Contact Date"/,
  );
  assert.match(page.body, /1 resolved flags could not be read \(rows 6\)/);
  assert.doesNotMatch(page.body, /31\/02|maybe/);
});

test('a bad channel names file: the error summary names the file, the row and the column, and nothing starts', async () => {
  const mapUrl = await uploadLog('bad_names');
  const r = await send(
    mapUrl,
    'ana',
    { postcode: 'Post Code', pseudonymise: ['Caller ID'], part_channel: 'Contact Method', part_customer: 'Caller ID' },
    { field: 'channel_names', name: 'names.csv', content: 'written,channel\nIVR,phone\nWebchat,\n' },
  );
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /govuk-error-summary/);
  assert.match(r.body, /href="#channel-names"/);
  assert.match(r.body, /file names\.csv, row 3, column &quot;channel&quot;/);
  // Still waiting for its mapping: nothing was imported.
  assert.equal((await get(mapUrl, 'ana')).statusCode, 200);
  assert.equal(
    (await listDatasets(ws.engine)).some((d) => d.name === 'bad_names'),
    false,
  );
});

test('the parts are checked: a channel is needed, one column per part, and the channel is not pseudonymised', async () => {
  const mapUrl = await uploadLog('checked_log');
  for (const [fields, href, words] of [
    [{ part_channel: '' }, '#part-channel', /channel/],
    [
      { part_channel: 'Contact Method', part_reason: 'Service', part_service: 'Service' },
      '#part-service',
      /both the reason and the service/,
    ],
    [
      { part_channel: 'Contact Method', pseudonymise: ['Contact Method'] },
      '#pseudonymise',
      /channel column cannot be pseudonymised/,
    ],
  ] as const) {
    const r = await send(mapUrl, 'ana', { postcode: 'Post Code', ...fields });
    assert.equal(r.statusCode, 400, JSON.stringify(fields));
    assert.match(r.body, new RegExp(`href="${href}"`));
    assert.match(r.body, words);
  }
  // A customer reference unticked is kept readable on purpose (the import is told so); the form works
  // without a file, sent as a plain form too.
  const form = new URLSearchParams({
    _csrf: session.ana.csrf,
    postcode: 'Post Code',
    part_channel: 'Contact Method',
    part_customer: 'Caller ID',
  });
  const start = await app.inject({
    method: 'POST',
    url: mapUrl,
    payload: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [SESSION_COOKIE]: session.ana.cookie },
  });
  assert.equal(start.statusCode, 303, start.body.slice(0, 1500));
  const job = await waitForJob(ws.engine, (start.headers.location as string).split('/').at(-1)!);
  assert.equal(job.status, 'done', job.message ?? '');
  const result = job.result as { pseudonymised: string[] };
  assert.ok(!result.pseudonymised.includes('Caller ID'), JSON.stringify(result.pseudonymised));
  const t = (await ws.engine.one<{ t: string }>(`SELECT table_name AS t FROM dataset WHERE name = 'checked_log'`))!.t;
  const refs = await ws.engine.all<{ c: string }>(`SELECT DISTINCT "Caller ID" AS c FROM "${t}" ORDER BY 1`);
  assert.deepEqual(
    refs.map((r) => r.c),
    ['C1', 'C2', 'C3', 'C4'],
  );
  // The parts left at None are none, though the columns' names say otherwise.
  assert.equal((await contactLogOf(ws.engine, 'checked_log'))!.columns.reason, null);
});

test('a forged mapping form (no token) is refused before its file is read', async () => {
  const mapUrl = await uploadLog('forged_log');
  const m = multipart(
    { postcode: 'Post Code', part_channel: 'Contact Method' },
    { field: 'channel_names', name: 'n.csv', content: 'written,channel\nIVR,phone\n' },
  );
  const r = await app.inject({
    method: 'POST',
    url: mapUrl,
    payload: m.payload,
    headers: m.headers,
    cookies: { [SESSION_COOKIE]: session.ana.cookie },
  });
  assert.equal(r.statusCode, 403);
  assert.equal((await get(mapUrl, 'ana')).statusCode, 200);
});
