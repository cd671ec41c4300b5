/**
 * Record linkage and address matching on Sample Borough, scored against the generator's truth
 * (issue 13, acceptance 4). The models are trained with `civic link train` without labels; the
 * truth files (truth_records.csv) are read here only, to score the pairs and the UPRNs. The floors
 * are a little under what was measured on this borough (20,000 households, seed 7), given in
 * docs/sample-borough.md.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { getDataset } from '../../src/profiling/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { readPeopleTruth, type DemoBuild, type PeopleTruth, type RecordTruth } from '../../src/demo/index.ts';
import { civic } from '../helpers/cli.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-demo-linkage-');
let built: DemoBuild;
let truth: PeopleTruth;
let WS: string;
const file = (name: string) => built.manifest.services.find((s) => s.name === name)!.file;

async function ok(...args: string[]): Promise<string> {
  const r = await civic(...args);
  assert.equal(r.code, 0, `civic ${args.join(' ')}\n${r.stderr}\n${r.stdout.slice(0, 500)}`);
  return r.stdout;
}

before(async () => {
  built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
  built.workspace.close();
  WS = join(tmp.dir, 'sb.civic');
  truth = readPeopleTruth(built.manifest.dir);
});
after(() => tmp.cleanup());

interface Scored {
  truePairs: number;
  predicted: number;
  precision: number;
  recall: number;
}

/** Precision and recall of the pairs at or above a probability, against pairs that share `key`. */
function score(
  csv: string,
  left: RecordTruth[],
  right: RecordTruth[] | null,
  key: (r: RecordTruth) => string,
  threshold = 0.5,
): Scored {
  const keyOf = (list: RecordTruth[]) => new Map(list.map((r) => [r.recordId, key(r)]));
  const l = keyOf(left);
  const r = right ? keyOf(right) : l;
  // True pairs: within one file every pair sharing a key; between two, each of one with each of the other.
  const count = (list: RecordTruth[]) => {
    const m = new Map<string, number>();
    for (const x of list) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return m;
  };
  const cl = count(left);
  let truePairs = 0;
  if (right) {
    const cr = count(right);
    for (const [k, n] of cl) truePairs += n * (cr.get(k) ?? 0);
  } else for (const n of cl.values()) truePairs += (n * (n - 1)) / 2;
  const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
  let predicted = 0;
  let right_ = 0;
  for (const p of rows) {
    if (Number(p.match_probability) < threshold) continue;
    predicted++;
    if (l.get(p.id_l) === r.get(p.id_r)) right_++;
  }
  return {
    truePairs,
    predicted,
    precision: predicted ? right_ / predicted : 1,
    recall: truePairs ? right_ / truePairs : 0,
  };
}

test('deduplicating the contact centre file finds the repeat callers', async () => {
  // The caller reference would give the answer away, and the contact details are no one's identity.
  await ok(
    'dataset',
    'import',
    WS,
    'callers',
    file('contact_centre_callers'),
    '--no-postcode',
    '--id-column',
    'contact_id',
    '--map',
    'caller_name=name',
    '--keep-in-clear',
    'name,phone',
  );
  const trained = JSON.parse(
    await ok(
      'link',
      'train',
      WS,
      '--model',
      'callers',
      '--datasets',
      'callers',
      '--ignore-columns',
      'caller_ref,request_ref,contact_datetime,channel,service,reason,handling_minutes,resolved_first_time',
      '--format',
      'json',
    ),
  );
  assert.equal(trained.spec.linkType, 'dedupe');
  const csv = await ok('link', 'predict', WS, '--model', 'callers', '--format', 'csv');
  const t = truth.recordsOf('contact_centre_callers');
  const s = score(csv, t, null, (r) => r.person);
  console.log(`contact centre dedupe: ${JSON.stringify(s)}`);
  // Measured: 989 true pairs, precision 0.997, recall 0.969 at 0.5 (the caller and request references ignored).
  assert.ok(s.truePairs > 200, `${s.truePairs} true pairs`);
  assert.ok(s.precision >= 0.97, `precision ${s.precision}`);
  assert.ok(s.recall >= 0.93, `recall ${s.recall}`);
});

