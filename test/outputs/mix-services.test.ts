/**
 * The channel mix by service protected as one table of service × segment × channel
 * (protectAcrossServices, decision 34), as a pure function: on many seeded random tables, an
 * attacker holding every answer (every service's mix and each published service's) finds, in no
 * line whose total is shown, unknown cells that add up to a small count or a small cell alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protectAcrossServices } from '../../src/outputs/index.ts';
import type { ChannelMixResult } from '../../src/channels/index.ts';

const MIN = 10;
const GROUPS = ['A', 'B', 'C'];
const CHANNELS = ['phone', 'web', 'face to face', 'email'];

/** A mix of the truth from counts[group][channel]. */
function mixOf(counts: number[][]): ChannelMixResult {
  const groups = GROUPS.map((code, g) => ({
    code,
    name: null,
    contacts: counts[g].reduce((a, b) => a + b, 0),
    cellKey: 0,
  }));
  const total = groups.reduce((a, g) => a + g.contacts, 0);
  return {
    version: 1,
    dataset: 'log',
    channelColumn: 'channel',
    kind: 'segment',
    level: 'group',
    classification: 'c',
    groups,
    channels: CHANNELS.map((channel, k) => {
      const n = counts.reduce((a, row) => a + row[k], 0);
      return { channel, contacts: n, pct: total ? (100 * n) / total : null, cellKey: 0 };
    }),
    cells: CHANNELS.flatMap((channel, k) =>
      GROUPS.map((code, g) => ({
        code,
        channel,
        contacts: counts[g][k],
        pct: null,
        index: null,
        ciLow: null,
        ciHigh: null,
        z: null,
        significant: null,
        band: null,
        suppressed: false,
        cellKey: 0,
      })),
    ),
    total: { contacts: total, cellKey: 0 },
    notPlaced: 0,
    bands: [],
    disclosure: null,
  };
}

/** A small seeded generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('on 300 random tables no line of the three-way table gives a small count back', () => {
  let hiddenCells = 0;
  let cells = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const S = 1 + Math.floor(r() * 3); // published services
    // Counts: mostly large, some small, some empty; the last layer is the rest (not published).
    const layers = Array.from({ length: S + 1 }, () =>
      GROUPS.map(() => CHANNELS.map(() => (r() < 0.25 ? Math.floor(r() * 10) : 10 + Math.floor(r() * 40)))),
    );
    const sum = GROUPS.map((_, g) => CHANNELS.map((_, k) => layers.reduce((a, l) => a + l[g][k], 0)));
    const names = Array.from({ length: S }, (_, i) => `S${i}`);
    const p = protectAcrossServices(
      { all: mixOf(sum), services: names.map((service, i) => ({ service, mix: mixOf(layers[i]) })) },
      MIN,
    );
    // The attacker's view: for each answer, which counts are shown. The rest is never shown.
    type Key = { l: number; g: number | null; k: number | null }; // l = S: the rest, S + 1: every service
    const value = ({ l, g, k }: Key) => {
      const t = l === S + 1 ? sum : layers[l];
      const gs = g === null ? GROUPS.map((_, i) => i) : [g];
      const ks = k === null ? CHANNELS.map((_, i) => i) : [k];
      return gs.reduce((a, x) => a + ks.reduce((b, y) => b + t[x][y], 0), 0);
    };
    const shown = ({ l, g, k }: Key) => {
      if (l === S) return false;
      const h = p.hidden(l === S + 1 ? null : names[l]);
      if (g !== null && k !== null) return !h.cell(GROUPS[g], CHANNELS[k]);
      if (g !== null) return !h.group(GROUPS[g]);
      if (k !== null) return !h.channel(CHANNELS[k]);
      return !h.total();
    };
    const lines: { total: Key; cells: Key[] }[] = [];
    const G = GROUPS.map((_, i) => i);
    const C = CHANNELS.map((_, i) => i);
    for (let l = 0; l <= S + 1; l++) {
      for (const g of G) lines.push({ total: { l, g, k: null }, cells: C.map((k) => ({ l, g, k })) });
      for (const k of C) lines.push({ total: { l, g: null, k }, cells: G.map((g) => ({ l, g, k })) });
      lines.push({ total: { l, g: null, k: null }, cells: G.map((g) => ({ l, g, k: null })) });
      lines.push({ total: { l, g: null, k: null }, cells: C.map((k) => ({ l, g: null, k })) });
    }
    const across = (g: number | null, k: number | null) => ({
      total: { l: S + 1, g, k },
      cells: Array.from({ length: S + 1 }, (_, l) => ({ l, g, k })),
    });
    for (const g of [null, ...G]) for (const k of [null, ...C]) lines.push(across(g, k));
    for (const line of lines) {
      if (!shown(line.total)) continue;
      const unknown = line.cells.filter((c) => !shown(c));
      const s = unknown.reduce((a, c) => a + value(c), 0);
      assert.ok(!(s > 0 && s < MIN), `seed ${seed}: a line's unknown cells add up to ${s}`);
      if (unknown.length === 1 && unknown[0].l !== S)
        assert.ok(value(unknown[0]) >= MIN, `seed ${seed}: one small cell alone`);
    }
    for (let l = 0; l <= S + 1; l++)
      for (const g of G)
        for (const k of C) {
          if (l === S) continue;
          cells++;
          if (!shown({ l, g, k })) hiddenCells++;
        }
  }
  // Not everything is hidden: most counts are large.
  assert.ok(hiddenCells < cells * 0.8, `${hiddenCells} of ${cells} hidden`);
});
