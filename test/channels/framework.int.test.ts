/**
 * The communications framework (issue 14 point 4): service channels banded from the council's own
 * contacts, information and service channels from a preference table written as Kent's framework
 * writes them, the two side by side where both speak, and no band from a hidden count.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  channelMix,
  communicationsFramework,
  readFrameworkFile,
  FrameworkResultSchema,
  type FrameworkResult,
} from '../../src/channels/index.ts';
import { discloseChannelMix, frameworkToTable, frameworkToCsv } from '../../src/outputs/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const tmp = tempDir('civic-framework-');
let ws: Workspace;

// A: phone 6, web 4, face to face 2 (of 12); B: phone 2, web 2, face to face 4 (of 8), as in
// mix.int.test.ts: indexes A 125 / 111 / 56 (High, Above average, Low), B 63 / 83 / 167 (Low,
// Below average, High).
const CONTACTS: [string, string, number][] = [
  ['M15 4AB', 'phone', 6],
  ['M15 4AB', 'web', 4],
  ['M15 4AB', 'F2F', 2],
  ['SW1A 2AA', 'phone', 2],
  ['SW1A 2AA', 'web', 2],
  ['SW1A 2AA', 'F2F', 4],
];
// A preference table in Kent's words ("Above Average"), one value an index (130: High).
const TABLE = `segment,kind,channel,value
A,information,Internet,Above Average
A,information,Local papers,Low
B,information,Internet,Below Average
B,information,Local papers,130
A,service,Telephone,Above Average
B,service,Post,Average
`;

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  const rows = CONTACTS.flatMap(([pc, ch, n]) => Array.from({ length: n }, () => `${pc},${ch}`));
  writeFileSync(join(tmp.dir, 'log.csv'), ['postcode,channel', ...rows].join('\n'));
  await importDataset(ws.engine, 'log', join(tmp.dir, 'log.csv'), { key: TEST_KEY, kind: 'contacts' });
  writeFileSync(join(tmp.dir, 'prefs.csv'), TABLE);
});
after(() => {
  ws.close();
  tmp.cleanup();
});

const cell = (r: FrameworkResult, seg: string, kind: string, channel: string) =>
  r.segments.find((s) => s.code === seg)!.cells.find((c) => c.kind === kind && c.channel === channel)!;

test('service channels from the contacts, information channels from the table, both where both speak', async () => {
  const mix = await channelMix(ws.engine, { dataset: 'log' });
  const table = readFrameworkFile(join(tmp.dir, 'prefs.csv'));
  const r = FrameworkResultSchema.parse(communicationsFramework(mix, table, { tableName: 'prefs.csv' }));
  // Channels are read as the intake reads them: the internet is the web channel.
  assert.deepEqual(r.channels.information, ['web', 'local papers']);
  assert.deepEqual(r.channels.service, ['phone', 'face to face', 'web', 'post']);
  assert.equal(cell(r, 'A', 'information', 'web').band, 'Above average');
  assert.equal(cell(r, 'B', 'information', 'local papers').band, 'High');
  assert.equal(cell(r, 'A', 'service', 'phone').contactsBand, 'High');
  // "Telephone" in the table is the phone channel: the table's Above average is kept beside the contacts' High.
  assert.equal(cell(r, 'A', 'service', 'phone').tableBand, 'Above average');
  assert.equal(cell(r, 'A', 'service', 'phone').band, 'High');
  assert.equal(cell(r, 'B', 'service', 'face to face').band, 'High');
  assert.equal(cell(r, 'B', 'service', 'post').band, 'Average');
  assert.equal(cell(r, 'A', 'service', 'post').band, null);
  const text = frameworkToTable(r);
  assert.match(text, /Information channels \(finding things out\)/);
  assert.match(text, /High \(table: Above average\)/);
  assert.match(frameworkToCsv(r), /A,Group A,service,phone,High,125\.0,High,Above average/);
});

test('a table alone gives the framework; a hidden count gives no band', async () => {
  const table = readFrameworkFile(join(tmp.dir, 'prefs.csv'));
  const alone = communicationsFramework(null, table);
  assert.deepEqual(
    alone.segments.map((s) => s.code),
    ['A', 'B'],
  );
  assert.ok(alone.segments.every((s) => s.cells.every((c) => c.contactsBand === null)));
  // At a threshold of 3, B's phone and web (2 each) are hidden, and so is what would give them away.
  const shown = discloseChannelMix(await channelMix(ws.engine, { dataset: 'log' }), 3);
  const r = communicationsFramework(shown, null);
  assert.equal(cell(r, 'B', 'service', 'phone').band, null);
  assert.equal(cell(r, 'B', 'service', 'web').band, null);
  for (const s of r.segments)
    for (const c of s.cells) {
      const m = shown.cells.find((x) => x.code === s.code && x.channel === c.channel)!;
      if (m.contacts === null) assert.equal(c.band, null, `${s.code} ${c.channel}`);
    }
});

test('a preference table with a mistake is refused, naming the row and column', () => {
  const bad = (text: string) => {
    const f = join(tmp.dir, `bad-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(f, text);
    return () => readFrameworkFile(f);
  };
  assert.throws(bad('segment,kind,channel,value\nA,marketing,Internet,High\n'), /not information or service/);
  assert.throws(bad('segment,kind,channel,value\nA,service,Internet,Great\n'), /"Great" is not a band or an index/);
  assert.throws(bad('segment,kind,channel\nA,service,Internet\n'), /no "value" column/);
  assert.throws(
    bad('segment,kind,channel,value\nA,service,Tel,High\nA,service,phone,Low\n'),
    /given twice \(rows 2 and 3\)/,
  );
});
