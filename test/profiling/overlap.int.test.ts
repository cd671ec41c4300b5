import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  overlapAnalysis,
  normaliseLinkKey,
  planLinks,
  OverlapResultSchema,
  OVERLAP_RESULT_VERSION,
  type OverlapResult,
} from '../../src/profiling/index.ts';
import { discloseOverlap, overlapToSvg, overlapToTable } from '../../src/outputs/index.ts';
import { tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicOut as civic } from '../helpers/cli.ts';

const tmp = tempDir();
const WS = join(tmp.dir, 'o.civic');

// Three output areas. Segment A (group) is OA1 and OA2; type A2 is OA2 alone.
//   SB1 1AA, SB1 1AB in OA1 (live); SB1 1AD (live) and SB1 1AE (terminated) in OA2; SB2 1AA in OA3 (group B).
// The register lists every household. In segment A:
//   H1 ACC01 1 High St  SB1 1AA      H5 ACC05 5 Low Rd SB1 1AD
//   H2 ACC02 2 High St  SB1 1AA      H6 ACC06 6 Low Rd SB1 1AE (terminated, still in OA2)
//   H3 ACC03 3 High St  SB1 1AB      H7 (no account)  7 Low Rd SB1 1AD: a household of its own, linking to nothing
//   H4 ACC04 4 Low Rd   SB1 1AD
// and H8 ACC08 in OA3 (not in segment A).
const FILES: Record<string, string[]> = {
  'pc.csv': [
    'pcds,dointr,doterm,lat,long,oa21cd',
    'SB1 1AA,198001,,52.9,-1.1,E00900001',
    'SB1 1AB,198001,,52.9,-1.1,E00900001',
    'SB1 1AD,198001,,52.91,-1.11,E00900002',
    'SB1 1AE,198001,202001,52.91,-1.11,E00900002',
    'SB2 1AA,198001,,52.92,-1.12,E00900003',
  ],
  'base.csv': ['area_code,households', 'E00900001,30', 'E00900002,30', 'E00900003,30'],
  'cls.csv': ['area_code,group,type', 'E00900001,A,A1', 'E00900002,A,A2', 'E00900003,B,B1'],
  'register.csv': [
    'account_ref,address,postcode',
    'ACC01,1 High St,SB1 1AA',
    'ACC02,2 High St,SB1 1AA',
    'ACC03,3 High St,SB1 1AB',
    'ACC04,4 Low Rd,SB1 1AD',
    'ACC05,5 Low Rd,SB1 1AD',
    'ACC06,6 Low Rd,SB1 1AE',
    ',7 Low Rd,SB1 1AD',
    'ACC08,8 Far Lane,SB2 1AA',
  ],
  // Council tax support, by account: ACC01; " acc02 " (case and spaces normalised); ACC04; ACC05 at the wrong
  // postcode (does not link: the key is reference and postcode); ACC08 outside the segment.
  'support.csv': [
    'ctr_ref,account_ref,postcode',
    'S1,ACC01,SB1 1AA',
    'S2, acc02 ,sb1 1aa',
    'S3,ACC04,SB1 1AD',
    'S4,ACC05,SB1 1AA',
    'S5,ACC08,SB2 1AA',
  ],
  // Housing benefit, by address: "1 HIGH ST." (punctuation normalised), "4  low rd", "6 Low Rd" at the terminated postcode.
  'benefit.csv': ['claim_ref,address,postcode', 'B1,1 HIGH ST.,SB1 1AA', 'B2,4  low rd,SB1 1AD', 'B3,6 Low Rd,SB1 1AE'],
  // Library, by account: ACC03, and ACC01 twice (two members of one household).
  'library.csv': ['member,account_ref,postcode', 'L1,ACC03,SB1 1AB', 'L2,ACC01,SB1 1AA', 'L3,ACC01,SB1 1AA'],
};
const LINK = ['register.account_ref', 'support.account_ref', 'benefit.address', 'library.account_ref'];

before(async () => {
  for (const [f, lines] of Object.entries(FILES)) writeFileSync(join(tmp.dir, f), lines.join('\n') + '\n');
  const ws = await createWorkspace(WS);
  await importReference(ws.engine, {
    postcodes: join(tmp.dir, 'pc.csv'),
    base: [join(tmp.dir, 'base.csv')],
    classification: [join(tmp.dir, 'cls.csv')],
    classificationName: 'local',
  });
  for (const d of ['register', 'support', 'benefit', 'library'])
    await importDataset(ws.engine, d, join(tmp.dir, `${d}.csv`), {
      key: TEST_KEY,
      keepInClear: d === 'register' || d === 'benefit' ? ['address'] : [],
    }); // addresses are linked readable here
  ws.close();
});
after(() => tmp.cleanup());

