/**
 * `civic map` against the portal over one 20,000-household Sample Borough: for the same measure and
 * level, the CLI's GeoJSON is the portal's /map/data.geojson byte for byte and its JSON holds the
 * portal's figures; every format carries the same disclosure control (counts under 10 hidden, a
 * dataset's counts perturbed, no cell keys, no source profile); the result schema validates.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { openWorkspace, type Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE, addUser } from '../../src/server/index.ts';
import {
  MapResultSchema,
  MapOptionsSchema,
  mapFigures,
  sharedMapWork,
  type MapOptions,
  type MapResult,
} from '../../src/maps/index.ts';
import { discloseMap } from '../../src/outputs/index.ts';
import { straightLineCosts } from '../../src/location/index.ts';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const PASSWORD = 'a long enough password';
const tmp = tempDir('civic-map-cli-');
const wsPath = join(tmp.dir, 'sb.civic');
let options: MapOptions;
/** measure|level → what the CLI wrote */
const cli = new Map<string, { geojson: string; json: MapResult; csv: string }>();
let measures: { measure: string; level: string }[] = [];
let xlsxPath = '';
let refusals: Awaited<ReturnType<typeof civic>>[] = [];
let ws: Workspace;
let app: FastifyInstance;
const cookies: Record<string, string> = {};

const first = (o: MapOptions, prefix: string) =>
  o.measures.flatMap((g) => g.items).find((i) => i.value.startsWith(prefix))?.value;

