/**
 * Loads a published reference file (CSV, optionally gzipped) into a temporary all-text table with
 * DuckDB's reader, which is fast enough for a national postcode directory. Published files are
 * checked for the columns each importer needs before anything is written.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';
import { type Engine, columnsOf, ident, sqlReadCsv, sqlReadParquet } from '../store/index.ts';
import { checkReadableFile, fileError } from '../intake/index.ts';

export interface LoadedCsv {
  table: string;
  header: string[];
  rows: number;
  file: string;
}

let counter = 0;

/** Published files are read forgivingly: short rows padded, and rows the reader cannot parse cleanly read as well as it can. */
function readerSql(path: string, encoding?: string): string {
  return sqlReadCsv(path, { strict: false, padShortRows: true, ...(encoding ? { encoding } : {}) });
}

/**
 * Decides the text encoding of a published file before DuckDB reads it (so a failed read never
 * aborts the import's transaction): UTF-8 unless its first 16 MB are not, then Latin-1 (ONS
 * files saved from Excel on Windows). Gzipped files are looked into.
 */
function detectEncoding(path: string): string | undefined {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(16 * 1024 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  let head = buf.subarray(0, n);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return undefined;
  } catch {
    return 'latin-1';
  }
}

function checkFile(path: string, file: string) {
  checkReadableFile(path);
  if (statSync(path).size === 0)
    throw new InputError('The file is empty.', { location: { file }, code: 'input_empty' });
  const head = Buffer.alloc(4);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw fileError(e, path);
  }
  if (head[0] === 0x50 && head[1] === 0x4b) {
    throw new InputError('The file is a zip archive or an Excel workbook, not CSV.', {
      location: { file },
      code: 'input_not_csv',
      fix: 'Unzip it, or save the sheet as CSV, and import the CSV file.',
    });
  }
}

function isParquet(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return head.toString('latin1') === 'PAR1';
}

/** A column called "_row" would be confused with the row numbers kept beside every record. */
function refuseRowColumn(columns: string[], file: string): void {
  const clash = columns.find(
    (c) =>
      c
        .replace(/^\uFEFF/, '')
        .trim()
        .toLowerCase() === '_row',
  );
  if (clash) {
    throw new InputError(
      `The file has a column called "${clash}", a name kept for the row numbers the Observatory adds.`,
      {
        location: { file, column: clash },
        code: 'reference_columns',
        fix: 'Rename or remove that column and import the file again; nothing was imported.',
      },
    );
  }
}

/** Loads a published file — CSV (optionally gzipped) or Parquet, as the 2021 OAC is published — as text columns. */
export async function loadReferenceCsv(engine: Engine, path: string): Promise<LoadedCsv> {
  const file = basename(path);
  checkFile(path, file);
  const table = `ref_load_${process.pid}_${++counter}`;
  try {
    if (isParquet(path)) {
      const cols = await columnsOf(engine, sqlReadParquet(path));
      refuseRowColumn(cols, file);
      await engine.run(`CREATE TEMP TABLE ${ident(table)} AS SELECT row_number() OVER () + 1 AS _row,
        ${cols.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ')} FROM ${sqlReadParquet(path)}`);
    } else {
      const source = readerSql(path, detectEncoding(path));
      refuseRowColumn(await columnsOf(engine, source), file);
      await engine.run(
        `CREATE TEMP TABLE ${ident(table)} AS SELECT row_number() OVER () + 1 AS _row, * FROM ${source}`,
      );
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw csvReadError(e, file);
  }
  const cols = (await columnsOf(engine, ident(table))).filter((c) => c !== '_row');
  const header = cols.map((c) => c.replace(/^\uFEFF/, '').trim());
  // Tidy BOM-prefixed first column names so look-ups by header work.
  for (let i = 0; i < cols.length; i++) {
    if (cols[i] !== header[i])
      await engine.run(`ALTER TABLE ${ident(table)} RENAME COLUMN ${ident(cols[i])} TO ${ident(header[i])}`);
  }
  const n = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${ident(table)}`))!.n;
  if (n === 0) {
    await engine.run(`DROP TABLE ${ident(table)}`);
    throw new InputError('The file has a header row but no records.', { location: { file }, code: 'input_no_records' });
  }
  return { table, header, rows: n, file };
}

/**
 * For big published files (a national postcode directory): reads only the header, so the caller
 * can select just the columns it needs straight from the file (the reader then skips the rest).
 */
export async function describeReferenceCsv(
  engine: Engine,
  path: string,
): Promise<{ header: string[]; source: string; file: string }> {
  const file = basename(path);
  checkFile(path, file);
  const source = readerSql(path, detectEncoding(path));
  try {
    return { header: await columnsOf(engine, source), source, file };
  } catch (e) {
    throw csvReadError(e, file);
  }
}

/** Turns a DuckDB reading error into one naming the file and line. */
export function csvReadError(e: unknown, file: string): InputError {
  const msg = (e as Error).message;
  const line = /line[: ]+(\d+)/i.exec(msg)?.[1];
  return new InputError(`The file could not be read as CSV: ${msg.split('\n')[0]}`, {
    location: { file, row: line ? Number(line) : undefined },
    code: 'input_not_csv',
    fix: 'Check it is the CSV file as published, with one header row and the same number of columns on every line.',
  });
}

export async function dropLoaded(engine: Engine, loaded: LoadedCsv): Promise<void> {
  // After a failed statement the transaction is aborted and its rollback drops the table anyway;
  // never let this clean-up hide the error that caused it.
  try {
    await engine.run(`DROP TABLE IF EXISTS ${ident(loaded.table)}`);
  } catch {
    /* rolled back with the transaction */
  }
}

/**
 * Refuses a file that lists an area more than once, naming the first rows that repeat one
 * (area codes are public reference data, so the message may quote them).
 */
export async function refuseDuplicateCodes(
  engine: Engine,
  table: string,
  codeSql: string,
  file: string,
  column: string,
  what: string,
): Promise<void> {
  const dups = await engine.all<{ code: string; rows: string; n: number }>(
    `SELECT ${codeSql} AS code, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows, count(*)::BIGINT AS n
     FROM ${ident(table)} WHERE ${codeSql} IS NOT NULL AND ${codeSql} <> '' GROUP BY 1 HAVING count(*) > 1 ORDER BY min(_row) LIMIT 5`,
  );
  if (!dups.length) return;
  const total = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM (SELECT 1 FROM ${ident(table)} WHERE ${codeSql} IS NOT NULL AND ${codeSql} <> '' GROUP BY ${codeSql} HAVING count(*) > 1)`,
  ))!.n;
  const first = dups[0];
  throw new InputError(
    `The ${what} file lists ${total === 1 ? 'an area' : `${total} areas`} more than once, e.g. ${first.code} on rows ${first.rows}: each area would be counted twice.`,
    {
      location: { file, row: Number(first.rows.split(',')[0]), column },
      code: 'reference_duplicates',
      fix: `Keep one row per area and import the file again; nothing was imported. Repeated: ${dups.map((d) => `${d.code} (rows ${d.rows})`).join('; ')}${total > dups.length ? ' ...' : ''}.`,
    },
  );
}

