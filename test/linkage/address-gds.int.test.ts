/**
 * Acceptance 2 of issue 13: the 230 GDS address-matching test cases (messy Land Registry addresses
 * with the AddressBase address and UPRN the ONS matcher gave them). The gazetteer is their matched
 * addresses plus more than 10,000 generated distractors on the same postcodes and streets
 * (address-fixture.ts, seeded); the messy addresses are matched through the workspace as a council
 * would (`reference import --address-lookups --addresses`, then `address match`). Recall is the share
 * of the 230 given the right UPRN; precision the share right of those given any.
 *
 * The 14 HSL cases where the ONS matcher and HSE's disagree are reported, not hidden: both
 * matchers' addresses go into the gazetteer and the test prints, for each, which one ours chose.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, withWorkspace } from '../../src/store/index.ts';
import {
  importAddressLookups,
  importGazetteer,
  loadAddressLookups,
  lookupsFromFolder,
  matchAddressFile,
  AddressMatchResultSchema,
  type AddressMatchResult,
} from '../../src/linkage/index.ts';
import { csvRow } from '../../src/outputs/index.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { tempDir } from '../helpers/workspace.ts';
import { gdsGazetteer, readCsv, readGdsCases, type GdsCase } from './address-fixture.ts';

const { path: LINKAGE, skip } = sharedData('linkage');
const GDS = `${LINKAGE}/gds_address_matching_data`;
const LOOKUPS = `${LINKAGE}/lookups`;
const tmp = tempDir('civic-gds-');
const WS = join(tmp.dir, 'gds.civic');
let cases: GdsCase[];
let distractors = 0;
let gazetteerRows = 0;
let result: AddressMatchResult;

const csv = (rows: (string | number | null)[][]) => rows.map((r) => csvRow(r)).join('\r\n') + '\r\n';

before(async () => {
  if (skip) return;
  cases = readGdsCases(`${GDS}/ons_landregistry_uprn_testcases.csv`);
  const g = gdsGazetteer(cases, lookupsFromFolder(LOOKUPS), { seed: 13, perCase: 46 });
  distractors = g.distractors;
  gazetteerRows = g.addresses.length;
  writeFileSync(
    join(tmp.dir, 'gazetteer.csv'),
    csv([['UPRN', 'ADDRESS'], ...g.addresses.map((a) => [a.uprn, a.address])]),
  );
  writeFileSync(join(tmp.dir, 'messy.csv'), csv([['id', 'address'], ...cases.map((c) => [c.id, c.messy])]));
  const ws = await createWorkspace(WS);
  try {
    await importAddressLookups(ws.engine, LOOKUPS);
    await importGazetteer(ws.engine, await loadAddressLookups(ws.engine), { file: join(tmp.dir, 'gazetteer.csv') });
    result = await matchAddressFile(ws.engine, {
      file: join(tmp.dir, 'messy.csv'),
      addressColumns: ['address'],
      idColumn: 'id',
    });
  } finally {
    ws.close();
  }
});
after(() => tmp.cleanup());

test('GDS: 230 messy addresses against their gazetteer and 10,000+ distractors: precision and recall', { skip }, () => {
  assert.equal(cases.length, 230);
  assert.ok(distractors >= 10_000, `${distractors} distractors`);
  AddressMatchResultSchema.parse(result);
  const c = result.counts;
  // Every address accounted for.
  assert.equal(c.read, 230);
  assert.equal(c.matched + c.ambiguous + c.noMatch + c.blank, 230);
  assert.equal(c.byStep.exact + c.byStep.postcode + c.byStep.street, c.matched);
  const truth = new Map(cases.map((k) => [k.id, k.uprn]));
  const given = result.records.filter((r) => r.uprn);
  const right = given.filter((r) => r.uprn === truth.get(r.id!));
  const recall = right.length / cases.length;
  const precision = right.length / given.length;
  const wrong = given.filter((r) => r.uprn !== truth.get(r.id!));
  const missed = result.records.filter((r) => !r.uprn);
  console.log(
    `GDS address matching: ${gazetteerRows} gazetteer addresses (${distractors} distractors); ` +
      `${given.length} given a UPRN, ${right.length} right: recall ${(100 * recall).toFixed(1)}%, precision ${(100 * precision).toFixed(1)}%; ` +
      `steps ${JSON.stringify(c.byStep)}; ${c.ambiguous} ambiguous, ${c.noMatch} no match, ${c.unparsed} not parsed (still matched)`,
  );
  for (const r of [...wrong, ...missed])
    console.log(
      `  case ${r.id}: ${r.status}${r.uprn ? ` (wrong UPRN)` : ''}, best score ${r.score}, ${r.candidates.length} candidates kept`,
    );
  // Measured: 221 of 230 right (96.1%), none wrong (100% precision). Floors just under.
  assert.ok(recall >= 0.95, `recall ${recall}`);
  assert.ok(precision >= 0.99, `precision ${precision}`);
  // What is not matched keeps its candidates, and the right one is among them for most.
  assert.ok(missed.every((r) => r.candidates.length > 0));
  assert.ok(missed.filter((r) => r.candidates.some((k) => k.uprn === truth.get(r.id!))).length >= missed.length - 3);
});

test('GDS: the same through the command line, as CSV and as JSON', { skip }, async () => {
  {
    const out = join(tmp.dir, 'results.csv');
    const r = await civic(
      'address',
      'match',
      WS,
      join(tmp.dir, 'messy.csv'),
      '--address-columns',
      'address',
      '--id-column',
      'id',
      '--out',
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /230 addresses: 221 matched/);
    const rows = readCsv(out);
    assert.equal(rows.length, 231);
    assert.equal(rows[0].slice(0, 4).join(','), 'row,id,status,uprn');
    const first = rows.find((x) => x[1] === '1')!;
    assert.deepEqual(first.slice(2, 4), ['matched', '310222']);
    const j = await civic(
      'address',
      'match',
      WS,
      join(tmp.dir, 'messy.csv'),
      '--address-columns',
      'address',
      '--format',
      'json',
    );
    assert.equal(j.code, 0, j.stderr);
    const parsed = AddressMatchResultSchema.parse(JSON.parse(j.stdout));
    assert.deepEqual(parsed.counts, result.counts);
    // A column that is not in the file is named in the error, with the file.
    const bad = await civic(
      'address',
      'match',
      WS,
      join(tmp.dir, 'messy.csv'),
      '--address-columns',
      'Address 1',
      '--format',
      'json',
    );
    assert.equal(bad.code, 2);
    const e = JSON.parse(bad.stdout).error;
    assert.equal(e.file, 'messy.csv');
    assert.equal(e.column, 'Address 1');
  }
});

test('HSL: the 14 cases where the ONS and HSE matchers disagree, with both their addresses in the gazetteer', {
  skip,
}, async () => {
  const [header, ...hsl] = readCsv(`${GDS}/hsl_landregistry_ons_vs_hse.csv`);
  const col = (n: string) => header.indexOf(n);
  assert.equal(hsl.length, 14);
  const gaz = readCsv(join(tmp.dir, 'gazetteer.csv')).slice(1);
  const have = new Set(gaz.map((r) => r[0]));
  for (const h of hsl) if (!have.has(h[col('HSE_Uprn')])) gaz.push([h[col('HSE_Uprn')], h[col('HSE_Match')]]);
  writeFileSync(join(tmp.dir, 'gazetteer-hse.csv'), csv([['UPRN', 'ADDRESS'], ...gaz]));
  writeFileSync(
    join(tmp.dir, 'hsl.csv'),
    csv([['id', 'address'], ...hsl.map((h) => [h[col('Premise_Id')], h[col('Input')]])]),
  );
  const r = await withWorkspace(WS, async (ws) => {
    const imported = await importGazetteer(ws.engine, await loadAddressLookups(ws.engine), {
      file: join(tmp.dir, 'gazetteer-hse.csv'),
    });
    assert.equal(imported.imported, gaz.length);
    return matchAddressFile(ws.engine, { file: join(tmp.dir, 'hsl.csv'), addressColumns: ['address'], idColumn: 'id' });
  });
  const tally = { ons: 0, hse: 0, other: 0, none: 0 };
  console.log('HSL disagreements (ONS = Land Registry/ONS matcher, HSE = the other):');
  for (const rec of r.records) {
    const h = hsl.find((x) => x[col('Premise_Id')] === rec.id)!;
    const which = !rec.uprn
      ? 'none'
      : rec.uprn === h[col('LR_Uprn')]
        ? 'ons'
        : rec.uprn === h[col('HSE_Uprn')]
          ? 'hse'
          : 'other';
    tally[which]++;
    console.log(
      `  ${rec.id}: ${rec.status}${rec.step ? ` by ${rec.step}` : ''}, score ${rec.score}, margin ${rec.margin} → ${which.toUpperCase()}` +
        (rec.uprn
          ? ''
          : ` (candidates: ${rec.candidates.map((c) => `${c.uprn === h[col('LR_Uprn')] ? 'ONS' : c.uprn === h[col('HSE_Uprn')] ? 'HSE' : 'other'} ${c.score}`).join(', ')})`),
    );
  }
  console.log(`  tally ${JSON.stringify(tally)}`);
  // Every case is answered with one of the two matchers' UPRNs or left open with its candidates:
  // never a third property.
  assert.equal(r.records.length, 14);
  assert.equal(tally.other, 0);
  assert.ok(r.records.filter((x) => !x.uprn).every((x) => x.candidates.length > 0));
  assert.deepEqual(tally, MEASURED_HSL);
});

/** What the matcher gives on the 14 HSL cases, as measured (see the test's printed table). */
const MEASURED_HSL = { ons: 1, hse: 11, other: 0, none: 2 };
