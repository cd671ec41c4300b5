/**
 * Migration 12 (link_review) reaches a workspace made before it, whatever other versions it has:
 * versions are applied by number, each once, so one made on another branch (11) may come before
 * or after it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-link-review-migration-');
after(() => tmp.cleanup());

test('a workspace without version 12 gets link_review when it is opened, and keeps its other versions', async () => {
  const path = join(tmp.dir, 'old.civic');
  const ws = await createWorkspace(path);
  const before = (
    await ws.engine.all<{ version: number }>(`SELECT version FROM schema_migration ORDER BY version`)
  ).map((r) => r.version);
  assert.ok(before.includes(12));
  // As a workspace made before this branch: no version 12, no table.
  await ws.engine.run(`DROP TABLE link_review`);
  await ws.engine.run(`DELETE FROM schema_migration WHERE version = 12`);
  ws.close();
  const again = await openWorkspace(path);
  try {
    const after = (
      await again.engine.all<{ version: number }>(`SELECT version FROM schema_migration ORDER BY version`)
    ).map((r) => r.version);
    assert.deepEqual(after, before);
    const cols = await again.engine.all<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'link_review' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      cols.map((c) => c.column_name),
      ['model', 'id_l', 'id_r', 'decision', 'reason', 'decided_by', 'decided_at', 'match_probability'],
    );
  } finally {
    again.close();
  }
});
