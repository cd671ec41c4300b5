/**
 * `civic journey` from the command line, on the seeds' examples and a fresh workspace: the Rochdale
 * couple's 9, 25 and 16; Kay's £37.80 to £2.00; import, show, export and the circle of need; a
 * file with mistakes refused with every problem, in the JSON envelope, with exit code 2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const EX = new URL('../../examples/journeys/', import.meta.url).pathname;
const tmp = tempDir('civic-journey-cli-');
const WS = join(tmp.dir, 'j.civic');
before(async () => {
  assert.equal((await civic('init', WS)).code, 0);
});
after(() => tmp.cleanup());

const json = async (...args: string[]) => {
  const r = await civic(...args, '--format', 'json');
  return { ...r, out: JSON.parse(r.stdout) };
};

test('measure: the Rochdale couple faces 9 agencies, 25 services and 16 application forms', async () => {
  const r = await json('journey', 'measure', join(EX, 'rochdale-couple.json'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([r.out.agencies.length, r.out.services.length, r.out.forms.length], [9, 25, 16]);
  const table = await civic('journey', 'measure', join(EX, 'rochdale-couple.json'));
  assert.match(table.stdout, /Agencies {10}9\n {2}Services {10}25\n {2}Forms {13}16/);
});

test("compare: Kay's journey before and after, the after found beside the before by its compare_with", async () => {
  const r = await json('journey', 'compare', join(EX, 'kay-before.json'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    [r.out.before.cost.total, r.out.after.cost.total, r.out.contactsSaved, r.out.costSaved],
    [37.8, 2, 24, 35.8],
  );
  const other = await json(
    'journey',
    'compare',
    join(EX, 'kay-before.json'),
    join(EX, 'kay-after.json'),
    '--unit-costs',
    'socitm-2012',
  );
  // Socitm's 2012 set has no email: those contacts are counted, not costed, and the result says so.
  assert.equal(other.out.costComplete, false);
  assert.deepEqual(other.out.before.cost.uncostedChannels, ['email']);
});

test('import into a workspace, list, show, export the business case, and draw the circle of need', async () => {
  for (const f of ['kay-before.json', 'kay-after.json', 'circle-of-need-low-income-families.csv']) {
    const r = await civic('journey', 'import', WS, join(EX, f));
    assert.equal(r.code, 0, r.stderr);
  }
  const again = await json('journey', 'import', WS, join(EX, 'kay-before.json'));
  assert.equal(again.code, 2);
  assert.equal(again.out.error.code, 'workspace_state');
  assert.equal(
    (await json('journey', 'import', WS, join(EX, 'kay-before.json'), '--replace')).out.replaced[0],
    'kay-before',
  );
  const list = await json('journey', 'show', '--workspace', WS);
  assert.deepEqual(
    list.out.journeys.map((j: { name: string }) => j.name),
    ['kay-after', 'kay-before'],
  );
  assert.deepEqual(
    list.out.circles.map((c: { needs: number }) => c.needs),
    [8],
  );
  const xlsx = join(tmp.dir, 'kay.xlsx');
  const ex = await civic('journey', 'export', 'kay-before', 'kay-after', '--workspace', WS, '--out', xlsx);
  assert.equal(ex.code, 0, ex.stderr);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  assert.ok(wb.getWorksheet('Before and after'));
  const noOut = await civic('journey', 'export', 'kay-before', '--workspace', WS, '--format', 'xlsx');
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /needs a file to go to/);
  const svg = join(tmp.dir, 'kay.svg');
  assert.equal(
    (await civic('journey', 'show', 'kay-before', '--workspace', WS, '--format', 'svg', '--out', svg)).code,
    0,
  );
  assert.ok(existsSync(svg));
  // The workspace has no classification, so there is no SDF to link: the circle alone.
  const circle = await json('journey', 'circle', 'circle-of-need-low-income-families', '--workspace', WS);
  assert.equal(circle.code, 0, circle.stderr);
  assert.deepEqual(circle.out.counts, { needs: 8, services: 16, providers: 10 });
  assert.equal(circle.out.sdf, null);
  const missing = await json('journey', 'measure', 'nobody', '--workspace', WS);
  assert.equal(missing.code, 2);
  assert.equal(missing.out.error.code, 'not_found');
});

test('a template filled in with mistakes: every problem in the JSON error, each with file, row and column', async () => {
  const template = join(tmp.dir, 'template.csv');
  assert.equal((await civic('journey', 'template', '--format', 'csv', '--out', template)).code, 0);
  const file = join(tmp.dir, 'ours.csv');
  writeFileSync(file, 'journey,agency,service,channel,count\nours,Contact centre,Bins,phone,two\nours,,Bins,web,1\n');
  const r = await json('journey', 'import', WS, file);
  assert.equal(r.code, 2);
  assert.equal(r.out.error.code, 'journey_invalid');
  assert.deepEqual(
    r.out.error.problems.map((p: { file: string; row: number; column: string }) => [p.file, p.row, p.column]),
    [
      ['ours.csv', 2, 'count'],
      ['ours.csv', 3, 'agency'],
    ],
  );
  assert.match(r.stderr, /ours\.csv has 2 problems/);
});
