import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkspaceStateError, InputError } from '../core/index.ts';
import { DuckDbEngine } from './duckdb.ts';
import type { Engine } from './engine.ts';
import { ident, literal } from './engine.ts';
import { MIGRATIONS } from './migrations.ts';

export interface Workspace {
  path: string;
  engine: Engine;
  close(): void;
}

const SCHEMA_TABLE = 'schema_migration';

async function migrate(engine: Engine): Promise<number> {
  await engine.run(
    `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version INTEGER PRIMARY KEY, name VARCHAR, applied_at VARCHAR)`,
  );
  const done = new Set(
    (await engine.all<{ version: number }>(`SELECT version FROM ${SCHEMA_TABLE}`)).map((r) => r.version),
  );
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await engine.transaction(async () => {
      for (const stmt of m.sql) await engine.run(stmt);
      if (m.run) await m.run(engine);
      await engine.run(`INSERT INTO ${SCHEMA_TABLE} VALUES ($1, $2, $3)`, [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    });
    applied++;
  }
  return applied;
}

/** Creates a new workspace file. Refuses to overwrite an existing one. */
export async function createWorkspace(path: string): Promise<Workspace> {
  const full = resolve(path);
  if (existsSync(full)) {
    throw new WorkspaceStateError(
      `A file already exists at ${full}.`,
      'Choose a new path for the workspace, or open the existing one.',
    );
  }
  let engine: DuckDbEngine;
  try {
    mkdirSync(dirname(full), { recursive: true });
    engine = await DuckDbEngine.open(full);
  } catch (e) {
    throw unwritable(full, e);
  }
  await migrate(engine);
  // No pseudonymisation key in here: it is kept outside the workspace (a key file or an environment
  // variable), so a copy of this file cannot be used to recompute pseudonyms from a list of names.
  await engine.run(`INSERT INTO meta VALUES ('created_at', $1)`, [new Date().toISOString()]);
  return { path: full, engine, close: () => engine.close() };
}

/** The error for a workspace that cannot be created or written where it was asked for. */
function unwritable(full: string, e: unknown): InputError {
  const reason =
    (e as NodeJS.ErrnoException).code === 'EEXIST' || (e as NodeJS.ErrnoException).code === 'ENOTDIR'
      ? 'part of the path is a file, not a folder'
      : /permission|not permitted|EACCES|EPERM|read-only|EROFS/i.test(String((e as Error).message))
        ? 'the folder cannot be written to'
        : 'the folder cannot be written to or the disk is full';
  return new InputError(`A workspace cannot be made at ${full}: ${reason}.`, {
    code: 'workspace_unwritable',
    fix: 'Choose a folder you may write to (e.g. in your home folder), or ask for write access to this one.',
  });
}

/** The error for a file that is there but cannot be read as a workspace (another kind of file, or one cut short). */
function unreadable(full: string, e: unknown): InputError {
  return new InputError(`${full} could not be opened as a workspace: ${(e as Error).message}`, {
    code: 'workspace_unreadable',
    fix: 'Check the path points to a workspace made by civic init, and that no other program has it open.',
  });
}

/** Opens an existing workspace and brings its schema up to date. */
export async function openWorkspace(path: string): Promise<Workspace> {
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isFile()) {
    throw new InputError(`There is no workspace at ${full}.`, {
      code: 'workspace_missing',
      fix: `Create one first with: civic init ${path}`,
    });
  }
  let engine: DuckDbEngine;
  try {
    engine = await DuckDbEngine.open(full);
  } catch (e) {
    const held = heldElsewhere(full, e);
    if (held) throw held;
    throw unreadable(full, e);
  }
  let isWorkspace: unknown;
  try {
    // A file cut short can open and fail only when its catalogue is first read.
    isWorkspace = await engine.one(
      `SELECT 1 AS ok FROM information_schema.tables WHERE table_name = '${SCHEMA_TABLE}'`,
    );
  } catch (e) {
    engine.close();
    throw unreadable(full, e);
  }
  if (!isWorkspace) {
    engine.close();
    throw new InputError(`${full} is not an Observatory workspace.`, {
      code: 'workspace_unreadable',
      fix: `Create one with: civic init NEW_PATH`,
    });
  }
  try {
    await migrate(engine);
  } catch (e) {
    // Reading a file cut short fails as it reaches the missing part: the file, not a defect.
    if (!/IO Error|could not read|corrupt|checksum/i.test(String((e as Error)?.message))) throw e;
    engine.close();
    throw unreadable(full, e);
  }
  return { path: full, engine, close: () => engine.close() };
}

/** The file beside a workspace saying which process holds it open for a long time (the portal). */
export function lockFileFor(path: string): string {
  return `${resolve(path)}.lock`;
}