/** Finds a column by any of the given names (case-insensitive, ignoring spaces and underscores). */
export function findHeader(header: string[], names: string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[\s_]/g, '');
  for (const n of names) {
    const h = header.find((x) => norm(x) === norm(n));
    if (h) return h;
  }
  return null;
}

/** Looks at the first rows to find columns whose values are GSS area codes (E00…, E01… etc.). */
export async function gssColumns(engine: Engine, loaded: LoadedCsv): Promise<string[]> {
  const sample = await engine.all(`SELECT * EXCLUDE (_row) FROM ${ident(loaded.table)} LIMIT 50`);
  return loaded.header.filter(
    (h) =>
      sample.length > 0 &&
      sample.every((r) => r[h] === null || /^[EWSNKL]\d{8}$/.test(String(r[h]).trim())) &&
      sample.some((r) => r[h] !== null),
  );
}

export function parseMapSpec(specs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs ?? []) {
    const i = s.indexOf('=');
    if (i <= 0 || !s.slice(0, i).trim() || !s.slice(i + 1).trim())
      throw new InputError(`Cannot read --map "${s}": it needs a column name on both sides of "=".`, {
        code: 'parameter_invalid',
        fix: 'Write it as column=field, e.g. --map "Post Code=postcode".',
      });
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/**
 * Loads rows the Observatory has read itself (a boundary file's properties, a postcode
 * directory's columns) as the all-text table the importers read, so that they go through the same
 * checks as a published file. `file` names where they came from in messages; row numbers are the
 * rows' positions (features count from 1, so the first row is row 1).
 */
export async function loadRows(
  engine: Engine,
  file: string,
  header: string[],
  rows: (string | null)[][],
): Promise<LoadedCsv> {
  const table = `ref_load_${process.pid}_${++counter}`;
  await engine.run(
    `CREATE TEMP TABLE ${ident(table)} (_row BIGINT, ${header.map((h) => `${ident(h)} VARCHAR`).join(', ')})`,
  );
  await engine.append(
    table,
    rows.map((r, i) => [i + 1, ...r]),
  );
  return { table, header, rows: rows.length, file };
}

/** Loads the result of a query (over tables already in the workspace) as an all-text table. */
export async function loadQuery(engine: Engine, file: string, sql: string): Promise<LoadedCsv> {
  const table = `ref_load_${process.pid}_${++counter}`;
  await engine.run(`CREATE TEMP TABLE ${ident(table)} AS SELECT row_number() OVER () AS _row, * FROM (${sql})`);
  const header = (await columnsOf(engine, ident(table))).filter((c) => c !== '_row');
  const n = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${ident(table)}`))!.n;
  return { table, header, rows: n, file };
}