test('linking garden waste subscribers to the council tax register finds their households', async () => {
  await ok(
    'dataset',
    'import',
    WS,
    'register',
    file('council_tax_payment'),
    '--no-postcode',
    '--id-column',
    'account_ref',
    '--keep-in-clear',
    'customer_name,address',
  );
  await ok(
    'dataset',
    'import',
    WS,
    'garden',
    file('green_waste'),
    '--no-postcode',
    '--id-column',
    'subscription_ref',
    '--map',
    'Post Code=postcode',
    '--keep-in-clear',
    'customer_name,address,email,phone',
  );
  const ignore = 'property_ref,UPRN,band,payment_method,single_person_discount,bins,start_date,paid_by';
  const spec = join(tmp.dir, 'garden-spec.json');
  const trained = JSON.parse(
    await ok(
      'link',
      'train',
      WS,
      '--model',
      'garden',
      '--datasets',
      'register,garden',
      '--ignore-columns',
      ignore,
      '--save-spec',
      spec,
      '--format',
      'json',
    ),
  );
  assert.equal(trained.spec.linkType, 'link');
  const households = (r: RecordTruth) => String(r.household);
  const register = truth.recordsOf('council_tax_payment');
  const garden = truth.recordsOf('green_waste');
  const proposed = await ok('link', 'predict', WS, '--model', 'garden', '--format', 'csv');
  const atDefault = score(proposed, register, garden, households);
  const strict = score(proposed, register, garden, households, 0.999);
  console.log(
    `garden waste to council tax, proposed spec, at 0.5: ${JSON.stringify(atDefault)}; at 0.999: ${JSON.stringify(strict)}`,
  );
  // The proposed address comparison (Jaro-Winkler on the whole line) finds the neighbours alike
  // ("12 Elm Road", "14 Elm Road"), so EM on the postcode block learns "same street": almost every
  // pair at a postcode passes 0.5 (measured: precision 0.064, recall 0.990). Only a very strict
  // threshold separates the households (at 0.999: precision 0.980, recall 0.966).
  assert.ok(strict.precision >= 0.95 && strict.recall >= 0.95, JSON.stringify(strict));
  // An analyst drops the address from the saved spec (the names and postcodes identify the
  // household here) and trains again, still without labels.
  const edited = JSON.parse(readFileSync(spec, 'utf8'));
  edited.comparisons = edited.comparisons.filter((c: { column: string }) => c.column !== 'address');
  writeFileSync(spec, JSON.stringify(edited));
  await ok('link', 'train', WS, '--model', 'garden_names', '--datasets', 'register,garden', '--spec', spec);
  const csv = await ok('link', 'predict', WS, '--model', 'garden_names', '--format', 'csv');
  const s = score(csv, register, garden, households);
  console.log(`garden waste to council tax, names and postcodes, at 0.5: ${JSON.stringify(s)}`);
  // Measured: 1,537 true pairs, precision 0.977, recall 0.976 at 0.5.
  assert.ok(s.truePairs > 1000, `${s.truePairs} true pairs`);
  assert.ok(s.precision >= 0.96, `precision ${s.precision}`);
  assert.ok(s.recall >= 0.95, `recall ${s.recall}`);
});

test('address matching against the demo gazetteer gives the right UPRNs', async () => {
  const run = async (name: string, columns: string, postcode: string, id: string) => {
    const csv = await ok(
      'address',
      'match',
      WS,
      file(name),
      '--address-columns',
      columns,
      '--postcode-column',
      postcode,
      '--id-column',
      id,
      '--format',
      'csv',
    );
    const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    const byId = new Map(truth.recordsOf(name).map((r) => [r.recordId, r]));
    assert.equal(rows.length, byId.size, name);
    let matched = 0;
    let home = 0;
    let asWritten = 0;
    let clean = 0;
    let cleanRight = 0;
    for (const r of rows) {
      const t = byId.get(r.id)!;
      const addressErrors = t.errors.filter((e) => e.startsWith('address:'));
      if (!addressErrors.length) {
        clean++;
        if (r.status === 'matched' && r.uprn === t.uprn) cleanRight++;
      }
      // An address without its flat number is the block's, or ambiguous among its flats: never another home.
      if (addressErrors.includes('address:no flat'))
        assert.ok(r.status !== 'matched' || r.uprn === t.addressUprn, `${name} ${r.id}: ${r.status} ${r.uprn}`);
      if (r.status !== 'matched') continue;
      matched++;
      if (r.uprn === t.uprn) home++;
      if (r.uprn === t.addressUprn) asWritten++;
    }
    const s = {
      records: rows.length,
      matched,
      precision: home / matched,
      recall: home / rows.length,
      precisionAsWritten: asWritten / matched,
      recallWithoutAddressErrors: cleanRight / clean,
    };
    console.log(`address match ${name}: ${JSON.stringify(s)}`);
    return s;
  };
  const leisure = await run('leisure_card', 'Address 1,Address 2,Town', 'postcode', 'card_number');
  const badge = await run('blue_badge', 'address', 'postcode', 'badge_number');
  // Measured: leisure 912 of 914 matched, precision 0.913 against the home (missing flats matched
  // to their block, old addresses to the old home), 1.000 against the address as written; blue badge
  // 627 of 728 matched (missing flats ambiguous), precision 0.984 and 1.000.
  for (const s of [leisure, badge]) {
    assert.ok(s.precisionAsWritten >= 0.99, `precision against the address as written ${s.precisionAsWritten}`);
    assert.ok(s.precision >= 0.88, `precision against the home ${s.precision}`);
    assert.ok(s.recallWithoutAddressErrors >= 0.98, `recall without address errors ${s.recallWithoutAddressErrors}`);
    assert.ok(s.recall >= 0.8, `recall ${s.recall}`);
  }
});

