import type { ReadLimits } from './limits.ts';

/** The shape every reader produces: a header and rows of text, each row with its number in the source. */
export interface SourceRow {
  /** Spreadsheet-style row number (CSV/XLSX: header is row 1), or the record number (JSON, Parquet). */
  rowNo: number;
  values: (string | null)[];
  /** A problem with the row's shape, e.g. more values than the header has columns. */
  problem?: { column?: string; reason: string };
}

export interface SourceTable {
  file: string;
  format: 'csv' | 'xlsx' | 'json' | 'parquet';
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  header: string[];
  rows: SourceRow[];
}

export interface ReadOptions {
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  /** 1-based spreadsheet row holding the column names (XLSX/CSV), when not the first non-empty row. */
  headerRow?: number;
  /** Rows, cells and unpacked bytes allowed (defaults, then the environment: see limits.ts). */
  limits?: Partial<ReadLimits>;
}

/** Makes header names usable: trims them, drops control characters, names blanks, and makes duplicates distinct. */
export function cleanHeader(raw: (string | null | undefined)[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((h, i) => {
    // Control characters (a NUL from a broken export, a stray tab or line break) are invisible in
    // a column name and cannot be part of one in the workspace.
    // eslint-disable-next-line no-control-regex
    let name = (h ?? '')
      .replace(/^\uFEFF/, '')
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .trim();
    if (!name) name = `column_${i + 1}`;
    const key = name.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n > 1 ? `${name}_${n}` : name;
  });
}
