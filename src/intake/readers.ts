/**
 * Readers for the files councils send: CSV (any delimiter, quoted newlines, BOM, UTF-8 or
 * Windows-1252), XLSX, JSON (array or newline-delimited) and Parquet. Each gives a SourceTable with
 * every row numbered as the user will see it, and rows with the wrong shape marked, not dropped.
 */
import { readFileSync, statSync, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { extname, basename } from 'node:path';
import Papa from 'papaparse';
import type ExcelJS from 'exceljs';
import { InputError, ParameterError } from '../core/index.ts';
import { type Engine, columnsOf, ident, sqlReadCsv, sqlReadParquet } from '../store/index.ts';
import { decodeText } from './decode.ts';
import { parseCsv } from './csv-parse.ts';
import { readInputFile, checkReadableFile } from './files.ts';
import { cleanHeader, type ReadOptions, type SourceRow, type SourceTable } from './table.ts';
import {
  overLimit,
  overLimitEstimate,
  resolveReadLimits,
  PROJECTION_MARGIN,
  PROJECTION_SAMPLE_BYTES,
  type ReadLimits,
} from './limits.ts';
import { checkWorkbookLimits } from './zip-check.ts';
import { isPlainCsvFile, PlainCsvScan } from './clean-csv.ts';

export type FileFormat = SourceTable['format'];

/** Decides the format from the content first (a renamed workbook is still a workbook), then the extension. */
export function detectFormat(file: string, head: Uint8Array): FileFormat {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  const ext = extname(file).toLowerCase();
  if (ext === '.xls') {
    throw new InputError('Old-style .xls workbooks cannot be read.', {
      location: { file: basename(file) },
      fix: 'Open the file in Excel and save it as .xlsx or CSV UTF-8.',
    });
  }
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return 'json';
  return 'csv';
}

export async function readSourceTable(file: string, opts: ReadOptions = {}, engine?: Engine): Promise<SourceTable> {
  if (opts.headerRow !== undefined && !(Number.isInteger(opts.headerRow) && opts.headerRow >= 1)) {
    throw new ParameterError(
      `--header-row must be a row number (1, 2, 3 ...), not "${opts.headerRow}".`,
      'Give the spreadsheet row holding the column names, e.g. --header-row 3.',
    );
  }
  checkReadableFile(file);
  const shown = basename(file);
  // A size of 0 is also what special files report (/proc …): reading says which it is.
  if (statSync(file).size === 0 && readInputFile(file).length === 0)
    throw new InputError('The file is empty.', {
      location: { file: shown },
      code: 'input_empty',
      fix: 'Check you exported the right file; it has no content.',
    });
  const limits = resolveReadLimits(opts.limits);
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const format = detectFormat(file, head);
  let table: SourceTable;
  switch (format) {
    // A workbook is checked against the limits before it is read, and read as a stream.
    case 'xlsx':
      await checkWorkbookLimits(file, shown, limits);
      table = await readXlsx(file, shown, opts, limits);
      break;
    case 'parquet':
      if (!engine) throw new InputError('Parquet files need a workspace to be read.', { location: { file: shown } });
      table = await readParquet(file, shown, engine, limits);
      break;
    case 'json':
      table = readJson(readInputFile(file), shown, opts);
      break;
    default:
      table = readCsv(readInputFile(file), shown, opts, limits);
  }
  if (table.rows.length > limits.maxRows) throw overLimit(shown, 'rows', limits);
  if (table.rows.length * table.header.length > limits.maxCells) throw overLimit(shown, 'cells', limits);
  if (!table.rows.length) {
    throw new InputError('The file has a header row but no records.', {
      location: { file: shown },
      code: 'input_no_records',
      fix: 'Check the export included the data rows.',
    });
  }
  return table;
}

function readCsv(
  bytes: Uint8Array,
  file: string,
  opts: ReadOptions,
  limits: ReadLimits = resolveReadLimits(opts.limits),
): SourceTable {
  const { text, encoding } = decodeText(bytes, file, opts.encoding ?? 'auto');
  if (!text.trim())
    throw new InputError('The file is empty.', {
      location: { file },
      code: 'input_empty',
      fix: 'Check you exported the right file; it holds only blank lines.',
    });
  const delimiter = opts.delimiter !== undefined ? checkDelimiter(opts.delimiter) : guessDelimiter(text);
  // Row numbers follow the file's records as a spreadsheet would show them; blank lines still take a number.
  // The header is the first row that fills most of the table's width: a title line above the
  // table ("Library members, March 2024") fills one cell.
  const head = parseCsv(text, delimiter, { maxRecords: 30 }).map((r) => r.values);
  let headerIndex = -1;
  const filled = (row: string[]) => row.filter((v) => v.trim() !== '').length;
  let headerValues: string[] | undefined;
  if (opts.headerRow) {
    headerIndex = opts.headerRow - 1;
    headerValues =
      headerIndex < head.length
        ? head[headerIndex]
        : parseCsv(text, delimiter, { maxRecords: opts.headerRow })[headerIndex]?.values;
    if (!headerValues || filled(headerValues) === 0)
      throw new InputError(`Row ${opts.headerRow} is empty.`, {
        location: { file, row: opts.headerRow },
        fix: 'Give the row holding the column names with --header-row.',
      });
  } else {
    headerIndex = firstTableRow(head.map(filled));
    headerValues = head[headerIndex];
  }
  if (headerIndex < 0 || !headerValues)
    throw new InputError('The file is empty.', {
      location: { file },
      code: 'input_empty',
      fix: 'Check you exported the right file; it holds only blank lines.',
    });
  // The whole file, knowing the header's width: a record running over several lines with another
  // width is an unclosed quote, and only its first line is set aside.
  // Parsing stops just past the rows limit: a file over it is refused without parsing all of it.
  // One far over a limit is refused sooner, from the density of its first few MB (see PROJECTION_MARGIN).
  const width = headerValues.length;
  const parsed = parseCsv(text, delimiter, {
    expectedWidth: width,
    fromRecord: headerIndex + 1,
    maxRecords: headerIndex + 2 + limits.maxRows,
    sampleAt: PROJECTION_SAMPLE_BYTES,
    onSample: (records, chars) => {
      const scale = text.length / chars;
      const rows = Math.max(0, records - headerIndex - 1);
      const estimate = {
        readBytes: Math.round(bytes.length / scale),
        totalBytes: bytes.length,
        rows,
        cells: rows * width,
        projectedRows: rows * scale,
        projectedCells: rows * scale * width,
      };
      if (estimate.projectedRows > PROJECTION_MARGIN * limits.maxRows)
        throw overLimitEstimate(file, 'rows', limits, estimate);
      if (estimate.projectedCells > PROJECTION_MARGIN * limits.maxCells)
        throw overLimitEstimate(file, 'cells', limits, estimate);
    },
  });
  if (parsed.length > headerIndex + 1 + limits.maxRows) throw overLimit(file, 'rows', limits);
  const data = parsed.map((r) => r.values);
  const rawHeader = data[headerIndex];
  if (rawHeader.length === 1 && bytes.length > 200 && looksBinaryText(text)) {
    throw new InputError(
      'The file does not look like CSV: no delimiter was found and it contains control characters.',
      { location: { file }, code: 'input_not_csv', fix: 'Export the data as CSV, XLSX, JSON or Parquet.' },
    );
  }
  const header = cleanHeader(rawHeader);
  const rows: SourceRow[] = [];
  for (let i = headerIndex + 1; i < data.length; i++) {
    const values = data[i];
    if (values.length === 1 && values[0].trim() === '') continue; // blank line
    if (values.every((v) => v.trim() === '') && !parsed[i].problem) continue;
    const row: SourceRow = { rowNo: i + 1, values };
    if (parsed[i].problem) row.problem = { reason: parsed[i].problem! };
    else if (values.length > header.length) {
      const extra = values.slice(header.length);
      if (extra.every((v) => v.trim() === '')) row.values = values.slice(0, header.length);
      else
        row.problem = {
          reason: `the row has ${values.length} values but the header has ${header.length} columns (is there an unquoted comma?)`,
        };
    } else if (values.length < header.length) {
      row.problem = {
        column: header[values.length],
        reason: `the row has ${values.length} values but the header has ${header.length} columns`,
      };
    }
    rows.push(row);
  }
  return { file, format: 'csv', encoding, delimiter, header, rows };
}

/** A delimiter given with --delimiter: one character ("tab" or \t for a tab). */
function checkDelimiter(d: string): string {
  if (d === 'tab' || d === '\\t') return '\t';
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new ParameterError(
      `"${d}" cannot be used as a delimiter.`,
      'Give one character, e.g. --delimiter ";" or --delimiter tab.',
    );
  }
  return d;
}