async function analyse(req: Parameters<typeof overlapAnalysis>[1]): Promise<OverlapResult> {
  const ws = await openWorkspace(WS);
  try {
    return await overlapAnalysis(ws.engine, req);
  } finally {
    ws.close();
  }
}
const combo = (r: OverlapResult, ...ds: string[]) =>
  r.combinations.find((c) => c.datasets.join('+') === ds.join('+'))?.count;

test('link keys are trimmed, upper-cased, and spaces and punctuation collapsed', async () => {
  assert.equal(normaliseLinkKey('  12  High St. '), '12 HIGH ST');
  assert.equal(normaliseLinkKey('12, high-st'), '12 HIGH ST');
  assert.equal(normaliseLinkKey(' acc02 '), 'ACC02');
  assert.equal(normaliseLinkKey(' - '), null);
  assert.equal(normaliseLinkKey(null), null);
});

test('household level: exclusive combinations, per-service totals and "only" counts, worked by hand', async () => {
  const r = await analyse({
    segment: 'A',
    datasets: ['support', 'benefit', 'library'],
    population: 'register',
    linkBy: LINK,
  });
  OverlapResultSchema.parse(r);
  assert.equal(r.level, 'household');
  assert.equal(r.unit, 'households');
  assert.match(r.method, /^Household level/);
  assert.deepEqual([r.segment.code, r.segment.areas, r.segment.tiers], ['A', 2, ['group']]);
  // Households H1–H7 are in segment A (H8 is not): 7 units, of which H7 has no account to link by.
  assert.equal(r.total, 7);
  assert.equal(r.unlinkable, 1);
  // Links: support → H1, H2 (" acc02 " normalised), H4; S4 is ACC05 at the wrong postcode, so it does not link.
  //        benefit → H1 ("1 HIGH ST."), H4 ("4  low rd"), H6 (terminated postcode, still a household).
  //        library → H3, H1 (twice: one household).
  // Masks: H1 support+benefit+library; H2 support; H3 library; H4 support+benefit; H5 none; H6 benefit; H7 none.
  assert.equal(combo(r), 2);
  assert.equal(combo(r, 'support'), 1);
  assert.equal(combo(r, 'benefit'), 1);
  assert.equal(combo(r, 'library'), 1);
  assert.equal(combo(r, 'support', 'benefit'), 1);
  assert.equal(combo(r, 'support', 'benefit', 'library'), 1);
  assert.equal(r.combinations.length, 6);
  assert.equal(
    r.combinations.reduce((s, c) => s + c.count!, 0),
    7,
    'exclusive combinations add up to the total',
  );
  const { cellKey, ...first } = r.combinations[0];
  assert.deepEqual(first, { datasets: [], degree: 0, count: 2, pct: (2 / 7) * 100, suppressed: false });
  // the truth carries each combination's key for the boundary (a number from 0 to 255)
  assert.ok(Number.isInteger(cellKey) && cellKey! >= 0 && cellKey! < 256);
  assert.deepEqual([r.none.count, r.atLeastOne.count, r.exactlyOne.count], [2, 5, 3]);
  assert.ok(Math.abs(r.exactlyOne.pct! - 42.857142857) < 1e-6); // 3 of 7
  const svc = Object.fromEntries(r.services.map((s) => [s.dataset, s]));
  // support: 4 records in segment A's areas (S1–S4), 3 linked, 3 households; benefit: 3, 3, 3; library: 3, 3, 2.
  assert.deepEqual([svc.support.records, svc.support.linked, svc.support.users, svc.support.only], [4, 3, 3, 1]);
  assert.deepEqual([svc.benefit.records, svc.benefit.linked, svc.benefit.users, svc.benefit.only], [3, 3, 3, 1]);
  assert.deepEqual([svc.library.records, svc.library.linked, svc.library.users, svc.library.only], [3, 3, 2, 1]);
  assert.deepEqual([svc.benefit.linkColumn, svc.benefit.populationColumn], ['address', 'address']);
  assert.deepEqual([svc.support.linkColumn, svc.support.populationColumn], ['account_ref', 'account_ref']);
});

