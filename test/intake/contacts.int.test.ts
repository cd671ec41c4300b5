/**
 * Contact logs at intake (issue 14 point 1): a file as a contact centre's system exports it, with
 * its own column names, UK dates, handling times as minutes and m:ss, channel names beyond the
 * vocabulary, and a few values that cannot be read, imported with --kind contacts. Every row is
 * kept and accounted for; the customer reference never stays readable.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDay } from '../../src/core/index.ts';
import type { Workspace } from '../../src/store/index.ts';
import {
  importDataset,
  parseContactColumns,
  readChannelNames,
  contactTimeSql,
  describeContactLog,
  findContactColumns,
} from '../../src/intake/index.ts';
import { contactAnalysis, contactVolumes, channelMix } from '../../src/channels/index.ts';
import { smallWorkspace, snapshot, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';

const tmp = tempDir('civic-intake-contacts-');
let ws: Workspace;

// Eight contacts from the "Firmstep"-style export: "Case No" is the request (its name does not say
// so), "Customer No" the customer, "Logged" the date and time (UK, day first), "Talk Time" the
// handling time (minutes or m:ss), "Outcome" the resolved flag.
//   Channels: Tel ×2 and IVR (named phone in channels.csv) = phone 3; Webchat (a channel of its own,
//   "web chat") ×2; F2F, Web form, E-mail = 1 each.
//   Row 6's date (31/02/2025) and row 8's talk time ("long") cannot be read; row 9's outcome "maybe" neither.
//   Requests: K1 ×3, K2 ×2, K3, K4, K5 = 8 contacts / 5 requests = NI14 1.6
//   Repeat within 7 days, same customer and reason: C1 missed bin 03/03 09:00 → 05/03 (yes) → 20/03 (no);
//   C2 bill query 04/03 → 06/03 (yes); C3's second has an unreadable date (not checked) = 2 of 7 checked.
//   Talk time: 5 + 7.5 (7:30) + 12 + 3 + 1.5 (1:30) = 29 minutes over five contacts with a readable time.
const CSV = `Ref,Customer No,Case No,Logged,Contact Type,Reason,Service,Talk Time,Outcome,Postcode
1,C1,K1,03/03/2025 09:00,Tel,Missed bin,Waste,5,Y,M15 4AB
2,C1,K1,05/03/2025 10:15,IVR,Missed bin,Waste,7:30,N,M15 4AB
3,C1,K1,20/03/2025 11:00,Webchat,Missed bin,Waste,,Y,M15 4AB
4,C2,K2,04/03/2025 14:00,F2F,Bill query,Council tax,12,N,M15 4AD
5,C2,K2,06/03/2025 08:30,Tel,Bill query,Council tax,3,Y,M15 4AD
6,C3,K3,31/02/2025 09:00,Web form,Pothole,Streets,,Y,SW1A 2AA
7,C3,K4,2025-03-07 16:45,E-mail,Pothole,Streets,1:30,Y,SW1A 2AA
8,C4,K5,10 Mar 2025 12:00,Webchat,Bill query,Council tax,long,maybe,SW1A 2AA
`;

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  writeFileSync(join(tmp.dir, 'log.csv'), CSV);
  writeFileSync(join(tmp.dir, 'channels.csv'), 'written,channel\nIVR,phone\nWebchat,web chat\n');
});
after(() => {
  ws.close();
  tmp.cleanup();
});

test('a contact log: its parts found or named, its values read once, every row kept', async () => {
  const names = readChannelNames('written,channel\nIVR,phone\nWebchat,web chat\n', 'channels.csv');
  const r = await importDataset(ws.engine, 'log', join(tmp.dir, 'log.csv'), {
    key: TEST_KEY,
    kind: 'contacts',
    contactColumns: parseContactColumns('request=Case No, handling=Talk Time, datetime=Logged, resolved=Outcome'),
    channelNames: names,
  });
  assert.equal(r.read, 8);
  assert.equal(r.matched, 8);
  const log = r.contactLog!;
  assert.deepEqual(log.columns, {
    channel: 'Contact Type',
    customer: 'Customer No',
    request: 'Case No',
    reason: 'Reason',
    service: 'Service',
    datetime: 'Logged',
    handling: 'Talk Time',
    resolved: 'Outcome',
  });
  assert.deepEqual(log.unreadable, {
    datetime: { count: 1, rows: [7] },
    handling: { count: 1, rows: [9] },
    resolved: { count: 1, rows: [9] },
  });
  assert.deepEqual(
    r.channels!.channels.map((c) => [c.channel, c.rows]),
    [
      ['phone', 3],
      ['web chat', 2],
      ['email', 1],
      ['face to face', 1],
      ['web', 1],
    ],
  );
  // The customer reference is pseudonymised without being asked: no C1 … C4 left in the table.
  assert.ok(r.pseudonymised.includes('Customer No'));
  const t = (await ws.engine.one<{ t: string }>(`SELECT table_name AS t FROM dataset WHERE name = 'log'`))!.t;
  const refs = await ws.engine.all<{ v: string }>(`SELECT DISTINCT "Customer No" AS v FROM "${t}"`);
  assert.ok(refs.every((x) => !/^C\d$/.test(x.v)));
  const text = describeContactLog(log).join('\n');
  assert.match(text, /1 dates and times could not be read \(rows 7\)/);
  assert.doesNotMatch(text, /31\/02|long|maybe/, 'the report quotes no value');

  // The analyses take the parts and the values as read at import.
  const a = await contactAnalysis(ws.engine, { dataset: 'log' });
  assert.equal(a.columns.request, 'Case No');
  assert.equal(a.ni14!.contactsPerRequest, 1.6);
  assert.equal(a.repeat!.contacts, 2);
  assert.equal(a.repeat!.notChecked, 1);
  const v = await contactVolumes(ws.engine, { dataset: 'log', by: 'service' });
  assert.equal(v.handlingColumn, 'Talk Time');
  assert.equal(v.minutes, 29);
  assert.equal(v.unreadable, 1);
  const m = await channelMix(ws.engine, { dataset: 'log' });
  assert.equal(m.channelColumn, 'Contact Type');
  // The channel names are kept: the next import reads IVR as phone without being told.
  writeFileSync(join(tmp.dir, 'next.csv'), 'Customer No,Contact Type,Postcode\nC9,IVR,M15 4AB\nC9,webchat,M15 4AB\n');
  const next = await importDataset(ws.engine, 'next', join(tmp.dir, 'next.csv'), { key: TEST_KEY, kind: 'contacts' });
  assert.deepEqual(
    next.channels!.channels.map((c) => [c.channel, c.rows]),
    [
      ['phone', 1],
      ['web chat', 1],
    ],
  );
});

test('a contact log without a channel column is refused, naming the file, and nothing changes', async () => {
  writeFileSync(join(tmp.dir, 'nochannel.csv'), 'Customer No,Reason,Postcode\nC1,Missed bin,M15 4AB\n');
  const before = await snapshot(ws.engine);
  await assert.rejects(
    importDataset(ws.engine, 'nochannel', join(tmp.dir, 'nochannel.csv'), { key: TEST_KEY, kind: 'contacts' }),
    (e: Error & { location?: { file?: string }; fix?: string }) =>
      /needs a channel column/.test(e.message) &&
      /nochannel\.csv/.test(e.location?.file ?? '') &&
      /--channel-column/.test(e.fix ?? ''),
  );
  assert.deepEqual(await snapshot(ws.engine), before);
  assert.throws(() => parseContactColumns('queue=Skill'), /not a part of a contact/);
  assert.throws(
    () => findContactColumns(['a', 'b'], { request: 'Case' }, 'x.csv'),
    /names a column "Case" for the request that is not in the file/,
  );
  assert.throws(() => readChannelNames('name,channel\nIVR,phone\n', 'c.csv'), /no "written" column/);
});

test('the SQL that reads contact dates agrees with the rule every other date is read by', async () => {
  const values = [
    '2025-03-14',
    '2025-03-14 09:05',
    '2025-03-14T09:05:00',
    '14/03/2025',
    '14/03/2025 9:05',
    '1/3/2025',
    '14-03-2025',
    '14.03.2025 10:00',
    '14 Mar 2025',
    '14 March 2025 10:00',
    '31/02/2025',
    '2025-02-30',
    '03/14/2025',
    'yesterday',
    '',
  ];
  await ws.engine.run(`CREATE TEMP TABLE dates (v VARCHAR)`);
  await ws.engine.append(
    'dates',
    values.map((v) => [v]),
  );
  const rows = await ws.engine.all<{ v: string; d: string | null }>(
    `SELECT v, strftime(${contactTimeSql('v')}, '%Y-%m-%d') AS d FROM dates`,
  );
  for (const r of rows) {
    const day = parseDay(r.v);
    const expected = day === null ? null : new Date(day * 86_400_000).toISOString().slice(0, 10);
    assert.equal(r.d, expected, `"${r.v}"`);
  }
});

test('civic dataset import --kind contacts says which column is which part, and what could not be read', async () => {
  const W = join(tmp.dir, 'cli.civic');
  const ws2 = await smallWorkspace(tmp.dir, 'cli.civic');
  ws2.close();
  const keyFile = join(tmp.dir, 'key');
  writeFileSync(keyFile, 'ab'.repeat(32));
  const r = await civic(
    'dataset',
    'import',
    W,
    'log',
    join(tmp.dir, 'log.csv'),
    '--kind',
    'contacts',
    '--contact-columns',
    'request=Case No,handling=Talk Time,datetime=Logged,resolved=Outcome',
    '--channel-names',
    join(tmp.dir, 'channels.csv'),
    '--key-file',
    keyFile,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /A contact log: channel "Contact Type", customer "Customer No", request "Case No"/);
  assert.match(r.stdout, /1 handling times could not be read \(rows 9\)/);
  const bad = await civic(
    'dataset',
    'import',
    W,
    'x',
    join(tmp.dir, 'log.csv'),
    '--kind',
    'calls',
    '--key-file',
    keyFile,
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--kind is contacts/);
});
