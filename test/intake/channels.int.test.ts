/**
 * Channel columns (issue 12, point 6): found by name or named, written in one vocabulary, the
 * values as written kept beside them, unknown values kept and counted; through the command line
 * and the portal's job page.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { findChannelColumn, readChannel } from '../../src/intake/index.ts';

const tmp = tempDir('civic-channels-');
after(() => tmp.cleanup());

test('how councils write channels, read into one vocabulary', () => {
  assert.equal(readChannel('F2F'), 'face to face');
  assert.equal(readChannel('Face-to-Face'), 'face to face');
  assert.equal(readChannel(' Tel '), 'phone');
  assert.equal(readChannel('Web form'), 'web');
  assert.equal(readChannel('E-mail'), 'email');
  assert.equal(readChannel('Text message'), 'sms');
  assert.equal(readChannel('Self-service'), 'self-serve');
  assert.equal(readChannel('carrier pigeon'), null);
  assert.equal(readChannel(''), null);
  assert.equal(findChannelColumn(['id', 'Contact Method', 'postcode']), 1);
  assert.equal(findChannelColumn(['id', 'Channel', 'postcode']), 1);
  assert.equal(findChannelColumn(['id', 'channel_partner_ref']), -1, 'a name that only contains the word is not taken');
});

test('a channel column found by its name is written in the vocabulary, the values as written kept, and profiles use it', async () => {
  const ws = join(tmp.dir, 'small.civic');
  (await smallWorkspace(tmp.dir)).close();
  const f = join(tmp.dir, 'contacts.csv');
  writeFileSync(
    f,
    [
      'ref,postcode,Contact method',
      'C1,M15 4AB,F2F',
      'C2,M15 4AD,Tel',
      'C3,M1 1AE,Telephone',
      'C4,SW1A 2AA,Web form',
      'C5,SB4 0QD,carrier pigeon',
      'C6,SB4 0QD,',
    ].join('\n') + '\n',
  );
  const r = await civic('dataset', 'import', ws, 'contacts', f, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.channels, {
    column: 'Contact method',
    found: 'by name',
    channels: [
      { channel: 'phone', rows: 2 },
      { channel: 'face to face', rows: 1 },
      { channel: 'web', rows: 1 },
    ],
    unknown: 1,
    blank: 1,
    asWritten: 'Contact method_as_written',
  });
  assert.equal(out.read, 6);
  const prof = await civic(
    'profile',
    ws,
    'contacts',
    '--classification',
    'small',
    '--tier',
    'group',
    '--where',
    'Contact method=phone',
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  assert.equal(prof.code, 0, prof.stderr);
  assert.equal(JSON.parse(prof.stdout).rows.find((x: { code: string }) => x.code === 'A').count, 2);
  const kept = await civic(
    'profile',
    ws,
    'contacts',
    '--classification',
    'small',
    '--tier',
    'group',
    '--where',
    'Contact method_as_written=Tel',
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  assert.equal(JSON.parse(kept.stdout).rows.find((x: { code: string }) => x.code === 'A').count, 1, 'nothing is lost');
  const text = await civic('dataset', 'import', ws, 'contacts2', f);
  assert.match(
    text.stdout,
    /Contact method holds channels \(found by its name\): phone 2, face to face 1, web 1; 1 rows name a channel not in the vocabulary, kept as written; 1 blank/,
  );

  // A column called "channel" that holds something else is left alone; --channel-column insists.
  const g = join(tmp.dir, 'tv.csv');
  writeFileSync(
    g,
    ['ref,postcode,channel', 'T1,M15 4AB,BBC One', 'T2,M15 4AD,ITV', 'T3,M1 1AE,phone'].join('\n') + '\n',
  );
  const tv = await civic('dataset', 'import', ws, 'tv', g, '--format', 'json');
  assert.equal(JSON.parse(tv.stdout).channels, null);
  const insist = await civic('dataset', 'import', ws, 'tv2', g, '--channel-column', 'channel', '--format', 'json');
  assert.equal(insist.code, 0, insist.stderr);
  assert.deepEqual(JSON.parse(insist.stdout).channels.channels, [{ channel: 'phone', rows: 1 }]);
  assert.equal(
    JSON.parse(insist.stdout).channels.asWritten,
    null,
    'no value changed, so no column of values as written',
  );
});