/**
 * The first row of the table proper, given how many cells each of the first rows fills: title
 * lines above a table ("Library members, March 2024") fill one cell, so leading rows filling at
 * most one are skipped when a wider row follows. A data row is never taken for the header just
 * because it is wider (unquoted commas in an address make rows wider than their header).
 */
export function firstTableRow(filledCounts: number[]): number {
  const first = filledCounts.findIndex((n) => n > 0);
  if (first < 0) return -1;
  const wider = filledCounts.findIndex((n, i) => i >= first && n > 1);
  return filledCounts[first] <= 1 && wider > first ? wider : first;
}

/**
 * Picks the delimiter that splits the first lines into the same number (more than one) of fields,
 * preferring more fields; quotes are respected. Tiny files are where guessing goes wrong most.
 */
export function guessDelimiter(text: string): string {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < 20 && start < text.length) {
    // Any of CRLF, LF and CR ends a line.
    const m = /\r\n?|\n/g;
    m.lastIndex = start;
    const found = m.exec(text);
    const end = found ? found.index : text.length;
    const line = text.slice(start, end);
    if (line.trim()) lines.push(line);
    start = found ? end + found[0].length : text.length;
  }
  const fields = (line: string, d: string) => {
    let n = 1,
      quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    return n;
  };
  let best = ',',
    bestCount = 1;
  for (const d of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => fields(l, d));
    // Lines after a quoted line break can disagree; the header and most lines must agree.
    const head = counts[0] ?? 1;
    const agree = counts.filter((c) => c === head).length;
    if (head > 1 && agree >= Math.ceil(counts.length * 0.8) && head > bestCount) {
      best = d;
      bestCount = head;
    }
  }
  return best;
}

