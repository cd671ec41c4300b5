/**
 * The journey format and its spreadsheet template: what a file says is read back exactly (JSON,
 * CSV and XLSX, an export imports again), and every problem in a file is reported together, each
 * with its file, row and column, as an InputError of the project's hierarchy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { InputError } from '../../src/core/index.ts';
import {
  JourneyFileError,
  TEMPLATE_COLUMNS,
  journeyUnitCosts,
  measureJourney,
  compareJourneys,
  readJourneyFile,
  templateExample,
} from '../../src/journeys/index.ts';
import { journeysToCsv, journeysToXlsx, journeyTemplateCsv, journeyTemplateXlsx } from '../../src/outputs/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/journeys/', import.meta.url));
const tmp = tempDir('civic-journeys-');
after(() => tmp.cleanup());

async function problemsOf(file: string): Promise<JourneyFileError> {
  try {
    await readJourneyFile(file);
  } catch (e) {
    assert.ok(e instanceof JourneyFileError, `${(e as Error).message}`);
    assert.ok(e instanceof InputError, 'one error hierarchy');
    return e;
  }
  assert.fail(`${file} was read without complaint`);
}

test('the template example is Kay’s new journey, as in examples/journeys', async () => {
  const [kay] = await readJourneyFile(join(EXAMPLES, 'kay-after.json'));
  assert.deepEqual(templateExample(), kay);
});

test('a journey written as CSV in the template’s columns reads back as it was', async () => {
  const journeys = [
    ...(await readJourneyFile(join(EXAMPLES, 'kay-before.json'))),
    ...(await readJourneyFile(join(EXAMPLES, 'rochdale-couple.json'))),
  ];
  const file = join(tmp.dir, 'both.csv');
  writeFileSync(file, journeysToCsv(journeys));
  assert.deepEqual(await readJourneyFile(file), journeys);
});

test('the business-case XLSX: its Steps sheet imports again; money in pounds; a before-and-after sheet', async () => {
  const before = (await readJourneyFile(join(EXAMPLES, 'kay-before.json')))[0];
  const afterJ = (await readJourneyFile(join(EXAMPLES, 'kay-after.json')))[0];
  const reports = [before, afterJ].map((journey) => ({
    journey,
    measures: measureJourney(journey, journeyUnitCosts(journey)),
  }));
  const cmp = compareJourneys(reports[0].measures, reports[1].measures);
  const file = join(tmp.dir, 'kay.xlsx');
  writeFileSync(file, await journeysToXlsx(reports, cmp, [journeyUnitCosts(before)!]));
  assert.deepEqual(await readJourneyFile(file), [before, afterJ]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  assert.deepEqual(
    wb.worksheets.map((w) => w.name),
    ['Summary', 'Steps', 'Costs by step', 'Before and after', 'Data asked again', 'Notes'],
  );
  const ba = wb.getWorksheet('Before and after')!;
  const row = (label: string) => {
    let found: ExcelJS.Row | undefined;
    ba.eachRow((r) => {
      if (r.getCell(1).value === label) found = r;
    });
    assert.ok(found, label);
    return found!;
  };
  assert.deepEqual(
    [2, 3, 4].map((c) => row('Cost').getCell(c).value),
    [37.8, 2, 35.8],
  );
  assert.equal(row('Cost').getCell(4).numFmt, '"£"#,##0.00');
  assert.deepEqual(
    [2, 3, 4].map((c) => row('Contacts').getCell(c).value),
    [26, 2, 24],
  );
  const notes = wb.getWorksheet('Notes')!;
  let internal = '';
  notes.eachRow((r) => {
    if (String(r.getCell(1).value).includes('internal email')) internal = String(r.getCell(2).value);
  });
  assert.match(internal, /£2\.00/);
});

test('the template (XLSX and CSV) imports as its example, and offers the channel vocabulary', async () => {
  const x = join(tmp.dir, 'template.xlsx');
  writeFileSync(x, await journeyTemplateXlsx(templateExample()));
  assert.deepEqual(await readJourneyFile(x), [templateExample()]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(x);
  const steps = wb.getWorksheet('Steps')!;
  assert.deepEqual(
    (steps.getRow(1).values as unknown[]).slice(1),
    TEMPLATE_COLUMNS.map((c) => c.name),
  );
  const col = TEMPLATE_COLUMNS.findIndex((c) => c.name === 'channel') + 1;
  assert.equal(steps.getCell(2, col).dataValidation?.type, 'list');
  const c = join(tmp.dir, 'template.csv');
  writeFileSync(c, journeyTemplateCsv(templateExample()));
  assert.deepEqual(await readJourneyFile(c), [templateExample()]);
});

test('a filled-in CSV: headers as people write them, channels in the vocabulary, steps in their numbered order', async () => {
  const file = join(tmp.dir, 'Missed Bin.csv');
  writeFileSync(
    file,
    [
      'Step,Agency,Service,Channel,Data items,Wait (days),Cost,Count,Feeling',
      '2,Refuse team,Refuse collection,E-mail,,3,,2,',
      '1,Contact centre,Refuse collection,Tel,name; address ;the problem,,£1.44,,Annoyed',
      '3,Refuse team,Refuse collection,,,,,,Relieved',
    ].join('\n'),
  );
  const [j] = await readJourneyFile(file);
  assert.equal(j.name, 'missed-bin');
  assert.deepEqual(
    j.steps.map((s) => [s.agency, s.channel, s.count, s.cost, s.waitDays]),
    [
      ['Contact centre', 'phone', 1, 1.44, null],
      ['Refuse team', 'email', 2, null, 3],
      ['Refuse team', null, 1, null, null],
    ],
  );
  assert.deepEqual(j.steps[0].dataItems, ['name', 'address', 'the problem']);
  // No unit costs named: the emails are not costed, and the measures say so.
  const m = measureJourney(j, journeyUnitCosts(j));
  assert.deepEqual([m.cost.total, m.cost.uncostedContacts, m.cost.complete], [1.44, 2, false]);
});

test('every problem in a spreadsheet is reported at once, each by row and column', async () => {
  const file = join(tmp.dir, 'mistakes.csv');
  writeFileSync(
    file,
    [
      'journey,stage,agency,service,channel,count,cost,wait_days,reconstructed',
      'kay,before,Contact centre,Refuse,phone,15,1.44,,',
      'kay,later,,Refuse,phone,fifteen,£1.445,-2,perhaps',
      'kay,,Refuse team,,email,0,,,yes',
    ].join('\n'),
  );
  const e = await problemsOf(file);
  const at = e.problems.map((p) => `${p.row}:${p.column}`);
  assert.deepEqual(at, [
    '3:stage',
    '3:agency',
    '3:cost',
    '3:reconstructed',
    '3:wait_days',
    '3:count',
    '4:service',
    '4:count',
  ]);
  assert.ok(e.problems.every((p) => p.file === 'mistakes.csv'));
  assert.equal(e.location.file, 'mistakes.csv');
  assert.equal(e.location.row, 3);
  assert.match(e.describe(), /mistakes\.csv has 8 problems/);
  assert.match(e.describe(), /row 3, column "count": "fifteen" is not a number of contacts/);
  assert.match(e.describe(), /What to do:/);
  assert.equal(e.toJSON().problems.length, 8);
});

test('a header the template does not know, or without agency and service, is refused before any row is read', async () => {
  const file = join(tmp.dir, 'header.csv');
  writeFileSync(file, 'journey,agency,colour\nk,A,red\n');
  const e = await problemsOf(file);
  assert.deepEqual(
    e.problems.map((p) => [p.row, p.column]),
    [
      [1, 'colour'],
      [1, 'service'],
    ],
  );
});

test('JSON: a field that is not in the format, a bad value and a later version are each named by their path', async () => {
  const file = join(tmp.dir, 'bad.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      name: 'Kay Before',
      title: 'Kay',
      steps: [{ agency: 'A', service: 'S', count: 0, colour: 'red' }],
    }),
  );
  const e = await problemsOf(file);
  const cols = e.problems.map((p) => p.column).sort();
  assert.deepEqual(cols, ['name', 'steps[0]', 'steps[0].count']);
  assert.ok(e.problems.some((p) => /"colour" is not a field of a step/.test(p.message)));
  writeFileSync(file, JSON.stringify({ version: 2, name: 'k', title: 'K', steps: [] }));
  assert.match((await problemsOf(file)).message, /version 2 of the format; this release reads version 1/);
  writeFileSync(file, '{ not json');
  await assert.rejects(
    readJourneyFile(file),
    (err: unknown) => err instanceof InputError && /not JSON/.test((err as Error).message),
  );
});
