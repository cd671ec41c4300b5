/**
 * What the engine has changed, table by table, so that a reader can keep what it read until the
 * tables it came from change — safe by construction, because every write to a workspace goes
 * through its one engine (DuckDB lets one process hold the file for writing), and a statement the
 * engine cannot read for certain counts as a change to everything (decision 10, third amendment).
 */
import type { Engine } from './engine.ts';

/** Every table, for a statement whose effect cannot be read from its text. */
export const ANY_TABLE = '*';

/** Words that make a statement a write wherever they appear, when it does not start as one. */
const WRITE_WORD = /\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY|TRUNCATE|ATTACH|DETACH|IMPORT|MERGE|CALL)\b/i;
/** Statements that read, or change nothing a query can see. */
const READ_START = /^(SELECT|WITH|FROM|VALUES|DESCRIBE|SHOW|EXPLAIN|SUMMARIZE|TABLE)\b/i;
const NO_DATA_START =
  /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|CHECKPOINT|FORCE\s+CHECKPOINT|VACUUM|ANALYZE|SET|RESET)\b/i;
/** A table name, quoted or not, perhaps with its schema (main."x", "main".x). */
const NAME = String.raw`((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))*)`;
const WRITES: readonly RegExp[] = [
  new RegExp(String.raw`^INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO\s+${NAME}`, 'i'),
  new RegExp(String.raw`^UPDATE\s+${NAME}`, 'i'),
  new RegExp(String.raw`^DELETE\s+FROM\s+${NAME}`, 'i'),
  new RegExp(
    String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY)\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`,
    'i',
  ),
  new RegExp(
    String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"(?:[^"]|"")+"|\w+)\s+ON\s+${NAME}`,
    'i',
  ),
  new RegExp(String.raw`^DROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^ALTER\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?${NAME}`, 'i'),
  new RegExp(String.raw`^COPY\s+${NAME}\s+FROM\b`, 'i'),
];

/** A table's name as the change counts know it: unquoted, without its schema, in lower case. */
export function tableKey(name: string): string {
  const parts = name.match(/"(?:[^"]|"")+"|[^.\s"]+/g) ?? [name];
  const last = parts[parts.length - 1];
  return (last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last).toLowerCase();
}

/** One statement (no `;` inside): the tables it may change, [] for none, or ANY_TABLE. */
function oneStatement(text: string): readonly string[] {
  const s = text.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()+/, '');
  if (!s) return [];
  if (READ_START.test(s)) return WRITE_WORD.test(s) ? [ANY_TABLE] : [];
  // COPY (a query) TO a file, or COPY a table TO a file, reads.
  const copyOut = /^COPY\s*(\([\s\S]*\)|[^\s(]+)\s+TO\s/i.exec(s);
  if (copyOut) return WRITE_WORD.test(copyOut[1]) ? [ANY_TABLE] : [];
  if (NO_DATA_START.test(s)) return [];
  for (const re of WRITES) {
    const m = re.exec(s);
    if (m) return [tableKey(m[1])];
  }
  return [ANY_TABLE];
}

/**
 * The tables a statement (or several, separated by `;`) may change: [] when it only reads, the
 * names (lower case, unquoted) when it is a write of a kind recognised here, and ANY_TABLE for
 * anything else — a statement not understood is taken to change everything.
 */
export function tablesWritten(sql: string): readonly string[] {
  // Splitting on every `;` (even one inside a literal) gives each real statement's start as the
  // start of a part, and perhaps some extra parts, which can only add tables.
  const out = new Set<string>();
  for (const part of sql.split(';')) for (const t of oneStatement(part)) out.add(t);
  return out.has(ANY_TABLE) ? [ANY_TABLE] : [...out];
}

/** Counts of the writes each table has had, and of writes to no table in particular. */
export class ChangeCounts {
  private readonly counts = new Map<string, number>();
  private any = 0;

  /** Records a write to these tables (ANY_TABLE for all of them). */
  note(tables: readonly string[]): void {
    for (const t of tables) {
      if (t === ANY_TABLE) this.any++;
      else this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
    }
  }

  /** A number that changes whenever any of these tables may have changed. */
  stamp(tables: readonly string[]): number {
    let n = this.any;
    for (const t of tables) n += this.counts.get(tableKey(t)) ?? 0;
    return n;
  }
}

const kept = new WeakMap<Engine, Map<string, { stamp: number; value: Promise<unknown> }>>();

/**
 * What `compute` reads from `tables`, kept for this engine until one of those tables changes. The
 * value is shared: callers must not change it (hand out copies where they might). `key` names the
 * reading; reads of the same key must come from the same tables.
 */
export function whileUnchanged<T>(
  engine: Engine,
  key: string,
  tables: readonly string[],
  compute: () => Promise<T>,
): Promise<T> {
  let entries = kept.get(engine);
  if (!entries) kept.set(engine, (entries = new Map()));
  // The stamp is taken before reading, so a write made while reading makes the next caller read again.
  const stamp = engine.changes(tables);
  const hit = entries.get(key);
  if (hit && hit.stamp === stamp) return hit.value as Promise<T>;
  const value = compute();
  entries.set(key, { stamp, value });
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}
