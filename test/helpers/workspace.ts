import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace, type Workspace, type Engine } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { loadPseudonymKey } from '../../src/intake/index.ts';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

export function tempDir(prefix = 'civic-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A workspace with the small fixture directory, base and classification loaded. */
export async function smallWorkspace(dir: string, name = 'small.civic'): Promise<Workspace> {
  const ws = await createWorkspace(join(dir, name));
  await importReference(ws.engine, {
    postcodes: FIXTURES + 'postcodes-small.csv',
    base: [FIXTURES + 'base-small.csv'],
    classification: [FIXTURES + 'classification-small.csv'],
    classificationName: 'small',
  });
  return ws;
}

/** Every table and its row count: two snapshots equal means nothing changed. */
export async function snapshot(engine: Engine): Promise<Record<string, number>> {
  const tables = await engine.all<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const t of tables)
    out[t.name] = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM "${t.name}"`))!.n;
  return out;
}

/** Real-data folder: tests skip without it, but never under CI. */
export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;

/** A fixed pseudonymisation key for tests (a council's key lives in a file outside the workspace). */
export const TEST_KEY = loadPseudonymKey({ env: { CIVIC_PSEUDONYM_KEY: 'ab'.repeat(32) } }).key!;
