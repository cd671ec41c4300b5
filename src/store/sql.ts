/**
 * Small SQL helpers that hide DuckDB-specific functions, so analyses stay portable: an analysis
 * says what it wants (any one value of a group, the first row of each key, a CSV file read as
 * text, a file's columns, a bound list of text) and these write it in DuckDB's words. A second
 * engine gives each its own words here; nothing outside src/store uses DuckDB's (a test checks).
 */
import { type Engine, literal } from './engine.ts';

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

/**
 * Any one value of an expression in a group (an aggregate): for a value the group shares (an
 * area's name, grouped by its code), or where any of them will do.
 */
export function sqlAnyValue(expr: string): string {
  return `any_value(${expr})`;
}

/**
 * The n smallest values of an expression among a group's rows that meet a condition, as one text
 * "a,b,c" (an aggregate; NULL when none do): e.g. the first few rows of a file with a problem.
 */
export function sqlSmallestList(expr: string, n: number, where: string): string {
  return `array_to_string(min(${expr}, ${Math.trunc(n)}) FILTER (WHERE ${where}), ',')`;
}

/**
 * The first row of each key by an ordering, as a subquery to select from (give it an alias):
 * e.g. the latest version of each portrait, or the live row of a postcode listed twice. `where`
 * picks the rows before they are ranked. Its rows carry one more column, `first_per_key` (1).
 */
export function sqlFirstPerKey(o: { from: string; where?: string; key: string; order: string }): string {
  return `(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY ${o.key} ORDER BY ${o.order}) AS first_per_key FROM ${o.from}${o.where ? ` WHERE ${o.where}` : ''}) ranked WHERE first_per_key = 1)`;
}

/** How to read a CSV file with `sqlReadCsv`. Every column is read as text, named as the file's header row names it. */
export interface CsvReadOptions {
  /** The file's text encoding when it is not UTF-8 (e.g. 'latin-1'). */
  encoding?: string;
  /** The delimiter; sniffed from the file when not given. */
  delimiter?: string;
  /** Values are quoted with this character, and a quote inside one is doubled; sniffed when not given. */
  quote?: string;
  /**
   * The columns, as the header names them, for a file whose shape is known (one the Observatory
   * wrote): nothing is sniffed. Otherwise the reader looks at the file to find its shape.
   */
  columns?: readonly string[];
  /** The table starts on the first line: no line is skipped (the sniffer would otherwise skip a title line). */
  fromFirstLine?: boolean;
  /** A row the reader cannot parse cleanly (more values than the header, a quote never closed) is an error (true), or read as well as it can (false). */
  strict?: boolean;
  /** A row with fewer values than the header is padded with NULLs (true), or is an error (false). */
  padShortRows?: boolean;
}

/** A table function reading a CSV file with a header row, every column as text. */
export function sqlReadCsv(path: string, o: CsvReadOptions = {}): string {
  const args = [literal(path)];
  if (!o.columns) args.push('all_varchar = true');
  args.push('header = true');
  if (o.fromFirstLine) args.push('skip = 0');
  if (o.delimiter !== undefined) args.push(`delim = ${literal(o.delimiter)}`);
  if (o.quote !== undefined) args.push(`quote = ${literal(o.quote)}`, `escape = ${literal(o.quote)}`);
  args.push(`auto_detect = ${o.columns ? 'false' : 'true'}`);
  if (o.strict !== undefined) args.push(`strict_mode = ${o.strict}`);
  if (o.padShortRows !== undefined) args.push(`null_padding = ${o.padShortRows}`);
  if (o.encoding !== undefined) args.push(`encoding = ${literal(o.encoding)}`);
  if (o.columns) args.push(`columns = {${o.columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`);
  return `read_csv(${args.join(', ')})`;
}

/** The query naming the columns of a source (a table, or a table function such as `sqlReadCsv`), in order, as `column_name`. */
export function sqlColumnsOf(source: string): string {
  return `SELECT column_name FROM (DESCRIBE SELECT * FROM ${source})`;
}