function looksBinaryText(text: string): boolean {
  let control = 0;
  const n = Math.min(text.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || c === 0xfffd) control++;
  }
  return control > n * 0.01;
}

function cellText(v: ExcelJS.CellValue): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // Dates without a time print as YYYY-MM-DD, as an analyst expects.
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
    if ('richText' in o && Array.isArray(o.richText))
      return (o.richText as { text: string }[]).map((r) => r.text).join('');
    if ('text' in o) return String(o.text);
    if ('error' in o) return String(o.error);
    return JSON.stringify(o);
  }
  return String(v);
}

/** How many times a workbook is read before exceljs's lost-entry race (below) is reported as an error. */
const XLSX_ATTEMPTS = 4;

/** exceljs's streaming reader sometimes loses the archive's last part; see readXlsx. */
class LostWorkbookPart extends Error {}

/**
 * Reads a workbook as a stream (exceljs's WorkbookReader), one sheet at a time, keeping only the
 * sheet asked for (or the first with any value in it) and counting rows and cells as they come.
 *
 * exceljs's streaming reader has a race (exceljs issue 3064, open): now and then, more often on a
 * busy machine, it does not see the last part of the archive. When that part is xl/workbook.xml
 * (where Excel-compatible writers such as exceljs put it) it fails on the sheets' names. The
 * reader is deterministic otherwise, so such a failure is read again, a few times, before it is
 * reported.
 */
async function readXlsx(
  path: string,
  file: string,
  opts: ReadOptions,
  limits: ReadLimits = resolveReadLimits(opts.limits),
): Promise<SourceTable> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readXlsxOnce(path, file, opts, limits);
    } catch (e) {
      if (!(e instanceof LostWorkbookPart)) throw e;
      if (attempt >= XLSX_ATTEMPTS)
        throw new InputError(`The file could not be read as an Excel workbook: ${e.message}`, {
          location: { file },
          code: 'input_not_xlsx',
          fix: 'Open it in Excel and save it again as .xlsx, or export CSV UTF-8.',
        });
    }
  }
}

