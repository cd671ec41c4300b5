/**
 * Contact logs (issue 14, acceptance 2): the channel mix, NI14, repeat contact, avoidable contact
 * and resolution by tier, each worked by hand from twelve contacts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { contactAnalysis, ContactsResultSchema } from '../../src/channels/index.ts';
import { discloseContacts } from '../../src/outputs/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-contacts-');
let ws: Workspace;

// Twelve contacts about six requests from four customers. By hand:
//   channels: phone 6 (Tel, phone, Telephone ×2, Phone call, tel), web 3, face to face 2, email 1
//   NI14: R1 ×3, R2 ×1, R3 ×2, R4 ×1, R5 ×4, R6 ×1 = 12 contacts / 6 requests = 2.0; 3 requests (R1, R3, R5) had more than one
//   repeat within 7 days, same customer and reason: C1 missed bin 1 Mar → 3 Mar (yes) → 12 Mar (9 days, no);
//     C2 benefit 2 Mar → 4 Mar (yes); C3 progress 5 Mar → 6 Mar (yes) → 8 Mar (yes) → 20 Mar (no);
//     C4's two contacts have different reasons (no) = 4 repeats of 12
//   avoidable (progress chasing, wrong department): C3's four + C4's wrong department = 5
//   tiers, by request (the log has request references): each request by its first contact's reason,
//     resolved at first contact when it had one contact and that was resolved:
//     R1 (3 contacts, first missed bin: tier 1, not), R5 (4, first 6 Mar progress chasing: tier 1, not),
//     R2 (1, benefit claim, N: tier 2, not), R3 (2, first 4 Mar benefit claim: tier 2, not),
//     R4 (1, council tax, Y: tier 3, resolved), R6 (1, blank reason: untiered)
//     tier 1: 2 requests, 0 resolved; tier 2: 2, 0; tier 3: 1, 1 (100%, meets 80%); untiered 1
const CSV = `contact_id,customer_ref,request_ref,contact_datetime,channel,reason,resolved,postcode
1,C1,R1,2025-03-01 09:00,Tel,Missed bin,N,M15 4AB
2,C1,R1,2025-03-03 10:00,web form,Missed bin,Y,M15 4AB
3,C1,R1,2025-03-12 11:00,phone,Missed bin,Y,M15 4AB
4,C2,R2,2025-03-02 09:30,Telephone,Benefit claim,N,M15 4AD
5,C2,R3,2025-03-04 14:00,F2F,Benefit claim,Y,M15 4AD
6,C3,R3,2025-03-05 08:00,Telephone,Progress chasing,N,M15 4AD
7,C3,R5,2025-03-06 08:00,Phone call,Progress chasing,N,M15 4AD
8,C3,R5,2025-03-08 08:00,online,Progress chasing,Y,M15 4AB
9,C3,R5,2025-03-20 08:00,tel,Progress chasing,N,M15 4AB
10,C4,R5,2025-03-21 08:00,Email,Wrong department,N,M15 4AB
11,C4,R4,2025-03-22 08:00,Face to face,Council tax,Y,M15 4AB
12,,R6,not a date,web,,Y,M15 4AB
`;

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  writeFileSync(join(tmp.dir, 'contacts.csv'), CSV);
  await importDataset(ws.engine, 'contacts', join(tmp.dir, 'contacts.csv'), {
    key: TEST_KEY,
    pseudonymise: ['customer_ref'],
  });
});
after(() => {
  ws.close();
  tmp.cleanup();
});

test('every measure of a contact log, worked by hand', async () => {
  const tiers = new Map([
    ['Missed bin', '1'],
    ['Progress chasing', '1'],
    ['Benefit claim', '2'],
    ['Council tax', '3'],
  ]);
  const r = ContactsResultSchema.parse(
    await contactAnalysis(ws.engine, {
      dataset: 'contacts',
      avoidableReasons: ['Progress chasing', 'wrong department'],
      tiers,
    }),
  );
  assert.deepEqual(r.columns, {
    channel: 'channel',
    customer: 'customer_ref',
    request: 'request_ref',
    reason: 'reason',
    datetime: 'contact_datetime',
    resolved: 'resolved',
  });
  assert.equal(r.contacts, 12);
  assert.deepEqual(
    r.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 6],
      ['web', 3],
      ['face to face', 2],
      ['email', 1],
    ],
  );
  assert.deepEqual(r.ni14, { requests: 6, contactsPerRequest: 2, multiContact: 3, multiContactPct: 50 });
  assert.deepEqual(r.repeat, { withinDays: 7, contacts: 4, pct: (100 * 4) / 11, notChecked: 1 });
  assert.equal(r.avoidable?.contacts, 5);
  assert.equal(r.tiers?.basis, 'request');
  assert.deepEqual(
    r.tiers?.rows.map((t) => [t.tier, t.count, t.resolved, t.meetsTarget]),
    [
      ['1', 2, 0, false],
      ['2', 2, 0, false],
      ['3', 1, 1, true],
    ],
  );
  assert.equal(r.tiers?.untiered, 1);
  assert.equal(r.tiers?.withoutRequest, 0);
  // Within 10 days C1's third contact (9 days after the second) is a repeat too.
  const wider = await contactAnalysis(ws.engine, { dataset: 'contacts', repeatWithinDays: 10 });
  assert.equal(wider.repeat?.contacts, 5);
});

test('a column that is not there, or cannot be found, is said plainly', async () => {
  await assert.rejects(
    contactAnalysis(ws.engine, { dataset: 'contacts', requestColumn: 'case_no' }),
    /no column "case_no" for the request[\s\S]*/,
  );
  await assert.rejects(contactAnalysis(ws.engine, { dataset: 'contacts', repeatWithinDays: 0 }), /1 to 366 days/);
});

