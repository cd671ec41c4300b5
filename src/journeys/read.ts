/**
 * Reading journeys: a JSON file in the journey format (schema.ts), or a spreadsheet made from the
 * template (CSV, or the "Steps" sheet of an XLSX workbook), one row per step. Every problem in a
 * file is found before anything is refused, and each is named by file, row and column (the header
 * is row 1), with what to do about it.
 */
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError, type ErrorLocation } from '../core/index.ts';
import type ExcelJS from 'exceljs';
import {
  checkReadableFile,
  checkWorkbookLimits,
  cleanHeader,
  readSourceTable,
  readYesNo,
  resolveReadLimits,
  type SourceTable,
} from '../intake/index.ts';
import { channelName } from '../channels/index.ts';
import { JOURNEY_FORMAT_VERSION, JourneySchema, nameFrom, type Journey, type JourneyInput } from './schema.ts';

export interface JourneyProblem extends ErrorLocation {
  /** the sheet of a workbook the row is on */
  sheet?: string;
  message: string;
}

/** A journey file with problems: every one of them, each with its place; the first is the error's location. */
export class JourneyFileError extends InputError {
  readonly problems: JourneyProblem[];
  constructor(file: string, problems: JourneyProblem[]) {
    const where = (p: JourneyProblem) =>
      [p.row !== undefined ? `row ${p.row}` : '', p.column ? `column "${p.column}"` : ''].filter(Boolean).join(', ');
    const first = problems[0];
    super(
      problems.length === 1
        ? first.message
        : `${basename(file)} has ${problems.length} problems:\n` +
            problems
              .slice(0, 20)
              .map((p) => `  ${where(p) ? `${where(p)}: ` : ''}${p.message}`)
              .join('\n') +
            (problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''),
      {
        code: 'journey_invalid',
        location: { file: basename(file), row: first.row, column: first.column },
        fix: 'Correct each one and import the file again: docs/journeys.md describes every column, and `civic journey template` writes a template to fill in.',
      },
    );
    this.problems = problems.map((p) => ({ ...p, file: basename(file) }));
  }
  override toJSON() {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/** The template's columns, in order: what each holds. The journey's own columns are filled on its first row. */
export const TEMPLATE_COLUMNS: readonly { name: string; journey?: true; required?: true; help: string }[] = [
  {
    name: 'journey',
    journey: true,
    help: 'The journey this step belongs to, by a short name (kay-before). Every row of one journey has the same name; a file may hold several journeys. Blank: the file name.',
  },
  { name: 'title', journey: true, help: 'The journey’s title, e.g. Kay reports a late bin (before).' },
  { name: 'customer', journey: true, help: 'Whose journey: a persona, a household, a segment.' },
  { name: 'council', journey: true, help: 'The council or partnership the journey was mapped in.' },
  { name: 'segment', journey: true, help: 'The segment the customer belongs to, if one was used.' },
  { name: 'stage', journey: true, help: 'before (as it is now) or after (as redesigned); blank for neither.' },
  { name: 'compare_with', journey: true, help: 'The other journey of a before/after pair, by its short name.' },
  {
    name: 'unit_costs',
    journey: true,
    help: 'The published unit costs that cost steps without a cost of their own (barking-dagenham, bristol, maidstone …); blank: only the costs given.',
  },
  { name: 'source', journey: true, help: 'Where the journey comes from (a complaint, a mapping workshop, a report).' },
  { name: 'reconstruction', journey: true, help: 'What was worked out rather than given by the source, in words.' },
  {
    name: 'step',
    help: 'The step’s number in the journey (1, 2, 3 …). Blank: the order of the rows.',
  },
  { name: 'agency', required: true, help: 'Who the customer deals with: an organisation, or a department of one.' },
  { name: 'service', required: true, help: 'The service the step is about.' },
  {
    name: 'channel',
    help: 'How: phone, email, face to face, web, post, sms, self-serve … or your own (internal email). Blank: an event on the way, not a contact.',
  },
  { name: 'form', help: 'The application form filled in at this step, by its name.' },
  { name: 'assessment', help: 'The assessment made at this step (means test, identity check …), by its name.' },
  {
    name: 'data_items',
    help: 'The data items asked for at this step, separated by semicolons: name; address; date of birth.',
  },
  { name: 'wait_days', help: 'Days the customer waits after this step before the next.' },
  {
    name: 'cost',
    help: 'Pounds per contact of this step (1.44). Blank: the unit cost of its channel in unit_costs.',
  },
  { name: 'count', help: 'How many contacts the step stands for (15 for 15 calls). Blank: 1.' },
  { name: 'feeling', help: 'How the customer felt at this point, in their words where there are any.' },
  { name: 'note', help: 'Anything else about the step.' },
  {
    name: 'reconstructed',
    help: 'yes when the step is not in the source as such but worked out to fit it (say how in the note).',
  },
];

const key = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const COLUMN_BY_KEY = new Map(TEMPLATE_COLUMNS.map((c) => [key(c.name), c.name]));
// Headers people write for the same columns.
for (const [alias, name] of [
  ['dataitemsaskedfor', 'data_items'],
  ['data', 'data_items'],
  ['waitdays', 'wait_days'],
  ['wait', 'wait_days'],
  ['waitindays', 'wait_days'],
  ['costperpound', 'cost'],
  ['unitcost', 'cost'],
  ['contacts', 'count'],
  ['unitcosts', 'unit_costs'],
  ['comparewith', 'compare_with'],
  ['journeyname', 'journey'],
  ['organisation', 'agency'],
  ['stepnumber', 'step'],
  ['applicationform', 'form'],
] as const)
  COLUMN_BY_KEY.set(alias, name);

/** Journeys in a file: JSON in the journey format (one journey, or `{ "journeys": [...] }`), or a CSV or XLSX from the template. */
export async function readJourneyFile(file: string): Promise<Journey[]> {
  if (/\.json$/i.test(file)) return readJourneyJson(file);
  return readJourneyTable(file);
}

/** A JSON file: one journey, or `{ "journeys": [...] }`; each checked against the format. */
function readJourneyJson(file: string): Journey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('Cannot read the journey file.', {
      location: { file: basename(file) },
      fix: 'Check the path.',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`The journey file is not JSON: ${(e as Error).message}.`, {
      location: { file: basename(file) },
      code: 'journey_invalid',
      fix: 'Check the file, or fill in the spreadsheet template instead (civic journey template).',
    });
  }
  const list =
    data && typeof data === 'object' && !Array.isArray(data) && 'journeys' in data
      ? (data as { journeys: unknown }).journeys
      : [data];
  if (!Array.isArray(list) || !list.length)
    throw new JourneyFileError(file, [{ message: '"journeys" must be a list of journeys.', column: 'journeys' }]);
  const problems: JourneyProblem[] = [];
  const out: Journey[] = [];
  list.forEach((j, i) => {
    const prefix = list.length > 1 || Array.isArray((data as { journeys?: unknown }).journeys) ? `journeys[${i}].` : '';
    if (j && typeof j === 'object' && typeof (j as { version?: unknown }).version === 'number') {
      const v = (j as { version: number }).version;
      if (v > JOURNEY_FORMAT_VERSION) {
        problems.push({
          column: `${prefix}version`,
          message: `The journey is in version ${v} of the format; this release reads version ${JOURNEY_FORMAT_VERSION}.`,
        });
        return;
      }
    }
    const r = JourneySchema.safeParse(normaliseJson(j));
    if (!r.success) {
      problems.push(...issues(r.error, prefix));
      return;
    }
    out.push(r.data);
  });
  checkNames(out, problems, () => undefined);
  if (problems.length) throw new JourneyFileError(file, problems);
  return out;
}

/** A JSON journey's channels in the vocabulary, before it is validated. */
function normaliseJson(j: unknown): unknown {
  if (!j || typeof j !== 'object' || Array.isArray(j)) return j;
  const o = { ...(j as Record<string, unknown>) };
  if (Array.isArray(o.steps))
    o.steps = o.steps.map((s) => {
      if (!s || typeof s !== 'object' || typeof (s as { channel?: unknown }).channel !== 'string') return s;
      const ch = (s as { channel: string }).channel;
      return { ...(s as object), channel: ch.trim() ? channelName(ch) : null };
    });
  return o;
}

function issues(error: z.ZodError, prefix: string): JourneyProblem[] {
  return error.issues.map((i) => {
    const path = i.path
      .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k ? '.' : ''}${String(p)}`))
      .join('')
      .replace(/^steps\[(\d+)\]/, (_m, n) => `steps[${n}]`);
    const step = /^steps\[(\d+)\]/.exec(path);
    const what =
      i.code === 'unrecognized_keys'
        ? `${(i as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')} ${
            (i as { keys: string[] }).keys.length === 1 ? 'is not a field' : 'are not fields'
          } of a ${path.startsWith('steps') ? 'step' : 'journey'}`
        : i.message;
    return {
      column: prefix + (path || '(the journey)'),
      message: `${step ? `Step ${Number(step[1]) + 1}: ` : ''}${what}.`.replace(/\.\.$/, '.'),
    };
  });
}

function checkNames(journeys: Journey[], problems: JourneyProblem[], rowOf: (name: string) => number | undefined) {
  const seen = new Set<string>();
  for (const j of journeys) {
    if (seen.has(j.name))
      problems.push({ row: rowOf(j.name), column: 'journey', message: `Two journeys are called ${j.name}.` });
    seen.add(j.name);
  }
}

interface Cell {
  value: string;
  row: number;
  column: string;
}

/** A template's rows as journeys. */
async function readJourneyTable(file: string): Promise<Journey[]> {
  let table: SourceTable;
  try {
    table = /\.xlsx$/i.test(file) ? await readStepsSheet(file) : await readSourceTable(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`Cannot read ${basename(file)}: ${(e as Error).message}`, {
      location: { file: basename(file) },
      fix: 'Save the template as CSV (UTF-8) or XLSX and try again.',
    });
  }
  const problems: JourneyProblem[] = [];
  // A workbook's problems name its sheet as well.
  const refuse = () =>
    new JourneyFileError(file, table.sheet ? problems.map((p) => ({ sheet: table.sheet, ...p })) : problems);
  const columns: (string | null)[] = table.header.map((h) => COLUMN_BY_KEY.get(key(h)) ?? null);
  table.header.forEach((h, i) => {
    if (!columns[i])
      problems.push({
        row: 1,
        column: h,
        message: `"${h}" is not a column of the journey template.`,
      });
  });
  for (const need of TEMPLATE_COLUMNS.filter((c) => c.required))
    if (!columns.includes(need.name))
      problems.push({ row: 1, column: need.name, message: `The file has no "${need.name}" column.` });
  const dup = columns.filter((c, i) => c && columns.indexOf(c) !== i);
  for (const d of new Set(dup)) problems.push({ row: 1, column: d!, message: `Two columns are read as "${d}".` });
  if (problems.length) throw refuse();

  const fallbackName = nameFrom(basename(file).replace(/\.[^.]+$/, ''));
  // Rows by journey, in the order they first appear.
  const byJourney = new Map<string, { cells: Map<string, Cell>; row: number }[]>();
  for (const r of table.rows) {
    if (r.values.every((v) => v === null || !v.trim())) continue;
    if (r.problem) problems.push({ row: r.rowNo, column: r.problem.column, message: r.problem.reason });
    const cells = new Map<string, Cell>();
    columns.forEach((c, i) => {
      const v = r.values[i]?.trim();
      if (c && v) cells.set(c, { value: v, row: r.rowNo, column: table.header[i] });
    });
    const name = cells.get('journey')?.value ?? fallbackName;
    if (!byJourney.has(name)) byJourney.set(name, []);
    byJourney.get(name)!.push({ cells, row: r.rowNo });
  }
  const out: Journey[] = [];
  const firstRow = new Map<string, number>();
  for (const [name, rows] of byJourney) {
    firstRow.set(name, rows[0].row);
    const j = journeyFromRows(name, rows, problems);
    if (j) out.push(j);
  }
  checkNames(out, problems, (n) => firstRow.get(n));
  if (problems.length) throw refuse();
  if (!out.length)
    throw new InputError('The file has a header row but no steps.', {
      location: { file: basename(file) },
      fix: 'Fill in a row for each step of the journey.',
    });
  return out;
}

/**
 * The "Steps" sheet of a workbook (else its first), header on its first non-empty row. A journey
 * workbook is small, so it is read whole, after the intake's checks of its size; exceljs's
 * streaming reader loses the list of sheets now and then in workbooks exceljs writes with the
 * steps after another sheet (as the business-case export does).
 */
async function readStepsSheet(file: string): Promise<SourceTable> {
  const shown = basename(file);
  checkReadableFile(file);
  await checkWorkbookLimits(file, shown, resolveReadLimits());
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new InputError(`The file could not be read as an Excel workbook: ${(e as Error).message}`, {
      location: { file: shown },
      code: 'input_not_xlsx',
      fix: 'Open it in Excel and save it again as .xlsx, or export CSV UTF-8.',
    });
  }
  const ws = wb.worksheets.find((w) => w.name.trim().toLowerCase() === 'steps') ?? wb.worksheets[0];
  if (!ws) throw new InputError('The workbook has no sheets.', { location: { file: shown } });
  const text = (v: ExcelJS.CellValue): string | null => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    if (typeof v === 'object') {
      const o = v as unknown as Record<string, unknown>;
      if ('result' in o) return text(o.result as ExcelJS.CellValue);
      if ('richText' in o && Array.isArray(o.richText))
        return (o.richText as { text: string }[]).map((r) => r.text).join('');
      if ('text' in o) return String(o.text);
      if ('error' in o) return String(o.error);
      return null;
    }
    return String(v);
  };
  const grid: { rowNo: number; values: (string | null)[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const values: (string | null)[] = [];
    for (let c = 1; c <= row.cellCount; c++) values.push(text(row.getCell(c).value));
    if (values.some((v) => v !== null && v.trim() !== '')) grid.push({ rowNo: row.number, values });
  });
  if (!grid.length)
    throw new InputError(`The sheet "${ws.name}" is empty.`, {
      location: { file: shown },
      code: 'input_empty',
      fix: 'Fill in a row for each step, under the template’s header row.',
    });
  const [head, ...rows] = grid;
  const header = cleanHeader(head.values);
  return {
    file: shown,
    format: 'xlsx',
    sheet: ws.name,
    header,
    rows: rows.map((r) => ({ rowNo: r.rowNo, values: header.map((_, i) => r.values[i] ?? null) })),
  };
}

function journeyFromRows(
  name: string,
  rows: { cells: Map<string, Cell>; row: number }[],
  problems: JourneyProblem[],
): Journey | null {
  const before = problems.length;
  const at = (c: Cell, message: string) => problems.push({ row: c.row, column: c.column, message });
  // The journey's own columns: given once (on any row, usually the first); a different value later is a mistake.
  const own: Record<string, string | null> = {};
  for (const col of TEMPLATE_COLUMNS.filter((c) => c.journey && c.name !== 'journey')) {
    let value: Cell | null = null;
    for (const r of rows) {
      const c = r.cells.get(col.name);
      if (!c) continue;
      if (value && value.value !== c.value)
        at(c, `The journey ${name} already has ${col.name} "${value.value}" (row ${value.row}); give it once.`);
      value ??= c;
    }
    own[col.name] = value?.value ?? null;
  }
  const journeyCell = rows[0].cells.get('journey');
  if (journeyCell && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(journeyCell.value))
    at(journeyCell, `"${journeyCell.value}" is not a journey name: use lower-case letters, digits and hyphens.`);
  const stage = own.stage?.toLowerCase() ?? null;
  if (stage && stage !== 'before' && stage !== 'after') {
    const c = rows.find((r) => r.cells.has('stage'))!.cells.get('stage')!;
    at(c, `The stage is before or after, not "${c.value}".`);
  }
  const compare = own.compare_with;
  if (compare && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(compare)) {
    const c = rows.find((r) => r.cells.has('compare_with'))!.cells.get('compare_with')!;
    at(c, `"${c.value}" is not a journey name: use lower-case letters, digits and hyphens.`);
  }

  const number = (c: Cell | undefined, what: string, check: (n: number) => boolean, hint: string) => {
    if (!c) return null;
    const n = Number(c.value.replace(/^£/, '').replace(/,/g, ''));
    if (!Number.isFinite(n) || !check(n)) {
      at(c, `"${c.value}" is not ${what}. ${hint}`);
      return null;
    }
    return n;
  };
  const numbered: { n: number | null; row: number; step: Journey['steps'][number] }[] = [];
  for (const r of rows) {
    const get = (k: string) => r.cells.get(k);
    const agency = get('agency'),
      service = get('service');
    if (!agency)
      problems.push({ row: r.row, column: 'agency', message: 'The agency is blank: say who the customer deals with.' });
    if (!service)
      problems.push({ row: r.row, column: 'service', message: 'The service is blank: say what the step is about.' });
    const cost = get('cost');
    const costValue = number(
      cost,
      'a cost in pounds',
      (n) => n >= 0 && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6,
      'Write pounds and pence, e.g. 1.44, or leave it blank to use the unit costs.',
    );
    const reconstructed = get('reconstructed');
    const rec = reconstructed ? readYesNo(reconstructed.value) : false;
    if (reconstructed && rec === null) at(reconstructed, `"${reconstructed.value}" is not yes or no.`);
    const step = {
      agency: agency?.value ?? '',
      service: service?.value ?? '',
      channel: get('channel') ? channelName(get('channel')!.value) : null,
      form: get('form')?.value ?? null,
      assessment: get('assessment')?.value ?? null,
      dataItems: (get('data_items')?.value ?? '')
        .split(/[;\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
      waitDays: number(get('wait_days'), 'a number of days', (n) => n >= 0, 'Write the days waited, e.g. 7.'),
      cost: costValue,
      count:
        number(
          get('count'),
          'a number of contacts',
          (n) => Number.isInteger(n) && n >= 1,
          'Write a whole number of 1 or more, e.g. 15.',
        ) ?? 1,
      feeling: get('feeling')?.value ?? null,
      note: get('note')?.value ?? null,
      reconstructed: rec ?? false,
    };
    numbered.push({
      n: number(get('step'), 'a step number', (n) => Number.isInteger(n) && n >= 1, 'Number the steps 1, 2, 3 …'),
      row: r.row,
      step,
    });
  }
  // Steps numbered: in the order of their numbers, each number once.
  if (numbered.some((s) => s.n !== null)) {
    const seen = new Map<number, number>();
    for (const s of numbered) {
      if (s.n === null) {
        problems.push({
          row: s.row,
          column: 'step',
          message: `The journey ${name} numbers its steps: number this one too.`,
        });
        continue;
      }
      if (seen.has(s.n))
        problems.push({ row: s.row, column: 'step', message: `Step ${s.n} is already on row ${seen.get(s.n)}.` });
      seen.set(s.n, s.row);
    }
    numbered.sort((a, b) => (a.n ?? 0) - (b.n ?? 0));
  }
  if (problems.length > before) return null;
  const input: JourneyInput = {
    version: JOURNEY_FORMAT_VERSION,
    name,
    title: own.title ?? name,
    customer: own.customer,
    council: own.council,
    segment: own.segment,
    stage: stage as 'before' | 'after' | null,
    compareWith: compare,
    unitCosts: own.unit_costs,
    source: own.source,
    reconstruction: own.reconstruction,
    steps: numbered.map((s) => s.step),
  };
  const r = JourneySchema.safeParse(input);
  if (!r.success) {
    for (const p of issues(r.error, '')) problems.push({ row: rows[0].row, column: p.column, message: p.message });
    return null;
  }
  return r.data;
}
