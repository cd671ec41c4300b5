/**
 * The Engine: the only way the Observatory talks to its analytic database. Analyses ask for
 * plain rows (numbers, strings, booleans, null) and never see driver types, so another engine can
 * be added behind the same interface later.
 */
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, SqlValue>;

export interface Engine {
  /** Runs a statement with bound parameters ($1, $2 … or ?). */
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Runs a query and returns plain rows (bigints and decimals become numbers). */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** First row or undefined. */
  one<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /**
   * A query that only reads the workspace's own tables (no temporary table, no write: refused),
   * run on a connection of its own so that it waits neither for other statements nor for a
   * transaction. It sees what was committed when it started; inside a transaction it runs in it.
   */
  read<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs fn inside a transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Bulk-loads rows into an existing table, columns in table order. */
  append(table: string, rows: Iterable<readonly SqlValue[]>, onRow?: (n: number) => void): Promise<number>;
  /**
   * A number that changes whenever a write through this engine may have changed any of these
   * tables (store/changes.ts): what readers use to keep what they read until it changes.
   */
  changes(tables: readonly string[]): number;
  close(): void;
}

/** Quotes an identifier (table or column name) for SQL. The one place identifiers are quoted. */
export function ident(name: string): string {
  if (name.includes('\u0000')) throw new Error('Identifier contains a NUL character');
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A string literal for the few places DuckDB does not accept a bound parameter (e.g. file paths in table functions). */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new Error('Literal contains a NUL character');
  return "'" + value.replace(/'/g, "''") + "'";
}