async function readXlsxOnce(path: string, file: string, opts: ReadOptions, limits: ReadLimits): Promise<SourceTable> {
  const hasValue = (vals: (string | null)[]) => vals.some((v) => v !== null && v !== '');
  const names: string[] = [];
  let chosen: { name: string; grid: { rowNo: number; values: (string | null)[] }[] } | null = null;
  let firstEmpty: string | null = null;
  // exceljs is loaded only when a workbook is read: reading CSV, JSON or Parquet never pays for it.
  const { default: excel } = await import('exceljs');
  const reader = new excel.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name: string }).name;
      names.push(name);
      if (opts.sheet && name !== opts.sheet) {
        // Read through a sheet that is not wanted: exceljs may have parked it in a temporary file,
        // which it deletes as soon as the next sheet is asked for, and a read of it left waiting
        // would then fail outside any promise (ENOENT, thrown as an uncaught exception).
        for await (const _ of sheet as unknown as AsyncIterable<ExcelJS.Row>) void _;
        continue;
      }
      const grid: { rowNo: number; values: (string | null)[] }[] = [];
      let cells = 0,
        anyValue = false;
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        const vals: (string | null)[] = [];
        for (let c = 1; c <= row.cellCount; c++) vals.push(cellText(row.getCell(c).value));
        if (!vals.length) continue;
        cells += vals.length;
        if (grid.length > limits.maxRows) throw overLimit(file, 'rows', limits);
        if (cells > limits.maxCells) throw overLimit(file, 'cells', limits);
        anyValue ||= hasValue(vals);
        grid.push({ rowNo: row.number, values: vals });
      }
      if (anyValue || opts.sheet) {
        chosen = { name, grid };
        break;
      }
      firstEmpty ??= name;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    // The race: the sheets were reached before the workbook part that names them was seen.
    if (e instanceof TypeError && /reading 'sheets'/.test(e.message))
      throw new LostWorkbookPart('its list of sheets could not be read.');
    throw new InputError(`The file could not be read as an Excel workbook: ${(e as Error).message}`, {
      location: { file },
      code: 'input_not_xlsx',
      fix: 'Open it in Excel and save it again as .xlsx, or export CSV UTF-8.',
    });
  } finally {
    (reader as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
  if (!chosen) {
    if (!opts.sheet && firstEmpty !== null)
      throw new InputError(`The sheet "${firstEmpty}" is empty.`, {
        location: { file },
        code: 'input_empty',
        fix: `Name the sheet holding the records with --sheet. Sheets in the workbook: ${names.join(', ')}.`,
      });
    throw new InputError(
      opts.sheet ? `The workbook has no sheet called "${opts.sheet}".` : 'The workbook has no sheets.',
      {
        location: { file },
        fix: `Sheets in the workbook: ${names.join(', ') || 'none'}.`,
      },
    );
  }
  const sheet = { name: chosen.name };
  const grid = chosen.grid;
  const nonEmpty = grid.filter((r) => r.values.some((v) => v !== null && String(v).trim() !== ''));
  if (!nonEmpty.length)
    throw new InputError(`The sheet "${sheet.name}" is empty.`, {
      location: { file },
      code: 'input_empty',
      fix: `Name the sheet holding the records with --sheet. Sheets in the workbook: ${names.join(', ')}.`,
    });
  const headerRow = opts.headerRow
    ? nonEmpty.find((r) => r.rowNo === opts.headerRow)
    : nonEmpty[
        Math.max(
          0,
          firstTableRow(nonEmpty.slice(0, 30).map((r) => r.values.filter((v) => v !== null && v !== '').length)),
        )
      ];
  if (!headerRow)
    throw new InputError(`Row ${opts.headerRow} of sheet "${sheet.name}" is empty.`, {
      location: { file, row: opts.headerRow },
    });
  let lastCol = headerRow.values.length;
  while (lastCol > 0 && (headerRow.values[lastCol - 1] ?? '') === '') lastCol--;
  const header = cleanHeader(headerRow.values.slice(0, lastCol));
  const rows: SourceRow[] = [];
  for (const r of nonEmpty) {
    if (r.rowNo <= headerRow.rowNo) continue;
    const values = r.values.slice(0, header.length);
    while (values.length < header.length) values.push(null);
    const row: SourceRow = { rowNo: r.rowNo, values };
    const beyond = r.values.slice(header.length).filter((v) => v !== null && v !== '');
    if (beyond.length)
      row.problem = { reason: `the row has values beyond the last named column (${header[header.length - 1]})` };
    rows.push(row);
  }
  return { file, format: 'xlsx', sheet: sheet.name, header, rows };
}

function readJson(bytes: Uint8Array, file: string, opts: ReadOptions): SourceTable {
  const { text, encoding } = decodeText(bytes, file, opts.encoding ?? 'auto');
  let items: unknown[];
  const trimmed = text.trim();
  if (!trimmed)
    throw new InputError('The file is empty.', {
      location: { file },
      code: 'input_empty',
      fix: 'Check you exported the right file; it holds only blank lines.',
    });
  try {
    const doc = JSON.parse(trimmed);
    if (Array.isArray(doc)) items = doc;
    else if (doc && typeof doc === 'object') {
      const arr = Object.values(doc).find(Array.isArray);
      if (!arr)
        throw new InputError('The JSON file holds an object with no list of records in it.', {
          location: { file },
          fix: 'Give a JSON array of records, or one record per line.',
        });
      items = arr;
    } else
      throw new InputError('The JSON file does not hold records.', {
        location: { file },
        code: 'input_not_json',
        fix: 'Give a JSON array of records, or one record per line.',
      });
  } catch (e) {
    if (e instanceof InputError) throw e;
    // Newline-delimited JSON: one record per line.
    items = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].trim()) continue;
      try {
        items.push(JSON.parse(lines[i]));
      } catch (err) {
        throw new InputError(`The file is not valid JSON: ${(err as Error).message}`, {
          location: { file, row: i + 1 },
          code: 'input_not_json',
          fix: 'Check the file is complete (not cut short) and export it again as a JSON array of records, or one record per line.',
        });
      }
    }
  }
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (it && typeof it === 'object' && !Array.isArray(it))
      for (const k of Object.keys(it))
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
  }
  const header = cleanHeader(keys);
  const rows: SourceRow[] = items.map((it, i) => {
    if (!it || typeof it !== 'object' || Array.isArray(it)) {
      return {
        rowNo: i + 1,
        values: keys.map(() => null),
        problem: { reason: 'the record is not an object of named values' },
      };
    }
    const o = it as Record<string, unknown>;
    return {
      rowNo: i + 1,
      values: keys.map((k) =>
        o[k] === null || o[k] === undefined ? null : typeof o[k] === 'object' ? JSON.stringify(o[k]) : String(o[k]),
      ),
    };
  });
  return { file, format: 'json', encoding, header, rows };
}

