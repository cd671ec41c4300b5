import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  DuckDBInstance,
  DuckDBConnection,
  DuckDBAppender,
  DuckDBResultReader,
  DuckDBValue,
} from '@duckdb/node-api';
import type { Engine, Row, SqlValue } from './engine.ts';
import { ident, literal } from './engine.ts';
import { ObservatoryError } from '../core/index.ts';
import { ChangeCounts, tableKey, tablesWritten } from './changes.ts';

/** Converts a driver value into a plain JSON-safe value. */
function plain(v: DuckDBValue): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  const anyV = v as unknown as { toDouble?: () => number; toString(): string };
  if (typeof anyV.toDouble === 'function') return anyV.toDouble();
  return anyV.toString();
}

/**
 * One connection, shared by everything in the process. A transaction has the connection to itself:
 * work started elsewhere (another web request) waits until it commits or rolls back, while work
 * inside it (recognised through async context) goes ahead. Without this, a second request's
 * statements would run inside the first's transaction on the same connection.
 */
export class DuckDbEngine implements Engine {
  private tx: { id: symbol; done: Promise<void>; wrote: Set<string> } | null = null;
  private readonly counts = new ChangeCounts();
  /** Connections for `read`, opened when first needed, each with how many queries it is running. */
  private readonly readers: { conn: DuckDBConnection; busy: number }[] = [];
  private readonly context = new AsyncLocalStorage<symbol>();
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<DuckDbEngine> {
    // The driver (a native module) is loaded when the first workspace opens, not by whatever imports store/.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    return new DuckDbEngine(instance, conn, path);
  }

  /**
   * A failure to write the workspace file or its journal (a read-only folder, a full disk) is the
   * person's to fix, not a defect: it becomes a plain error. Anything else is passed on as it is.
   */
  private storageError(e: unknown): unknown {
    const msg = String((e as Error)?.message ?? e);
    if (
      this.path &&
      msg.includes(this.path) &&
      /cannot open file|could not write|no space left|not permitted|permission denied|read-only/i.test(msg)
    ) {
      return new ObservatoryError(
        'workspace_unwritable',
        `The workspace ${this.path} cannot be written: its folder is read-only or the disk is full. Nothing was changed.`,
        {
          status: 400,
          cause: e,
          fix: 'Move the workspace to a folder you may write to, or free some disk space, and try again.',
        },
      );
    }
    return e;
  }

  /** Whether another caller's transaction holds the connection (then wait for tx.done and ask again). */
  private blocked(): boolean {
    return this.tx !== null && this.context.getStore() !== this.tx.id;
  }

  /** Counts a write before it runs (and, inside a transaction, again when it ends). */
  private noteWrites(tables: readonly string[]): void {
    if (!tables.length) return;
    this.counts.note(tables);
    if (this.tx) for (const t of tables) this.tx.wrote.add(t);
  }

  changes(tables: readonly string[]): number {
    return this.counts.stamp(tables);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<void> {
    while (this.blocked()) await this.tx!.done;
    this.noteWrites(tablesWritten(sql));
    try {
      await this.conn.run(sql, params.length ? (params as DuckDBValue[]) : undefined);
    } catch (e) {
      throw this.storageError(e);
    }
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    while (this.blocked()) await this.tx!.done;
    this.noteWrites(tablesWritten(sql));
    return rowsOf<T>(await this.conn.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined));
  }

  async read<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (tablesWritten(sql).length) throw new Error(`read() is for queries that only read: ${sql.slice(0, 80)}`);
    // Inside a transaction the query belongs to it (and sees its writes).
    if (this.tx && this.context.getStore() === this.tx.id) return this.all<T>(sql, params);
    let r = this.readers.find((x) => x.busy === 0);
    if (!r && this.readers.length < READERS) {
      r = { conn: await this.instance.connect(), busy: 0 };
      this.readers.push(r);
    }
    r ??= this.readers.reduce((a, b) => (b.busy < a.busy ? b : a));
    r.busy++;
    try {
      return rowsOf<T>(await r.conn.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined));
    } finally {
      r.busy--;
    }
  }

  async one<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx && this.context.getStore() === this.tx.id) return fn(); // re-entrant: already inside
    while (this.blocked()) await this.tx!.done;
    // No await between the check above and taking the connection, so two callers cannot both take it.
    const id = Symbol('transaction');
    let release!: () => void;
    this.tx = {
      id,
      done: new Promise<void>((r) => {
        release = r;
      }),
      wrote: new Set(),
    };
    try {
      return await this.context.run(id, async () => {
        await this.conn.run('BEGIN TRANSACTION');
        try {
          const out = await fn();
          try {
            await this.conn.run('COMMIT');
          } catch (e) {
            throw this.storageError(e);
          }
          return out;
        } catch (e) {
          try {
            await this.conn.run('ROLLBACK');
          } catch {
            /* the transaction may already be aborted */
          }
          throw e;
        }
      });
    } finally {
      // What was read inside the transaction saw its writes; once it commits or rolls back, that
      // reading is out of date either way.
      const wrote = this.tx.wrote;
      this.tx = null;
      this.counts.note([...wrote]);
      release();
    }
  }

  async append(table: string, rows: Iterable<readonly SqlValue[]>, onRow?: (n: number) => void): Promise<number> {
    // Outside a transaction, an append takes one of its own, so it is all-or-nothing and nobody
    // else's statements can slip in between its steps.
    if (!this.tx || this.context.getStore() !== this.tx.id)
      return this.transaction(() => this.append(table, rows, onRow));
    const info = await this.all<{ name: string; type: string }>(
      `SELECT name, type FROM pragma_table_info(${literal(table)})`,
    );
    if (!info.length) throw new Error(`No table ${table}`);
    this.noteWrites([tableKey(table)]);
    const appender: DuckDBAppender = await this.conn.createAppender(table);
    const kinds = info.map((c) => c.type.toUpperCase());
    let n = 0;
    for (const row of rows) {
      for (let i = 0; i < kinds.length; i++) {
        const v = row[i];
        if (v === null || v === undefined) {
          appender.appendNull();
          continue;
        }
        switch (kinds[i]) {
          case 'DOUBLE':
            appender.appendDouble(Number(v));
            break;
          case 'INTEGER':
            appender.appendInteger(Number(v));
            break;
          case 'BIGINT':
            appender.appendBigInt(BigInt(v as number));
            break;
          case 'BOOLEAN':
            appender.appendBoolean(Boolean(v));
            break;
          default:
            appender.appendVarchar(String(v));
        }
      }
      appender.endRow();
      n++;
      if (onRow && n % 50_000 === 0) onRow(n);
    }
    appender.closeSync();
    return n;
  }

  close(): void {
    for (const r of this.readers) r.conn.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** How many connections `read` may use besides the main one. */
const READERS = 2;

/** A driver result as plain rows. */
function rowsOf<T extends Row>(reader: DuckDBResultReader): T[] {
  const names = reader.columnNames();
  const rows = reader.getRows();
  return rows.map((r) => {
    const o: Row = {};
    for (let i = 0; i < names.length; i++) o[names[i]] = plain(r[i]);
    return o as T;
  });
}

export { ident };
