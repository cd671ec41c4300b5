/**
 * Small SQL helpers that hide DuckDB-specific functions, so analyses stay portable.
 */
import { literal } from './engine.ts';

/** The directory form of a compact key: "M154AB" → "M15 4AB". */
export function sqlFormatPostcode(keyExpr: string): string {
  return `(left(${keyExpr}, length(${keyExpr}) - 3) || ' ' || right(${keyExpr}, 3))`;
}

/** A table function reading a Parquet file. */
export function sqlReadParquet(path: string): string {
  return `read_parquet(${literal(path)})`;
}

/** Cast text to a double, giving NULL (not an error) for anything that is not a number; thousands separators allowed. */
export function sqlTryNumber(expr: string): string {
  return `TRY_CAST(replace(trim(${expr}), ',', '') AS DOUBLE)`;
}