test('postcode level when records are not linked, and the result says so', async () => {
  const r = await analyse({ segment: 'A', datasets: ['support', 'benefit', 'library'] });
  assert.equal(r.level, 'postcode');
  assert.equal(r.unit, 'postcodes');
  assert.match(r.method, /^Postcode level/);
  assert.equal(r.population, null);
  // Units: the live postcodes of OA1 and OA2: SB1 1AA, SB1 1AB, SB1 1AD (SB1 1AE is terminated).
  // SB1 1AA: support (S1, S2, S4), benefit (B1), library (L2, L3) → all three; SB1 1AB: library (L1);
  // SB1 1AD: support (S3), benefit (B2). B3 is at the terminated SB1 1AE, so it is not placed.
  assert.equal(r.total, 3);
  assert.equal(combo(r, 'support', 'benefit', 'library'), 1);
  assert.equal(combo(r, 'library'), 1);
  assert.equal(combo(r, 'support', 'benefit'), 1);
  assert.equal(r.none.count, 0);
  assert.equal(combo(r), undefined, 'a combination that does not occur is not listed');
  assert.equal(r.exactlyOne.count, 1);
  const svc = Object.fromEntries(r.services.map((s) => [s.dataset, s]));
  assert.deepEqual([svc.support.records, svc.support.linked, svc.support.users], [4, 4, 2]);
  assert.deepEqual([svc.benefit.records, svc.benefit.linked, svc.benefit.users], [3, 2, 2]);
  assert.ok(r.warnings.some((w) => /benefit records are at terminated postcodes/.test(w)));
  assert.equal(r.unlinkable, null);
});

test('a segment at any tier: type A2 is OA2 alone', async () => {
  const r = await analyse({ segment: 'a2', datasets: ['support', 'benefit'] });
  assert.deepEqual([r.segment.code, r.segment.tiers, r.segment.areas], ['A2', ['type'], 1]);
  // One live postcode, SB1 1AD, with S3 and B2.
  assert.equal(r.total, 1);
  assert.equal(combo(r, 'support', 'benefit'), 1);
});

test('link plans: one column for all, per-dataset columns, pairs with =, and plain errors', async () => {
  const cols: Record<string, string[]> = {
    reg: ['account_ref', 'address', 'customer_name'],
    cts: ['account_ref', 'claimant'],
    hb: ['Address', 'claimant_name'],
    lib: ['Name'],
  };
  const of = (d: string) => cols[d];
  const one = planLinks('reg', ['hb'], ['address'], of);
  assert.deepEqual(one.populationColumns, ['address']);
  assert.deepEqual(one.serviceColumns.get('hb'), { column: 'Address', populationColumn: 'address' });
  const many = planLinks(
    'reg',
    ['cts', 'hb', 'lib'],
    ['reg.account_ref', 'cts.account_ref', 'hb.address', 'lib.Name=customer_name'],
    of,
  );
  // The population's own columns first, then those named after "=", then those found by a service's column name.
  assert.deepEqual(many.populationColumns, ['account_ref', 'customer_name', 'address']);
  assert.deepEqual(many.serviceColumns.get('hb'), { column: 'Address', populationColumn: 'address' });
  assert.deepEqual(many.serviceColumns.get('lib'), { column: 'Name', populationColumn: 'customer_name' });
  assert.throws(() => planLinks('reg', ['cts'], ['reg.account_ref', 'cts.nosuch'], of), /cts has no column "nosuch"/);
  assert.throws(
    () => planLinks('reg', ['cts', 'lib'], ['reg.account_ref', 'cts.account_ref'], of),
    /No link column is given for lib/,
  );
  assert.throws(
    () => planLinks('reg', ['lib'], ['reg.account_ref', 'reg.address', 'lib.Name'], of),
    /Cannot tell which column of reg/,
  );
  assert.throws(
    () => planLinks('reg', ['cts'], ['other.account_ref'], of),
    /neither the population nor one of the services/,
  );
});

test('errors: an unknown segment, --link-by without --population, and the reverse', async () => {
  await assert.rejects(analyse({ segment: 'Z', datasets: ['support'] }), /No area of local is in a segment "Z"/);
  await assert.rejects(
    analyse({ segment: 'A', datasets: ['support'], linkBy: ['account_ref'] }),
    /--link-by needs --population/,
  );
  await assert.rejects(
    analyse({ segment: 'A', datasets: ['support'], population: 'register' }),
    /--population needs --link-by/,
  );
  await assert.rejects(analyse({ segment: 'A', datasets: ['nosuch'] }), /There is no dataset called "nosuch"/);
});

