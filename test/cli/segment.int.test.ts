import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateSampleBorough, type SampleBoroughManifest } from '../../src/demo/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { civicRun } from '../helpers/cli.ts';

// In this process (test/helpers/cli.ts): the same code as bin/civic.js, without a process per command.
const run = civicRun;
const tmp = tempDir();
let m: SampleBoroughManifest;
let ws: string;

before(async () => {
  m = await generateSampleBorough(join(tmp.dir, 'files'), { households: 10_000, seed: 5 });
  ws = join(tmp.dir, 'w.civic');
  assert.equal((await run('init', ws)).status, 0);
  const r = await run(
    'reference',
    'import',
    ws,
    '--postcodes',
    m.files.postcodes,
    '--areas',
    m.files.areas,
    '--base',
    m.files.base,
  );
  assert.equal(r.status, 0, r.stderr);
});
after(() => tmp.cleanup());

test('civic segment --help lists every segmentation command, and build --help gives examples', async () => {
  const r = await run('segment', '--help');
  assert.equal(r.status, 0);
  for (const cmd of ['build', 'diagnose', 'list', 'show', 'export', 'import', 'assign', 'portraits', 'edit', 'history'])
    assert.match(r.stdout, new RegExp(`\\n\\s+${cmd}\\b`), cmd);
  const b = await run('segment', 'build', '--help');
  assert.equal(b.status, 0);
  assert.match(b.stdout, /Examples:/);
  assert.match(b.stdout, /--definitions/);
});

