/**
 * The analysis pages (profile explorer, segment guide, SDF, overlap, representativeness, postcode
 * look-up): each renders for an analyst on a small Sample Borough, refuses the roles it should,
 * and every download is suppressed, formula-neutralised and sent as an attachment.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { type DemoBuild } from '../../src/demo/index.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { profileDataset } from '../../src/profiling/index.ts';
import { buildApp, addUser, SESSION_COOKIE } from '../../src/server/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir();
let built: DemoBuild;
let app: FastifyInstance;
const PASSWORD = 'a long enough password';
const who: Record<string, { cookie: string; csrf: string }> = {};

async function signIn(username: string): Promise<{ cookie: string; csrf: string }> {
  const r = await postLogin(app, { username, password: PASSWORD });
  assert.equal(r.statusCode, 303, `sign in ${username}`);
  const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
  const page = await app.inject({ url: '/accessibility', cookies: { [SESSION_COOKIE]: cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
}

const get = (url: string, as?: string) => app.inject({ url, cookies: as ? { [SESSION_COOKIE]: who[as].cookie } : {} });

before(async () => {
  built = await sampleBorough(join(tmp.dir, 'sb.civic'), { households: 20_000, seed: 7 });
  const e = built.workspace.engine;
  for (const [u, role, partner] of [
    ['ann', 'admin'],
    ['ali', 'analyst'],
    ['pa', 'partner', 'Partner A'],
    ['ag', 'agent'],
  ] as [string, string, string?][]) {
    await addUser(e, { username: u, password: PASSWORD, role, partner });
  }
  app = await buildApp({ workspace: built.workspace, secureCookies: false, loginAttempts: 1000 });
  await app.ready();
  for (const u of ['ann', 'ali', 'pa', 'ag']) who[u] = await signIn(u);
});
after(async () => {
  await app?.close();
  built?.workspace.close();
  tmp.cleanup();
});

async function livePostcode(): Promise<string> {
  return (await built.workspace.engine.one<{ pc_key: string }>(
    `SELECT pc_key FROM postcode WHERE status = 'live' ORDER BY pc_key LIMIT 1`,
  ))!.pc_key;
}

test('every analysis page renders for an analyst, server-side and without JavaScript', async () => {
  const pc = await livePostcode();
  const pages: [string, RegExp[]][] = [
    ['/profile', [/<form method="get" action="\/profile"/]],
    [
      '/profile?dataset=stop_smoking_clinic&by=seg:sample:group&base=households',
      [
        /govuk-table__cell--numeric/,
        /<svg[^>]+role="img"/,
        /<title id="index-chart-title">/,
        /Download CSV/,
        /^(?![\s\S]*format=geojson)/,
      ],
    ],
    [
      '/profile?dataset=stop_smoking_clinic&by=area:oa21',
      [
        />hidden<span class="govuk-visually-hidden"> \(a small number\)<\/span>/,
        /too many rows to draw/,
        /format=geojson/,
      ],
    ],
    [
      '/profile?dataset=stop_smoking_clinic&by=area:ward',
      [/<svg/, /format=geojson/, /data-module="civic-map"/, /Map: Index/, /map.js/],
    ],
    ['/segments', [/Sample Borough neighbourhoods/]],
    [
      '/segments/borough',
      [/Key features/, /What sets it apart/, /Where it lives/, /What it uses/, /portraits\.pdf/, /\/edit\?tier=group/],
    ],
    ['/segments/borough?tier=type', [/20 types/]],
    [
      '/segments/borough/1/edit',
      // opened, not yet saved: no field is in the error state
      [
        /Version history/,
        /name="_csrf"/,
        /name="keyFeatures"/,
        /^(?![\s\S]*govuk-form-group--error)/,
        /^(?![\s\S]*govuk-error-message)/,
      ],
    ],
    ['/sdf', [/civic-sdf--/, /format=xlsx/]],
    ['/sdf?by=seg:borough:type', [/civic-sdf--/]],
    ['/overlap', [/name="datasets"/]],
    [
      '/overlap?target=borough:1&datasets=housing_benefit&datasets=library_members',
      [/None of these/, /<svg[^>]+role="img"/],
    ],
    ['/represent', [/name="sample"/]],
    ['/represent?sample=library_members&by=seg:borough:group', [/Chi-square/, /Observed/]],
    ['/lookup', [/name="postcode"/]],
    [
      `/lookup?postcode=${pc}`,
      [
        /Sample Borough neighbourhoods/,
        /Services used in the area/,
        /How people here prefer to get in touch/,
        /id="nearest-table"/,
        /Nearest services/,
        /Library<\/th>/,
        /Central Library|Library,/,
      ],
    ],
  ];
  for (const [url, expect] of pages) {
    const r = await get(url, 'ali');
    assert.equal(
      r.statusCode,
      200,
      `${url}: ${r.statusCode} ${r.body
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(-600)}`,
    );
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.doesNotMatch(r.body, /style="/, `${url} has an inline style attribute (blocked by the CSP)`);
    for (const re of expect) assert.match(r.body, re, `${url} should match ${re}`);
  }
});

test('roles: partners see aggregates, agents only the look-up and the guide, the public only the guide', async () => {
  const pc = await livePostcode();
  const cases: [string, string | null, number][] = [
    ['/profile?dataset=stop_smoking_clinic', 'pa', 200],
    ['/sdf', 'pa', 200],
    ['/overlap', 'pa', 200],
    ['/represent', 'pa', 200],
    ['/lookup', 'pa', 403],
    ['/segments/borough/1/edit', 'pa', 403],
    ['/profile', 'ag', 403],
    ['/sdf', 'ag', 403],
    ['/overlap', 'ag', 403],
    ['/represent', 'ag', 403],
    ['/profile/download?dataset=stop_smoking_clinic&format=csv', 'ag', 403],
    [`/lookup?postcode=${pc}`, 'ag', 200],
    ['/segments/borough', 'ag', 200],
    ['/segments/borough/1/edit', 'ag', 403],
    ['/segments', null, 200],
    ['/segments/borough', null, 200],
    ['/segments/borough/portraits.json', null, 200],
    ['/profile', null, 302],
    ['/profile/download?dataset=stop_smoking_clinic&format=csv', null, 302],
    ['/sdf', null, 302],
    ['/overlap', null, 302],
    ['/represent', null, 302],
    ['/lookup', null, 302],
    ['/segments/borough/1/edit', null, 302],
    ['/segments/borough/1/edit', 'ann', 200],
  ];
  for (const [url, as, status] of cases) {
    const r = await get(url, as ?? undefined);
    assert.equal(r.statusCode, status, `${as ?? 'public'} ${url}`);
    if (status === 302) assert.match(r.headers.location as string, /^\/login\?next=/);
  }
  const r = await app.inject({
    method: 'POST',
    url: '/segments/borough/1/edit',
    cookies: { [SESSION_COOKIE]: who.pa.cookie },
    payload: { _csrf: who.pa.csrf, name: 'x', summary: 'y', tier: 'group' },
  });
  assert.equal(r.statusCode, 403);
  // The public see take-up by segment (a suppressed aggregate) but not the channel facts or who edited.
  const pub = JSON.parse((await get('/segments/borough/portraits.json')).body) as {
    facts: { channels: unknown[]; takeUp: unknown[] };
    editedBy: string;
  }[];
  assert.ok(pub.every((p) => p.facts.channels.length === 0 && p.facts.takeUp.length > 0));
  const staff = JSON.parse((await get('/segments/borough/portraits.json', 'ali')).body) as {
    facts: { channels: unknown[] };
  }[];
  assert.ok(
    staff.some((p) => p.facts.channels.length > 0),
    'the demo records contact channels',
  );
  assert.doesNotMatch((await get('/segments/borough')).body, /How it gets in touch/);
  assert.match((await get('/segments/borough', 'ali')).body, /How it gets in touch/);
});

test('profile downloads: right types, attachments, a known small cell suppressed in every format', async () => {
  const truth = await profileDataset(built.workspace.engine, { dataset: 'stop_smoking_clinic', byArea: 'oa21' });
  const small = truth.rows.find((r) => r.count !== null && r.count > 0 && r.count < 10)!;
  assert.ok(small, 'a small cell to look for');
  const qs = 'dataset=stop_smoking_clinic&by=area:oa21&base=households';
  const types: Record<string, RegExp> = {
    csv: /^text\/csv/,
    xlsx: /spreadsheetml/,
    json: /^application\/json/,
    geojson: /^application\/geo\+json/,
  };
  for (const [format, type] of Object.entries(types)) {
    const r = await get(`/profile/download?${qs}&format=${format}`, 'pa');
    assert.equal(r.statusCode, 200, `${format}: ${r.body.slice(0, 300)}`);
    assert.match(r.headers['content-type'] as string, type);
    assert.match(
      r.headers['content-disposition'] as string,
      /^attachment; filename="profile-stop_smoking_clinic-oa21-households\.[a-z]+"$/,
    );
  }
  const json = JSON.parse((await get(`/profile/download?${qs}&format=json`, 'ali')).body);
  const row = json.rows.find((r: { code: string }) => r.code === small.code);
  assert.equal(row.count, null);
  assert.equal(row.suppressed, true);
  assert.equal(row.index, null);
  assert.equal(json.disclosure.minCell, 10);
  const csv = (await get(`/profile/download?${qs}&format=csv`, 'ali')).body.split('\r\n');
  const line = csv.find((l) => l.startsWith(`${small.code},`))!;
  assert.match(line, /,true$/);
  assert.equal(line.split(',')[2], '', 'count is empty');
  const geo = JSON.parse((await get(`/profile/download?${qs}&format=geojson`, 'ali')).body);
  assert.equal(geo.type, 'FeatureCollection');
  const f = geo.features.find((x: { id: string }) => x.id === small.code);
  assert.equal(f.properties.count, null);
  assert.equal(f.properties.suppressed, true);
  assert.match(f.geometry.type, /Polygon/);
  assert.ok(
    geo.features.every((x: { geometry: unknown }) => x.geometry !== null),
    'every output area has its boundary',
  );
  const xlsx = await get(`/profile/download?${qs}&format=xlsx`, 'ali');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  let found = false;
  wb.getWorksheet('Profile')!.eachRow((r) => {
    if (r.getCell(1).value === small.code) {
      found = true;
      assert.equal(r.getCell(3).value, '[c]');
    }
  });
  assert.ok(found);
  // A segment profile has no shapes: GeoJSON is refused with a clear message.
  const refused = await get('/profile/download?dataset=stop_smoking_clinic&by=seg:sample:group&format=geojson', 'ali');
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /no map shapes/);
  assert.equal((await get('/profile/download?dataset=stop_smoking_clinic&format=exe', 'ali')).statusCode, 400);
  const log = await built.workspace.engine.all<{ action: string; username: string }>(
    `SELECT action, username FROM audit_log WHERE username = 'ali'`,
  );
  for (const a of ['profile', 'export csv', 'export xlsx', 'export json', 'export geojson'])
    assert.ok(
      log.some((l) => l.action === a),
      `audit ${a}`,
    );
});

test('SDF, overlap and representativeness downloads are suppressed at 10', async () => {
  const sdf = await get('/sdf/download?by=seg:sample:type&format=json', 'pa');
  assert.equal(sdf.statusCode, 200);
  assert.match(sdf.headers['content-disposition'] as string, /^attachment; filename="sdf-sample-type\.json"$/);
  const s = JSON.parse(sdf.body);
  assert.equal(s.disclosure.minCell, 10);
  const cells = s.services.flatMap((x: { cells: { count: number | null; suppressed: boolean }[] }) => x.cells);
  assert.ok(
    cells.some((c: { suppressed: boolean }) => c.suppressed),
    'some SDF cell is small at 20,000 households',
  );
  for (const c of cells) if (c.count !== null) assert.ok(c.count === 0 || c.count >= 10, `sdf count ${c.count}`);
  assert.match(
    (await get('/sdf/download?by=seg:sample:type&format=xlsx', 'pa')).headers['content-type'] as string,
    /spreadsheetml/,
  );

  const ov = await get(
    '/overlap/download?target=borough:1&datasets=stop_smoking_clinic&datasets=blue_badge&datasets=adult_social_care&format=json',
    'ali',
  );
  assert.equal(ov.statusCode, 200);
  const o = JSON.parse(ov.body);
  assert.equal(o.disclosure.minCell, 10);
  for (const c of o.combinations)
    if (c.count !== null) assert.ok(c.count === 0 || c.count >= 10, `overlap count ${c.count}`);
  assert.match(
    (await get('/overlap/download?target=borough:1&datasets=stop_smoking_clinic&format=svg', 'ali')).headers[
      'content-type'
    ] as string,
    /^image\/svg\+xml/,
  );

  const rp = await get('/represent/download?sample=stop_smoking_clinic&by=seg:sample:type&format=json', 'ali');
  assert.equal(rp.statusCode, 200);
  const p = JSON.parse(rp.body);
  assert.equal(p.disclosure.minCell, 10);
  for (const r of p.rows)
    if (r.observed !== null) assert.ok(r.observed === 0 || r.observed >= 10, `represent observed ${r.observed}`);
  assert.match(
    (await get('/represent/download?sample=stop_smoking_clinic&format=xlsx', 'ali')).headers['content-type'] as string,
    /spreadsheetml/,
  );
});

test('editing a pen portrait needs the CSRF token, makes a version, and a formula in a name is neutralised in exports', async () => {
  const url = '/segments/borough/1/edit';
  const form = {
    tier: 'group',
    name: '=HYPERLINK("http://evil.example","x")',
    summary: 'A plain summary.',
    keyFeatures: 'First feature\n\nSecond feature\n',
  };
  const before = (await get(url, 'ali')).body;
  const versions = (
    before.match(/<tr class="govuk-table__row"><td class="govuk-table__cell govuk-table__cell--numeric">/g) ?? []
  ).length;
  const noToken = await app.inject({
    method: 'POST',
    url,
    cookies: { [SESSION_COOKIE]: who.ali.cookie },
    payload: form,
  });
  assert.equal(noToken.statusCode, 403);
  const wrong = await app.inject({
    method: 'POST',
    url,
    cookies: { [SESSION_COOKIE]: who.ali.cookie },
    payload: { ...form, _csrf: who.ann.csrf },
  });
  assert.equal(wrong.statusCode, 403);
  const empty = await app.inject({
    method: 'POST',
    url,
    cookies: { [SESSION_COOKIE]: who.ali.cookie },
    payload: { ...form, name: '  ', _csrf: who.ali.csrf },
  });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /govuk-error-summary/);
  assert.match(empty.body, /Enter a name for the segment/);
  const ok = await app.inject({
    method: 'POST',
    url,
    cookies: { [SESSION_COOKIE]: who.ali.cookie },
    payload: { ...form, _csrf: who.ali.csrf },
  });
  assert.equal(ok.statusCode, 303, ok.body.slice(0, 400));
  assert.equal(ok.headers.location, '/segments/borough?tier=group#segment-1');
  const after = (await get(url, 'ali')).body;
  assert.equal(
    (after.match(/<tr class="govuk-table__row"><td class="govuk-table__cell govuk-table__cell--numeric">/g) ?? [])
      .length,
    versions + 1,
  );
  assert.match(after, /<td class="govuk-table__cell">ali<\/td>/);
  const guide = (await get('/segments/borough', 'ali')).body;
  assert.match(guide, /=HYPERLINK\(&quot;http:\/\/evil\.example&quot;,&quot;x&quot;\)/);
  assert.match(guide, /<li>First feature<\/li><li>Second feature<\/li>/);
  const audit = await built.workspace.engine.all<{ action: string }>(
    `SELECT action FROM audit_log WHERE username = 'ali' AND action = 'portrait edited'`,
  );
  assert.equal(audit.length, 1);

  const csv = (await get('/profile/download?dataset=stop_smoking_clinic&by=seg:borough:group&format=csv', 'ali')).body;
  assert.match(csv, /^1,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/m);
  const x = await get('/profile/download?dataset=stop_smoking_clinic&by=seg:borough:group&format=xlsx', 'ali');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
  let name: unknown;
  wb.getWorksheet('Profile')!.eachRow((r) => {
    if (r.getCell(1).value === '1') name = r.getCell(2).value;
  });
  assert.equal(name, `'${form.name}`);
  const sdf = await get('/sdf/download?by=seg:borough:group&format=xlsx', 'ali');
  const wb2 = new ExcelJS.Workbook();
  await wb2.xlsx.load(sdf.rawPayload as unknown as ArrayBuffer);
  wb2.eachSheet((ws) =>
    ws.eachRow((r) =>
      r.eachCell((c) => {
        if (typeof c.value === 'string') assert.ok(!c.value.startsWith('='), `${ws.name} ${c.address}: ${c.value}`);
      }),
    ),
  );
  // The HTML handout escapes it too.
  const html = (await get('/segments/borough/portraits.html')).body;
  assert.doesNotMatch(html, /<a[^>]+evil/);
});

test('postcode look-up: invalid and unknown postcodes get an error summary; a look-up is audited', async () => {
  const bad = await get('/lookup?postcode=not+a+postcode', 'ag');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /govuk-error-summary/);
  assert.match(bad.body, /href="#postcode"/);
  const unknown = await get('/lookup?postcode=SW1A+1AA', 'ag');
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.body, /SW1A 1AA is not in the postcode directory/);
  const blank = await get('/lookup?postcode=', 'ag');
  assert.equal(blank.statusCode, 400);
  const pc = await livePostcode();
  const r = await get(`/lookup?postcode=${pc.toLowerCase()}`, 'ag');
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /govuk-summary-list/);
  const log = await built.workspace.engine.all<{ detail: string }>(
    `SELECT detail FROM audit_log WHERE username = 'ag' AND action = 'lookup'`,
  );
  assert.ok(log.some((l) => l.detail.replace(' ', '') === pc));
});

test('reading pen portraits never writes: drafts are shown until someone saves one', async () => {
  const e = built.workspace.engine;
  const count = async () =>
    (await e.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM pen_portrait WHERE classification = 'sample'`))!.n;
  assert.equal(await count(), 0, 'the imported classification has no saved portraits');
  const guide = await get('/segments/sample');
  assert.equal(guide.statusCode, 200);
  assert.match(
    guide.body,
    /id="h-A"><span class="civic-code">A<\/span> Established affluent families/,
    'the drafts are shown',
  );
  const api = await app.inject({ url: '/api/segmentations/sample/portraits' });
  assert.ok([200, 404].includes(api.statusCode));
  assert.equal(await count(), 0, 'the public read the guide and nothing was written');
});

test('the look-up names the nearest facility of each kind, the one a straight line says is nearest', async () => {
  const pc = await livePostcode();
  const r = await get(`/lookup?postcode=${encodeURIComponent(pc)}`, 'ag');
  const table = /<table class="govuk-table" id="nearest-table">([\s\S]*?)<\/table>/.exec(r.body);
  assert.ok(table, 'a table of nearest services');
  const e = built.workspace.engine;
  const here = (await e.one<{ lon: number; lat: number }>(`SELECT lon, lat FROM postcode WHERE pc_key = $1`, [
    pc.replace(/\s+/g, '').toUpperCase(),
  ]))!;
  const nearestLibrary = (await e.one<{ name: string }>(
    `SELECT name FROM facility WHERE kind = 'library' ORDER BY (lon - $1) * (lon - $1) * cos(radians($2)) ^ 2 + (lat - $2) * (lat - $2) LIMIT 1`,
    [here.lon, here.lat],
  ))!.name;
  const row = [...table[1].matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
    .map((m) => m[1])
    .find((x) => />Library</.test(x));
  assert.ok(row && row.includes(nearestLibrary.replace(/'/g, '&#39;')), `the nearest library is ${nearestLibrary}`);
});
