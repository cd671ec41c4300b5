/**
 * A segmentation built on Sample Borough's census-like variables finds the groups the generator
 * made, and each pen portrait's distinctive variables are the ones the generator made that group
 * stand out on (truth_segments.json).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSampleBorough, type SampleBoroughManifest } from '../../src/demo/index.ts';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import {
  loadAreaVariables,
  buildSegmentation,
  saveSegmentation,
  generatePortraits,
  currentPortraits,
  editPortrait,
  portraitHistory,
  adjustedRandIndex,
  getModel,
  importModel,
  assignAreasFromVariables,
  segmentsForPostcodes,
  type BuiltSegmentation,
  type AreaVariables,
} from '../../src/segmentation/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir();
let m: SampleBoroughManifest;
let ws: Workspace;
let av: AreaVariables;
let built: BuiltSegmentation;
interface TruthGroup {
  code: string;
  high: string[];
  low: string[];
}
let truth: { groups: TruthGroup[] };
let trueGroupOf: Map<string, string>;

before(async () => {
  m = await generateSampleBorough(join(tmp.dir, 'files'), { households: 30_000, seed: 11 });
  ws = await createWorkspace(join(tmp.dir, 'sb.civic'));
  await importReference(ws.engine, { postcodes: m.files.postcodes, areas: [m.files.areas], base: [m.files.base] });
  av = await loadAreaVariables(ws.engine, {
    files: [{ file: m.files.areaVariables, definitions: m.files.areaVariableDefinitions }],
  });
  built = await buildSegmentation(av, { name: 'borough', k: [7, 20], seed: 3, restarts: 10, stabilityRuns: 3 });
  await saveSegmentation(ws.engine, built, { variables: av.variables.map((v) => v.name), data: av.raw.data });
  truth = JSON.parse(readFileSync(m.files.truthSegments, 'utf8'));
  trueGroupOf = new Map(
    readFileSync(m.files.classification, 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(','))
      .map(([a, g]) => [a, g]),
  );
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test('the variables are read as rates of their denominators, with labels from the definitions file', () => {
  assert.equal(av.level, 'oa21');
  assert.equal(av.variables.length, 10);
  const v = av.variables.find((x) => x.name === 'no_car')!;
  assert.equal(v.denominator, 'households');
  assert.equal(v.label, 'Households with no car');
  // Hand check on the first area: no_car count ÷ households × 100.
  const [header, first] = readFileSync(m.files.areaVariables, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(0, 2)
    .map((l) => l.split(','));
  const j = av.variables.indexOf(v);
  const i = av.areas.indexOf(first[0]);
  const expected = (Number(first[header.indexOf('no_car')]) / Number(first[header.indexOf('households')])) * 100;
  assert.ok(Math.abs(av.raw.data[i * av.raw.d + j] - expected) < 1e-9);
});

test('the groups recovered are the generator’s groups (adjusted Rand index above 0.9)', () => {
  const truthLabels = av.areas.map((a) => trueGroupOf.get(a)!);
  const ari = adjustedRandIndex(truthLabels, built.codes[0]);
  assert.ok(ari > 0.9, `ARI ${ari}`);
  assert.equal(built.result.tiers[0].k, 7);
  assert.equal(built.result.tiers[1].k, 20);
});

test('tiers are built top-down: every type sits inside its group, and the codes say so', () => {
  for (let i = 0; i < av.areas.length; i++)
    assert.ok(built.codes[1][i].startsWith(built.codes[0][i]), `${built.codes[1][i]} in ${built.codes[0][i]}`);
  const types = built.model.tiers[1].segments;
  for (const t of types) assert.equal(t.parent, t.code.replace(/[a-z]$/, ''));
  // Groups are numbered by size, largest first.
  const sizes = built.result.tiers[0].segments.map((s) => s.areas);
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => b - a),
  );
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    av.areas.length,
  );
});

test('the same seed gives the same answer; stability and certainty are measured', async () => {
  const again = await buildSegmentation(av, { name: 'borough', k: [7, 20], seed: 3, restarts: 10, stabilityRuns: 3 });
  assert.deepEqual(again.codes, built.codes);
  assert.deepEqual(again.model.tiers, built.model.tiers);
  const s = built.result.stability!;
  assert.equal(s.ari.length, 3);
  assert.ok(s.mean > 0.8 && s.mean <= 1, `stability ${s.mean}`);
  assert.ok(built.result.certainty.mean > 0.3 && built.result.certainty.mean < 1);
  assert.ok(built.result.silhouette!.value > 0.25);
});

test('pen portraits: each group’s top distinctive variables are the ones the generator made it high on', async () => {
  const portraits = await generatePortraits(ws.engine, 'borough', { tier: 'group' });
  assert.equal(portraits.length, 7);
  for (const p of portraits) {
    const mine = av.areas.filter((_, i) => built.codes[0][i] === p.code);
    const counts = new Map<string, number>();
    for (const a of mine) counts.set(trueGroupOf.get(a)!, (counts.get(trueGroupOf.get(a)!) ?? 0) + 1);
    const [trueCode] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const t = truth.groups.find((g) => g.code === trueCode)!;
    const top = p.facts.distinctive
      .slice(0, t.high.length)
      .map((v) => v.variable)
      .sort();
    assert.deepEqual(top, [...t.high].sort(), `group ${p.code} (true ${trueCode})`);
    for (const v of p.facts.distinctive.slice(0, t.high.length))
      assert.ok(v.index > 100, `${v.variable} index ${v.index}`);
    // What it was made low on is below average.
    const all = [...p.facts.distinctive, ...p.facts.lowest];
    for (const low of t.low)
      assert.ok(all.find((v) => v.variable === low)!.index < 100, `group ${p.code} (true ${trueCode}) low on ${low}`);
    assert.ok(p.facts.households! > 0);
    assert.equal(p.facts.topWards.length, 3);
    assert.match(p.summary, /% of households/);
  }
  // Shares of households add up to 100%.
  assert.ok(Math.abs(portraits.reduce((s, p) => s + p.facts.share, 0) - 100) < 1e-9);
});

test('a portrait edit is a new version; the segment takes the new name; refreshing facts keeps edited words', async () => {
  await generatePortraits(ws.engine, 'borough');
  const before = (await currentPortraits(ws.engine, 'borough')).find((p) => p.code === '2')!;
  const edited = await editPortrait(
    ws.engine,
    'borough',
    '2',
    {
      name: 'Busy family estates',
      summary: 'Our words.',
      addImages: [{ src: 'https://example.org/p.png', alt: 'A play area' }],
    },
    { editedBy: 'Insight team', note: 'workshop' },
  );
  assert.equal(edited.revision, before.revision + 1);
  await assert.rejects(
    editPortrait(ws.engine, 'borough', '2', { addImages: [{ src: 'x.png', alt: ' ' }] }, { editedBy: 'x' }),
    /alt text/,
  );
  const model = await getModel(ws.engine, 'borough');
  assert.equal(model.tiers[0].segments.find((s) => s.code === '2')!.name, 'Busy family estates');
  const refreshed = (await generatePortraits(ws.engine, 'borough')).find((p) => p.code === '2')!;
  assert.equal(refreshed.summary, 'Our words.');
  assert.equal(refreshed.name, 'Busy family estates');
  assert.equal(refreshed.images.length, 1);
  const history = await portraitHistory(ws.engine, 'borough', '2');
  assert.deepEqual(
    history.map((h) => h.revision),
    [...Array(history.length).keys()].map((i) => i + 1),
  );
  assert.equal(history.find((h) => h.revision === edited.revision)!.editedBy, 'Insight team');
});

test('a partner imports the exported model and gets the same segments for the same areas from its own file', async () => {
  const model = await getModel(ws.engine, 'borough');
  const other = await createWorkspace(join(tmp.dir, 'partner.civic'));
  try {
    await importReference(other.engine, { postcodes: m.files.postcodes, areas: [m.files.areas], base: [m.files.base] });
    const imported = await importModel(other.engine, JSON.parse(JSON.stringify(model)), { name: 'county' });
    assert.equal(imported.name, 'county');
    // The partner's file: the same counts, its own column order, and one extra column.
    const [header, ...rows] = readFileSync(m.files.areaVariables, 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    const order = [...header].reverse();
    writeFileSync(
      join(tmp.dir, 'partner.csv'),
      [[...order, 'notes'], ...rows.map((r) => [...order.map((h) => r[header.indexOf(h)]), 'x'])]
        .map((r) => r.join(','))
        .join('\n'),
    );
    const r = await assignAreasFromVariables(other.engine, 'county', [{ file: join(tmp.dir, 'partner.csv') }]);
    assert.equal(r.areas, av.areas.length);
    const codes = await other.engine.all<{ area_code: string; code: string }>(
      `SELECT area_code, code FROM area_segment WHERE classification = 'county' AND tier = 'type'`,
    );
    const mine = new Map(av.areas.map((a, i) => [a, built.codes[1][i]]));
    for (const c of codes) assert.equal(c.code, mine.get(c.area_code), c.area_code);
    // A postcode takes its area's segment.
    const pc = readFileSync(m.files.postcodes, 'utf8').split(/\r?\n/)[1].split(',');
    const found = await segmentsForPostcodes(other.engine, 'county', [pc[0], 'NOT A PC', 'ZZ9 9ZZ']);
    assert.equal(found[0].status, 'found');
    assert.equal(found[0].segments.length, 2);
    assert.equal(found[1].status, 'not a postcode');
    assert.equal(found[2].status, 'not in the directory');
  } finally {
    other.close();
  }
});
