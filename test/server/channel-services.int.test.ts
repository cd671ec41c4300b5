/**
 * The channel mix and the channel-shift plan for one service (issue 14; decision 34), tried as an
 * attacker would: a partner who asks the council's log for every service and for each published
 * service, and subtracts. The council’s log: 327 contacts in two segments of the small
 * classification (A at M15 4AB, B at SW1A 2AA), by hand:
 *
 *   service      segment   phone   web   face to face
 *   Housing      A            30    25     15
 *   Housing      B            20    12     20
 *   Waste        A            25    30     12
 *   Waste        B            15    18      3   ← small
 *   Benefits     A            22    14     18
 *   Benefits     B             6    11     15   ← small phone
 *   Planning     A             4    12          (not published)
 *
 * Housing, Waste and Benefits are published. Each service's table protected on its own would hide
 * Waste's 3 and still show B's 38 face-to-face contacts of every service and Housing's 20 and
 * Benefits' 15, so that 38 − 20 − 15 = 3 comes back; and B's phone contacts of every service less
 * Housing's and Waste's would give Benefits' 6. One table of service × segment × channel, protected
 * on every edge, must leave nothing of the kind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset, publishCategories } from '../../src/intake/index.ts';
import {
  channelMix,
  ChannelMixResultSchema,
  ShiftModelResultSchema,
  type ChannelMixResult,
} from '../../src/channels/index.ts';
import { discloseChannelMix } from '../../src/outputs/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { signInUsers } from '../helpers/login.ts';

const tmp = tempDir('civic-channel-services-');
let ws: Workspace;
let app: FastifyInstance;
const cookies: Record<string, string> = {};
const LOG = 'council_contacts';
const MIN = 10;
const PUBLISHED = ['Housing', 'Waste', 'Benefits'];
const POSTCODE = { A: 'M15 4AB', B: 'SW1A 2AA' } as const;

/** Contacts not placed (postcode not found), by service and channel as written. */
const NOT_PLACED: [string, string, number][] = [
  ['Housing', 'Tel', 2],
  ['Waste', 'Web form', 12],
  ['Benefits', 'F2F', 4],
];
const TABLE: [string, 'A' | 'B', number, number, number][] = [
  ['Housing', 'A', 30, 25, 15],
  ['Housing', 'B', 20, 12, 20],
  ['Waste', 'A', 25, 30, 12],
  ['Waste', 'B', 15, 18, 3],
  ['Benefits', 'A', 22, 14, 18],
  ['Benefits', 'B', 6, 11, 15],
  ['Planning', 'A', 4, 12, 0],
];

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const rows = ['contact_id,customer_ref,contact_datetime,channel,service,reason,postcode'];
  let k = 0;
  for (const [service, seg, ...counts] of TABLE)
    ['Tel', 'Web form', 'F2F'].forEach((channel, c) => {
      for (let i = 0; i < counts[c]; i++) {
        k++;
        const day = new Date(Date.UTC(2025, 0, 1) + ((k * 7) % 365) * 86_400_000).toISOString().slice(0, 10);
        rows.push(`${k},CUST${k},${day} 10:00,${channel},${service},Enquiry,${POSTCODE[seg]}`);
      }
    });
  // Contacts whose postcode is not found: in the volumes, not in the mix (decision 38).
  for (const [service, channel, n] of NOT_PLACED)
    for (let i = 0; i < n; i++) {
      k++;
      rows.push(`${k},CUST${k},2025-03-03 10:00,${channel},${service},Enquiry,ZZ99 9ZZ`);
    }
  assert.equal(k, 327 + 18);
  writeFileSync(join(tmp.dir, 'council.csv'), rows.join('\n') + '\n');
  await importDataset(ws.engine, LOG, join(tmp.dir, 'council.csv'), { key: TEST_KEY, kind: 'contacts' });
  await publishCategories(ws.engine, LOG, 'service', PUBLISHED);
  app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  Object.assign(
    cookies,
    await signInUsers(app, ws.engine, 'a long enough password', [
      ['ana', 'analyst'],
      ['pa', 'partner', 'Partner A'],
    ]),
  );
});
after(async () => {
  await app.close();
  ws.close();
  tmp.cleanup();
});

const get = (url: string, user: string) =>
  app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: cookies[user] } });