/** The names of a source's columns (a table, or a table function such as `sqlReadCsv`), in order, without reading its rows. */
export async function columnsOf(engine: Engine, source: string): Promise<string[]> {
  return (await engine.all<{ column_name: string }>(sqlColumnsOf(source))).map((c) => c.column_name);
}

/**
 * The rows of a list of text bound as one parameter (`param`, e.g. '$1', bound to `textList(values)`),
 * as a set-returning expression: `WITH k AS (SELECT ${sqlTextList('$1')} AS key) ...`.
 */
export function sqlTextList(param: string): string {
  return `unnest(from_json(${param}, '["VARCHAR"]'))`;
}

/** The value to bind for `sqlTextList`. */
export function textList(values: readonly string[]): string {
  return JSON.stringify(values);
}

/**
 * The Dice coefficient of two Bloom-filter encodings (intake's bloomEncode: a 4-character prefix
 * and the filter in base64): 2 × shared bits ÷ (bits of one + bits of the other); NULL when
 * either is NULL.
 */
export function sqlBloomDice(a: string, b: string): string {
  const bits = sqlBloomBits;
  return `(CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN NULL ELSE 2.0 * bit_count(${bits(a)} & ${bits(b)}) / nullif(bit_count(${bits(a)}) + bit_count(${bits(b)}), 0) END)`;
}

/** A Bloom-filter encoding's filter as bits, to decode once per record rather than once per pair. */
export function sqlBloomBits(x: string): string {
  return `CAST(from_base64(substr(${x}, 5)) AS BIT)`;
}

/** The Dice coefficient of two filters already decoded by sqlBloomBits (NULL when either is NULL). */
export function sqlBitsDice(a: string, b: string): string {
  return `(2.0 * bit_count(${a} & ${b}) / nullif(bit_count(${a}) + bit_count(${b}), 0))`;
}

/**
 * String and date comparisons for record linkage (src/linkage), in DuckDB's words. Each takes two
 * SQL expressions and gives a SQL expression; NULL in gives NULL out.
 */
export const sqlCompare = {
  /** Jaro–Winkler similarity, 0 (nothing alike) to 1 (the same). */
  jaroWinkler: (a: string, b: string) => `jaro_winkler_similarity(${a}, ${b})`,
  /** Edits (insert, delete, substitute, swap two neighbours) from one to the other. */
  damerauLevenshtein: (a: string, b: string) => `damerau_levenshtein(${a}, ${b})`,
  /** Edits (insert, delete, substitute) from one to the other. */
  editDistance: (a: string, b: string) => `levenshtein(${a}, ${b})`,
  /** Jaccard similarity of the two strings' character sets, 0 to 1. */
  characterJaccard: (a: string, b: string) => `jaccard(${a}, ${b})`,
  /** Text read as a date in a strptime format ('%Y-%m-%d'), NULL when it is not one. */
  date: (text: string, format: string) => `try_strptime(${text}, ${literal(format)})::DATE`,
  /** Text read as a timestamp in the first of several strptime formats that fits, NULL when none does. */
  timestamp: (text: string, formats: readonly string[]) =>
    `try_strptime(${text}, [${formats.map((f) => literal(f)).join(', ')}])`,
  /** Whole days between two dates, ignoring which comes first. */
  daysApart: (a: string, b: string) => `abs(date_diff('day', ${a}, ${b}))`,
  /** The part of a text before (n = 1) or after (n = 2) the first separator. */
  part: (text: string, separator: string, n: number) => `split_part(${text}, ${literal(separator)}, ${Math.trunc(n)})`,
  /** A fixed pseudo-random 64-bit number from an expression and a seed: the same for the same seed. */
  seededHash: (expr: string, seed: number) => `hash(${expr}, ${Math.trunc(seed)}::BIGINT)`,
  /** Base-2 logarithm. */
  log2: (x: string) => `log2(${x})`,
} as const;