// ---- Disclosure -----------------------------------------------------------------------------

/** Every way of filling the hidden combinations with whole numbers that agrees with everything published. */
function feasible(shown: OverlapResult, truth: OverlapResult): Map<string, Set<number>> {
  const key = (ds: string[]) => ds.join('+');
  const hidden = shown.combinations.filter((c) => c.count === null).map((c) => key(c.datasets));
  const cells = truth.combinations.map((c) => ({ key: key(c.datasets), ds: c.datasets, count: c.count! }));
  const known = new Map(shown.combinations.filter((c) => c.count !== null).map((c) => [key(c.datasets), c.count!]));
  // Published sums: total, each service's users, exactly one, at least one.
  const sums: { members: (c: { ds: string[] }) => boolean; value: number }[] = [
    { members: () => true, value: shown.total },
  ];
  shown.services.forEach((s) => {
    if (s.users !== null) sums.push({ members: (c) => c.ds.includes(s.dataset), value: s.users });
  });
  if (shown.exactlyOne.count !== null) sums.push({ members: (c) => c.ds.length === 1, value: shown.exactlyOne.count });
  if (shown.atLeastOne.count !== null) sums.push({ members: (c) => c.ds.length > 0, value: shown.atLeastOne.count });
  const values = new Map(hidden.map((h) => [h, new Set<number>()]));
  const assign = new Map<string, number>();
  const hiddenTotal = shown.total - [...known.values()].reduce((a, b) => a + b, 0);
  const rec = (i: number, left: number) => {
    if (i === hidden.length - 1) {
      assign.set(hidden[i], left);
      const v = (c: { key: string }) => known.get(c.key) ?? assign.get(c.key)!;
      if (sums.every((s) => cells.filter(s.members).reduce((t, c) => t + v(c), 0) === s.value))
        for (const h of hidden) values.get(h)!.add(assign.get(h)!);
      return;
    }
    for (let x = 0; x <= left; x++) {
      assign.set(hidden[i], x);
      rec(i + 1, left - x);
    }
  };
  if (hidden.length) rec(0, hiddenTotal);
  return values;
}

function assertSafe(shown: OverlapResult, truth: OverlapResult, minCell: number) {
  for (const c of shown.combinations) {
    if (c.count !== null)
      assert.ok(c.count >= minCell, `a visible combination ${c.datasets.join('+')} = ${c.count} is under ${minCell}`);
    else assert.equal(c.pct, null);
  }
  for (const s of shown.services)
    for (const v of [s.users, s.only, s.records, s.linked])
      if (v !== null) assert.ok(v >= minCell, `${s.dataset}: ${v} under ${minCell}`);
  const hidden = shown.combinations.filter((c) => c.count === null);
  if (hidden.length) assert.ok(hidden.length >= 2, 'a single hidden combination could be recovered from the total');
  for (const [k, vals] of feasible(shown, truth))
    assert.ok(vals.size >= 2, `the hidden combination ${k || 'none'} can be worked out exactly (${[...vals]})`);
}

function synthetic(): OverlapResult {
  // Services a, b, c; exclusive combinations: none 40, a 30, b 25, a+b 4, c 12, a+c 15, b+c 6 (total 132).
  const cells: [string[], number][] = [
    [[], 40],
    [['a'], 30],
    [['b'], 25],
    [['a', 'b'], 4],
    [['c'], 12],
    [['a', 'c'], 15],
    [['b', 'c'], 6],
  ];
  const total = 132;
  const users = (d: string) => cells.filter(([ds]) => ds.includes(d)).reduce((s, [, n]) => s + n, 0);
  return {
    version: OVERLAP_RESULT_VERSION,
    level: 'household',
    unit: 'households',
    method: 'Household level: test.',
    classification: 'local',
    segment: { code: 'A', name: null, tiers: ['group'], areaLevel: 'oa21', areas: 2 },
    population: 'register',
    datasets: ['a', 'b', 'c'],
    total,
    none: { count: 40, pct: (40 / total) * 100, suppressed: false },
    atLeastOne: { count: 92, pct: (92 / total) * 100 },
    exactlyOne: { count: 67, pct: (67 / total) * 100 },
    combinations: cells
      .map(([ds, n]) => ({
        datasets: ds,
        degree: ds.length,
        count: n,
        pct: (n / total) * 100,
        suppressed: false,
        cellKey: null,
      }))
      .sort((x, y) => y.count! - x.count!),
    services: ['a', 'b', 'c'].map((d) => ({
      dataset: d,
      linkColumn: 'k',
      populationColumn: 'k',
      records: 100,
      linked: 100,
      users: users(d),
      usersPct: (users(d) / total) * 100,
      only: cells.find(([ds]) => ds.length === 1 && ds[0] === d)![1],
      onlyPct: 0,
      suppressed: false,
      keys: null,
    })),
    unlinkable: 0,
    keys: null,
    warnings: [],
    disclosure: null,
  };
}

