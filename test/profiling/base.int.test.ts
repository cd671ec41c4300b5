import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseByGroup } from '../../src/profiling/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';

test('the base by group is safe by construction: calls at once, with no transaction, neither clash nor leave tables behind', async () => {
  const tmp = tempDir('civic-base-');
  const ws = await smallWorkspace(tmp.dir);
  try {
    const e = ws.engine;
    const tables = async () =>
      (await e.all<{ n: string }>(`SELECT table_name AS n FROM information_schema.tables ORDER BY 1`)).map((r) => r.n);
    const before = await tables();
    const one = await baseByGroup(e, 'oa21', 'households', { kind: 'area', level: 'oa21' });
    const alone = [...one.base].sort();
    // Twelve at once on the one connection, of two kinds, none inside a transaction.
    const many = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        baseByGroup(e, 'oa21', i % 2 ? 'population' : 'households', { kind: 'area', level: 'oa21' }),
      ),
    );
    for (const [i, b] of many.entries()) {
      if (i % 2 === 0) assert.deepEqual([...b.base].sort(), alone);
    }
    const population = [...many[1].base].sort();
    assert.notDeepEqual(population, alone, 'the population answers are their own');
    for (const [i, b] of many.entries()) if (i % 2) assert.deepEqual([...b.base].sort(), population);
    assert.deepEqual(await tables(), before, 'no working table is left behind');
  } finally {
    ws.close();
    tmp.cleanup();
  }
});