test('for anyone but the owner, small counts are hidden, and none can be got back by subtraction', async () => {
  // 40 contacts: phone 25, web 12, email 3; reason A 20 (18 resolved), B 20 (10 resolved).
  const rows = ['id,customer_ref,channel,reason,resolved,contact_datetime'];
  for (let i = 0; i < 40; i++) {
    const channel = i < 25 ? 'phone' : i < 37 ? 'web' : 'email';
    const reason = i < 20 ? 'A' : 'B';
    const resolved = i < 18 || (i >= 20 && i < 30) ? 'Y' : 'N';
    rows.push(`${i},K${i},${channel},${reason},${resolved},2025-01-${String(1 + (i % 28)).padStart(2, '0')} 10:00`);
  }
  writeFileSync(join(tmp.dir, 'forty.csv'), rows.join('\n') + '\n');
  await importDataset(ws.engine, 'forty', join(tmp.dir, 'forty.csv'), { noPostcode: true });
  const truth = await contactAnalysis(ws.engine, {
    dataset: 'forty',
    tiers: new Map([
      ['A', '1'],
      ['B', '2'],
    ]),
  });
  const shown = discloseContacts(truth, 10);
  assert.equal(shown.minCell, 10);
  // No request reference: the tiers count contacts, as they did before requests were counted.
  assert.equal(truth.tiers?.basis, 'contact');
  // email (3) is small; web is hidden with it, or 40 − 25 − web would give email back.
  assert.deepEqual(
    shown.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 25],
      ['web', null],
      ['email', null],
    ],
  );
  // 18 of 20 resolved says 2 were not: hidden; 10 of 20 stays.
  assert.deepEqual(
    shown.tiers?.rows.map((t) => [t.tier, t.count, t.resolved, t.resolvedPct]),
    [
      ['1', 20, null, null],
      ['2', 20, 10, 50],
    ],
  );
  const text = JSON.stringify(shown);
  assert.doesNotMatch(text, /"(contacts|resolved)":(3|12|18|2),/);
  // The owner's own view (min cell 0) is the truth.
  assert.deepEqual(discloseContacts(truth, 0), truth);
});

