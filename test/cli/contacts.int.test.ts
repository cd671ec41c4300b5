/** `civic contacts` and `civic channel-shift` from the command line: the seeds' figures, and mistakes said plainly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { civic } from '../helpers/cli.ts';

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