test('disclosure: small combinations are hidden, and so is any published total that would let one be worked out', async () => {
  const truth = synthetic();
  const shown = discloseOverlap(truth, 10);
  OverlapResultSchema.parse(shown);
  // suppressOneWay hides a+b (4) and b+c (6): two cells holding 10, so neither follows from the total.
  const visible = shown.combinations.filter((c) => c.count !== null).map((c) => [c.datasets.join('+'), c.count]);
  assert.deepEqual(visible, [
    ['', 40],
    ['a', 30],
    ['b', 25],
    ['a+c', 15],
    ['c', 12],
  ]);
  assert.deepEqual(
    shown.combinations.slice(5).map((c) => c.datasets.join('+')),
    ['a+b', 'b+c'],
    'hidden combinations go last, in a fixed order',
  );
  // Users of a = 30 + 4 + 15 = 49 would give a+b = 49 − 30 − 15: hidden. Likewise c (12 + 15 + 6 = 33) would give b+c.
  // Users of b = 25 + 4 + 6 = 35 only gives a+b + b+c = 10, which the total gives already: shown.
  // Exactly one = 30 + 25 + 12 = 67 has nothing hidden under it: shown.
  assert.deepEqual(
    shown.services.map((s) => s.users),
    [null, 35, null],
  );
  assert.deepEqual(
    shown.services.map((s) => s.only),
    [30, 25, 12],
  );
  assert.equal(shown.exactlyOne.count, 67);
  assert.equal(shown.atLeastOne.count, 92);
  assert.deepEqual(shown.disclosure, { minCell: 10, primary: 2, secondary: 2, perturbed: false });
  assertSafe(shown, truth, 10);
  // a+b can be anything from 0 to 10 (and b+c the rest).
  assert.deepEqual(
    [...feasible(shown, truth).get('a+b')!].sort((x, y) => x - y),
    Array.from({ length: 11 }, (_, i) => i),
  );
  // The owner's view is untouched.
  assert.deepEqual(discloseOverlap(truth, 0), truth); // nothing hidden (only the cells' keys, none here, would be removed)
});

test('disclosure on the tiny workspace: sums that would pin a cell down are hidden as well', async () => {
  const truth = await analyse({
    segment: 'A',
    datasets: ['support', 'benefit', 'library'],
    population: 'register',
    linkBy: LINK,
  });
  for (const min of [2, 3, 10]) assertSafe(discloseOverlap(truth, min), truth, min);
  // At 2 the five single households are hidden (none, 2, stays). Exactly one (3) leaves the three
  // "only" cells free: shown. Support's users (3) would then pin "support only" to 1 (3 − the 2
  // households in support + benefit and all three), so it is hidden; benefit likewise; library's 2 is safe.
  const two = discloseOverlap(truth, 2);
  assert.equal(two.none.count, 2);
  assert.equal(two.combinations.filter((c) => c.count !== null && c.degree > 0).length, 0);
  assert.equal(two.exactlyOne.count, 3);
  assert.deepEqual(
    two.services.map((s) => s.users),
    [null, null, 2],
  );
  const table = overlapToTable(two);
  assert.match(table, /\[c\]/);
  assert.match(table, /Counts under 2 are suppressed/);
});