// First-contact resolution by request (decision 35), worked by hand. Tiers: missed bin 1, progress
// chasing 1, benefit claim 2, council tax 3; noise has none. Each request, its first contact and
// whether it was resolved at first contact (one contact, flagged resolved):
//   Q1  one contact, resolved                                       tier 1, resolved
//   Q2  first resolved, but followed up two days later              tier 1, not
//   Q3  one contact, not resolved                                   tier 2, not
//   Q4  benefit claim (N), then progress chasing (Y): the first's   tier 2, not
//   Q5  two contacts at 12:00: a tie, the row first in the file     tier 3 (council tax), not
//       (council tax) is the first contact
//   Q6  the row first in the file is at 10:00, the next at 09:00:   tier 3 (council tax), not
//       the date-time decides before the file's order
//   Q7  an undated benefit claim, then a dated missed bin: the      tier 1, not
//       undated contact comes after every dated one
//   Q8  one contact for noise, resolved                             untiered
//   Q9  noise first, then missed bin                                untiered
//   Q10 " missed BIN " (case and spaces are not the reason)         tier 1, resolved
//   two resolved missed-bin contacts have no request reference: left out (2), not requests
// tier 1: Q1 Q2 Q7 Q10 = 4 requests, 2 resolved (50%, short of 80%); tier 2: Q3 Q4 = 2, 0;
// tier 3: Q5 Q6 = 2, 0; untiered: Q8 Q9 = 2; 10 requests, as NI14 counts them.
// Counted by contact instead (the same rows without the request column): missed bin 10 contacts
// (rows 1 2 3 8 9 12 15 16 17 18), 8 resolved, and progress chasing 1, resolved: tier 1 11, 9
// (81.8%, meets 80%); benefit claim 3, 1; council tax 2, 1; noise 2 untiered.
const REQUESTS = [
  ['Q1', '2025-04-01 09:00', 'Missed bin', 'Y'],
  ['Q2', '2025-04-01 10:00', 'Missed bin', 'Y'],
  ['Q2', '2025-04-03 10:00', 'Missed bin', 'Y'],
  ['Q3', '2025-04-01 11:00', 'Benefit claim', 'N'],
  ['Q4', '2025-04-02 09:00', 'Benefit claim', 'N'],
  ['Q4', '2025-04-04 09:00', 'Progress chasing', 'Y'],
  ['Q5', '2025-04-02 12:00', 'Council tax', 'N'],
  ['Q5', '2025-04-02 12:00', 'Missed bin', 'Y'],
  ['Q6', '2025-04-03 10:00', 'Missed bin', 'N'],
  ['Q6', '2025-04-03 09:00', 'Council tax', 'Y'],
  ['Q7', '', 'Benefit claim', 'Y'],
  ['Q7', '2025-04-05 09:00', 'Missed bin', 'N'],
  ['Q8', '2025-04-05 10:00', 'Noise', 'Y'],
  ['Q9', '2025-04-06 10:00', 'Noise', 'N'],
  ['Q9', '2025-04-07 10:00', 'Missed bin', 'Y'],
  ['Q10', '2025-04-07 11:00', ' missed BIN ', 'Y'],
  ['', '2025-04-08 09:00', 'Missed bin', 'Y'],
  ['', '2025-04-08 10:00', 'Missed bin', 'Y'],
];
const REQUEST_TIERS = new Map([
  ['Missed bin', '1'],
  ['Progress chasing', '1'],
  ['Benefit claim', '2'],
  ['Council tax', '3'],
]);