before(async () => {
  // Seed 7: the borough the browser and portal tests use, so a run builds it once.
  const built = await sampleBorough(wsPath, { households: 20_000, seed: 7 });
  built.workspace.close();
  const list = await civic('map', wsPath, '--list', '--format', 'json');
  assert.equal(list.code, 0, list.stderr);
  options = MapOptionsSchema.parse(JSON.parse(list.stdout));
  const levels = options.levels.map((l) => l.value);
  const finest = levels[0];
  const ward = levels.includes('ward') ? 'ward' : levels.at(-1)!;
  measures = [
    { measure: 'households', level: ward },
    { measure: first(options, 'segment:')!, level: finest },
    { measure: first(options, 'segment:')!, level: ward },
    { measure: first(options, 'index:')!, level: ward },
    { measure: first(options, 'penetration:')!, level: finest },
    { measure: first(options, 'access:')!, level: ward },
    { measure: 'deprivation', level: ward },
  ];
  for (const m of measures) assert.ok(m.measure, `Sample Borough offers ${JSON.stringify(m)}`);
  for (const { measure, level } of measures) {
    const g = await civic('map', wsPath, '--measure', measure, '--level', level, '--format', 'geojson');
    assert.equal(g.code, 0, g.stderr);
    const j = await civic('map', wsPath, '--measure', measure, '--level', level, '--format', 'json');
    assert.equal(j.code, 0, j.stderr);
    const c = await civic('map', wsPath, '--measure', measure, '--level', level, '--format', 'csv');
    assert.equal(c.code, 0, c.stderr);
    cli.set(`${measure}|${level}`, { geojson: g.stdout, json: JSON.parse(j.stdout), csv: c.stdout });
  }
  xlsxPath = join(tmp.dir, 'index.xlsx');
  const x = await civic(
    'map',
    wsPath,
    '--measure',
    measures[3].measure,
    '--level',
    measures[3].level,
    '--format',
    'xlsx',
    '--out',
    xlsxPath,
  );
  assert.equal(x.code, 0, x.stderr);

  // Refusals, run while no one else has the workspace open.
  refusals = [
    await civic('map', wsPath, '--measure', 'nonsense', '--format', 'json'),
    await civic('map', wsPath, '--measure', 'households', '--level', 'oa11'),
    await civic('map', wsPath, '--format', 'pdf'),
  ];

  ws = await openWorkspace(wsPath);
  for (const [username, role, partner] of [
    ['ana', 'analyst'],
    ['pat', 'partner', 'Fire and Rescue'],
  ] as const)
    await addUser(ws.engine, { username, password: PASSWORD, role, partner });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
  for (const username of ['ana', 'pat']) {
    const r = await postLogin(app, { username, password: PASSWORD });
    cookies[username] = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
  }
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

const portalGeoJson = (measure: string, level: string, user?: string) =>
  app.inject({
    url: `/map/data.geojson?measure=${encodeURIComponent(measure)}&level=${level}`,
    cookies: user ? { [SESSION_COOKIE]: cookies[user] } : {},
  });

test("civic map --format geojson is the portal's /map/data.geojson, byte for byte, for every kind of measure", async () => {
  for (const { measure, level } of measures) {
    const user = /^(index|penetration):/.test(measure) ? 'ana' : undefined;
    const r = await portalGeoJson(measure, level, user);
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    assert.equal(cli.get(`${measure}|${level}`)!.geojson, r.body, `${measure} by ${level}`);
  }
});

test('a partner gets the same dataset map as an analyst and as the CLI: one map for everyone, perturbed for all', async () => {
  const { measure, level } = measures[3];
  const [a, p] = [await portalGeoJson(measure, level, 'ana'), await portalGeoJson(measure, level, 'pat')];
  assert.equal(a.body, p.body);
  assert.equal(cli.get(`${measure}|${level}`)!.geojson, p.body);
  // The public cannot have it through the portal; the CLI is the workspace owner's, on the owner's machine.
  const pub = await portalGeoJson(measure, level);
  assert.equal(pub.statusCode, 302, 'the public is sent to sign in');
  assert.match(String(pub.headers.location), /^\/login\?next=/);
});

test("civic map --format json is the portal's figures (the services the routes use) and validates against MapResultSchema", async () => {
  for (const { measure, level } of measures) {
    const fromCli = MapResultSchema.parse(cli.get(`${measure}|${level}`)!.json);
    const fromPortal = await app.services.maps.figures(measure, level);
    assert.deepEqual(fromCli, JSON.parse(JSON.stringify(fromPortal)), `${measure} by ${level}`);
    assert.equal(fromCli.version, 1);
    assert.notEqual(fromCli.disclosure, null, 'the CLI writes the disclosed map, never the truth');
  }
});

test('no output of a map carries a cell key, the source profile, or a count under 10', async () => {
  for (const { measure, level } of measures) {
    const { json, csv, geojson } = cli.get(`${measure}|${level}`)!;
    assert.equal(json.source, null);
    assert.ok(json.areas.every((a) => a.cellKey === null));
    assert.doesNotMatch(geojson, /cellKey|_rkey/);
    if (json.kind === 'deprivation' || json.kind === 'access') continue;
    const counts = json.areas.map((a) => (json.kind === 'households' ? a.value : a.count));
    for (const n of counts) assert.ok(n === null || n === 0 || n >= 10, `${measure}: ${n} shown`);
    // The CSV says the same, row for row.
    const rows = csv.trim().split('\r\n').slice(1);
    assert.equal(rows.length, json.areas.length);
    json.areas.forEach((a, i) => assert.ok(rows[i].startsWith(`${a.code},`), rows[i]));
  }
});

test('a dataset map is perturbed: its counts are the truth plus the cell key noise, hidden where the truth is small', async () => {
  const { measure, level } = measures[3];
  const truth = await mapFigures(ws.engine, measure, level, straightLineCosts());
  MapResultSchema.parse(truth);
  assert.equal(truth.disclosure, null);
  assert.ok(truth.source, 'the truth carries its profile');
  const shown = cli.get(`${measure}|${level}`)!.json;
  let differ = 0;
  truth.areas.forEach((t, i) => {
    const s = shown.areas[i];
    assert.equal(s.code, t.code);
    if (t.count !== null && t.count > 0 && t.count < 10) assert.equal(s.count, null, `${t.code}: small count hidden`);
    if (s.count !== null && t.count !== null) {
      assert.ok(Math.abs(s.count - t.count) <= 4, 'noise is at most 4 either way');
      if (s.count !== t.count) differ++;
    }
  });
  assert.ok(differ > 0, 'some counts carry noise');
  assert.equal(shown.disclosure?.perturbed, true);
  // The boundary is outputs' discloseMap, the same function the portal's services call.
  assert.deepEqual(JSON.parse(JSON.stringify(discloseMap(truth))), shown);
});

test('civic map writes an XLSX workbook with the areas and the notes', async () => {
  const buf = readFileSync(xlsxPath);
  assert.equal(buf.subarray(0, 2).toString(), 'PK');
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const areas = wb.getWorksheet('Areas')!;
  const shown = cli.get(`${measures[3].measure}|${measures[3].level}`)!.json;
  assert.equal(areas.rowCount, shown.areas.length + 2);
  assert.equal(String(areas.getRow(3).getCell(1).value), shown.areas[0].code);
  assert.ok(wb.getWorksheet('Notes'));
});

test('civic map refuses an unknown measure or level with exit 2 and says what to do', () => {
  const [bad, lvl, fmt] = refusals;
  assert.equal(bad.code, 2);
  assert.equal(JSON.parse(bad.stdout).error.code, 'parameter_invalid');
  assert.match(bad.stderr, /not a measure the map knows/);
  assert.equal(lvl.code, 2);
  assert.match(lvl.stderr, /no boundaries for "oa11"/);
  assert.equal(fmt.code, 2);
});

test("every segment's figures worked out with the others (as for the map's default) are its figures alone, at every level", async () => {
  const segments = options.measures.flatMap((g) => g.items.map((i) => i.value)).filter((m) => m.startsWith('segment:'));
  assert.ok(segments.length > 20, `${segments.length} segments`);
  const tiers = new Set(segments.map((m) => m.split(':').slice(1, 3).join(':')));
  assert.ok(tiers.size >= 2, `segments of ${[...tiers].join(', ')}`);
  for (const { value: level } of options.levels) {
    const shared = sharedMapWork();
    for (const m of [...segments, 'households']) {
      const together = await mapFigures(ws.engine, m, level, undefined, shared);
      const alone = await mapFigures(ws.engine, m, level);
      assert.deepEqual(together, alone, `${m} at ${level}`);
    }
    assert.equal(shared.tiers.size, tiers.size, `one query per tier at ${level}`);
  }
});
