import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createWorkspace } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';

test('a transaction has the connection to itself: work from elsewhere waits, and is not rolled back with it', async () => {
  const tmp = tempDir();
  const ws = await createWorkspace(join(tmp.dir, 'c.civic'));
  try {
    const e = ws.engine;
    await e.run(`CREATE TABLE t (v VARCHAR)`);
    const order: string[] = [];
    const failing = e
      .transaction(async () => {
        await e.run(`INSERT INTO t VALUES ('inside')`);
        await new Promise((r) => setTimeout(r, 50));
        order.push('tx body done');
        throw new Error('boom');
      })
      .catch((err: Error) => {
        order.push(`tx ${err.message}`);
      });
    // Started while the transaction is open: must wait for it, then commit on its own.
    const outside = (async () => {
      await e.run(`INSERT INTO t VALUES ('outside')`);
      order.push('outside written');
    })();
    const nested = e.transaction(async () => {
      await e.transaction(async () => {
        await e.run(`INSERT INTO t VALUES ('nested')`);
      });
      order.push('second tx done');
    });
    await Promise.all([failing, outside, nested]);
    assert.equal(order[0], 'tx body done');
    assert.equal(order[1], 'tx boom');
    const rows = (await e.all<{ v: string }>(`SELECT v FROM t ORDER BY v`)).map((r) => r.v);
    assert.deepEqual(rows, ['nested', 'outside']);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});