async function importRequests(name: string, rows: string[][], withRequest: boolean): Promise<void> {
  const lines = [
    withRequest
      ? 'id,channel,request_ref,contact_datetime,reason,resolved'
      : 'id,channel,contact_datetime,reason,resolved',
  ];
  rows.forEach(([request, at, reason, resolved], i) =>
    lines.push([i + 1, 'phone', ...(withRequest ? [request] : []), at, `"${reason}"`, resolved].join(',')),
  );
  writeFileSync(join(tmp.dir, `${name}.csv`), lines.join('\n') + '\n');
  await importDataset(ws.engine, name, join(tmp.dir, `${name}.csv`), { noPostcode: true });
}

test('first-contact resolution counts requests: the first contact decides the tier, one resolved contact resolves it', async () => {
  await importRequests('requests', REQUESTS, true);
  const r = ContactsResultSchema.parse(
    await contactAnalysis(ws.engine, { dataset: 'requests', tiers: REQUEST_TIERS, target: 80 }),
  );
  assert.equal(r.version, 2);
  assert.equal(r.contacts, 18);
  assert.equal(r.ni14?.requests, 10);
  assert.deepEqual(r.tiers, {
    target: 80,
    basis: 'request',
    rows: [
      { tier: '1', count: 4, resolved: 2, resolvedPct: 50, meetsTarget: false },
      { tier: '2', count: 2, resolved: 0, resolvedPct: 0, meetsTarget: false },
      { tier: '3', count: 2, resolved: 0, resolvedPct: 0, meetsTarget: false },
    ],
    untiered: 2,
    withoutRequest: 2,
  });
  // The tie goes by the file's order: Q5's missed bin written first makes it a tier 1 request.
  const swapped = [...REQUESTS];
  [swapped[6], swapped[7]] = [swapped[7], swapped[6]];
  await importRequests('requests_swapped', swapped, true);
  const s = await contactAnalysis(ws.engine, { dataset: 'requests_swapped', tiers: REQUEST_TIERS });
  assert.deepEqual(
    s.tiers?.rows.map((t) => [t.tier, t.count, t.resolved]),
    [
      ['1', 5, 2],
      ['2', 2, 0],
      ['3', 1, 0],
    ],
  );
});

test('without a request reference, first-contact resolution still counts contacts, and says so', async () => {
  await importRequests('no_requests', REQUESTS, false);
  const r = ContactsResultSchema.parse(
    await contactAnalysis(ws.engine, { dataset: 'no_requests', tiers: REQUEST_TIERS, target: 80 }),
  );
  assert.equal(r.columns.request, null);
  assert.equal(r.ni14, null);
  assert.deepEqual(r.tiers, {
    target: 80,
    basis: 'contact',
    rows: [
      { tier: '1', count: 11, resolved: 9, resolvedPct: (100 * 9) / 11, meetsTarget: true },
      { tier: '2', count: 3, resolved: 1, resolvedPct: 100 / 3, meetsTarget: false },
      { tier: '3', count: 2, resolved: 1, resolvedPct: 50, meetsTarget: false },
    ],
    untiered: 2,
    withoutRequest: 0,
  });
});

test('the requests by tier are protected as the contacts are: small counts and small remainders hidden', async () => {
  const truth = await contactAnalysis(ws.engine, { dataset: 'requests', tiers: REQUEST_TIERS });
  const shown = discloseContacts(truth, 3);
  // Under 3: tier 2 (2), tier 3 (2), untiered (2) and the 2 contacts without a reference are hidden;
  // tier 1's 2 of 4 resolved leaves 2 unresolved: hidden too.
  assert.deepEqual(
    shown.tiers?.rows.map((t) => [t.tier, t.count, t.resolved, t.resolvedPct, t.meetsTarget]),
    [
      ['1', 4, null, null, null],
      ['2', null, null, null, null],
      ['3', null, null, null, null],
    ],
  );
  assert.equal(shown.tiers?.untiered, null);
  assert.equal(shown.tiers?.withoutRequest, null);
  assert.equal(shown.tiers?.basis, 'request');
});