export interface WorkspaceHolder {
  pid: number;
  /** What holds it, in words: "the portal (civic serve)". */
  holder: string;
  since: string;
  /** Where it can be reached, when it is a server. */
  address?: string;
}

/**
 * Records that this process holds the workspace open (the portal does, for as long as it runs), in
 * WORKSPACE.lock beside it, so that a command refused by the database's own lock can say who has it
 * and what to do. The file goes when the process ends (or when `release` is called).
 */
export function holdWorkspace(ws: Workspace, holder: string, address?: string): () => void {
  const file = lockFileFor(ws.path);
  const record: WorkspaceHolder = { pid: process.pid, holder, since: new Date().toISOString(), address };
  try {
    writeFileSync(file, `${JSON.stringify(record)}\n`);
  } catch {
    return () => {}; // a read-only folder: the plain message still applies
  }
  let done = false;
  const release = () => {
    if (done) return;
    done = true;
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as WorkspaceHolder;
      if (now.pid === process.pid) unlinkSync(file);
    } catch {
      // already gone
    }
    process.removeListener('exit', release);
  };
  process.on('exit', release);
  return release;
}

/** Who holds the workspace, from its lock file, if that process is still running. */
export function workspaceHolder(path: string): WorkspaceHolder | null {
  try {
    const h = JSON.parse(readFileSync(lockFileFor(path), 'utf8')) as WorkspaceHolder;
    if (!Number.isInteger(h.pid) || h.pid <= 0) return null;
    process.kill(h.pid, 0); // throws when no such process
    return h;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else, so it still holds the file.
    if ((e as NodeJS.ErrnoException).code === 'EPERM') {
      try {
        return JSON.parse(readFileSync(lockFileFor(path), 'utf8')) as WorkspaceHolder;
      } catch {
        return null;
      }
    }
    return null;
  }
}

/** When the database refused to open because another process has it, an error saying who and what to do. */
function heldElsewhere(full: string, e: unknown): InputError | null {
  const message = String((e as Error)?.message ?? e);
  if (!/lock/i.test(message)) return null;
  const holder = workspaceHolder(full);
  const pid = holder?.pid ?? Number(/PID (\d+)/.exec(message)?.[1] ?? Number.NaN);
  if (holder)
    return new InputError(
      `${full} is open in another process: ${holder.holder}, PID ${holder.pid}, since ${holder.since.slice(0, 16).replace('T', ' ')} UTC${holder.address ? `, at ${holder.address}` : ''}. A workspace can be open in only one process at a time.`,
      {
        code: 'workspace_in_use',
        fix: `Do this in the portal${holder.address ? ` (${holder.address})` : ''}, or stop the portal first (Ctrl+C where it runs, or kill ${holder.pid}) and run the command again.`,
      },
    );
  return new InputError(
    `${full} is open in another process${Number.isFinite(pid) ? ` (PID ${pid})` : ''}. A workspace can be open in only one process at a time.`,
    {
      code: 'workspace_in_use',
      fix: `Wait for the other command to finish, or stop the process that has it open (if it is the portal, civic serve, stop it with Ctrl+C${Number.isFinite(pid) ? ` or kill ${pid}` : ''}, or use the portal instead).`,
    },
  );
}

export async function withWorkspace<T>(path: string, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const ws = await openWorkspace(path);
  try {
    return await fn(ws);
  } finally {
    ws.close();
  }
}

export async function getMeta(engine: Engine, key: string): Promise<string | undefined> {
  const r = await engine.one<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
  return r?.value ?? undefined;
}

export async function setMeta(engine: Engine, key: string, value: string): Promise<void> {
  await engine.run(`INSERT OR REPLACE INTO meta VALUES ($1, $2)`, [key, value]);
}

/** Where workspaces made before the key moved out kept their pseudonymisation key. */
export const LEGACY_KEY_META = 'pseudonym_key';

/**
 * Rewrites a closed workspace file into a fresh one, so that nothing deleted from it (a key that
 * used to be kept inside) survives in its free blocks. The old file is replaced only once the
 * copy is complete; a failure leaves it as it was.
 */
export async function compactWorkspace(path: string): Promise<void> {
  const full = resolve(path);
  const fresh = `${full}.compact-${randomBytes(6).toString('hex')}`;
  const engine = await DuckDbEngine.open(full);
  try {
    const db = (await engine.one<{ name: string }>(`SELECT current_database() AS name`))!.name;
    await engine.run(`ATTACH ${literal(fresh)} AS civic_fresh`);
    await engine.run(`COPY FROM DATABASE ${ident(db)} TO civic_fresh`);
    await engine.run(`DETACH civic_fresh`);
  } catch (e) {
    engine.close();
    for (const f of [fresh, fresh + '.wal']) rmSync(f, { force: true });
    throw e;
  }
  engine.close();
  renameSync(fresh, full);
  for (const f of [full + '.wal', fresh + '.wal']) rmSync(f, { force: true });
}