test('the SVG chart: bars, dot matrix, set sizes, a title and text labels; suppressed bars say [c]', async () => {
  const shown = discloseOverlap(synthetic(), 10);
  const svg = overlapToSvg(shown);
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*role="img"[^>]*aria-labelledby="upset-title upset-desc"/,
  );
  assert.match(
    svg,
    /<title id="upset-title">Take-up overlap of 3 services among households in local segment A, household level<\/title>/,
  );
  assert.match(svg, /<desc id="upset-desc">132 households\. Using none of the services: 40 \(30\.30%\)\./);
  assert.match(svg, /<title>None of these: 40 households \(30\.30%\)<\/title>/);
  assert.match(svg, /<title>a only: 30 households/);
  assert.match(svg, /<title>a \+ b: suppressed/);
  assert.match(svg, /<title>b: 35 households use it/);
  assert.match(svg, /<title>a: suppressed<\/title>/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 7 * 3, 'one dot per service for each of the 7 combinations');
  assert.ok(!/>(4|6|49|33)</.test(svg), 'no hidden count is written anywhere');
  assert.match(svg, /<\/svg>\n$/);
  // Names are escaped.
  const odd = { ...synthetic(), datasets: ['a<b', 'b', 'c'] };
  odd.services[0] = { ...odd.services[0], dataset: 'a<b' };
  assert.match(overlapToSvg(odd), /a&lt;b/);
});

// ---- Command line ---------------------------------------------------------------------------

test('civic overlap: table on screen unsuppressed; JSON, XLSX and SVG suppressed at 10 by default', async () => {
  const base = [
    'overlap',
    WS,
    '--segment',
    'A',
    '--datasets',
    'support,benefit,library',
    '--population',
    'register',
    '--link-by',
    LINK.join(','),
  ];
  const table = await civic(...base);
  assert.match(table, /household level/);
  assert.match(table, /None of these\s+0\s+2\s+28\.57/);
  assert.match(table, /support \+ benefit \+ library\s+3\s+1\s+14\.29/);

  const json = JSON.parse(await civic(...base, '--format', 'json'));
  OverlapResultSchema.parse(json);
  assert.equal(json.level, 'household');
  assert.equal(json.disclosure.minCell, 10);
  assert.ok(
    json.combinations.every((c: { count: number | null }) => c.count === null),
    'every count here is under 10',
  );
  const json2 = JSON.parse(await civic(...base, '--format', 'json', '--min-cell', '0'));
  assert.equal(json2.disclosure, null);
  assert.equal(json2.none.count, 2);

  const xlsx = join(tmp.dir, 'overlap.xlsx');
  await civic(...base, '--format', 'xlsx', '--out', xlsx, '--min-cell', '2');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  const sheet = wb.getWorksheet('Combinations')!;
  assert.match(String(sheet.getCell('A1').value), /Take-up overlap of 3 services among households/);
  assert.equal(sheet.getRow(3).getCell(1).value, 'Services used');
  const rows: unknown[][] = [];
  sheet.eachRow((row, n) => {
    if (n > 3) rows.push((row.values as unknown[]).slice(1));
  });
  const total = rows.find((r) => r[0] === 'Total')!;
  assert.equal(total[5], 7);
  for (const r of rows.filter((x) => x[0] !== 'Total')) {
    const count = r[5];
    assert.ok(count === '[c]' || (typeof count === 'number' && count >= 2), `count ${count} is under 2`);
    if (count === '[c]') assert.equal(r[6], '[c]');
  }
  const services = wb.getWorksheet('Services')!;
  assert.equal(services.getRow(4).getCell(1).value, 'support');
  const notes = wb.getWorksheet('Notes')!;
  assert.equal(notes.getCell('A1').value, 'Level');
  assert.match(String(notes.getCell('B1').value), /Household level/);

  const svgFile = join(tmp.dir, 'overlap.svg');
  await civic(
    'overlap',
    WS,
    '--segment',
    'A',
    '--datasets',
    'support,benefit,library',
    '--format',
    'svg',
    '--out',
    svgFile,
    '--min-cell',
    '0',
  );
  const svg = readFileSync(svgFile, 'utf8');
  assert.match(
    svg,
    /<title id="upset-title">Take-up overlap of 3 services among postcodes in local segment A \(Group A\), postcode level<\/title>/,
  );
  assert.match(svg, /Postcode level: a unit is a postcode, not a household/);
});

test('civic overlap --help, and usage errors exit 2 in plain English', async () => {
  const help = await civic('overlap', '--help');
  assert.match(help, /--link-by <columns>/);
  assert.match(help, /Examples:/);
  let code = 0,
    stderr = '';
  try {
    await civic('overlap', WS, '--segment', 'A', '--datasets', 'support', '--link-by', 'account_ref');
  } catch (e) {
    code = (e as { status: number }).status;
    stderr = String((e as { stderr: string }).stderr);
  }
  assert.equal(code, 2);
  assert.match(stderr, /--link-by needs --population/);
  assert.match(stderr, /What to do:/);
});
