/**
 * `civic postcodes enrich` against the API's POST /api/postcodes over one Sample Borough: for the
 * same postcodes the CLI's JSON is the API's answer byte for byte, its CSV the API's streamed CSV
 * and its NDJSON the API's NDJSON; the CLI has no cap (150,000 postcodes in one file); the schemas
 * validate; the answers carry area codes and segments only, nothing from any dataset.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { openWorkspace, type Workspace } from '../../src/store/index.ts';
import { buildApp, addUser, createApiToken } from '../../src/server/index.ts';
import {
  EnrichedPostcodeSchema,
  PostcodeEnrichmentSchema,
  PostcodeLookupSchema,
  enrichPostcodes,
  postcodesFromText,
  AREA_COLUMNS,
} from '../../src/lookup/index.ts';
import { enrichmentToJson } from '../../src/outputs/index.ts';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-enrich-cli-');
const wsPath = join(tmp.dir, 'sb.civic');
let inputs: string[] = [];
let classification = '';
const out: Record<string, { code: number; stdout: string; stderr: string }> = {};
let bigCsv = '';
let bigCount = 0;
let ws: Workspace;
let app: FastifyInstance;
let token = '';

before(async () => {
  const built = await sampleBorough(wsPath, { households: 20_000, seed: 7 });
  const keys = (
    await built.workspace.engine.all<{ k: string; status: string }>(
      `SELECT pc_key AS k, status FROM postcode ORDER BY status DESC, pc_key`,
    )
  ).map((r) => r.k);
  classification = (await built.workspace.engine.one<{ name: string }>(
    `SELECT name FROM classification WHERE kind = 'segmentation' ORDER BY name LIMIT 1`,
  ))!.name;
  built.workspace.close();
  const spaced = (k: string) => `${k.slice(0, -3)} ${k.slice(-3)}`;
  // As people type them: spaced, run together, lower case, a slip (O for 0, I for 1), not postcodes at all, repeats.
  inputs = [
    ...keys.slice(0, 3000).map(spaced),
    ...keys.slice(0, 200).map((k) => k.toLowerCase()),
    ...keys.slice(200, 260),
    ...keys
      .filter((k) => /[01]/.test(k.slice(-3, -2)))
      .slice(0, 50)
      .map((k) => spaced(k).replace(/ ([01])/, (_, d) => ` ${d === '0' ? 'O' : 'I'}`)),
    'ZZ99 9ZZ',
    'not a postcode',
    '',
    'SB1',
    'sw1a 1aa',
  ];
  const csv = `id,Postcode,notes\n${inputs.map((p, i) => `${i},"${p}",x`).join('\n')}\n`;
  writeFileSync(join(tmp.dir, 'list.csv'), csv);
  out.json = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'list.csv'), '--format', 'json');
  out.csv = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'list.csv'));
  out.ndjson = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'list.csv'), '--format', 'ndjson');
  out.seg = await civic(
    'postcodes',
    'enrich',
    wsPath,
    join(tmp.dir, 'list.csv'),
    '--format',
    'json',
    '--segmentation',
    classification,
  );
  out.noSuch = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'list.csv'), '--segmentation', 'nothing');
  out.missing = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'nope.csv'));
  // No cap: 150,000 postcodes, one a line, more than one API request may carry.
  const many = Array.from({ length: 150_000 }, (_, i) => spaced(keys[i % keys.length]));
  bigCount = many.length;
  writeFileSync(join(tmp.dir, 'many.txt'), many.join('\n') + '\n');
  out.big = await civic('postcodes', 'enrich', wsPath, join(tmp.dir, 'many.txt'), '--out', join(tmp.dir, 'many.csv'));
  bigCsv = readFileSync(join(tmp.dir, 'many.csv'), 'utf8');

  ws = await openWorkspace(wsPath);
  await addUser(ws.engine, { username: 'agt', password: 'a long enough password', role: 'agent' });
  token = await createApiToken(ws.engine, 'agt');
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

const api = (payload: unknown, query = '', headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/api/postcodes${query}`,
    headers: { authorization: `Bearer ${token}`, ...headers },
    payload: payload as string,
  });

test('the CLI reads the postcode column of the file, blank cells included, in order', () => {
  assert.deepEqual(postcodesFromText(readFileSync(join(tmp.dir, 'list.csv'), 'utf8')), inputs);
});

test("civic postcodes enrich --format json is the API's answer, byte for byte, and validates", async () => {
  assert.equal(out.json.code, 0, out.json.stderr);
  const r = await api(inputs);
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  assert.equal(out.json.stdout, r.body + '\n');
  const result = PostcodeEnrichmentSchema.parse(JSON.parse(out.json.stdout));
  assert.equal(result.results.length, inputs.length);
  const c = result.counts;
  assert.equal(
    c.found + c.terminated + c.notInDirectory + c.notAPostcode,
    inputs.length,
    'every postcode is accounted for',
  );
  assert.ok(c.found > 1000 && c.terminated > 0 && c.notAPostcode >= 3 && c.notInDirectory >= 1, JSON.stringify(c));
  assert.ok(
    result.results.some((x) => x.corrected),
    'slips are corrected',
  );
  // The same with one classification.
  const s = await api({ postcodes: inputs, segmentation: classification });
  assert.equal(out.seg.stdout, s.body + '\n');
  assert.ok(
    JSON.parse(s.body).results.every((x: { segments: { classification: string }[] }) =>
      x.segments.every((g) => g.classification === classification),
    ),
  );
});

test("civic postcodes enrich's CSV is the API's streamed CSV, and its NDJSON the API's NDJSON", async () => {
  assert.equal(out.csv.code, 0, out.csv.stderr);
  const csv = await api(inputs, '?format=csv');
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.equal(out.csv.stdout, csv.body);
  const viaAccept = await api(inputs, '', { accept: 'text/csv' });
  assert.equal(viaAccept.body, csv.body);
  const nd = await api(inputs, '', { accept: 'application/x-ndjson' });
  assert.match(String(nd.headers['content-type']), /^application\/x-ndjson/);
  assert.equal(out.ndjson.stdout, nd.body);
  // NDJSON lines are the JSON answer's results; CSV rows carry the same areas and segments.
  const full = JSON.parse(out.json.stdout);
  const lines = nd.body
    .trimEnd()
    .split('\n')
    .map((l) => EnrichedPostcodeSchema.parse(JSON.parse(l)));
  assert.deepEqual(lines, full.results);
  const rows = csv.body.trimEnd().split('\r\n');
  const head = rows[0].split(',');
  assert.deepEqual(head.slice(0, 4 + AREA_COLUMNS.length), [
    'input',
    'postcode',
    'corrected',
    'status',
    ...AREA_COLUMNS,
  ]);
  assert.equal(rows.length, inputs.length + 1);
  const firstFound = full.results.findIndex((x: { status: string }) => x.status === 'found');
  const cells = rows[firstFound + 1].split(',');
  const seg = full.results[firstFound].segments[0];
  assert.equal(cells[head.indexOf(`${seg.classification}:${seg.tier}`)], seg.code);
  assert.equal(cells[head.indexOf('oa21')], full.results[firstFound].areas.oa21);
});

test('the fast JSON writer gives exactly what JSON.stringify gives', async () => {
  const r = await enrichPostcodes(ws.engine, inputs);
  assert.equal(enrichmentToJson(r), JSON.stringify(r));
});

test('the CLI has no cap: 150,000 postcodes in one file, in batches, every one answered', () => {
  assert.equal(out.big.code, 0, out.big.stderr);
  assert.equal(bigCsv.trimEnd().split('\r\n').length, bigCount + 1);
  const m = /150,000 postcodes: ([\d,]+) found, ([\d,]+) terminated, 0 not in the directory, 0 not a postcode/.exec(
    out.big.stderr,
  );
  assert.ok(m, out.big.stderr);
  assert.equal(Number(m[1].replace(/,/g, '')) + Number(m[2].replace(/,/g, '')), 150_000);
});

test('answers carry only reference data: no count, no record, no field beyond the schema', () => {
  const full = JSON.parse(out.json.stdout);
  for (const x of full.results) {
    assert.deepEqual(Object.keys(x), ['input', 'postcode', 'corrected', 'status', 'areas', 'segments']);
    for (const s of x.segments) assert.deepEqual(Object.keys(s), ['classification', 'tier', 'code', 'name']);
  }
});

test('mistakes exit 2 with what to do: an unknown segmentation, a missing file', () => {
  assert.equal(out.noSuch.code, 2);
  assert.match(out.noSuch.stderr, /no segmentation or classification called "nothing"/);
  assert.equal(out.missing.code, 2);
  assert.match(out.missing.stderr, /File not found/);
});

test("the front-desk look-up's result validates against its schema", async () => {
  const first = JSON.parse(out.json.stdout).results.find((x: { status: string }) => x.status === 'found');
  const r = await app.services.lookup.postcode(first.input);
  assert.ok(r);
  PostcodeLookupSchema.parse(r);
  assert.equal(r.postcode, first.postcode);
  assert.ok(r.classifications.some((c) => c.segments.length > 0));
  assert.equal(await app.services.lookup.postcode('ZZ99 9ZZ'), null);
});
