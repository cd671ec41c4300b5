/**
 * The Valhalla cost source, against a stand-in for Valhalla's Actor that answers like it
 * (sources_to_targets, seconds, its limit on location pairs, errors for a point off its tiles).
 * The real engine is optional and not installed here; docs/location.md shows it run on Monaco.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import {
  loadValhalla,
  metresBetween,
  valhallaCosts,
  VALHALLA_COSTING,
  type ValhallaActor,
} from '../../src/location/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const SPEED_M_PER_S: Record<string, number> = { auto: 10, pedestrian: 1.25, bicycle: 4 };

/** Answers matrix requests the way Valhalla does, and records what it was asked. */
function standIn(maxPairs: number) {
  const asked: { sources: number; targets: number; costing: string }[] = [];
  const actor: ValhallaActor = {
    async matrix(q) {
      const sources = q.sources as { lat: number; lon: number }[],
        targets = q.targets as { lat: number; lon: number }[];
      const costing = String(q.costing);
      asked.push({ sources: sources.length, targets: targets.length, costing });
      if (sources.length * targets.length > maxPairs) throw new Error(`Exceeded max locations of ${maxPairs}.`);
      if (sources.some((s) => s.lat > 60)) throw new Error('No suitable edges near location');
      return {
        sources_to_targets: sources.map((s, i) =>
          targets.map((t, j) => ({
            from_index: i,
            to_index: j,
            // A target on an island no road reaches: Valhalla gives no time.
            time: t.lon === 0 ? null : Math.round(metresBetween(s, t) / SPEED_M_PER_S[costing]),
          })),
        ),
      };
    },
  };
  return { actor, asked };
}

const at = (id: string, lat: number, lon: number) => ({ id, lat, lon });

test("minutes come from Valhalla's seconds, in the right cells, with requests cut to its limit on pairs", async () => {
  const origins = Array.from({ length: 7 }, (_, i) => at(`o${i}`, 51.5 + i * 0.01, -0.1));
  const destinations = Array.from({ length: 3 }, (_, j) => at(`d${j}`, 51.52, -0.12 + j * 0.02));
  const { actor, asked } = standIn(6);
  const m = await valhallaCosts(actor, { maxPairs: 6 }).matrix(origins, destinations, 'walk');
  assert.ok(
    asked.every((a) => a.sources * a.targets <= 6),
    'no request over the limit',
  );
  assert.equal(
    asked.reduce((n, a) => n + a.sources * a.targets, 0),
    21,
    'every pair asked once',
  );
  assert.ok(asked.every((a) => a.costing === 'pedestrian'));
  for (let o = 0; o < 7; o++)
    for (let d = 0; d < 3; d++) {
      assert.equal(
        m.minutes[o * 3 + d],
        Math.fround(Math.round(metresBetween(origins[o], destinations[d]) / 1.25) / 60),
        `${o},${d}`,
      );
    }
  assert.match(m.source, /Valhalla.*pedestrian/);
  assert.deepEqual(VALHALLA_COSTING, { car: 'auto', walk: 'pedestrian', cycle: 'bicycle' });
});

test('an origin Valhalla cannot route from, and a target it cannot reach, are unreachable; the rest are kept', async () => {
  const origins = [at('ok', 51.5, -0.1), at('off the tiles', 70, -0.1), at('ok too', 51.51, -0.1)];
  const destinations = [at('d', 51.52, -0.12), at('island', 51.6, 0)];
  const { actor } = standIn(2500);
  const m = await valhallaCosts(actor).matrix(origins, destinations, 'car');
  assert.ok(Number.isFinite(m.minutes[0]) && Number.isFinite(m.minutes[4]));
  assert.equal(m.minutes[1], Infinity, 'the island');
  assert.equal(m.minutes[2], Infinity);
  assert.equal(m.minutes[3], Infinity);
});

test('without a configuration, or without Valhalla installed, the error says what to do', async () => {
  const tmp = tempDir('civic-valhalla-');
  try {
    await assert.rejects(
      loadValhalla(join(tmp.dir, 'none.json')),
      (e: Error & { code?: string; fix?: string }) =>
        e.code === 'valhalla_config_missing' && /build_tiles/.test(e.fix ?? ''),
    );
    const config = join(tmp.dir, 'config.json');
    writeFileSync(config, '{}');
    // The package is deliberately not a dependency (it is 280 MB): loading it here must fail clearly.
    await assert.rejects(
      loadValhalla(config),
      (e: Error & { code?: string; fix?: string }) =>
        e.code === 'valhalla_missing' && /npm install @valhallajs\/valhallajs/.test(e.fix ?? ''),
    );
  } finally {
    tmp.cleanup();
  }
});