const ok = (v: unknown, message = 'expected a true value') => assert.ok(v, message);
const q = (service: string | null) => (service ? `&service=${encodeURIComponent(service)}` : '');
async function mixOf(service: string | null, user = 'pa'): Promise<ChannelMixResult> {
  const r = await get(`/api/contacts/mix?dataset=${LOG}${q(service)}`, user);
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  const mix = ChannelMixResultSchema.parse(r.json());
  if (user !== 'ana') assert.equal(mix.channelTotals, 'all');
  return mix;
}

const CHANNELS = ['phone', 'web', 'face to face'];
const SEGMENTS = ['A', 'B'];
/** A count of an answer, by what it is of: `cell:A:phone`, `group:A`, `channel:web`, `total`. */
type Counts = Map<string, number | null>;
const countsOf = (r: ChannelMixResult): Counts => {
  const m: Counts = new Map();
  for (const c of r.cells) m.set(`cell:${c.code}:${c.channel}`, c.contacts);
  for (const g of r.groups) m.set(`group:${g.code}`, g.contacts);
  for (const c of r.channels) m.set(`channel:${c.channel}`, c.contacts);
  m.set('total', r.total.contacts);
  // The truth (the owner's figures): the contacts not placed, never in an answer; and a partner's
  // answer gives the channels' totals and the whole of every contact, placed or not, as the
  // volumes do (decision 38), so the truth's are those too.
  if (r.disclosure === null) {
    for (const c of r.channels) {
      m.set(`np:${c.channel}`, c.notPlaced ?? 0);
      m.set(`channel:${c.channel}`, (c.contacts ?? 0) + (c.notPlaced ?? 0));
    }
    m.set('np:total', r.notPlaced);
    m.set('total', (r.total.contacts ?? 0) + (r.notPlaced ?? 0));
  }
  return m;
};
/** Every line of the table whose cells add up to a total: within one answer, and along the services. */
function lines(): { total: [string | null, string]; cells: [string | null, string][] }[] {
  const out: { total: [string | null, string]; cells: [string | null, string][] }[] = [];
  const layers: (string | null)[] = [null, ...PUBLISHED];
  for (const l of layers) {
    for (const g of SEGMENTS) out.push({ total: [l, `group:${g}`], cells: CHANNELS.map((c) => [l, `cell:${g}:${c}`]) });
    // A channel's total (every contact) is its segments' cells and its contacts not placed.
    for (const c of CHANNELS)
      out.push({
        total: [l, `channel:${c}`],
        cells: [...SEGMENTS.map((g) => [l, `cell:${g}:${c}`] as [string, string]), [l, `np:${c}`]],
      });
    out.push({
      total: [l, 'total'],
      cells: [...SEGMENTS.map((g) => [l, `group:${g}`] as [string, string]), [l, 'np:total']],
    });
    out.push({ total: [l, 'total'], cells: CHANNELS.map((c) => [l, `channel:${c}`]) });
  }
  // Along the services: the published ones and the rest (never shown: "rest") add up to every service's.
  const keys = [
    ...SEGMENTS.flatMap((g) => CHANNELS.map((c) => `cell:${g}:${c}`)),
    ...SEGMENTS.map((g) => `group:${g}`),
    ...CHANNELS.map((c) => `channel:${c}`),
    'total',
    ...CHANNELS.map((c) => `np:${c}`),
    'np:total',
  ];
  for (const k of keys)
    out.push({ total: [null, k], cells: [...PUBLISHED.map((s) => [s, k] as [string, string]), ['rest', k]] });
  return out;
}

/**
 * What an attacker holding every answer learns: in each line whose total is shown, the unknown
 * cells add up to the total less the cells shown. The truth of that sum must not be small, nor
 * may one unknown cell be alone when it is small. Returns what each line would give, for the test.
 */
