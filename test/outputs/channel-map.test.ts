/**
 * The map of one channel by ward (issue 14, point 7), as a pure function of the disclosed mix.
 *
 * By hand: three wards with contacts and a fourth with boundaries but none.
 *
 *   ward       phone   web   email   all
 *   W1            60    30      10   100
 *   W2            20    16       4    40
 *   W3            30    30       0    60
 *   W4             —     —       —     —
 *   borough      110    76      14   200
 *
 * Under a threshold of 10, W2's 4 emails and W3's none are hidden, and with them other cells so
 * that no row or column total gives them back: in the table only W1's 60 calls and W3's 30 web
 * contacts are left. The map of each channel hides exactly the cells the table hides; W3's web is
 * 50% of its 60 contacts, index 50 ÷ 38 × 100 = 131.6, shown as 132.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelMixMap, discloseChannelMix, mappableChannels } from '../../src/outputs/index.ts';
import type { ChannelMixResult } from '../../src/channels/index.ts';
import { ParameterError } from '../../src/core/index.ts';

const counts: Record<string, Record<string, number>> = {
  W1: { phone: 60, web: 30, email: 10 },
  W2: { phone: 20, web: 16, email: 4 },
  W3: { phone: 30, web: 30, email: 0 },
};
const CHANNELS = ['phone', 'web', 'email'];

function truth(): ChannelMixResult {
  const total = 200;
  const chan = (c: string) => Object.values(counts).reduce((s, r) => s + r[c], 0);
  const groups = Object.entries(counts).map(([code, r]) => ({
    code,
    name: `Ward ${code.slice(1)}`,
    contacts: r.phone + r.web + r.email,
    cellKey: null,
  }));
  const cells = CHANNELS.flatMap((c) =>
    groups.map((g) => {
      const n = counts[g.code][c];
      const pct = (100 * n) / g.contacts!;
      return {
        code: g.code,
        channel: c,
        contacts: n,
        pct,
        index: (pct / ((100 * chan(c)) / total)) * 100,
        ciLow: null,
        ciHigh: null,
        z: null,
        significant: null,
        band: null,
        suppressed: false,
        cellKey: null,
      };
    }),
  );
  return {
    version: 1,
    dataset: 'log',
    channelColumn: 'channel',
    service: null,
    kind: 'area',
    level: 'ward',
    classification: null,
    groups,
    channels: CHANNELS.map((c) => ({ channel: c, contacts: chan(c), pct: (100 * chan(c)) / total, cellKey: null })),
    cells,
    total: { contacts: total, cellKey: null },
    notPlaced: 3,
    bands: [],
    disclosure: null,
  };
}

const AREAS = ['W1', 'W2', 'W3', 'W4'].map((code) => ({ code, name: `Ward ${code.slice(1)}` }));

test('the map holds exactly the disclosed mix’s cells: values and counts where shown, hidden where it hides them', () => {
  const shown = discloseChannelMix(truth(), 10);
  for (const channel of CHANNELS)
    for (const measure of ['share', 'index'] as const) {
      const map = channelMixMap(shown, channel, measure, AREAS, 'Ward');
      assert.equal(map.areas.length, 4);
      assert.equal(map.minCell, 10);
      for (const code of ['W1', 'W2', 'W3']) {
        const a = map.areas.find((x) => x.code === code)!;
        const cell = shown.cells.find((c) => c.code === code && c.channel === channel)!;
        if (cell.suppressed) {
          assert.equal(a.cls, -1, `${channel} ${code}`);
          assert.equal(a.value, null);
          assert.equal(a.count, null);
          assert.match(a.text, /fewer than 10/);
          continue;
        }
        const want = measure === 'share' ? cell.pct : cell.index;
        if (want === null) {
          assert.equal(a.value, null);
          continue;
        }
        const dp = measure === 'share' ? 1 : 0;
        assert.equal(a.value, Math.round(want * 10 ** dp) / 10 ** dp, `${channel} ${measure} ${code}`);
        assert.equal(a.count, cell.contacts);
        assert.equal(a.base, shown.groups.find((g) => g.code === code)!.contacts);
        assert.ok(a.cls >= 0, `${channel} ${code} has a class`);
      }
      const w4 = map.areas.find((x) => x.code === 'W4')!;
      assert.equal(w4.text, 'No contacts');
      assert.equal(w4.value, null);
      assert.equal(w4.cls, -2);
      assert.equal(map.suppressed, map.areas.filter((a) => a.cls === -1).length);
      assert.equal(
        map.suppressed,
        shown.cells.filter((c) => c.channel === channel && c.suppressed).length,
        `${channel}: as many hidden on the map as in the table's column`,
      );
      assert.ok(map.notes.some((n) => /1 of the 4 areas have no contacts/.test(n)));
    }
  // By hand: W2's 4 emails are hidden, and so is every other email cell.
  const email = channelMixMap(shown, 'email', 'share', AREAS, 'Ward');
  assert.equal(email.areas.find((a) => a.code === 'W2')!.cls, -1);
  assert.equal(email.suppressed, 3);
  const web = channelMixMap(shown, 'Web', 'index', AREAS, 'Ward');
  assert.deepEqual(
    web.areas.map((a) => [a.code, a.value, a.count, a.cls >= 0]),
    [
      ['W1', null, null, false],
      ['W2', null, null, false],
      ['W3', 132, 30, true],
      ['W4', null, null, false],
    ],
  );
  assert.equal(channelMixMap(shown, 'phone', 'share', AREAS, 'Ward').areas[0].value, 60);
  assert.equal(web.kind, 'channel-index');
  assert.equal(web.title, 'Index of contacts made by web, by ward');
  assert.ok(web.legend.some((l) => l.cls === -1));
});

test('the shares of a ward with nothing hidden are its own, worked by hand', () => {
  // With no threshold every cell is shown: W1's web 30% (index 30 ÷ 38 × 100 = 78.9 → 79).
  const open = discloseChannelMix(truth(), 0);
  assert.equal(open.disclosure, null, 'a threshold of 0 gives the figures without a disclosure record');
  const shown = { ...open, disclosure: { minCell: 0, primary: 0, secondary: 0, perturbed: false } };
  const share = channelMixMap(shown, 'web', 'share', AREAS, 'Ward');
  assert.deepEqual(
    share.areas.map((a) => [a.code, a.value, a.count, a.base]),
    [
      ['W1', 30, 30, 100],
      ['W2', 40, 16, 40],
      ['W3', 50, 30, 60],
      ['W4', null, null, null],
    ],
  );
  assert.equal(share.areas[0].text, '30.0%');
  const index = channelMixMap(shown, 'web', 'index', AREAS, 'Ward');
  assert.deepEqual(
    index.areas.map((a) => a.value),
    [79, 105, 132, null],
  );
});

test('it refuses the truth, a mix by segment and a channel the mix does not have', () => {
  assert.throws(() => channelMixMap(truth(), 'web', 'share', AREAS, 'Ward'), /as its viewer may see it/);
  const shown = discloseChannelMix(truth(), 10);
  assert.throws(
    () => channelMixMap({ ...shown, kind: 'segment', level: 'group' }, 'web', 'share', AREAS, 'Ward'),
    ParameterError,
  );
  assert.deepEqual(mappableChannels(shown), CHANNELS);
  assert.throws(
    () => channelMixMap(shown, 'carrier pigeon', 'share', AREAS, 'Ward'),
    (e: ParameterError) => {
      assert.ok(e instanceof ParameterError);
      assert.match(e.message, /no column "carrier pigeon"/);
      assert.match(e.fix ?? '', /phone, web, email/);
      return true;
    },
  );
});