test('build, show, diagnose, portraits (HTML, PDF, JSON), edit, history, export, import and assign from the command line', async () => {
  const build = await run(
    'segment',
    'build',
    ws,
    '--variables',
    m.files.areaVariables,
    '--definitions',
    m.files.areaVariableDefinitions,
    '--name',
    'borough',
    '--k',
    '7,12',
    '--stability',
    '2',
    '--format',
    'json',
  );
  assert.equal(build.status, 0, build.stderr);
  const result = JSON.parse(build.stdout);
  assert.equal(result.tiers[0].k, 7);
  assert.equal(result.tiers[1].k, 12);
  // Building again under the same name is refused unless --replace is given.
  const again = await run(
    'segment',
    'build',
    ws,
    '--variables',
    m.files.areaVariables,
    '--definitions',
    m.files.areaVariableDefinitions,
    '--name',
    'borough',
    '--k',
    '7',
  );
  assert.equal(again.status, 2);
  assert.match(again.stderr, /--replace/);

  const show = await run('segment', 'show', ws, 'borough');
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /Stability/);

  const diag = await run(
    'segment',
    'diagnose',
    ws,
    '--variables',
    m.files.areaVariables,
    '--definitions',
    m.files.areaVariableDefinitions,
    '--k',
    '3-8',
    '--format',
    'json',
  );
  assert.equal(diag.status, 0, diag.stderr);
  const d = JSON.parse(diag.stdout);
  assert.deepEqual(
    d.rows.map((r: { k: number }) => r.k),
    [3, 4, 5, 6, 7, 8],
  );
  // More segments never fit worse (best of 10 restarts).
  for (let i = 1; i < d.rows.length; i++) assert.ok(d.rows[i].wcss <= d.rows[i - 1].wcss * 1.0001);

  const html = join(tmp.dir, 'p.html'),
    pdf = join(tmp.dir, 'p.pdf');
  assert.equal((await run('segment', 'portraits', ws, 'borough', '--format', 'html', '--out', html)).status, 0);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<html lang="en-GB">/);
  assert.equal((page.match(/<section class="portrait"/g) ?? []).length, 7);
  assert.match(page, /Households with no car/);
  const p = await run('segment', 'portraits', ws, 'borough', '--format', 'pdf', '--out', pdf);
  assert.equal(p.status, 0, p.stderr);
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  const types = JSON.parse(
    (await run('segment', 'portraits', ws, 'borough', '--tier', 'type', '--format', 'json')).stdout,
  ).portraits;
  assert.equal(types.length, 12);
  assert.ok(types.every((t: { parent: string; code: string }) => t.code.startsWith(t.parent)));

  const edit = await run(
    'segment',
    'edit',
    ws,
    'borough',
    '1',
    '--rename',
    'Family suburbs',
    '--feature',
    'Young children',
    '--feature',
    'Own their homes',
    '--by',
    'Analyst',
    '--format',
    'json',
  );
  assert.equal(edit.status, 0, edit.stderr);
  assert.deepEqual(JSON.parse(edit.stdout).keyFeatures, ['Young children', 'Own their homes']);
  const noAlt = await run('segment', 'edit', ws, 'borough', '1', '--image', 'x.png', '--by', 'Analyst');
  assert.equal(noAlt.status, 2);
  const hist = JSON.parse((await run('segment', 'history', ws, 'borough', '1', '--format', 'json')).stdout).versions;
  assert.equal(hist.at(-1).name, 'Family suburbs');
  assert.equal(hist[0].editedBy, 'generated');

  const model = join(tmp.dir, 'borough.json');
  assert.equal((await run('segment', 'export', ws, 'borough', '--out', model)).status, 0);
  const exported = JSON.parse(readFileSync(model, 'utf8'));
  assert.equal(exported.format, 'civic-segmentation');
  assert.equal(exported.tiers[0].segments[0].name, 'Family suburbs');

  const partner = join(tmp.dir, 'partner.civic');
  assert.equal((await run('init', partner)).status, 0);
  assert.equal((await run('reference', 'import', partner, '--postcodes', m.files.postcodes)).status, 0);
  const imp = await run('segment', 'import', partner, model, '--name', 'county', '--format', 'json');
  assert.equal(imp.status, 0, imp.stderr);
  const assign = await run(
    'segment',
    'assign',
    partner,
    'county',
    '--variables',
    m.files.areaVariables,
    '--format',
    'json',
  );
  assert.equal(assign.status, 0, assign.stderr);
  assert.equal(JSON.parse(assign.stdout).areas, result.areas);
  const pc = readFileSync(m.files.postcodes, 'utf8').split(/\r?\n/)[1].split(',')[0];
  const look = await run(
    'segment',
    'assign',
    partner,
    'county',
    '--postcode',
    pc,
    '--postcode',
    'nonsense',
    '--format',
    'csv',
  );
  assert.equal(look.status, 0, look.stderr);
  assert.match(look.stdout, /^input,postcode,status,area_code,group,group_name,type,type_name/);
  assert.match(look.stdout, /found/);
  assert.match(look.stdout, /not a postcode/);

  // Bad input names the file, row and column.
  const bad = join(tmp.dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...exported, tiers: 'x' }));
  const refused = await run('segment', 'import', partner, bad, '--name', 'broken');
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /bad\.json/);
  assert.ok(!existsSync(join(tmp.dir, 'borough.html')));
});

test('a variables file with an unreadable value leaves that area out and says where', async () => {
  const lines = readFileSync(m.files.areaVariables, 'utf8').trim().split(/\r?\n/);
  const cells = lines[3].split(',');
  cells[4] = 'n/a';
  lines[3] = cells.join(',');
  const file = join(tmp.dir, 'vars-bad.csv');
  writeFileSync(file, lines.join('\n'));
  const r = await run(
    'segment',
    'build',
    ws,
    '--variables',
    file,
    '--definitions',
    m.files.areaVariableDefinitions,
    '--name',
    'withgap',
    '--k',
    '5',
    '--stability',
    '0',
    '--format',
    'json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.leftOut.length, 1);
  assert.equal(out.leftOut[0].row, 4);
  assert.equal(out.leftOut[0].file, 'vars-bad.csv');
  assert.equal(out.leftOut[0].column, lines[0].split(',')[4]);
  assert.equal(out.areas, lines.length - 2);
  const unknown = await run('segment', 'build', ws, '--variables', file, '--name', 'x', '--weight', 'nonesuch=2');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /nonesuch/);
});