/** Sample Borough imports every service with its address columns and UPRN column (src/demo/build.ts). */
async function propertiesOf(dataset: string): Promise<Map<number, { property: string | null; kind: string | null }>> {
  const ws = await openWorkspace(WS);
  try {
    const ds = await getDataset(ws.engine, dataset);
    const rows = await ws.engine.all<{ _row: number; _property: string | null; _property_kind: string | null }>(
      `SELECT _row, _property, _property_kind FROM ${ds.table_name} ORDER BY _row`,
    );
    // _row counts the file's lines (the header is line 1); the truth numbers the data rows from 1.
    return new Map(rows.map((r) => [Number(r._row) - 1, { property: r._property, kind: r._property_kind }]));
  } finally {
    ws.close();
  }
}

test('households found by property reference agree with the generator’s households', async () => {
  const addressed = built.datasets.filter((d) => d.addressing).map((d) => d.dataset);
  assert.ok(addressed.length >= 10, `${addressed.length} services imported with addresses`);
  // Every pair of records (within or across services) at one property reference, against the pairs
  // truly in one household.
  const records: { property: string | null; household: number }[] = [];
  let matched = 0;
  let matchedAsWritten = 0;
  for (const name of addressed) {
    const props = await propertiesOf(name);
    const t = truth.recordsOf(name);
    assert.equal(props.size, t.length, `${name}: every record has a row`);
    for (const r of t) {
      const p = props.get(r.row);
      records.push({ property: p?.property ?? null, household: r.household });
      if (p?.kind !== 'matched_uprn') continue;
      matched++;
      if (p.property === r.addressUprn) matchedAsWritten++;
    }
  }
  const pairs = (key: (r: (typeof records)[number]) => string | null) => {
    const m = new Map<string, number>();
    for (const r of records) {
      const k = key(r);
      if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
    }
    let n = 0;
    for (const c of m.values()) n += (c * (c - 1)) / 2;
    return n;
  };
  const found = pairs((r) => r.property);
  const truePairs = pairs((r) => String(r.household));
  const right = pairs((r) => (r.property === null ? null : `${r.property} ${r.household}`));
  const s = {
    records: records.length,
    matched,
    matchedAsWritten,
    truePairs,
    found,
    precision: right / found,
    recall: right / truePairs,
  };
  console.log(`households by property reference: ${JSON.stringify(s)}`);
  // Measured (seed 7, 20,000 households): 30,177 records, 9,929 true pairs, 9,483 found, precision
  // 0.947, recall 0.904. What is missed is what the records say: an old address is the old home, a
  // flat written without its number is the block, a mistyped UPRN is another home.
  assert.ok(s.records > 25_000, `${s.records} records`);
  // Matched to the gazetteer (measured: 7,166 records): always the UPRN of the address as written.
  assert.ok(matched > 5000 && matchedAsWritten / matched >= 0.999, `${matchedAsWritten} of ${matched} as written`);
  assert.ok(s.precision >= 0.93, `precision ${s.precision}`);
  assert.ok(s.recall >= 0.88, `recall ${s.recall}`);
});