function attack(shown: Map<string | null, Counts>, truth: Map<string | null, Counts>) {
  const truthOf = ([l, k]: [string | null, string]) => {
    if (l !== 'rest') return truth.get(l)!.get(k) ?? 0;
    return (truth.get(null)!.get(k) ?? 0) - PUBLISHED.reduce((s, p) => s + (truth.get(p)!.get(k) ?? 0), 0);
  };
  const seen = ([l, k]: [string | null, string]) => (l === 'rest' ? null : (shown.get(l)!.get(k) ?? null));
  const leaks: string[] = [];
  for (const line of lines()) {
    if (seen(line.total) === null) continue;
    const unknown = line.cells.filter((c) => seen(c) === null);
    if (!unknown.length) continue;
    const sum = unknown.reduce((s, c) => s + truthOf(c), 0);
    const what = `${line.total.join(' ')} less what is shown = ${unknown.map((c) => c.join(' ')).join(' + ')}`;
    if (sum > 0 && sum < MIN) leaks.push(`${what} = ${sum}`);
    // A single unknown is given back exactly: bad when small, though none not placed gives nothing away.
    const single = unknown.length === 1 ? truthOf(unknown[0]) : null;
    if (
      single !== null &&
      unknown[0][0] !== 'rest' &&
      single < MIN &&
      !(unknown[0][1].startsWith('np:') && single === 0)
    )
      leaks.push(`${what} (one cell, ${truthOf(unknown[0])})`);
  }
  return leaks;
}

const truthMixes = async () => {
  const truth = new Map<string | null, ChannelMixResult>();
  truth.set(null, await channelMix(ws.engine, { dataset: LOG }));
  for (const s of PUBLISHED) truth.set(s, await channelMix(ws.engine, { dataset: LOG, service: s }));
  return truth;
};

test('each service’s mix protected on its own gives Waste’s 3 back by subtraction (the attack is real)', async () => {
  const truth = await truthMixes();
  assert.equal(truth.get('Waste')!.cells.find((c) => c.code === 'B' && c.channel === 'face to face')!.contacts, 3);
  const alone = new Map([...truth].map(([s, r]) => [s, countsOf(discloseChannelMix(r, MIN))]));
  const f2f = (s: string | null) => alone.get(s)!.get('cell:B:face to face');
  assert.equal(f2f('Waste'), null);
  assert.equal(f2f(null)! - f2f('Housing')! - f2f('Benefits')!, 3);
  const leaks = attack(alone, new Map([...truth].map(([s, r]) => [s, countsOf(r)])));
  ok(leaks.length > 0, 'independent suppression should leak');
});

test('a partner may have the mix for a published service; the subtraction gives back no small count', async () => {
  const truth = await truthMixes();
  const shown = new Map<string | null, Counts>();
  shown.set(null, countsOf(await mixOf(null)));
  for (const s of PUBLISHED) {
    const r = await mixOf(s);
    assert.equal(r.service, s);
    assert.equal(r.disclosure?.perturbed, true);
    shown.set(s, countsOf(r));
  }
  // Named in any case, the service is the one published.
  assert.equal((await mixOf('waste')).service, 'Waste');
  const leaks = attack(shown, new Map([...truth].map(([s, r]) => [s, countsOf(r)])));
  assert.deepEqual(leaks, []);
  // The subtraction tried by hand: B's face-to-face contacts of every service less Housing's and
  // Benefits' cannot be worked (one of them is hidden), or give Waste's and the rest together, 10 or more.
  const f2f = (s: string | null) => shown.get(s)!.get('cell:B:face to face') ?? null;
  assert.equal(f2f('Waste'), null);
  ok(
    f2f(null) === null || f2f('Housing') === null || f2f('Benefits') === null,
    `${f2f(null)} − ${f2f('Housing')} − ${f2f('Benefits')}`,
  );
  // And not everything is hidden: Housing's A by the web is shown.
  ok(shown.get('Housing')!.get('cell:A:web') !== null);
});

test('a service not published is refused in words from the published list only; the owner may ask any', async () => {
  for (const service of ['Planning', 'No such service']) {
    const r = await get(`/api/contacts/mix?dataset=${LOG}${q(service)}`, 'pa');
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().detail, (await get(`/api/contacts/mix?dataset=${LOG}${q('Zzz')}`, 'pa')).json().detail);
    assert.doesNotMatch(r.body, /Planning/);
    assert.match(r.body, /Housing, Waste, Benefits/);
  }
  const own = await mixOf('Planning', 'ana');
  assert.equal(own.total.contacts, 16);
  assert.equal(own.disclosure?.perturbed, false);
  // The page: the service is a field of the form, and a refusal is an error summary linking to it.
  const page = await get(`/channels/mix?dataset=${LOG}&by=segment&service=Planning`, 'pa');
  assert.equal(page.statusCode, 403);
  assert.match(page.body, /govuk-error-summary/);
  assert.match(page.body, /href="#service"/);
  const fine = await get(`/channels/mix?dataset=${LOG}&by=segment&service=Housing`, 'pa');
  assert.equal(fine.statusCode, 200);
  assert.match(fine.body, /id="service"[^>]*value="Housing"/);
});