function parquetError(e: unknown, file: string): InputError {
  return new InputError(`The file could not be read as Parquet: ${String((e as Error).message).split('\n')[0]}`, {
    location: { file },
    code: 'input_not_parquet',
    fix: 'Check the file is complete (not cut short), or export the data again as Parquet or CSV UTF-8.',
  });
}

async function readParquet(path: string, file: string, engine: Engine, limits: ReadLimits): Promise<SourceTable> {
  let cols: string[];
  let count: number;
  try {
    cols = await columnsOf(engine, sqlReadParquet(path));
    // The row count is in the file's footer: checked before any row is read.
    count = Number((await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${sqlReadParquet(path)}`))!.n);
  } catch (e) {
    throw parquetError(e, file);
  }
  if (count > limits.maxRows) throw overLimit(file, 'rows', limits);
  if (count * cols.length > limits.maxCells) throw overLimit(file, 'cells', limits);
  const select = cols.map((c, i) => `CAST(${ident(c)} AS VARCHAR) AS c${i}`).join(', ');
  let data: Record<string, unknown>[];
  try {
    data = await engine.all(`SELECT ${select} FROM ${sqlReadParquet(path)}`);
  } catch (e) {
    throw parquetError(e, file);
  }
  const header = cleanHeader(cols);
  const rows: SourceRow[] = data.map((r, i) => ({
    rowNo: i + 1,
    values: cols.map((_, j) => (r[`c${j}`] as string | null) ?? null),
  }));
  return { file, format: 'parquet', header, rows };
}

/** A large, clean CSV loaded straight into a temporary table by DuckDB's reader. */
export interface StagedCsv {
  table: string;
  file: string;
  header: string[];
  columns: string[];
  rows: number;
  encoding: string | undefined;
  delimiter: string;
  /** A table read elsewhere (prepared.ts): its format, and it has _problem and _problem_column. */
  format?: FileFormat;
  problems?: boolean;
}

/** Files under this size always take the careful path; it is fast enough for them. */
export const FAST_CSV_MIN_BYTES = 4 * 1024 * 1024;
/** The fast path's first look at a file, before DuckDB reads it. */
const FAST_CSV_HEAD_BYTES = 1024 * 1024;

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The fast path for big service files: when a CSV is valid UTF-8, has no blank lines and every
 * row has the header's number of values, DuckDB's parallel reader loads it several times faster
 * than parsing in JavaScript, with the same row numbers (a record's ordinal + 1). Anything
 * irregular returns null and the file takes the careful path, which keeps and explains bad rows.
 */
export async function stageCleanCsv(
  engine: Engine,
  file: string,
  opts: ReadOptions & { fastCsvMinBytes?: number },
): Promise<StagedCsv | null> {
  if (opts.delimiter || opts.headerRow || (opts.encoding && opts.encoding !== 'auto' && opts.encoding !== 'utf-8'))
    return null;
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  const size = statSync(file).size;
  if (size < (opts.fastCsvMinBytes ?? FAST_CSV_MIN_BYTES)) return null;
  // Only the first bytes are read here; the whole file is checked in chunks while DuckDB loads it.
  let head: Buffer;
  try {
    head = readHead(file, FAST_CSV_HEAD_BYTES);
  } catch {
    return null;
  } // the careful path explains it
  if (detectFormat(file, head.subarray(0, 4)) !== 'csv') return null;
  // A quick look at the first bytes, so that most irregular files never reach DuckDB's reader.
  const first = new PlainCsvScan();
  if (!first.push(head.subarray(0, head.length === size ? head.length : head.lastIndexOf(0x0a) + 1))) return null;
  // The careful reader's view of the first lines decides the delimiter and the header; the fast
  // path is taken only when the table starts on the first line and DuckDB reads the same header.
  const headText = head
    .subarray(0, 65536)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const delimiter = guessDelimiter(headText);
  const headRows = Papa.parse<string[]>(headText.slice(0, Math.max(headText.lastIndexOf('\n'), 0)), { delimiter }).data;
  if (
    !headRows.length ||
    firstTableRow(headRows.slice(0, 30).map((r) => r.filter((v) => v.trim() !== '').length)) !== 0
  )
    return null;
  const expected = cleanHeader(headRows[0]);
  const table = `csv_stage_${process.pid}_${Date.now()}`;
  // skip = 0: DuckDB's sniffer would otherwise skip a title line silently and shift every row number.
  const source = sqlReadCsv(file, { fromFirstLine: true, delimiter, strict: true, padShortRows: false });
  // Loaded without row numbers (a window over 5,000,000 rows doubled the load's time): a table
  // made by one CREATE TABLE AS from a scan that keeps its order (DuckDB's default) holds the rows
  // in file order, so each row's number is its rowid + 2 (the header is line 1), written at once,
  // before any other statement touches the table.
  const [loaded, plain] = await Promise.all([
    engine.run(`CREATE TEMP TABLE ${ident(table)} AS SELECT * FROM ${source}`).then(
      () => true,
      () => false,
    ),
    isPlainCsvFile(file),
  ]);
  if (!loaded || !plain) {
    await engine.run(`DROP TABLE IF EXISTS ${ident(table)}`);
    return null;
  }
  const cols = await columnsOf(engine, ident(table));
  const header = cleanHeader(cols);
  const rows = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${ident(table)}`))!.n;
  // DuckDB renames duplicate or empty headers its own way; those files take the careful path.
  if (
    rows === 0 ||
    header.length !== expected.length ||
    header.some((h, i) => h !== cols[i].trim() || h !== expected[i]) ||
    cols.includes('_row')
  ) {
    await engine.run(`DROP TABLE ${ident(table)}`);
    return null;
  }
  const limits = resolveReadLimits(opts.limits);
  if (rows > limits.maxRows || rows * header.length > limits.maxCells) {
    await engine.run(`DROP TABLE ${ident(table)}`);
    throw overLimit(basename(file), rows > limits.maxRows ? 'rows' : 'cells', limits);
  }
  await engine.run(`ALTER TABLE ${ident(table)} ADD COLUMN _row BIGINT`);
  await engine.run(`UPDATE ${ident(table)} SET _row = rowid + 2`);
  return { table, file: basename(file), header, columns: cols, rows, encoding: 'utf-8', delimiter };
}
