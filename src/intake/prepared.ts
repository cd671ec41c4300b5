/**
 * A table read somewhere else (the portal reads uploads in a worker with bounded memory) handed
 * to the import as a plain CSV file: every row with its number and any problem with its shape, so
 * DuckDB loads it straight into the staging table and the rows never pass through this thread.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { type Engine, ident, sqlReadCsv } from '../store/index.ts';
import type { SourceTable } from './table.ts';
import type { StagedCsv } from './readers.ts';

/** What the reader found, with where its rows were written. */
export interface PreparedTable {
  path: string;
  file: string;
  format: SourceTable['format'];
  encoding: string | null;
  sheet: string | null;
  header: string[];
  rows: number;
}

const quote = (v: string | null | undefined) =>
  v === null || v === undefined || v === '' ? '' : `"${v.replace(/"/g, '""')}"`;

/** Writes a read table to `path` (columns _row, _problem, _problem_column, c0, c1, ...). */
export async function writePreparedTable(table: SourceTable, path: string): Promise<PreparedTable> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  const cols = table.header.map((_, i) => `c${i}`);
  let buf = ['_row', '_problem', '_problem_column', ...cols].join(',') + '\n';
  for (const r of table.rows) {
    buf += `${r.rowNo},${quote(r.problem?.reason)},${quote(r.problem?.column)}`;
    for (let i = 0; i < cols.length; i++) buf += ',' + quote(r.values[i]);
    buf += '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return {
    path,
    file: table.file,
    format: table.format,
    encoding: table.encoding ?? null,
    sheet: table.sheet ?? null,
    header: table.header,
    rows: table.rows.length,
  };
}

/** Loads a prepared table into a temporary table, in the shape the fast CSV path gives. */
export async function stagePrepared(engine: Engine, p: PreparedTable): Promise<StagedCsv> {
  const table = `prepared_stage_${process.pid}_${Date.now()}`;
  const columns = p.header.map((_, i) => `c${i}`);
  const source = sqlReadCsv(p.path, {
    delimiter: ',',
    quote: '"',
    columns: ['_row', '_problem', '_problem_column', ...columns],
  });
  await engine.run(
    `CREATE TEMP TABLE ${ident(table)} AS SELECT CAST(_row AS BIGINT) AS _row, _problem, _problem_column, ${columns.map(ident).join(', ')} FROM ${source}`,
  );
  const rows = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${ident(table)}`))!.n;
  if (rows !== p.rows) {
    await engine.run(`DROP TABLE ${ident(table)}`);
    throw new Error(`Row accounting failed reading ${p.file}: ${p.rows} rows were read but ${rows} were loaded`);
  }
  return {
    table,
    file: p.file,
    header: p.header,
    columns,
    rows,
    encoding: p.encoding ?? undefined,
    delimiter: ',',
    format: p.format,
    problems: true,
  };
}
