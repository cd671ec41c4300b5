import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  DuckDBInstance,
  DuckDBConnection,
  DuckDBAppender,
  DuckDBMaterializedResult,
  DuckDBPreparedStatement,
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

/** The storage format new workspace files are written in (decision 39). */
export const STORAGE_VERSION = 'v1.3.0';

/** How many different statements each connection keeps prepared (the least recently used go first). */
const PREPARED_KEPT = 200;

/**
 * A driver connection that asks as little of the event loop as it can. The driver's own
 * `runAndReadAll` with parameters takes five trips to its thread pool (split the text, prepare,
 * execute, and a fetch per chunk and one more); under load each trip waits its turn on the event
 * loop, so a 2 ms look-up took 130 ms. Here a statement with parameters is prepared once and kept
 * (one trip to execute it), and a result is read from its chunks in memory, not fetched.
 */
class Connection {
  /** Prepared statements not in use, by SQL text; a statement in use is not shared. */
  private readonly idle = new Map<string, DuckDBPreparedStatement[]>();
  busy = 0;
  constructor(readonly conn: DuckDBConnection) {}

  async query(sql: string, params: readonly SqlValue[]): Promise<DuckDBMaterializedResult> {
    if (!params.length) return this.conn.run(sql);
    // Several statements in one text (only the last may take parameters): the driver's way.
    if (sql.includes(';') && sql.replace(/;\s*$/, '').includes(';')) return this.conn.run(sql, params as DuckDBValue[]);
    const kept = this.idle.get(sql);
    const prepared = kept?.pop() ?? (await this.conn.prepare(sql));
    if (kept && !kept.length) this.idle.delete(sql);
    let reusable = true;
    try {
      prepared.bind(params as DuckDBValue[]);
      return await prepared.run();
    } catch (e) {
      reusable = false;
      throw e;
    } finally {
      if (reusable) this.keep(sql, prepared);
      else prepared.destroySync();
    }
  }

  private keep(sql: string, prepared: DuckDBPreparedStatement): void {
    prepared.clearBindings();
    const list = this.idle.get(sql) ?? [];
    this.idle.delete(sql); // re-inserted last: the map's order is the order of use
    list.push(prepared);
    this.idle.set(sql, list);
    if (this.idle.size > PREPARED_KEPT) {
      const [oldest, stale] = this.idle.entries().next().value as [string, DuckDBPreparedStatement[]];
      this.idle.delete(oldest);
      for (const p of stale) p.destroySync();
    }
  }

  async rows<T extends Row>(sql: string, params: readonly SqlValue[]): Promise<T[]> {
    return rowsOf<T>(await this.query(sql, params));
  }

  close(): void {
    for (const list of this.idle.values()) for (const p of list) p.destroySync();
    this.idle.clear();
    this.conn.closeSync();
  }
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
  private readonly readers: Connection[] = [];
  private readonly context = new AsyncLocalStorage<symbol>();
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly main: Connection,
    private readonly path: string,
  ) {}

  /** The driver connection, for what only it can do (an appender). */
  private get conn(): DuckDBConnection {
    return this.main.conn;
  }

  static async open(path: string): Promise<DuckDbEngine> {
    // The driver (a native module) is loaded when the first workspace opens, not by whatever imports store/.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    // A new workspace file is written in the storage format of DuckDB 1.3 and later, whose combined
    // dictionary and FSST compression of text writes a 5,000,000-row dataset's table in about 27%
    // less time (and 6% less space) than DuckDB's default, the format of 0.10 kept for old readers.
    // An existing file keeps the format it was made in (decision 39).
    const instance = await DuckDBInstance.create(path, { storage_compatibility_version: STORAGE_VERSION });
    const conn = await instance.connect();
    return new DuckDbEngine(instance, new Connection(conn), path);
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
      await this.main.query(sql, params);
    } catch (e) {
      throw this.storageError(e);
    }
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    while (this.blocked()) await this.tx!.done;
    this.noteWrites(tablesWritten(sql));
    return this.main.rows<T>(sql, params);
  }

  async read<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (tablesWritten(sql).length) throw new Error(`read() is for queries that only read: ${sql.slice(0, 80)}`);
    // Inside a transaction the query belongs to it (and sees its writes).
    if (this.tx && this.context.getStore() === this.tx.id) return this.all<T>(sql, params);
    let r = this.readers.find((x) => x.busy === 0);
    if (!r && this.readers.length < READERS) {
      r = new Connection(await this.instance.connect());
      this.readers.push(r);
    }
    r ??= this.readers.reduce((a, b) => (b.busy < a.busy ? b : a));
    r.busy++;
    try {
      return await r.rows<T>(sql, params);
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
    for (const r of this.readers) r.close();
    this.main.close();
    this.instance.closeSync();
  }
}

/** How many connections `read` may use besides the main one. */
const READERS = 2;

/** A materialised driver result as plain rows, read from its chunks in memory. */
function rowsOf<T extends Row>(result: DuckDBMaterializedResult): T[] {
  const names = result.columnNames();
  const out: T[] = [];
  for (let c = 0, n = result.chunkCount; c < n; c++)
    for (const r of result.getChunk(c).getRows()) {
      const o: Row = {};
      for (let i = 0; i < names.length; i++) o[names[i]] = plain(r[i]);
      out.push(o as T);
    }
  return out;
}

export { ident };
