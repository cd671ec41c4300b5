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
//   tiers: missed bin tier 1 (3 contacts, 2 resolved), benefit claim tier 2 (2, 1),
//     progress chasing tier 1 (4, 1), council tax tier 3 (1, 1); wrong department untiered (1); blank reason untiered (1)
//     tier 1: 7 contacts, 3 resolved (42.9%); tier 2: 2, 1 (50%); tier 3: 1, 1 (100%, meets 80%)
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
  assert.deepEqual(
    r.tiers?.rows.map((t) => [t.tier, t.contacts, t.resolved, t.meetsTarget]),
    [
      ['1', 7, 3, false],
      ['2', 2, 1, false],
      ['3', 1, 1, true],
    ],
  );
  assert.equal(r.tiers?.untiered, 2);
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
    shown.tiers?.rows.map((t) => [t.tier, t.contacts, t.resolved, t.resolvedPct]),
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
