/** `civic contacts` and `civic channel-shift` from the command line: the seeds' figures, and mistakes said plainly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

test('the cost of Bristol’s contacts and the housing benefit shift, as a table and as JSON', async () => {
  const cost = await civic(
    'contacts',
    'cost',
    '--unit-costs',
    'bristol',
    '--total',
    '1250000',
    '--shares',
    'Telephone=60,F2F=25,self service=15',
  );
  assert.equal(cost.code, 0, cost.stderr);
  assert.match(cost.stdout, /^phone\s+750,000\s+60\.00\s+£4\.62\s+£3,465,000\.00$/m);
  assert.match(cost.stdout, /^Total\s+1,250,000\s+100\.00\s+£4\.59\s+£5,736,875\.00$/m);
  const shift = await civic(
    'channel-shift',
    '--unit-costs',
    'bristol-housing-benefit',
    '--from',
    'phone',
    '--to',
    'web',
    '--contacts-per-month',
    '1900',
    '--format',
    'json',
  );
  assert.equal(shift.code, 0, shift.stderr);
  assert.equal(JSON.parse(shift.stdout).savingPerYear, 45_600);
});

test('a mistake in the volumes or the unit costs is named, with what to do, and no stack trace', async () => {
  const bad = await civic('contacts', 'cost', '--unit-costs', 'bristol', '--volumes', 'phone=lots');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--volumes needs CHANNEL=NUMBER for each channel, not "phone=lots"/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
  const both = await civic('contacts', 'cost', '--unit-costs', 'bristol', '--volumes', 'phone=1', '--total', '5');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either by channel \(--volumes\) or as a total with shares/);
  const none = await civic('contacts', 'unit-costs', '--unit-costs', 'camden');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Published sets: maidstone, bristol/);
});

test('a contact log summarised: the owner sees every count on screen; JSON and files hide the small ones', async () => {
  const tmp = tempDir('civic-contacts-cli-');
  try {
    const ws = join(tmp.dir, 'c.civic');
    assert.equal((await civic('init', ws)).code, 0);
    const rows = ['id,caller_ref,contact_date,channel,reason,resolved'];
    for (let i = 0; i < 30; i++)
      rows.push(
        `${i},K${i % 20},2025-01-${String(1 + i).padStart(2, '0')},${i < 26 ? 'Tel' : 'F2F'},Bins,${i < 15 ? 'Y' : 'N'}`,
      );
    writeFileSync(join(tmp.dir, 'contacts.csv'), rows.join('\n') + '\n');
    writeFileSync(join(tmp.dir, 'tiers.csv'), 'Reason,Tier\nBins,1\n');
    const imported = await civic('dataset', 'import', ws, 'contacts', join(tmp.dir, 'contacts.csv'), '--no-postcode');
    assert.equal(imported.code, 0, imported.stderr);
    const table = await civic('contacts', 'summary', ws, 'contacts', '--tiers', join(tmp.dir, 'tiers.csv'));
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^phone\s+26\s+86\.67%$/m);
    assert.match(table.stdout, /^face to face\s+4\s+13\.33%$/m);
    // K0…K9 came back twenty days later (1 → 21 January): not within 7 days; within 21 they are.
    assert.match(table.stdout, /Repeat contact: 0 contacts/);
    // No request reference: resolution by tier counts contacts, and says so (15 of 30 resolved).
    assert.match(table.stdout, /by tier \(target 80%\), counting contacts: there is no request reference/);
    assert.match(table.stdout, /^Tier\s+Contacts\s+Resolved/m);
    assert.match(table.stdout, /^1\s+30\s+15\s+50\.00%\s+no$/m);
    const wide = await civic(
      'contacts',
      'summary',
      ws,
      'contacts',
      '--repeat-days',
      '21',
      '--format',
      'json',
      '--min-cell',
      '0',
    );
    assert.equal(JSON.parse(wide.stdout).repeat.contacts, 10);
    const json = JSON.parse((await civic('contacts', 'summary', ws, 'contacts', '--format', 'json')).stdout);
    assert.equal(json.minCell, 10);
    assert.deepEqual(
      json.channels.map((c: { contacts: number | null }) => c.contacts),
      [null, null],
    );
    const bad = await civic('contacts', 'summary', ws, 'contacts', '--request-column', 'case');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no column "case" for the request/);
  } finally {
    tmp.cleanup();
  }
});