test('a plan from a channel with no contacts, a channel too few to show, or one not in the vocabulary: the same refusal, nothing quoted', async () => {
  const PLAN = `dataset=${LOG}&unitCosts=socitm-2012&to=web&share=50`;
  const none = await get(`/api/channel-shift/plan?${PLAN}&from=email&service=Housing`, 'pa');
  assert.equal(none.statusCode, 400);
  assert.equal(
    none.json().detail,
    'The contacts by email for Housing are too few to plan a shift from, or their count cannot be shown without giving away a smaller one.',
  );
  for (const c of ['Tel', 'F2F', 'Web form', 'phone', 'face to face']) assert.doesNotMatch(none.body, new RegExp(c));
  const odd = await get(`/api/channel-shift/plan?${PLAN}&from=Fax&service=Housing`, 'pa');
  assert.equal(odd.statusCode, 400);
  assert.equal(odd.json().detail, 'Choose a channel from the list.');
  // The owner's own log: the analysis's own words, which may name its channels.
  const own = await get(`/api/channel-shift/plan?${PLAN}&from=face%20to%20face&service=Planning`, 'ana');
  assert.equal(own.statusCode, 400);
  assert.match(own.body, /No contact for Planning was made by face to face/);
});

test('the plan by service: no segment’s count comes back from the plan of every service less the others', async () => {
  const PLAN = `dataset=${LOG}&unitCosts=socitm-2012&from=phone&to=web&share=50`;
  const plans = new Map<string | null, Counts>();
  for (const s of [null, ...PUBLISHED]) {
    const r = await get(`/api/channel-shift/plan?${PLAN}${q(s)}`, 'pa');
    // A service whose phone contacts the partner's mix does not show has no plan either: refused
    // in the words used for a channel with no contacts at all, quoting nothing from the log.
    const shown = (await mixOf(s)).channels.find((c) => c.channel === 'phone')?.contacts ?? null;
    if (shown === null) {
      assert.equal(r.statusCode, 400, r.body.slice(0, 300));
      assert.equal(
        r.json().detail,
        `The contacts by phone${s ? ` for ${s}` : ''} are too few to plan a shift from, or their count cannot be shown without giving away a smaller one.`,
      );
      plans.set(
        s,
        new Map(
          SEGMENTS.flatMap((g) => [
            [`group:${g}`, null],
            [`cell:${g}:phone`, null],
          ]),
        ),
      );
      continue;
    }
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    const p = ShiftModelResultSchema.parse(r.json());
    assert.equal(p.service, s);
    const m: Counts = new Map();
    for (const x of p.segments) {
      m.set(`group:${x.code}`, x.contacts === null ? null : Math.round(x.contacts / p.perYear));
      m.set(`cell:${x.code}:phone`, x.fromContacts === null ? null : Math.round(x.fromContacts / p.perYear));
    }
    plans.set(s, m);
  }
  // Benefits' B has 6 phone contacts: hidden, and in every service's plan or another service's too.
  assert.equal(plans.get('Benefits')!.get('cell:B:phone'), null);
  const truth = await truthMixes();
  const t = (s: string | null, k: string) => countsOf(truth.get(s)!).get(k) ?? 0;
  const rest = (k: string) => t(null, k) - PUBLISHED.reduce((a, s) => a + t(s, k), 0);
  for (const k of ['cell:A:phone', 'cell:B:phone', 'group:A', 'group:B']) {
    if (plans.get(null)!.get(k) === null) continue;
    const unknown = PUBLISHED.filter((s) => plans.get(s)!.get(k) === null);
    const sum = unknown.reduce((a, s) => a + t(s, k), 0) + rest(k);
    ok(!(sum > 0 && sum < MIN), `${k}: every service less those shown gives ${sum}`);
    ok(!(unknown.length === 1 && rest(k) === 0 && t(unknown[0], k) < MIN), `${k}: ${unknown[0]} alone`);
  }
  // And the plan and the mix for a service agree: what one hides, the other hides.
  const mix = countsOf(await mixOf('Benefits'));
  for (const g of SEGMENTS)
    if (mix.get(`cell:${g}:phone`) === null || mix.get(`group:${g}`) === null)
      assert.equal(plans.get('Benefits')!.get(`group:${g}`), null, g);
});
