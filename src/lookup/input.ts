/** Postcodes from a CSV or text file, as the API and `civic postcodes enrich` read them. */
import Papa from 'papaparse';
import { ParameterError } from '../core/index.ts';

const header = (cell: string) =>
  cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** The column names taken to hold postcodes (compared without case, spaces, - or _). */
export const POSTCODE_HEADERS = ['postcode', 'postcodes', 'pcd', 'pcds'];

/**
 * Postcodes from a CSV or text file: a column named postcode (or `column`, when given), or one
 * postcode per line. Blank lines are skipped; a blank cell in the postcode column is kept (it is
 * answered "not a postcode"), so answers line up with the file's rows.
 */
export function postcodesFromText(text: string, column?: string): string[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  if (!rows.length) return [];
  const wanted = column ? [header(column)] : POSTCODE_HEADERS;
  const col = rows[0].findIndex((c) => wanted.includes(header(c)));
  if (col >= 0) return rows.slice(1).map((r) => (r[col] ?? '').trim());
  if (column)
    throw new ParameterError(
      `The file has no column called "${column}".`,
      `Its columns: ${rows[0].map((c) => c.trim()).join(', ')}.`,
    );
  if (rows.every((r) => r.filter((c) => c.trim() !== '').length <= 1))
    return rows.map((r) => r.find((c) => c.trim() !== '')?.trim() ?? '');
  throw new ParameterError(
    'The file has several columns and none is called postcode, so the postcodes cannot be found.',
    'Name the column "postcode", or send one postcode per line.',
  );
}
