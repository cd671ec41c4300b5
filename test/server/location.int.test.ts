/**
 * The location and targeting pages (inject, no network) over a 20,000-household Sample Borough with
 * its facilities: figures on the page agree with the analyses, scenarios add up, downloads are
 * suppressed and neutralised, and only staff and partners get in.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Workspace } from '../../src/store/index.ts';
import { injectedPortal, type InjectedPortal } from '../helpers/portal.ts';
import { accessibility, facilitiesOfKind, listFacilities, loadSiteInputs } from '../../src/location/index.ts';
import { hideSmallWeights, discloseEvaluation, evaluationToXlsx } from '../../src/outputs/index.ts';
import { evaluateCampaign } from '../../src/targeting/index.ts';
import ExcelJS from 'exceljs';

let portal: InjectedPortal;
let ws: Workspace;
before(async () => {
  portal = await injectedPortal({
    seed: 7, // the borough most of the suite uses, so a run builds it once
    people: [
      ['ana', 'analyst'],
      ['pat', 'partner', 'Fire and Rescue'],
      ['agt', 'agent'],
    ],
  });
  ws = portal.ws;
});
after(async () => {
  await portal?.close();
});

const get = (url: string, user?: string) => portal.get(url, user);
const cellsOf = (html: string, tableId: string) => {
  const table = new RegExp(`<table class="govuk-table" id="${tableId}">([\\s\\S]*?)</table>`).exec(html);
  assert.ok(table, `table ${tableId} is on the page`);
  return [...table[1].matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
    .slice(1)
    .map((m) => [...m[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1].replace(/<[^>]+>/g, '').trim()));
};
const num = (s: string) => Number(s.replace(/,/g, ''));

test('the demo imports its facilities, and anyone can see them as points', async () => {
  const all = await listFacilities(ws.engine);
  assert.equal(all.length, 34);
  const r = await get('/location/facilities.geojson');
  assert.equal(r.statusCode, 200);
  const fc = JSON.parse(r.body);
  assert.equal(fc.features.length, 34);
  assert.deepEqual(
    new Set(fc.features.map((f: { properties: { kind: string } }) => f.properties.kind)),
    new Set(all.map((f) => f.kind)),
  );
  const libs = JSON.parse((await get('/location/facilities.geojson?kind=library')).body);
  assert.equal(libs.features.length, 8);
  // The map page draws them over the areas, with a key.
  const page = await get('/map');
  assert.match(page.body, /id="facility-key-title">Facilities/);
  assert.match(page.body, /Library \(8\)/i);
});

test('the location page shows households within each time of the nearest library, as the analysis works it out', async () => {
  assert.equal((await get('/location')).statusCode, 302, 'public: sign in');
  assert.equal((await get('/location', 'agt')).statusCode, 403);
  const r = await get('/location?kind=library&mode=walk&within=15', 'pat');
  assert.equal(r.statusCode, 200, r.body);
  const rows = cellsOf(r.body, 'access-table');
  const truth = await accessibility(ws.engine, {
    kinds: ['library'],
    mode: 'walk',
    thresholds: [5, 10, 15, 20, 30, 45, 60],
  });
  assert.equal(rows.length, 7);
  rows.forEach((row, i) => {
    assert.equal(num(row[1]), Math.round(truth.kinds[0].borough.within[i]), row[0]);
    assert.equal(row[2], (truth.kinds[0].borough.share[i] * 100).toFixed(1));
  });
  const shares = rows.map((row) => Number(row[2]));
  assert.deepEqual(
    shares,
    [...shares].sort((a, b) => a - b),
    'shares rise with time',
  );
  // The map: minutes to the nearest library for every output area, with the libraries on it.
  assert.match(r.body, /data-module="civic-map"/);
  assert.match(r.body, /access%3Alibrary%3Awalk|access:library:walk/);
  const geo = JSON.parse((await get('/map/data.geojson?measure=access:library:walk&level=oa21', 'pat')).body);
  const byCode = new Map(truth.areas.map((a) => [a.code, a.kinds[0].nearestMinutes]));
  for (const f of geo.features)
    assert.equal(f.properties.value, Math.round(byCode.get(f.properties.code)! * 10) / 10, f.properties.code);
});

test("a library's catchment is profiled by segment and drawn, with small counts hidden", async () => {
  const lib = (await facilitiesOfKind(ws.engine, 'library')).find((f) => f.name === 'Central Library')!;
  const qs = `kind=library&mode=walk&within=10&site=${encodeURIComponent(lib.id)}&by=seg:sample:group`;
  const r = await get(`/location?${qs}`, 'ana');
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, /Who lives within 10 minutes of Central Library/);
  const rows = cellsOf(r.body, 'catchment-table');
  assert.equal(rows.length, 7, 'one row per Sample Borough group');
  for (const row of rows) {
    if (row[1].startsWith('hidden')) continue; // the page's word for a suppressed count
    const n = num(row[1]);
    assert.ok(n === 0 || n >= 10, `a count of ${n} is shown`);
  }
  const outline = JSON.parse((await get(`/location/catchment.geojson?${qs}`, 'ana')).body);
  assert.equal(outline.features.length, 1);
  assert.equal(outline.features[0].geometry.type, 'Polygon');
  assert.equal(outline.features[0].properties.display, 'for display only');
  const csv = await get(`/location/catchment/download?${qs}&format=csv`, 'ana');
  assert.equal(csv.statusCode, 200);
  assert.match(
    String(csv.headers['content-disposition']),
    /attachment; filename="catchment-Central-Library-10min-walk\.csv"/,
  );
  assert.doesNotMatch(csv.body, /^[=+@-]/m, 'no cell starts a formula');
});

test('closing a library: coverage can only fall, the change is after minus before, and every segment is reported', async () => {
  const libs = await facilitiesOfKind(ws.engine, 'library');
  const r = await get(
    `/location?kind=library&mode=walk&within=10&by=seg:sample:group&close=${encodeURIComponent(libs[1].id)}`,
    'ana',
  );
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, new RegExp(`What if: close ${libs[1].name}`, 'i'));
  const [share, minutes] = cellsOf(r.body, 'scenario-table');
  const [before, afterShare, change] = share.slice(1).map(Number);
  assert.ok(afterShare <= before, `coverage rose from ${before} to ${afterShare} after a closure`);
  assert.ok(Math.abs(afterShare - before - change) < 0.11, 'change = after − before (to rounding)');
  assert.ok(Number(minutes[2]) >= Number(minutes[1]), 'journeys do not get shorter when a site closes');
  assert.equal(cellsOf(r.body, 'scenario-groups').length, 7);
  // Opening at another service's site (a children's centre) can only help.
  const cc = (await facilitiesOfKind(ws.engine, 'childrens_centre'))[0];
  const opened = await get(`/location?kind=library&mode=walk&within=10&open=${encodeURIComponent(cc.id)}`, 'ana');
  const [s2] = cellsOf(opened.body, 'scenario-table');
  assert.ok(Number(s2[2]) >= Number(s2[1]));
  // A site that is not a library cannot be closed as one.
  const bad = await get(`/location?kind=library&close=${encodeURIComponent(cc.id)}`, 'ana');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /not one of the open sites/);
});

test('the targeting page ranks areas and gives the postcode list, suppressed, to staff and partners only', async () => {
  assert.equal((await get('/targeting?dataset=green_waste')).statusCode, 302);
  assert.equal((await get('/targeting?dataset=green_waste', 'agt')).statusCode, 403);
  const r = await get(
    '/targeting?dataset=green_waste&by=seg:sample:type&areas=oa&rounds=3&distance=beyond&minutes=5&of=hwrc',
    'pat',
  );
  assert.equal(r.statusCode, 200, r.body);
  const rows = cellsOf(r.body, 'target-table');
  assert.ok(rows.length > 0);
  const ranks = rows.map((row) => Number(row[0]));
  assert.deepEqual(
    ranks,
    ranks.map((_, i) => i + 1),
    'areas in rank order, 1 first',
  );
  for (const row of rows) {
    assert.ok(Number(row[6]) > 5, `an area ${row[6]} minutes from the tip is targeted "beyond 5 minutes"`);
    if (!row[3].startsWith('hidden')) assert.ok(num(row[3]) === 0 || num(row[3]) >= 10, `users ${row[3]} shown`);
  }
  assert.equal(cellsOf(r.body, 'rounds-table').length, 3);
  const csv = await get(
    '/targeting/download?dataset=green_waste&by=seg:sample:type&areas=oa&rounds=3&distance=beyond&minutes=5&of=hwrc&format=csv&list=postcodes',
    'pat',
  );
  assert.equal(csv.statusCode, 200);
  const lines = csv.body.trim().split(/\r?\n/);
  assert.match(lines[0], /postcode/i);
  assert.ok(lines.length > rows.length, 'a postcode per line, several per area');
  const xlsx = await get('/targeting/download?dataset=green_waste&by=seg:sample:type&areas=oa&format=xlsx', 'ana');
  assert.equal(xlsx.statusCode, 200);
  assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
  const badTime = await get('/targeting?dataset=green_waste&distance=within&minutes=abc&of=hwrc', 'ana');
  assert.equal(badTime.statusCode, 400);
  assert.match(badTime.body, /govuk-error-summary/);
});

test('the API gives the same location and targeting results, documented in the OpenAPI description', async () => {
  const fac = await get('/api/facilities?kind=library');
  assert.equal(fac.statusCode, 200, 'facilities are public');
  const libs = JSON.parse(fac.body) as { id: string; name: string; sourceFile?: string }[];
  assert.equal(libs.length, 8);
  assert.ok(
    libs.every((f) => !('sourceFile' in f)),
    'no server paths in the API',
  );
  const access = await get('/api/location/access?kind=library&mode=walk&thresholds=5,10', 'pat');
  assert.equal(access.statusCode, 200, access.body);
  const a = JSON.parse(access.body);
  const truth = await accessibility(ws.engine, { kinds: ['library'], mode: 'walk', thresholds: [5, 10] });
  assert.deepEqual(a.kinds, JSON.parse(JSON.stringify(truth.kinds)));
  assert.equal((await get('/api/location/access?kind=library', 'agt')).statusCode, 403);
  const central = libs.find((f) => f.name === 'Central Library')!;
  const c = await get(`/api/location/catchment?site=${encodeURIComponent(central.id)}&within=10&mode=walk`, 'ana');
  assert.equal(c.statusCode, 200, c.body);
  const cj = JSON.parse(c.body);
  assert.equal(cj.site.name, 'Central Library');
  for (const s of cj.segments) assert.ok(s.suppressed || s.inCatchment === 0 || s.inCatchment >= 10);
  const bad = await get('/api/location/catchment?site=Atlantis&within=ten', 'ana');
  assert.equal(bad.statusCode, 400);
  assert.match(String(bad.headers['content-type']), /problem\+json/);
  const t = await get('/api/target?dataset=green_waste&tier=type&areas=oa', 'pat');
  assert.equal(t.statusCode, 200, t.body);
  const tj = JSON.parse(t.body);
  assert.ok(tj.areas.length > 0 && tj.disclosure.minCell === 10);
  for (const ar of tj.areas) assert.ok(ar.users === null || ar.users === 0 || ar.users >= 10, `users ${ar.users}`);
  const doc = JSON.parse((await get('/api/openapi.json')).body);
  for (const path of ['/api/facilities', '/api/location/access', '/api/location/catchment', '/api/target'])
    assert.ok(doc.paths[path], `${path} is documented`);
});

test("site choice can weight demand by a service's records (vulnerable households), hiding small counts in exports", async () => {
  const inputs = await loadSiteInputs(ws.engine, {
    kind: 'customer_service_point',
    weightDataset: 'blue_badge',
    classification: 'sample',
    tier: 'group',
  });
  const total = inputs.weights.reduce((a, b) => a + b, 0);
  const matched = (await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM ${(await ws.engine.one<{ t: string }>(`SELECT table_name AS t FROM dataset WHERE name = 'blue_badge'`))!.t} d JOIN postcode p ON p.pc_key = d._pc_key WHERE d._status = 'matched' AND p.oa21 IS NOT NULL`,
  ))!.n;
  assert.equal(total, matched, 'every matched blue badge record is demand, once');
  assert.equal(inputs.demand, 'blue_badge records');
  const shown = hideSmallWeights(
    {
      totalWeight: 140,
      groups: [
        { group: 'A', weight: 3 },
        { group: 'B', weight: 12 },
        { group: 'C', weight: 125 },
      ],
      sites: [{ nearestWeight: 7 }],
    },
    10,
  );
  assert.deepEqual(
    shown.groups.map((g) => g.weight),
    [null, null, 125],
    'the small one, and the next smallest so it cannot be worked out from the total',
  );
  assert.equal(shown.sites[0].nearestWeight, null);
  assert.equal(
    hideSmallWeights({ groups: [{ weight: 3 }] }, 0).groups[0].weight,
    3,
    "nothing hidden on the owner's own screen",
  );
});

test('where users come from: library members by branch, with the share going past a nearer library', async () => {
  const first = await get('/location/patterns?dataset=library_members&kind=library', 'ana');
  assert.equal(first.statusCode, 200);
  assert.match(first.body, /id="column"/, 'the second step asks for the outlet column');
  const r = await get('/location/patterns?dataset=library_members&kind=library&column=Branch', 'ana');
  assert.equal(r.statusCode, 200, r.body);
  // A partner does not own the council's records: an outlet's figures can be about a handful of people.
  const partner = await get('/location/patterns?dataset=library_members&kind=library&column=Branch', 'pat');
  assert.equal(partner.statusCode, 403);
  assert.match(partner.body, /Only the owner of a dataset can see where its users come from/);
  assert.doesNotMatch(partner.body, /id="patterns-table"/);
  const rows = cellsOf(r.body, 'patterns-table');
  assert.equal(rows.length, 9, 'eight libraries and all outlets');
  const all = rows[8];
  assert.equal(all[0], 'All outlets');
  assert.ok(
    Number(all[2]) > 80 && Number(all[2]) + Number(all[3]) > 99.8 && Number(all[2]) + Number(all[3]) < 100.2,
    `nearest ${all[2]} + past ${all[3]}`,
  );
  const bad = await get('/location/patterns?dataset=library_members&kind=library&column=Nope', 'ana');
  assert.equal(bad.statusCode, 400);
  assert.equal((await get('/location/patterns', 'agt')).statusCode, 403);
});

test("did the campaign work? take-up in targeted areas against the rest, with the uplift's interval", async () => {
  const t = JSON.parse((await get('/api/target?dataset=green_waste&tier=type&areas=ward', 'ana')).body) as {
    areas: { code: string; targeted: boolean }[];
  };
  const targeted = t.areas.filter((a) => a.targeted).map((a) => a.code);
  assert.ok(targeted.length > 0);
  // A list of areas of one's own choosing is a free-form filter on the records: for the data's owner only.
  const partner = await get(
    `/targeting/evaluate?dataset=green_waste&areas=ward&targeted=${encodeURIComponent(targeted.join('\n'))}`,
    'pat',
  );
  assert.equal(partner.statusCode, 403);
  assert.match(partner.body, /Only the owner of a dataset can evaluate a campaign/);
  const r = await get(
    `/targeting/evaluate?dataset=green_waste&areas=ward&targeted=${encodeURIComponent(targeted.join('\n'))}`,
    'ana',
  );
  assert.equal(r.statusCode, 200, r.body);
  const rows = cellsOf(r.body, 'evaluation-table');
  assert.equal(rows.length, 2);
  const [tg, ctl] = rows;
  const takeUp = (row: string[]) => Number(row[4]);
  assert.ok(Math.abs(takeUp(tg) - (num(tg[3]) / num(tg[2])) * 100) < 0.06, 'take-up = users ÷ households');
  assert.equal(num(tg[2]) + num(ctl[2]), 20_000, 'every household is targeted or not');
  // Targeting picks the areas where green waste does well: take-up there is higher.
  assert.ok(takeUp(tg) > takeUp(ctl));
  assert.match(r.body, /id="uplift"[\s\S]*percentage points/);
  const none = await get('/targeting/evaluate?dataset=green_waste&areas=ward&targeted=', 'ana');
  assert.equal(none.statusCode, 400);
  assert.equal((await get('/targeting/evaluate', 'agt')).statusCode, 403);
});

test('a campaign evaluation as a workbook: the comparison and uplift as worked out, each area, with small counts hidden', async () => {
  const wards = (
    await ws.engine.all<{ code: string }>(`SELECT DISTINCT code FROM area WHERE level = 'ward' ORDER BY code LIMIT 3`)
  ).map((r) => r.code);
  const truth = await evaluateCampaign(ws.engine, { dataset: 'green_waste', areas: 'ward', targeted: wards });
  const shown = discloseEvaluation(truth, 10);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await evaluationToXlsx(shown)) as unknown as ArrayBuffer);
  assert.deepEqual(
    wb.worksheets.map((x) => x.name),
    ['Comparison', 'Areas', 'Notes'],
  );
  const c = wb.getWorksheet('Comparison')!;
  const row = (n: number) => c.getRow(n).values as unknown[];
  assert.equal(row(3)[1], 'Targeted');
  assert.equal(row(3)[5], truth.targeted.takeUp.value);
  assert.equal(row(4)[5], truth.control.takeUp.value);
  assert.equal(row(6)[1], 'Uplift (difference)');
  assert.equal(row(6)[5], shown.difference.value);
  const areas = wb.getWorksheet('Areas')!;
  for (let n = 3; n <= areas.rowCount; n++) {
    const users = areas.getRow(n).getCell(5).value;
    assert.ok(users === '[c]' || (typeof users === 'number' && (users === 0 || users >= 10)), `users ${users}`);
  }
});

test('where should the libraries be? the page chooses sites and says how it found them', async () => {
  const r = await get('/location?kind=library&mode=walk&within=10&by=seg:sample:group&sites=3&problem=mclp', 'ana');
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  const rows = cellsOf(r.body, 'choice-table');
  assert.equal(rows.length, 3);
  assert.match(r.body, /Found by (exact \(HiGHS\), proven best|heuristic)/);
  const share = Number(
    /id="choice"[\s\S]*?<p class="govuk-body">([\d.]+)% of households within 10 minutes/.exec(r.body)![1],
  );
  // The best 3 of any 8 sites cover at least 3/8 of what the 8 cover (a random 3 of them do, on average),
  // and today's 8 libraries are among the candidates.
  const access = await accessibility(ws.engine, { kinds: ['library'], mode: 'walk', thresholds: [10] });
  assert.ok(share <= 100 && share > 0);
  assert.ok(share >= (100 * access.kinds[0].borough.share[0] * 3) / 8 - 1e-9, `${share}% for 3 chosen sites`);
  const keep = await get('/location?kind=library&mode=walk&within=10&sites=10&problem=p-median&keep=existing', 'ana');
  assert.equal(keep.statusCode, 200);
  const kept = cellsOf(keep.body, 'choice-table');
  assert.equal(kept.length, 10);
  assert.equal(kept.filter((row) => row[1] === 'Open').length, 8, "today's eight libraries are kept");
  // p-center: the longest journey to the nearest site; one site more than today's eight never makes it longer.
  const longest = async (sites: number) => {
    const c = await get(
      `/location?kind=library&mode=walk&within=10&sites=${sites}&problem=p-center&keep=existing`,
      'ana',
    );
    assert.equal(c.statusCode, 200, c.body.slice(0, 300));
    assert.match(c.body, /sites that make the longest journey to the nearest site shortest/);
    assert.match(c.body, /<option value="p-center" selected>/);
    return Number(/, longest ([\d.]+) minutes\./.exec(c.body)![1]);
  };
  const today = await longest(8),
    more = await longest(9);
  assert.ok(more <= today, `${more} minutes with 9 sites, ${today} with today's 8`);
  const tooFew = await get('/location?kind=library&mode=walk&within=10&sites=3&keep=existing', 'ana');
  assert.equal(tooFew.statusCode, 400);
  assert.match(tooFew.body, /choose at least 8/);
});