test('overlap at household level reproduces the generator’s households', async () => {
  const services = ['green_waste', 'library_members', 'leisure_card', 'housing_benefit', 'childrens_centre_users'];
  const report = JSON.parse(
    await ok(
      'overlap',
      WS,
      '--segment',
      'E',
      '--datasets',
      services.join(','),
      '--population',
      'council_tax_payment',
      '--min-cell',
      '0',
      '--format',
      'json',
    ),
  );
  assert.equal(report.level, 'household');
  assert.match(report.method, /Household level, by property/);
  // The truth, from the generator's files alone: the households whose home is in an area of
  // segment E, and the services each truly uses.
  const dir = built.manifest.dir;
  const csv = (f: string) =>
    Papa.parse<Record<string, string>>(readFileSync(join(dir, f), 'utf8').trim(), { header: true }).data;
  const inE = new Set(
    csv('classification.csv')
      .filter((r) => r.group === 'E')
      .map((r) => r.area_code),
  );
  const oaOf = new Map(csv('postcodes.csv').map((r) => [r.pcds, r.oa21cd]));
  const homeIn = new Map(csv('gazetteer.csv').map((r) => [r.UPRN, inE.has(oaOf.get(r.POSTCODE) ?? '')]));
  const units = new Set(
    truth
      .recordsOf('council_tax_payment')
      .filter((r) => homeIn.get(r.uprn))
      .map((r) => r.household),
  );
  // Two truths: the household each record truly belongs to, and the household living at the
  // address the record gives (an old address is someone else's home now). The second is what any
  // matching of the records can find.
  const livesAt = new Map(truth.recordsOf('council_tax_payment').map((r) => [r.uprn, r.household]));
  const usesBy = (of: (r: RecordTruth) => number | undefined) => {
    const m = new Map<number, Set<string>>();
    for (const name of services)
      for (const r of truth.recordsOf(name)) {
        const h = of(r);
        if (h !== undefined && units.has(h)) m.set(h, (m.get(h) ?? new Set()).add(name));
      }
    return m;
  };
  const uses = usesBy((r) => r.household);
  const usesAsWritten = usesBy((r) => livesAt.get(r.addressUprn));
  const combination = (set: Set<string> | undefined) => services.filter((s) => set?.has(s)).join('+');
  const tally = (u: Map<number, Set<string>>) => {
    const m = new Map<string, number>();
    for (const h of units) m.set(combination(u.get(h)), (m.get(combination(u.get(h))) ?? 0) + 1);
    return m;
  };
  const want = tally(uses);
  const wantAsWritten = tally(usesAsWritten);
  const got = new Map<string, number>(
    report.combinations.map((c: { datasets: string[]; count: number }) => [combination(new Set(c.datasets)), c.count]),
  );
  const rows = [...new Set([...want.keys(), ...wantAsWritten.keys(), ...got.keys()])].map((k) => ({
    combination: k || 'none',
    truth: want.get(k) ?? 0,
    asWritten: wantAsWritten.get(k) ?? 0,
    found: got.get(k) ?? 0,
  }));
  console.log(`household overlap, segment E: total ${report.total} (truth ${units.size})\n${JSON.stringify(rows)}`);
  // Measured (seed 7, segment E): 2,951 households against 2,966 (mistyped UPRNs in the register put
  // two homes on one); 41.5 households in another row than the truth's (1.4%: old addresses and
  // flats written without their number), 9.5 (0.3%) against the addresses as written; each
  // service's households within 8% of the truth (children's centres 326 against 353).
  assert.ok(
    Math.abs(report.total - units.size) <= units.size * 0.01,
    `${report.total} households, truth ${units.size}`,
  );
  const misplaced = rows.reduce((a, r) => a + Math.abs(r.found - r.truth), 0) / 2;
  const misplacedAsWritten = rows.reduce((a, r) => a + Math.abs(r.found - r.asWritten), 0) / 2;
  console.log(
    `  in another row: ${misplaced} against the truth, ${misplacedAsWritten} against the addresses as written`,
  );
  assert.ok(misplaced <= units.size * 0.025, `${misplaced} households in another row than the truth's`);
  assert.ok(
    misplacedAsWritten <= units.size * 0.006,
    `${misplacedAsWritten} households in another row than as written`,
  );
  for (const s of services) {
    const truly = [...units].filter((h) => uses.get(h)?.has(s)).length;
    const found = report.services.find((x: { dataset: string }) => x.dataset === s).users;
    console.log(`  ${s}: ${found} households, truth ${truly}`);
    assert.ok(Math.abs(found - truly) <= Math.max(3, truly * 0.1), `${s}: ${found} households, truth ${truly}`);
  }
});
