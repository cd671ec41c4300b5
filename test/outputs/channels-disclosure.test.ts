/**
 * The disclosure of contact logs' measures across answers (issue 14, point 7), as pure functions:
 * which repeat windows may be shown, hidden channels that add up to a small number, and counts over
 * sets of reasons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discloseContacts, shownWindows, OTHER_CHANNELS } from '../../src/outputs/index.ts';
import type { ContactsResult, ContactDetail } from '../../src/channels/index.ts';

const result = (over: Partial<ContactsResult> = {}): ContactsResult => ({
  version: 2,
  dataset: 'log',
  columns: { channel: 'channel', customer: 'who', request: null, reason: 'reason', datetime: 'at', resolved: 'ok' },
  contacts: 97,
  channels: [
    { channel: 'phone', contacts: 50, pct: (100 * 50) / 97 },
    { channel: 'web', contacts: 40, pct: (100 * 40) / 97 },
    { channel: 'sms', contacts: 4, pct: (100 * 4) / 97 },
    { channel: 'email', contacts: 3, pct: (100 * 3) / 97 },
  ],
  ni14: null,
  repeat: { withinDays: 7, contacts: 12, pct: (100 * 12) / 97, notChecked: 0 },
  avoidable: null,
  tiers: null,
  minCell: 0,
  ...over,
});

test('hidden channels add up to at least the threshold, or the total gives their sum back', () => {
  const shown = discloseContacts(result(), 10);
  // sms 4 + email 3 = 7 from 97 − 50 − 40: web is hidden with them.
  assert.deepEqual(
    shown.channels.map((c) => c.contacts),
    [50, null, null, null],
  );
});

test('repeat windows: any two shown differ by 0 or at least the threshold, chosen from 1 day up', () => {
  // 12 within 1–7 days, 15 within 8–19, 25 from 20.
  const within = Array.from({ length: 366 }, (_, i) => (i < 7 ? 12 : i < 19 ? 15 : 25));
  const shown = shownWindows(within, 97, 10);
  assert.deepEqual(
    [...shown].filter((d) => d <= 21),
    [1, 2, 3, 4, 5, 6, 7, 20, 21],
  );
  // A window leaving a small remainder of those looked at is not shown either.
  assert.equal(shownWindows(within, 30, 10).has(20), false);
  const detail: ContactDetail = { repeatWithin: within, checked: 97, reasons: null, firstReasons: null };
  assert.equal(
    discloseContacts(result({ repeat: { withinDays: 8, contacts: 15, pct: 15, notChecked: 0 } }), 10, { detail }).repeat
      ?.contacts,
    null,
  );
  assert.equal(discloseContacts(result(), 10, { detail }).repeat?.contacts, 12);
  // Without the other answers (the command line's single answer) 15 is shown.
  assert.equal(
    discloseContacts(result({ repeat: { withinDays: 8, contacts: 15, pct: 15, notChecked: 0 } }), 10).repeat?.contacts,
    15,
  );
});

test('a set of reasons holding a small one, or one that would give the small ones back, is hidden', () => {
  const detail: ContactDetail = {
    repeatWithin: null,
    checked: null,
    reasons: [
      { reason: 'a', contacts: 50, resolved: 40 },
      { reason: 'b', contacts: 30, resolved: 15 },
      { reason: 'c', contacts: 14, resolved: 7 },
      { reason: 'd', contacts: 3, resolved: 1 },
    ],
    firstReasons: null,
  };
  const ask = (reasons: string[]) =>
    discloseContacts(
      result({
        avoidable: {
          reasons,
          contacts: detail
            .reasons!.filter((x) => reasons.map((r) => r.toLowerCase()).includes(x.reason!))
            .reduce((a, x) => a + x.contacts, 0),
          pct: 0,
        },
        repeat: null,
      }),
      10,
      { detail },
    ).avoidable?.contacts;
  assert.equal(ask(['D']), null);
  // c (14) is not small, but 97 − a − b − c = 3 would be: c goes with d.
  assert.equal(ask(['c']), null);
  assert.equal(ask(['A', 'b']), 80);
  // A reason not in the log has no contacts: nothing to hide.
  assert.equal(ask(['e']), 0);
});

test('values outside the channel vocabulary with small counts are pooled, never named', () => {
  const r = result({
    channels: [
      { channel: 'phone', contacts: 80, pct: 80 },
      { channel: 'web', contacts: 14, pct: 14 },
      { channel: 'Mrs Jones next door', contacts: 2, pct: 2 },
      { channel: 'pigeon', contacts: 1, pct: 1 },
    ],
    contacts: 97,
  });
  const detail: ContactDetail = { repeatWithin: null, checked: null, reasons: null, firstReasons: null };
  const shown = discloseContacts(r, 10, { detail });
  assert.deepEqual(
    shown.channels.map((c) => [c.channel, c.contacts]),
    [
      ['phone', 80],
      ['web', null],
      [OTHER_CHANNELS, null],
    ],
  );
  assert.doesNotMatch(JSON.stringify(shown), /Jones|pigeon/);
});

test('tiers counting requests: a set of reasons is judged by its requests, and by its contacts less its requests', () => {
  // Contacts: a 50, b 30, c 20, d 20 (120). Requests by their first contact's reason: a 40 (30
  // resolved at first contact), b 30 (2), c 18 (9), d 4 (2): 92, NI14's requests. By contacts
  // nothing is small. By requests d (4) is; c's 20 contacts less its 18 requests are 2, so c as a
  // tier less c as avoidable contact would give 2 back; b's 2 resolved hide any tier's resolution.
  const detail: ContactDetail = {
    repeatWithin: null,
    checked: null,
    reasons: [
      { reason: 'a', contacts: 50, resolved: 35 },
      { reason: 'b', contacts: 30, resolved: 10 },
      { reason: 'c', contacts: 20, resolved: 10 },
      { reason: 'd', contacts: 20, resolved: 10 },
    ],
    firstReasons: [
      { reason: 'a', requests: 40, resolved: 30 },
      { reason: 'b', requests: 30, resolved: 2 },
      { reason: 'c', requests: 18, resolved: 9 },
      { reason: 'd', requests: 4, resolved: 2 },
    ],
  };
  const ask = (tiers: Map<string, string>, basis: 'request' | 'contact') => {
    const rows = [...new Set(tiers.values())].sort().map((tier) => {
      const members = [...tiers].filter(([, t]) => t === tier).map(([r]) => r);
      const of = (x: { reason: string | null }) => members.includes(x.reason!);
      const count =
        basis === 'request'
          ? detail.firstReasons!.filter(of).reduce((a, x) => a + x.requests, 0)
          : detail.reasons!.filter(of).reduce((a, x) => a + x.contacts, 0);
      const resolved =
        basis === 'request'
          ? detail.firstReasons!.filter(of).reduce((a, x) => a + x.resolved, 0)
          : detail.reasons!.filter(of).reduce((a, x) => a + x.resolved!, 0);
      return { tier, count, resolved, resolvedPct: (100 * resolved) / count, meetsTarget: false };
    });
    const total = basis === 'request' ? 92 : 120;
    const r = result({
      contacts: 120,
      columns: { ...result().columns, request: basis === 'request' ? 'ref' : null },
      ni14:
        basis === 'request'
          ? { requests: 92, contactsPerRequest: 120 / 92, multiContact: 20, multiContactPct: 0 }
          : null,
      repeat: null,
      tiers: {
        target: 80,
        basis,
        rows,
        untiered: total - rows.reduce((a, t) => a + t.count, 0),
        withoutRequest: 0,
      },
    });
    return discloseContacts(r, 10, { detail, tiers }).tiers!;
  };
  const counts = (t: ReturnType<typeof ask>) => [...t.rows.map((x) => [x.count, x.resolved]), t.untiered];
  // c by requests: hidden, and those without a tier with it; a stays, with its resolution.
  const ac = new Map([
    ['a', '1'],
    ['c', '2'],
  ]);
  assert.deepEqual(counts(ask(ac, 'request')), [[40, 30], [null, null], null]);
  assert.deepEqual(counts(ask(ac, 'contact')), [[50, 35], [20, 10], 50]);
  // a and b together: 70 requests, but the 2 of b resolved hide the tier's resolution.
  const ab = new Map([
    ['a', '1'],
    ['b', '1'],
  ]);
  assert.deepEqual(counts(ask(ab, 'request')), [[70, null], 22]);
  // d's 4 requests hide any tier holding d, however large.
  const bd = new Map([
    ['b', '1'],
    ['d', '1'],
  ]);
  assert.deepEqual(counts(ask(bd, 'request')), [[null, null], null]);
  assert.deepEqual(counts(ask(bd, 'contact')), [[50, 20], 70]);
});
