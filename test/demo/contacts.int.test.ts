/**
 * Sample Borough's contact log against the generator's truth (issue 14, acceptance 2): the channel
 * mix by segment recovers each group's channel preferences, which the generator writes to
 * truth.json (the mean, over a group's contacts, of the chance of each channel). Measured on
 * 20,000 households, seed 7 (docs/sample-borough.md): all 21 group × channel shares inside their
 * 95% intervals, a mean difference of 2.4 percentage points and at most 5.5.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoBuild } from '../../src/demo/index.ts';
import { channelMix, contactAnalysis, contactVolumes, readTierFile } from '../../src/channels/index.ts';
import { CHANNELS, publishedCategories } from '../../src/intake/index.ts';
import { discloseVolumes, OTHER_VALUES } from '../../src/outputs/index.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-demo-contacts-');
let built: DemoBuild;
const DATASET = 'contact_centre_callers';

before(async () => {
  built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
});
after(() => {
  built.workspace.close();
  tmp.cleanup();
});

test('the channel mix by segment recovers the generator’s channel preferences', async () => {
  const truth = JSON.parse(readFileSync(built.manifest.files.truth, 'utf8')).services[DATASET]
    .channelMixByGroup as Record<string, Record<string, number>>;
  const r = await channelMix(built.workspace.engine, { dataset: DATASET, tier: 'group' });
  assert.equal(r.groups.length, 7);
  let inside = 0;
  const diffs: number[] = [];
  for (const c of r.cells) {
    const expected = 100 * (truth[c.code]?.[c.channel] ?? 0);
    diffs.push(Math.abs(c.pct! - expected));
    if (c.ciLow! <= expected && expected <= c.ciHigh!) inside++;
  }
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const max = Math.max(...diffs);
  console.log(
    `channel mix by group: ${inside} of ${r.cells.length} shares inside their 95% intervals; ` +
      `mean difference ${mean.toFixed(2)} points, largest ${max.toFixed(2)}`,
  );
  assert.equal(r.cells.length, 21);
  // 95% intervals: about one in twenty may miss by chance.
  assert.ok(inside >= 19, `${inside} of 21 inside`);
  assert.ok(mean < 3, `mean difference ${mean}`);
  // The story the generator tells: estates and older people by phone and in person, students online.
  const idx = (g: string, ch: string) => r.cells.find((c) => c.code === g && c.channel === ch)!.index!;
  assert.ok(idx('E', 'face to face') > 120 && idx('F', 'face to face') > 120);
  assert.ok(idx('G', 'web') > 120 && idx('F', 'web') < 80);
});

test('every reason has a tier, follow-ups make NI14 above one, and benefits calls take longest', async () => {
  const tiers = readTierFile(built.manifest.files.contactTiers);
  const r = await contactAnalysis(built.workspace.engine, {
    dataset: DATASET,
    tiers,
    avoidableReasons: ['Chasing progress'],
  });
  assert.equal(r.columns.request, 'request_ref');
  assert.equal(r.tiers!.untiered, 0);
  assert.ok(r.ni14!.contactsPerRequest! > 1.1 && r.ni14!.contactsPerRequest! < 2);
  assert.ok(r.avoidable!.contacts! > 0);
  // Tier 3 (professional expertise) is resolved at first contact least often.
  const pct = (t: string) => r.tiers!.rows.find((x) => x.tier === t)!.resolvedPct!;
  assert.ok(pct('3') < pct('2') && pct('2') < pct('1'));
  const v = await contactVolumes(built.workspace.engine, { dataset: DATASET, by: 'service', channel: 'phone' });
  assert.equal(v.handlingColumn, 'handling_minutes');
  assert.equal(v.unreadable, 0);
  const mean = (s: string) => v.rows.find((x) => x.value === s)!.meanMinutes!;
  assert.ok(mean('Benefits') > mean('Council tax') && mean('Waste') < mean('Council tax'));
});

test('the log’s services and reasons are published: a partner’s volumes have a row for each, under disclosure control', async () => {
  const engine = built.workspace.engine;
  const published = await publishedCategories(engine, DATASET);
  assert.equal(published.service.length, 8);
  assert.ok(published.reason.includes('Chasing progress'));
  for (const by of ['service', 'reason'] as const) {
    // As the portal answers a partner (channel-analyses.ts): every channel's answer in hand.
    const volumes = (channel?: string) => contactVolumes(engine, { dataset: DATASET, by, channel });
    const all = await volumes();
    const byChannel = [];
    for (const c of Object.keys(CHANNELS)) byChannel.push(await volumes(c));
    const seen = discloseVolumes(all, 10, { all, byChannel, published: published[by] });
    const named = seen.rows.filter((x) => x.value !== OTHER_VALUES);
    assert.ok(named.length >= (by === 'service' ? 8 : 20), `${by}: ${named.length} rows`);
    assert.ok(named.every((x) => published[by].includes(x.value)));
    // Counts under 10 are hidden; the services are all large enough to be shown.
    for (const x of seen.rows) assert.ok(x.contacts === null || x.contacts >= 10);
    if (by === 'service') assert.ok(named.every((x) => x.contacts !== null));
  }
});
