/**
 * The 2011 OAC's inputs for Leicester's 969 output areas: the build reads the ONS variable lookup
 * as published (counts become % of their totals), applies the OAC transformation (inverse
 * hyperbolic sine, then range 0–1) and finds 8 groups. Agreement with the official supergroups is
 * reported, not asserted (see docs/segmentation.md for what it means).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import {
  loadAreaVariables,
  buildSegmentation,
  toModelSpace,
  adjustedRandIndex,
  ihs,
  type AreaVariables,
  type BuiltSegmentation,
} from '../../src/segmentation/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { sharedData } from '../helpers/shared-data.ts';

const { path: L, skip } = sharedData('leicester-oac2011');
const tmp = tempDir();
let ws: Workspace;
let av: AreaVariables;
let built: BuiltSegmentation;
let rows: Record<string, string>[];

before(async () => {
  if (skip) return;
  ws = await createWorkspace(join(tmp.dir, 'le.civic'));
  av = await loadAreaVariables(ws.engine, {
    files: [
      {
        file: `${L}/2011_OAC_Raw_uVariables_Leicester.csv`,
        definitions: `${L}/2011_OAC_Raw_uVariables_Lookup.csv`,
        areaYear: '11',
      },
    ],
  });
  built = await buildSegmentation(av, {
    name: 'leicester',
    k: [8],
    tiers: ['supergroup'],
    seed: 1,
    restarts: 10,
    stabilityRuns: 2,
  });
  rows = Papa.parse<Record<string, string>>(
    readFileSync(`${L}/2011_OAC_Raw_uVariables_Leicester.csv`, 'utf8').replace(/^\uFEFF/, ''),
    { header: true, skipEmptyLines: true },
  ).data;
});
after(() => {
  ws?.close();
  tmp.cleanup();
});

test('the ONS lookup is read as published: 167 variables, counts as % of the right total', { skip }, () => {
  assert.equal(av.level, 'oa11');
  assert.equal(av.areas.length, 969);
  assert.equal(av.variables.length, 167);
  assert.equal(av.leftOut.length, 0);
  // u011 "Age 20 to 24" is a count of persons → % of Total_Population; u005 (area in hectares) is used as it is.
  const u011 = av.variables.findIndex((v) => v.name === 'u011');
  const u005 = av.variables.findIndex((v) => v.name === 'u005');
  assert.equal(av.variables[u011].denominator, 'Total_Population');
  assert.equal(av.variables[u005].denominator, null);
  const r = rows.find((x) => x.OA11CD === av.areas[0])!;
  assert.ok(Math.abs(av.raw.data[u011] - (Number(r.u011) / Number(r.Total_Population)) * 100) < 1e-9);
  assert.equal(av.raw.data[u005], Number(r.u005));
});

test('the OAC transformation: inverse hyperbolic sine, then each variable ranged 0–1', { skip }, () => {
  const space = toModelSpace(built.model, av.raw);
  const j = av.variables.findIndex((v) => v.name === 'u011');
  const col = Array.from({ length: av.areas.length }, (_, i) => ihs(av.raw.data[i * av.raw.d + j]));
  const [min, max] = [Math.min(...col), Math.max(...col)];
  for (let i = 0; i < av.areas.length; i += 97)
    assert.ok(Math.abs(space.data[i * space.d + j] - (col[i] - min) / (max - min)) < 1e-12);
});

test('8 groups, reproducible, with diagnostics; agreement with the official supergroups reported', {
  skip,
}, async (t) => {
  assert.equal(built.result.tiers[0].k, 8);
  assert.equal(
    built.result.tiers[0].segments.reduce((s, x) => s + x.areas, 0),
    969,
  );
  const again = await buildSegmentation(av, {
    name: 'leicester',
    k: [8],
    tiers: ['supergroup'],
    seed: 1,
    restarts: 10,
    stabilityRuns: 0,
  });
  assert.deepEqual(again.codes, built.codes);
  const official = new Map(rows.map((r) => [r.OA11CD, r.supgrpcode]));
  const ari = adjustedRandIndex(
    av.areas.map((a) => official.get(a)!),
    built.codes[0],
  );
  assert.ok(ari > -1 && ari <= 1);
  t.diagnostic(
    `ARI between the Leicester build and the official 2011 OAC supergroups: ${ari.toFixed(3)}; stability ${built.result.stability!.mean.toFixed(3)}; silhouette ${built.result.silhouette!.value.toFixed(3)}`,
  );
});
